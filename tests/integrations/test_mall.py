"""The mall report (seed 000) against a real SFTP server (asyncssh) and the REST portal on loopback."""
from __future__ import annotations

import random
from contextlib import ExitStack
from decimal import Decimal

import pytest

from app.config import DataDir
from app.fiscal.ec.demo import demo_invoice
from app.fiscal.ec.sandbox import SriSandbox
from app.fiscal.ec.transport import SANDBOX_URL_KEY, sandbox_accepts
from app.integrations import config, jobs, mall
from app.integrations.sandbox_mall import OK_TEXT, MallPortal, SftpSandbox
from app.pos import checkout
from app.pos.demo import create_demo_company
from app.pos.runtime import make_worker
from app.store import documents, settings
from app.store.db import transaction
from app.xmlsafe import parse_xml


@pytest.fixture
def shop(tmp_path):
    session = create_demo_company(DataDir(tmp_path / "data"), "EC")
    sandbox = SriSandbox(accepted=sandbox_accepts(session.company), db_path=str(tmp_path / "sri.db"))
    sandbox.start()
    with transaction(session.conn):
        settings.put(session.conn, SANDBOX_URL_KEY, sandbox.url)
        settings.put(session.conn, "ec.poll_delay_seconds", 0)
    yield session
    sandbox.stop()
    session.close()


def authorize(session, count: int, start: int = 0) -> list:
    keys = [checkout.issue(session, demo_invoice(session.company, random.Random(n), n), "invoices").key
            for n in range(start, start + count)]
    with ExitStack() as stack:
        worker = make_worker(session, stack)
        for _ in range(20):
            worker.run_once()
            if all(documents.by_key(session.conn, k)["status"] == "authorized" for k in keys):
                break
    return [documents.by_key(session.conn, k) for k in keys]


def set_all(conn, values: dict, secrets: dict = {}):
    with transaction(conn):
        for k, v in values.items():
            config.set_value(conn, k, v)
    for k, v in secrets.items():
        config.store_secret(conn, k, v)


@pytest.fixture
def sftp(tmp_path):
    server = SftpSandbox(tmp_path / "mall-sftp").start()
    yield server
    server.stop()


def configure_sftp(conn, server):
    (server.root / "facturas").mkdir(exist_ok=True)
    set_all(conn, {"mall.001.mode": "sftp", "mall.001.sftp.host": "127.0.0.1", "mall.001.sftp.port": str(server.port),
                   "mall.001.sftp.user": server.user, "mall.001.sftp.dir": "facturas", "mall.001.hour": "23:30"},
            {"mall.001.sftp.password": server.password})


def test_sftp_uploads_authorized_form_once_pins_key_and_catches_up(shop, sftp):
    rows = authorize(shop, 3)
    configure_sftp(shop.conn, sftp)
    dry = mall.run_report(shop.conn, "001", dry_run=True)
    assert len(dry.deliveries) == 3 and sftp.files("facturas") == []
    report = mall.run_report(shop.conn, "001", "2999-12-31")
    assert report.sent == 3 and report.error is None
    names = sftp.files("facturas")
    assert names == sorted(f"{r['key']}.xml" for r in rows)  # no .part left behind
    auth = parse_xml((sftp.root / "facturas" / names[0]).read_bytes())
    assert auth.tag == "autorizacion" and auth.findtext("estado") == "AUTORIZADO"
    pinned = settings.get(shop.conn, "mall.001.sftp.hostkey")
    assert mall.fingerprint(pinned) == sftp.fingerprint
    # never twice: a second run sends nothing, even once the mall has taken the files away
    for p in (sftp.root / "facturas").iterdir():
        p.unlink()
    assert mall.run_report(shop.conn, "001").deliveries == []
    assert sftp.files("facturas") == []
    # a day missed while offline: one more invoice, then the run of a later day takes it
    more = authorize(shop, 1, start=10)[0]
    assert [d.key for d in mall.run_report(shop.conn, "001", "2999-12-31").deliveries] == [more["key"]]


def test_sftp_file_already_there_after_a_crash_is_recorded_not_resent(shop, sftp):
    rows = authorize(shop, 1)
    configure_sftp(shop.conn, sftp)
    final = sftp.root / "facturas" / f"{rows[0]['key']}.xml"
    final.write_bytes(b"whole file renamed before the crash")
    report = mall.run_report(shop.conn, "001")
    assert report.sent == 1 and "ya estaba" in report.deliveries[0].answer
    assert final.read_bytes() == b"whole file renamed before the crash"


