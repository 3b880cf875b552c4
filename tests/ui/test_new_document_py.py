"""Nuevo documento (Ctrl+N on Documentos) for a Paraguayan company, by key events only: an
autofactura (geography chosen from SIFEN's tables) issued through checkout, approved by the
simulated SIFEN on loopback, printed (ESC/POS on a file printer, the KuDE as PDF); and a
receptor event (conformidad) on a supplier's DE, signed, queued and registered."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from new_document_keys import CTRL, ENTER, choose, fill, focus, open_dialog, type_text
from py_shop_helper import py_shop, supplier_de  # noqa: F401  (py_shop: the fixture)

from app.fiscal.py import event_requests
from app.store import documents


def open_form(qtbot, window, search: str, form_id: str):
    view, dialog = open_dialog(qtbot, window)
    choose(qtbot, dialog, search, form_id)
    return view, dialog


def test_autofactura_by_keyboard_approved_and_printed(qtbot, py_shop, tmp_path):
    window, sandbox, printed = py_shop
    view, dialog = open_form(qtbot, window, "autof", "py-afe")
    fill(qtbot, dialog, {"vendedor_documento": "1234567", "vendedor_nombre": "Vendedor Rural",
                         "vendedor_direccion": "Compañía San José",
                         "vendedor_ciudad": "ASUNCION (DISTRITO) — ASUN",  # searched in SIFEN's table
                         "lugar_direccion": "Mercado 4", "constancia_numero": "12345678901",
                         "constancia_control": "ABCD1234"},
         {"items": [["C-1", "Mandioca", "120", None, "2500"], ["C-2", "Huevos", "30", None, "1.000"]]})
    qtbot.keyClick(focus(), ENTER, CTRL)  # Emitir
    assert dialog.result is not None, dialog.error.text()
    doc = documents.get(window.ctx.conn, dialog.result.document_id)
    assert doc["kind"] == "purchase-settlements" and doc["number"].startswith(
        f"{window.ctx.establishment}-{window.ctx.point}-")
    xml = bytes(doc["xml"])
    assert b"<dNomVen>Vendedor Rural</dNomVen>" in xml and b"<cCiuVen>1</cCiuVen>" in xml
    assert b"<dTotGralOpe>330000</dTotGralOpe>" in xml  # «1.000» is a thousand guaraníes
    assert all(f.ok for f in window.ctx.session.backend.verify(xml))
    assert view.current_id() == doc["id"] and "F7" in view.message.text()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.table, timeout=3000)
    qtbot.keyClick(view.table, Qt.Key.Key_F7)
    assert printed.read_bytes().startswith(b"\x1b@") and b"Autofactura" in printed.read_bytes()
    kude = tmp_path / "kude.pdf"
    view.save_ride(doc["id"], kude)
    assert kude.read_bytes().startswith(b"%PDF")
    window.ctx.wake_worker()
    qtbot.waitUntil(lambda: documents.get(window.ctx.conn, doc["id"])["status"] == "authorized", timeout=30000)
    assert sandbox.state(doc["key"]) == "approved"


def test_conformidad_by_keyboard_is_registered(qtbot, py_shop):
    window, sandbox, _printed = py_shop
    cdc = supplier_de(window.ctx.session, sandbox)
    view, dialog = open_form(qtbot, window, "conform", "py-conformidad")
    fill(qtbot, dialog, {"cdc": cdc[:10]}, {})  # a CDC cut short: refused, the cursor back on it
    qtbot.keyClick(focus(), ENTER, CTRL)
    assert dialog.isVisible() and "CDC" in dialog.error.text(), dialog.error.text()
    assert focus() in (dialog.inputs["cdc"], getattr(dialog.inputs["cdc"], "lineEdit", lambda: None)())
    focus().selectAll()
    type_text(qtbot, cdc)
    qtbot.keyClick(focus(), ENTER, CTRL)
    assert not dialog.isVisible(), dialog.error.text()
    assert "en cola para SIFEN" in view.message.text() and cdc in view.message.text()
    row_id = int(view.message.text().split("n.º ")[1].split()[0])
    session = window.ctx.session
    assert event_requests.receptor_event_status(session, row_id)["status"] == "signed"
    window.ctx.wake_worker()  # the worker's pass sends the receptor events too
    qtbot.waitUntil(lambda: event_requests.receptor_event_status(session, row_id)["status"] != "signed",
                    timeout=30000)
    ev = event_requests.receptor_event_status(session, row_id)
    assert ev["kind"] == "conformidad" and ev["status"] == "registered" and "0600" in ev["messages"], ev


def test_nota_de_remision_by_keyboard_then_its_transport_update_on_documentos(qtbot, py_shop):
    window, sandbox, _printed = py_shop
    view, dialog = open_form(qtbot, window, "remisi", "py-nre")
    fill(qtbot, dialog, {"motivo": "entre locales", "kms": "25", "entrega_direccion": "Sucursal norte",
                         "entrega_numero": "200", "entrega_ciudad": "1", "vehiculo_tipo": "Camion",
                         "vehiculo_marca": "Volvo", "vehiculo_matricula": "ABC123", "chofer_documento": "1234567",
                         "chofer_nombre": "Juan Chofer", "chofer_direccion": "Luque"},
         {"items": [["A-1", "Cajas de yerba", "20", None]]})
    qtbot.keyClick(focus(), ENTER, CTRL)
    assert dialog.result is not None, dialog.error.text()
    doc_id = dialog.result.document_id
    doc = documents.get(window.ctx.conn, doc_id)
    assert doc["kind"] == "waybills" and b"<iMotEmiNR>7</iMotEmiNR>" in bytes(doc["xml"])
    window.ctx.wake_worker()
    qtbot.waitUntil(lambda: documents.get(window.ctx.conn, doc_id)["status"] == "authorized", timeout=30000)
    view.reload()
    assert view.current_id() == doc_id
    # Documentos: what changes and its data, then Shift+F11
    view.param_fields["cambio"].setFocus()
    qtbot.waitUntil(lambda: focus() is view.param_fields["cambio"], timeout=3000)
    qtbot.keyClicks(focus(), "chofer", delay=60)  # typed by a person, not a scanner's burst
    qtbot.keyClick(focus(), Qt.Key.Key_Tab)
    assert focus() is view.param_fields["datos"]
    type_text(qtbot, "Pedro Otro, 7654321")
    qtbot.keyClick(focus(), Qt.Key.Key_F11, Qt.KeyboardModifier.ShiftModifier)
    assert "Actualización de datos del transporte" in view.message.text(), view.message.text()
    conn = window.ctx.conn
    window.ctx.wake_worker()
    qtbot.waitUntil(lambda: conn.execute("SELECT status FROM py_events WHERE document_id=? AND kind='transporte'",
                                         (doc_id,)).fetchone()[0] != "signed", timeout=30000)
    status, xml = conn.execute("SELECT status, xml FROM py_events WHERE document_id=? AND kind='transporte'",
                               (doc_id,)).fetchone()
    assert status == "registered" and b"<dNomChof>Pedro Otro</dNomChof>" in bytes(xml)
