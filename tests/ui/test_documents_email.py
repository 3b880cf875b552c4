"""Documentos shows the buyer's e-mail state and re-sends it: the demo company, its embedded
sandbox, the real worker thread and a real SMTP server (aiosmtpd) on loopback."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from sales_helper import sell

from app.integrations import config
from app.integrations.sandbox_smtp import SmtpSink
from app.pos.cart import Buyer
from app.store import documents
from app.store.db import transaction

BUYER_EMAIL = "maria.andrade@example.ec"


@pytest.fixture
def sink():
    s = SmtpSink().start()
    yield s
    s.stop()


def configure(conn, sink: SmtpSink) -> None:
    with transaction(conn):
        config.set_value(conn, "smtp.host", "127.0.0.1")
        config.set_value(conn, "smtp.port", str(sink.port))
        config.set_value(conn, "smtp.security", "none")
        config.set_value(conn, "smtp.from", "facturas@tienda.example.ec")


def select(view, doc_id: int) -> None:
    view.reload()
    view.table.selectRow(next(i for i, r in enumerate(view.model.rows) if r["id"] == doc_id))


def test_sent_mail_is_shown_and_resent(qtbot, make_window, demo_session, sink):
    configure(demo_session.conn, sink)
    w = make_window(start_worker=True)
    assert w.ctx.worker is not None, w.ctx.worker_error
    invoice = sell(w, ["CEMENTO", "CAFE"], Buyer("05", "1710034065", "María Fernanda Andrade", BUYER_EMAIL))
    w.ctx.wake_worker()
    qtbot.waitUntil(lambda: len(sink.received) == 1, timeout=30000)
    assert sink.received[0].rcpt_tos == [BUYER_EMAIL]
    view = w.show_screen("documents")
    select(view, invoice.document_id)

    def shows(text):
        def check():
            view.poll()
            assert text in view.summary.toPlainText()
        return check

    qtbot.waitUntil(shows(f"Correo: enviado a {BUYER_EMAIL} (1 intento)"), timeout=10000)
    assert view.mail_button.isEnabled()
    assert view.mail_to.placeholderText() == BUYER_EMAIL
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)  # "Reenviar correo"
    assert "Correo en cola para " + BUYER_EMAIL in view.message.text()
    qtbot.waitUntil(lambda: len(sink.received) == 2, timeout=30000)
    assert sink.received[1].rcpt_tos == [BUYER_EMAIL]
    assert documents.get(w.ctx.conn, invoice.document_id)["number"] in sink.received[1].message()["Subject"]
    qtbot.waitUntil(shows("2 envíos en total"), timeout=10000)
    # to another address typed in the field
    view.mail_to.setText("contador@example.ec")
    view.mail_button.click()
    qtbot.waitUntil(lambda: len(sink.received) == 3, timeout=30000)
    assert sink.received[2].rcpt_tos == ["contador@example.ec"]


def test_without_smtp_or_buyer_email_says_so(qtbot, make_window):
    w = make_window(start_worker=True)
    invoice = sell(w, ["PAN"])  # the final consumer: no e-mail
    w.ctx.wake_worker()
    qtbot.waitUntil(lambda: documents.get(w.ctx.conn, invoice.document_id)["status"] == "authorized",
                    timeout=30000)
    view = w.show_screen("documents")
    select(view, invoice.document_id)
    assert "Correo: sin correo del comprador" in view.summary.toPlainText()
    view.mail_button.click()
    assert "El correo no está configurado" in view.message.text()
    assert "Configuración" in view.message.text()
