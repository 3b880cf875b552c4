"""The central store on a real PostgreSQL: taxes per rate per day, shop and register; the mall
report over every register's authorized invoices, delivered to a real SFTP server; a register's
edits to an existing customer merged by identification number."""
from __future__ import annotations

import random
from contextlib import ExitStack
from datetime import date
from decimal import Decimal

import pytest
from test_central_rules import joined_register, server  # noqa: F401  (the in-thread central server)

from app.central import admin, replica
from app.cli import main
from app.config import DataDir
from app.fiscal import registry
from app.integrations import config
from app.integrations.sandbox_mall import SftpSandbox
from app.pos import checkout, reports
from app.pos.demo import create_demo_company, demo_sale
from app.pos.runtime import make_worker
from app.store import documents, settings
from app.store.db import connect, transaction
from app.xmlsafe import parse_xml


def replicate(session) -> int:
    """One pass, as the worker runs it: a pass cut by the network is simply run again (at most
    twice more here; the worker backs off and retries)."""
    rep = replica.Replicator(session.setting(replica.URL_KEY), replica.token(session.conn), min_interval=0)
    moved = 0
    for _ in range(3):
        moved += rep.run_pass(session.conn, force=True)
        if rep.last_error is None:
            return moved
    raise AssertionError(rep.last_error)


def sell(session, count: int, seed: int = 0) -> list:
    company = session.company
    estab = company.establishments[0]
    out = []
    for n in range(seed, seed + count):
        body, kind = demo_sale(company, random.Random(n), n, estab=estab.code, point=estab.points[0].code)
        out.append(checkout.issue(session, body, kind, source="demo"))
    return out


@pytest.mark.parametrize("country", registry.codes())
def test_taxes_per_rate_day_shop_and_register_match_the_registers_own_report(server, tmp_path,  # noqa: F811
                                                                            country):
    regs = {}
    for name, n in (("Caja T1", 4), ("Caja T2", 3)):
        session = create_demo_company(DataDir(tmp_path / name), country)
        code = server.store_.new_enrolment(name)
        admin.join(session.conn, server.url, code)
        sell(session, n, seed=len(regs) * 10)
        assert replicate(session) > 0
        regs[name] = session
    rows = server.store_.report()["taxes_by_day"]
    assert {r["register"] for r in rows} == set(regs)
    for name, session in regs.items():
        mine = [r for r in rows if r["register"] == name]
        assert {r["shop"] for r in mine} == {session.company.establishments[0].code}
        local = reports.by_tax(session.conn, date(2000, 1, 1), date(2999, 12, 31), reports.zone_for(country))
        assert sum(Decimal(r["base"]) for r in mine) == sum(r.amount for r in local)
        assert sum(Decimal(r["tax"]) for r in mine) == sum(r.extra for r in local)
        assert sum(Decimal(r["tax"]) for r in mine) > 0
        docs = session.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        # each document counted once per rate it carries
        assert max(r["documents"] for r in mine) <= docs
    # a batch sent again (a crash before the cursor moved) does not double the taxes
    again = regs["Caja T1"]
    with transaction(again.conn):
        again.conn.execute("DELETE FROM central_cursors WHERE name='push:documents'")
    replicate(again)
    assert server.store_.report()["taxes_by_day"] == rows
    for s in regs.values():
        s.close()


@pytest.fixture
def ec_shop(server, tmp_path):  # noqa: F811
    """A register of a shop in a mall: Ecuador (the mall report, seed 000, is Ecuadorian), its
    authority played by the built-in sandbox on loopback, joined to the central server."""
    session = create_demo_company(DataDir(tmp_path / "caja-mall"), "EC")
    stack = ExitStack()
    worker = make_worker(session, stack)
    code = server.store_.new_enrolment("Caja Mall")
    admin.join(session.conn, server.url, code)
    yield session, worker
    stack.close()
    session.close()


def authorize(session, worker, count: int, start: int = 0) -> list:
    keys = [r.key for r in sell(session, count, seed=start)]
    for _ in range(200):
        worker.run_once()
        if all(documents.by_key(session.conn, k)["status"] == "authorized" for k in keys):
            break
    rows = [documents.by_key(session.conn, k) for k in keys]
    assert all(r["status"] == "authorized" for r in rows), [r["status"] for r in rows]
    return rows


@pytest.fixture
def sftp(tmp_path):
    srv = SftpSandbox(tmp_path / "mall-sftp").start()
    yield srv
    srv.stop()


