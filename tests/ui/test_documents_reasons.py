"""Documentos says why a document is pending or rejected (the authority's message verbatim and a
plain-Spanish explanation) and corrects a rejected one on screen: EC a new invoice that replaces
it (linked by previous_id), PY inutilize-and-reissue of a till sale; offline, the status bar says
why in words."""
from __future__ import annotations

import socket
from contextlib import ExitStack

import pytest
from PySide6.QtCore import Qt

from sales_helper import sell

from app.core import status as st
from app.pos.cart import Buyer
from app.store import documents, settings
from app.store.db import transaction


def reject(conn, doc_id, messages):
    with transaction(conn):
        documents.set_status(conn, doc_id, st.REJECTED, messages=messages, detail="DEVUELTA")


def select(view, doc_id):
    view.reload()
    view.table.selectRow([r["id"] for r in view.model.rows].index(doc_id))


def test_ec_rejected_invoice_explained_and_replaced_by_a_linked_one(qtbot, make_window):
    w = make_window()
    bad = sell(w, ["CAFE"], Buyer("05", "1710034065", "Maria Andrade"))
    reject(w.ctx.conn, bad.document_id, [{"identificador": "62", "mensaje": "IDENTIFICACION DEL RECEPTOR INCORRECTA",
                                          "tipo": "ERROR", "informacionAdicional": "cedula 1710034065"}])
    view = w.show_screen("documents")
    select(view, bad.document_id)
    why = view.why.text()
    assert view.why.isVisible()
    assert "«62 IDENTIFICACION DEL RECEPTOR INCORRECTA — cedula 1710034065»" in why  # verbatim
    assert "identificación del comprador es incorrecta" in why  # the explanation
    assert "¿Por qué?" in view.summary.toPlainText()
    button = view.action_buttons["reemplazar"]
    assert button.isEnabled()
    qtbot.keyClicks(view.param_fields["receptor"], "1710034066")  # a wrong check digit is refused
    qtbot.keyClick(view.param_fields["receptor"], Qt.Key.Key_F9)
    assert view.message.text() and "emitido en reemplazo" not in view.message.text()
    assert w.ctx.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 1
    view.param_fields["receptor"].clear()
    qtbot.keyClicks(view.param_fields["receptor"], "0102030400")
    qtbot.keyClicks(view.param_fields["nombre"], "Maria Fernanda Andrade")
    qtbot.keyClicks(view.param_fields["email"], "maria@example.com")
    qtbot.keyClick(view.param_fields["email"], Qt.Key.Key_F9)
    assert "emitido en reemplazo" in view.message.text(), view.message.text()
    new = w.ctx.conn.execute("SELECT * FROM documents WHERE previous_id=?", (bad.document_id,)).fetchone()
    assert new is not None and new["status"] == st.SIGNED and new["key"] != bad.key
    assert new["buyer_id"] == "0102030400" and new["buyer_name"] == "Maria Fernanda Andrade"
    assert documents.get(w.ctx.conn, bad.document_id)["status"] == st.REJECTED
    assert b"maria@example.com" in bytes(new["xml"])
    # it cannot be replaced twice
    select(view, bad.document_id)
    view.perform(next(a for a in view.facet.document_actions if a.id == "reemplazar"))
    assert "ya fue reemplazado" in view.message.text()


def test_pending_document_and_status_bar_say_why_offline(qtbot, demo_session, make_window):
    from app.fiscal.ec.transport import SANDBOX_URL_KEY

    with socket.socket() as s:  # a port nobody listens on: the network is down
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    with transaction(demo_session.conn):
        settings.put(demo_session.conn, SANDBOX_URL_KEY, dead)
    w = make_window(start_worker=True)
    assert w.ctx.worker is not None, w.ctx.worker_error
    inv = sell(w, ["PAN"])
    w.ctx.wake_worker()

    def says_offline():
        w.status.refresh()
        assert "sin conexión" in w.status.link.text(), (w.status.link.text(), w.status.facts)

    qtbot.waitUntil(says_offline, timeout=20000)
    view = w.show_screen("documents")
    select(view, inv.document_id)
    assert "No hay conexión con SRI" in view.why.text(), view.why.text()
    assert "no hace falta emitirlo de nuevo" in view.why.text()


@pytest.fixture
def py_window(qtbot, tmp_path):
    from app.pos import users
    from app.ui.main import MainWindow, build_context, make_app, prepare_demo

    make_app()
    session = prepare_demo(tmp_path / "data", "PY")
    stack = ExitStack()
    ctx = build_context(session, users.authenticate(session.conn, "1234"), demo=True, stack=stack,
                        start_worker=False)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1024, 768)
    window.show()
    yield window
    window.shutdown()
    stack.close()
    session.close()


def test_py_rejected_explained_and_inutilized_and_reissued(qtbot, py_window):
    w = py_window
    bad = sell(w, ["COLA2"], buyer=Buyer("PY-CI", "3456789", "Maria Jose Benitez"))
    reject(w.ctx.conn, bad.document_id, [{"codigo": "0160", "mensaje": "XML malformado [dNumCasRec]"}])
    view = w.show_screen("documents")
    select(view, bad.document_id)
    assert "«0160 XML malformado [dNumCasRec]»" in view.why.text()
    assert "no cumple el formato de SIFEN" in view.why.text()
    assert view.action_buttons["corregir"].isEnabled() and view.action_buttons["reemitir"].isEnabled()
    # (the same-CDC correction of a till sale: tests/ui/test_py_correct_same_cdc.py)
    qtbot.keyClicks(view.param_fields["nombre"], "Maria Jose Benitez Rojas")
    view.perform(next(a for a in view.facet.document_actions if a.id == "reemitir"))
    assert "en inutilización" in view.message.text(), view.message.text()
    ev = w.ctx.conn.execute("SELECT kind, document_id FROM py_events").fetchall()
    assert [(e[0], e[1]) for e in ev] == [("inutilizacion", bad.document_id)]
    new = w.ctx.conn.execute("SELECT * FROM documents WHERE id > ? ORDER BY id DESC", (bad.document_id,)).fetchone()
    assert new["buyer_name"] == "Maria Jose Benitez Rojas" and new["key"] != bad.key
    assert new["status"] == st.SIGNED
