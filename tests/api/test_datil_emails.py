"""Dátil's `correos_enviados`: the e-mails the SMTP server accepted for a document, as the
comprobante object of seed 001 carries them."""
from __future__ import annotations

import time
from contextlib import ExitStack

import requests

import ec_docs_support as S
from app.core.status import AUTHORIZED
from app.integrations import config
from app.integrations.sandbox_smtp import SmtpSink
from app.pos.runtime import make_worker
from app.store import documents
from app.store.db import transaction
from conftest import today_ec


def test_get_shows_the_emails_sent_to_the_buyer(ec_api):
    conn = ec_api.session.conn
    sink = SmtpSink().start()
    try:
        with transaction(conn):
            for key, value in (("smtp.host", "127.0.0.1"), ("smtp.port", str(sink.port)),
                               ("smtp.security", "none"), ("smtp.from", "facturas@tienda.example.ec")):
                config.set_value(conn, key, value)
        body = S.moved_to(S.invoice(), today_ec())
        body["emisor"]["ruc"] = ec_api.session.company.ruc
        body.pop("fecha_emision", None)
        h = {"x-key": ec_api.key, "Content-Type": "application/json"}
        issued = requests.post(f"{ec_api.url}/datil/invoices/issue", json=body, headers=h, timeout=30).json()
        assert issued["correos_enviados"] == []
        with ExitStack() as stack:
            worker = make_worker(ec_api.session, stack)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not sink.received:
                worker.run_once()
                time.sleep(0.05)
        assert documents.get(conn, int(issued["id"]))["status"] == AUTHORIZED
        got = requests.get(f"{ec_api.url}/datil/invoices/{issued['id']}", headers=h, timeout=10).json()
    finally:
        sink.stop()
    sent = got["correos_enviados"]
    assert [c["destinatarios"] for c in sent] == [S.BUYER["email"]]
    assert sent[0]["fecha_envio"][:4].isdigit() and sink.received[0].rcpt_tos == [S.BUYER["email"]]

