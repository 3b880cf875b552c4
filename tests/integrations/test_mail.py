"""E-mail to the buyer, end to end: a demo EC shop, its SRI sandbox, the real worker and a real
SMTP server (aiosmtpd) on loopback."""
from __future__ import annotations

import random
from contextlib import ExitStack

import pytest

from app.config import DataDir
from app.fiscal.ec.demo import demo_invoice
from app.fiscal.ec.sandbox import SriSandbox
from app.fiscal.ec.transport import SANDBOX_URL_KEY, sandbox_accepts
from app.integrations import config, jobs, mail
from app.integrations.sandbox_smtp import SmtpSink, free_port, make_test_certificate
from app.pos import checkout
from app.pos.demo import create_demo_company
from app.pos.runtime import make_worker
from app.store import documents, settings
from app.store.db import transaction
from app.xmlsafe import parse_xml

BUYER = "compras@andes.example.ec"  # demo_invoice's buyer for n == 1


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


def configure(session, sink: SmtpSink, **extra):
    with transaction(session.conn):
        config.set_value(session.conn, "smtp.host", "127.0.0.1")
        config.set_value(session.conn, "smtp.port", str(sink.port))
        config.set_value(session.conn, "smtp.security", sink.security)
        config.set_value(session.conn, "smtp.from", "facturas@tienda.example.ec")
        config.set_value(session.conn, "smtp.name", "Tienda Demo")
        config.set_value(session.conn, "smtp.reply_to", "ventas@tienda.example.ec")
        for k, v in extra.items():
            config.set_value(session.conn, k, v)


def issue_and_drain(session, n=1, rounds=30):
    result = checkout.issue(session, demo_invoice(session.company, random.Random(n), n), "invoices")
    with ExitStack() as stack:
        worker = make_worker(session, stack)
        for _ in range(rounds):
            worker.run_once()
            row = documents.by_key(session.conn, result.key)
            views = jobs.for_document(session.conn, row["id"], mail.KIND)
            if views and views[-1].status != jobs.PENDING:
                break
            if views:  # a retry was scheduled: make it due now
                session.conn.execute("UPDATE integration_jobs SET next_attempt_at=0 WHERE status='pending'")
    return documents.by_key(session.conn, result.key)


def test_authorized_invoice_is_mailed_with_pdf_and_authorized_xml(shop):
    sink = SmtpSink().start()
    try:
        configure(shop, sink)
        row = issue_and_drain(shop)
    finally:
        sink.stop()
    assert row["status"] == "authorized"
    assert len(sink.received) == 1 and sink.received[0].rcpt_tos == [BUYER]
    msg = sink.received[0].message()
    assert row["number"] in msg["Subject"] and msg["Reply-To"] == "ventas@tienda.example.ec"
    atts = {a.get_filename(): a.get_content() for a in msg.iter_attachments()}
    pdf = next(v for k, v in atts.items() if k.endswith(".pdf"))
    assert pdf.startswith(b"%PDF")
    auth = parse_xml(atts[f"{row['key']}.xml"])
    assert auth.tag == "autorizacion" and auth.findtext("estado") == "AUTORIZADO"
    assert auth.findtext("numeroAutorizacion") == row["authorization_number"]
    assert auth.findtext("comprobante").encode() == bytes(row["xml"])  # the signed bytes, verbatim
    state = mail.state(shop.conn, row["id"])
    assert state["status"] == jobs.DONE and state["sent_to"] == [BUYER]


def test_starttls_with_auth(shop, tmp_path):
    cert = make_test_certificate(tmp_path)
    sink = SmtpSink(security="starttls", cert=cert, user="tienda", password="s3creta").start()
    try:
        configure(shop, sink, **{"smtp.user": "tienda", "smtp.ca_file": cert[0]})
        with transaction(shop.conn):
            config.store_secret(shop.conn, "smtp.password", "s3creta\n")
        row = issue_and_drain(shop)
    finally:
        sink.stop()
    assert mail.state(shop.conn, row["id"])["status"] == jobs.DONE
    assert len(sink.received) == 1
    assert settings.get(shop.conn, "smtp.password") is None  # never in the database


def test_implicit_tls(shop, tmp_path):
    cert = make_test_certificate(tmp_path)
    sink = SmtpSink(security="tls", cert=cert).start()
    try:
        configure(shop, sink, **{"smtp.ca_file": cert[0]})
        row = issue_and_drain(shop)
    finally:
        sink.stop()
    assert mail.state(shop.conn, row["id"])["status"] == jobs.DONE and len(sink.received) == 1


