"""Eventos (Ctrl+Shift+E on Documentos): the SIFEN events of a Paraguayan shop made by keyboard
(a cancelación from Documentos, conformidades on suppliers' DEs), sent by the worker to the
SIFEN sandbox on loopback, listed newest first with their status, SIFEN's answer verbatim and a
plain-Spanish explanation, filtered by status and printed on a file printer; Ecuador, without
events, shows no button and says so."""
from __future__ import annotations

from contextlib import ExitStack

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from py_shop_helper import py_shop, supplier_de  # noqa: F401  (py_shop: the fixture)
from sales_helper import sell

from app.core import status as st
from app.core.status import EventStatus
from app.fiscal import registry
from app.fiscal.py import event_requests
from app.store import documents

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def focus():
    return QApplication.focusWidget()


def cancel_by_keyboard(qtbot, view, doc_id: int) -> None:
    view.reload()
    view.table.selectRow([r["id"] for r in view.model.rows].index(doc_id))
    field = view.param_fields["motivo"]
    field.setFocus()
    qtbot.waitUntil(lambda: focus() is field, timeout=3000)
    qtbot.keyClicks(field, "Error en el precio cobrado", delay=20)  # a person typing, not a scanner
    qtbot.keyClick(field, Qt.Key.Key_F9)
    assert "Cancelación firmada" in view.message.text(), view.message.text()