def test_mall_report_from_the_central_store_delivers_every_registers_invoices_once(
        server, ec_shop, sftp, tmp_path, capsys):  # noqa: F811
    session, worker = ec_shop
    rows = authorize(session, worker, 3)
    replicate(session)
    invoices = sorted(r["key"] for r in rows if r["kind"] == "invoices")
    assert invoices
    # the central machine: its own data folder holds the mall settings and password
    central = DataDir(tmp_path / "central-machine")
    central.ensure()
    conn = connect(central.db_path)
    (sftp.root / "facturas").mkdir()
    with transaction(conn):
        for k, v in {"mall.001.mode": "sftp", "mall.001.sftp.host": "127.0.0.1",
                     "mall.001.sftp.port": str(sftp.port), "mall.001.sftp.user": sftp.user,
                     "mall.001.sftp.dir": "facturas"}.items():
            config.set_value(conn, k, v)
    config.store_secret(conn, "mall.001.sftp.password", sftp.password)
    dsn = server.dsn
    day = max(r["issued_at"][:10] for r in rows)
    dry = admin.mall_report(conn, dsn, day, dry_run=True)
    assert sorted(d["clave"] for d in dry[0]["documentos"]) == invoices
    assert sftp.files("facturas") == []
    code = main(["--data-dir", str(central.root), "central", "mall", "report", "--db", dsn, "--date", day])
    out = capsys.readouterr().out
    assert code == 0 and f"{len(invoices)} enviados" in out
    assert sftp.files("facturas") == sorted(f"{k}.xml" for k in invoices)
    auth = parse_xml((sftp.root / "facturas" / f"{invoices[0]}.xml").read_bytes())
    assert auth.findtext("estado") == "AUTORIZADO"
    assert settings.get(conn, "mall.001.sftp.hostkey")  # pinned on first use, on the central machine
    # never twice, even once the mall took the files away; a later invoice goes with the next run
    for p in (sftp.root / "facturas").iterdir():
        p.unlink()
    assert admin.mall_report(conn, dsn, day)[0]["documentos"] == []
    more = authorize(session, worker, 1, start=50)[0]
    replicate(session)
    later = admin.mall_report(conn, dsn, "2999-12-31")
    assert [d["clave"] for d in later[0]["documentos"]] == ([more["key"]] if more["kind"] == "invoices" else [])
    conn.close()


def test_mall_report_without_mall_settings_is_a_spanish_error(server, tmp_path, capsys):  # noqa: F811
    code = main(["--data-dir", str(tmp_path / "m"), "central", "mall", "report", "--db", server.dsn])
    assert code == 2 and "centro comercial" in capsys.readouterr().err
    code = main(["--data-dir", str(tmp_path / "m"), "central", "mall", "report", "--db", server.dsn,
                 "--date", "ayer"])
    assert code == 2 and "AAAA-MM-DD" in capsys.readouterr().err


def test_a_registers_edit_of_a_customer_reaches_the_centre_and_the_other_registers(server, tmp_path):  # noqa: F811
    store = server.store_
    store.conn.execute("INSERT INTO customers(identification, id_type, name, email, phone) VALUES "
                       "('0912345678', '05', 'CLIENTE CENTRAL', 'central@example.com', '042000000')")
    store.conn.commit()
    a = joined_register(server, tmp_path, "Caja E1")
    b = joined_register(server, tmp_path, "Caja E2")
    replicate(a)
    replicate(b)
    # a pull's own writes are not edits: nothing goes back
    assert a.conn.execute("SELECT count(*) FROM central_customer_edits").fetchone()[0] == 0
    with transaction(a.conn):  # an empty field filled, a non-empty one changed, one emptied
        a.conn.execute("UPDATE customers SET address='Av. 9 de Octubre 100', email='nuevo@example.com', "
                       "phone='' WHERE identification='0912345678'")
    assert replica.Replicator(a.setting(replica.URL_KEY), replica.token(a.conn)).pending(a.conn)["customer_edits"] == 1
    replicate(a)
    row = store.conn.execute("SELECT name, email, phone, address FROM customers "
                             "WHERE identification='0912345678'").fetchone()
    store.conn.commit()
    assert row == ("CLIENTE CENTRAL", "nuevo@example.com", "042000000", "Av. 9 de Octubre 100")
    assert a.conn.execute("SELECT count(*) FROM central_customer_edits").fetchone()[0] == 0
    replicate(b)
    got = b.conn.execute("SELECT email, phone, address FROM customers WHERE identification='0912345678'").fetchone()
    assert tuple(got) == ("nuevo@example.com", "042000000", "Av. 9 de Octubre 100")
    # the emptied phone comes back from the centre to the register that emptied it
    replicate(a)
    assert a.conn.execute("SELECT phone FROM customers WHERE identification='0912345678'").fetchone()[0] == "042000000"
    # a register that is not joined queues nothing
    c = create_demo_company(DataDir(tmp_path / "solo"))
    with transaction(c.conn):
        c.conn.execute("INSERT INTO customers(id_type, identification, name, updated_at) VALUES "
                       "('05', '0999999999', 'X', 'x')")
        c.conn.execute("UPDATE customers SET email='x@example.com' WHERE identification='0999999999'")
    assert c.conn.execute("SELECT count(*) FROM central_customer_edits").fetchone()[0] == 0
    for s in (a, b, c):
        s.close()