def test_wrong_password_is_retried_not_sent(shop, tmp_path):
    cert = make_test_certificate(tmp_path)
    sink = SmtpSink(security="starttls", cert=cert, user="tienda", password="s3creta").start()
    try:
        configure(shop, sink, **{"smtp.user": "tienda", "smtp.ca_file": cert[0]})
        config.store_secret(shop.conn, "smtp.password", "otra")
        row = issue_and_drain(shop, rounds=3)
    finally:
        sink.stop()
    state = mail.state(shop.conn, row["id"])
    assert state["status"] == jobs.PENDING and "contraseña" in state["error"] and sink.received == []


def test_refused_recipient_is_a_permanent_failure_shown(shop):
    sink = SmtpSink(refuse={BUYER}).start()
    try:
        configure(shop, sink)
        row = issue_and_drain(shop)
    finally:
        sink.stop()
    state = mail.state(shop.conn, row["id"])
    assert state["status"] == jobs.FAILED and "rechazó el destinatario" in state["error"] and "550" in state["error"]
    assert state["attempts"] == 1 and sink.received == []


def test_server_down_then_back(shop, monkeypatch):
    port = free_port()
    configure(shop, SmtpSink(port=port))  # configured, not started: nobody listens
    row = issue_and_drain(shop, rounds=2)
    state = mail.state(shop.conn, row["id"])
    assert state["status"] == jobs.PENDING and "No se pudo conectar" in state["error"]
    sink = SmtpSink(port=port).start()
    try:
        shop.conn.execute("UPDATE integration_jobs SET next_attempt_at=0")
        # within the "server down" window the job is not even tried (a queue behind a dead
        # server does not wait for a timeout each)
        assert jobs.run_due(shop.conn, {mail.KIND: mail.handler()}) == 1 and sink.received == []
        monkeypatch.setattr(mail, "DOWN_SECONDS", 0)
        mail._DOWN.clear()  # the window is over
        shop.conn.execute("UPDATE integration_jobs SET next_attempt_at=0")
        assert jobs.run_due(shop.conn, {mail.KIND: mail.handler()}) == 1
    finally:
        sink.stop()
    assert mail.state(shop.conn, row["id"])["status"] == jobs.DONE and len(sink.received) == 1


def test_manual_resend_to_another_address(shop):
    sink = SmtpSink().start()
    try:
        configure(shop, sink)
        row = issue_and_drain(shop)
        with transaction(shop.conn):
            mail.request_send(shop.conn, row["key"], "contador@example.ec")
        jobs.run_due(shop.conn, {mail.KIND: mail.handler()})
    finally:
        sink.stop()
    assert [r.rcpt_tos for r in sink.received] == [[BUYER], ["contador@example.ec"]]
    assert mail.state(shop.conn, row["id"])["delivered"] == 2


def test_interrupted_send_is_shown_maybe_sent_and_not_repeated(shop, capsys):
    sink = SmtpSink().start()
    try:
        configure(shop, sink)
        with ExitStack() as stack:  # authorize with the SMTP job left queued (no integrations pass)
            worker = make_worker(shop, stack)
            worker.extra_work = []
            result = checkout.issue(shop, demo_invoice(shop.company, random.Random(1), 1), "invoices")
            for _ in range(20):
                worker.run_once()
                if documents.by_key(shop.conn, result.key)["status"] == "authorized":
                    break
        row = documents.by_key(shop.conn, result.key)
        # what a process killed after the server accepted the message leaves behind
        shop.conn.execute("UPDATE integration_jobs SET lease_owner='otra-maquina:1:x', lease_until=0, "
                          "attempting_at=1 WHERE document_id=?", (row["id"],))
        assert jobs.run_due(shop.conn, {mail.KIND: mail.handler()}) == 0
        assert sink.received == []
        state = mail.state(shop.conn, row["id"])
        assert state["status"] == jobs.UNCERTAIN and state["status_es"] == "posiblemente enviado"
        with transaction(shop.conn):  # a person re-sends: a new request, sent once
            mail.request_send(shop.conn, row["key"])
        jobs.run_due(shop.conn, {mail.KIND: mail.handler()})
        assert len(sink.received) == 1
    finally:
        sink.stop()