def test_events_listed_explained_filtered_and_printed(qtbot, py_shop):
    window, sandbox, printed = py_shop
    conn, session = window.ctx.conn, window.ctx.session
    code = registry.country("PY").till().demo_products[0][0]
    inv = sell(window, [code])
    window.ctx.wake_worker()
    qtbot.waitUntil(lambda: documents.get(conn, inv.document_id)["status"] == st.AUTHORIZED, timeout=30000)
    view = window.show_screen("documents")
    assert view.events_button is not None and "Ctrl+Shift+E" in view.events_button.text()
    cancel_by_keyboard(qtbot, view, inv.document_id)
    known = supplier_de(session, sandbox, 5, send=True)
    unknown = supplier_de(session, sandbox, 6, send=False)  # SIFEN never saw it: 4152
    good = event_requests.request_event(session, "conformidad", {"cdc": known, "tipoConformidad": 1})
    bad = event_requests.request_event(session, "conformidad", {"cdc": unknown, "tipoConformidad": 1})
    window.ctx.wake_worker()
    qtbot.waitUntil(lambda: conn.execute(
        f"SELECT COUNT(*) FROM py_events WHERE status='{EventStatus.SIGNED.value}'").fetchone()[0] == 0
        and all(event_requests.receptor_event_status(session, i)["status"] != EventStatus.SIGNED for i in (good, bad)),
        timeout=30000)

    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_E, CTRL_SHIFT)
    dialog = view.events_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: focus() is dialog.table, timeout=3000)
    rows = dialog.rows
    assert [(r.kind, r.status) for r in rows] == [
        ("Conformidad", EventStatus.REJECTED), ("Conformidad", EventStatus.REGISTERED),
        ("Cancelación", EventStatus.REGISTERED)]  # newest first
    assert [r.reference for r in rows] == [unknown, known, inv.key]
    assert rows[2].number == documents.get(conn, inv.document_id)["number"]
    assert documents.get(conn, inv.document_id)["status"] == st.CANCELLED
    cells = [[dialog.table.item(r, c).text() for c in range(5)] for r in range(3)]
    assert [c[3] for c in cells] == ["RECHAZADO", "REGISTRADO", "REGISTRADO"]
    assert cells[2][2] == rows[2].number and cells[1][2] == known
    assert cells[0][4].startswith("4152 CDC del DTE es inexistente")  # SIFEN's message verbatim
    assert "0600" in cells[1][4] and "0600" in cells[2][4]
    # the rejected one (selected first): why and what to do
    assert dialog.current() is rows[0] and dialog.why.isVisible()
    why = dialog.why.text()
    assert "«4152 CDC del DTE es inexistente" in why
    assert "Verifique el CDC con el proveedor" in why  # the explanation, in plain Spanish
    assert registry.country("PY").actions().explain("4152", "") in dialog.detail.toPlainText()
    # arrows move, Enter gives the detail the keyboard, Esc goes back, then closes
    qtbot.keyClick(dialog.table, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Down)
    assert dialog.current() is rows[2] and not dialog.why.isVisible()
    detail = dialog.detail.toPlainText()
    assert detail.startswith("Cancelación — REGISTRADO") and inv.key in detail
    assert "Motivo: Error en el precio cobrado" in detail and "0600" in detail
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    assert focus() is dialog.detail
    qtbot.keyClick(dialog.detail, Qt.Key.Key_Escape)
    assert focus() is dialog.table and dialog.isVisible()
    # F7: the receipt on the ticket printer (a file), ESC/POS
    qtbot.keyClick(dialog.table, Qt.Key.Key_F7)
    data = printed.read_bytes()
    assert data.startswith(b"\x1b@"), dialog.message.text()
    assert b"COMPROBANTE DE EVENTO" in data and b"CANCELACI" in data and b"REGISTRADO" in data
    assert inv.key[:22].encode() in data and inv.key[22:].encode() in data  # 44 digits wrap in two
    assert rows[2].number.encode() in data
    # F4 cycles the status filter: queued (none), registered (two), rejected (one)
    qtbot.keyClick(dialog.table, Qt.Key.Key_F4)
    assert dialog.rows == [] and dialog.empty.isVisible() and "en cola" in dialog.empty.text()
    qtbot.keyClick(dialog.table, Qt.Key.Key_F4)
    assert [r.reference for r in dialog.rows] == [known, inv.key]
    qtbot.keyClick(dialog.table, Qt.Key.Key_F4)
    assert [r.reference for r in dialog.rows] == [unknown]
    printed.unlink()
    qtbot.keyClick(dialog.table, Qt.Key.Key_F7)
    data = printed.read_bytes()
    assert b"CONFORMIDAD" in data and b"RECHAZADO" in data and b"4152" in data
    assert unknown[:22].encode() in data and unknown[22:].encode() in data
    qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_a_queued_event_says_it_waits_and_prints_as_pdf(qtbot, tmp_path):
    """Offline (no worker): the conformidad stays queued; the view says so, and the receipt
    renders as a ticket PDF with the CDC."""
    from app.pos import event_receipt, users
    from app.ui.main import MainWindow, build_context, make_app, prepare_demo

    make_app()
    session = prepare_demo(tmp_path / "data", "PY")
    stack = ExitStack()
    window = MainWindow(build_context(session, users.authenticate(session.conn, "1234"), demo=True, stack=stack,
                                      start_worker=False))
    qtbot.addWidget(window)
    try:
        window.resize(1024, 768)
        window.show()
        cdc = supplier_de(session, None, 7, send=False)
        event_requests.request_event(session, "disconformidad", {"cdc": cdc, "motivo": "Mercadería dañada"})
        view = window.show_screen("documents")
        view.show_events()
        dialog = view.events_dialog
        assert [(r.kind, r.status, r.reason) for r in dialog.rows] == [
            ("Disconformidad", EventStatus.SIGNED, "Mercadería dañada")]
        assert dialog.table.item(0, 3).text() == "FIRMADO, EN COLA"
        assert "en cola" in dialog.why.text() and "SIFEN" in dialog.why.text()
        pdf = event_receipt.receipt_pdf(session, dialog.rows[0], printed_at="01/01/2030 10:00")
        assert pdf.startswith(b"%PDF")
        dialog.reject()
    finally:
        window.shutdown()
        stack.close()
        session.close()


def test_ecuador_has_no_events_button_and_the_view_says_why(qtbot, make_window):
    from app.ui.events_view import EventsDialog

    w = make_window()
    view = w.show_screen("documents")
    assert view.events_button is None
    qtbot.keyClick(view.table, Qt.Key.Key_E, CTRL_SHIFT)
    assert view.events_dialog is None  # no key either
    dialog = EventsDialog(view)
    assert "no envía eventos" in dialog.empty.text() and "SRI" in dialog.empty.text()
    assert not dialog.table.isEnabled() and not dialog.print_button.isEnabled()
    dialog.reject()