def test_sftp_changed_host_key_stops_the_upload(shop, sftp):
    authorize(shop, 1)
    configure_sftp(shop.conn, sftp)
    mall.pin_host_key(shop.conn, mall.MallConfig.load(shop.conn, "001"))
    sftp.new_host_key()
    with pytest.raises(mall.MallHostKeyError, match="cambió"):
        mall.run_report(shop.conn, "001")
    assert sftp.files("facturas") == [] and sftp.logins == 0
    assert "cambió" in mall.status_text(shop.conn)


def test_sftp_job_is_scheduled_on_authorization_at_the_configured_hour(shop, sftp):
    configure_sftp(shop.conn, sftp)
    row = authorize(shop, 1)[0]
    day = row["issued_at"][:10]
    job = jobs.by_key(shop.conn, mall.KIND, f"001:{day}")
    assert job is not None and job.next_attempt_at == mall.due_at(shop.conn, day, "23:30")
    shop.conn.execute("UPDATE integration_jobs SET next_attempt_at=0 WHERE kind=?", (mall.KIND,))
    assert jobs.run_due(shop.conn, {mall.KIND: mall.handler()}) == 1
    assert jobs.by_key(shop.conn, mall.KIND, f"001:{day}").status == jobs.DONE
    assert sftp.files("facturas") == [f"{row['key']}.xml"]


@pytest.fixture
def portal(shop):
    p = MallPortal(rucs={shop.company.ruc}).start()
    yield p
    p.stop()
    assert p.errors == []


def configure_rest(conn, portal):
    set_all(conn, {"mall.001.mode": "rest", "mall.001.rest.url": portal.base_url, "mall.001.rest.user": portal.user},
            {"mall.001.rest.password": portal.password})


def test_rest_registers_each_invoice_with_the_seed_fields(shop, portal):
    configure_rest(shop.conn, portal)
    rows = authorize(shop, 2)  # queued per invoice on authorization, sent by the worker's pass
    with ExitStack() as stack:
        make_worker(shop, stack).run_once()
    assert sorted(portal.registered) == sorted(r["authorization_number"] for r in rows)
    fields = portal.registered[rows[0]["authorization_number"]]
    root = parse_xml(bytes(rows[0]["xml"]))
    assert fields["RUC"] == shop.company.ruc and fields["establishmentCode"] == "001"
    assert Decimal(fields["total"]) == Decimal(root.findtext("infoFactura/importeTotal"))
    iva = sum((Decimal(t.findtext("valor")) for t in root.findall("infoFactura/totalConImpuestos/totalImpuesto")
               if t.findtext("codigo") == "2"), Decimal("0"))
    assert Decimal(fields["totalTaxIVA"]) == iva and fields["totalTaxICE"] == "0.00"
    answers = {r["answer"] for r in shop.conn.execute("SELECT answer FROM mall_deliveries")}
    assert answers == {OK_TEXT}


def test_rest_token_expiry_error_and_5xx(shop, portal):
    rows = authorize(shop, 3)
    configure_rest(shop.conn, portal)
    mall.run_report(shop.conn, "001", only=rows[0]["id"])
    assert portal.logins == 1
    portal.expire_tokens()  # next call gets 401: one new login, the invoice goes
    mall.run_report(shop.conn, "001", only=rows[1]["id"])
    assert portal.logins == 2 and len(portal.registered) == 2
    portal.faults.inject("http500", 1, endpoint="register")
    with pytest.raises(mall.MallTransportError, match="500"):
        mall.run_report(shop.conn, "001")
    assert len(portal.registered) == 2  # retried later, nothing recorded for it
    # a business error: kept per invoice, shown, not retried by itself
    portal.registered[rows[2]["authorization_number"]] = {}
    report = mall.run_report(shop.conn, "001")
    assert report.failed == 1 and "ya se encuentra registrada" in report.deliveries[0].answer
    assert mall.run_report(shop.conn, "001").deliveries == []
    assert "ya se encuentra registrada" in mall.status_text(shop.conn)
