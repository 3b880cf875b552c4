"""Documentos: statuses turn to autorizado live while the sandbox answers; a credit note
issued from the view for chosen lines and quantities."""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from sales_helper import sell

from app.pos.cart import Buyer
from app.store import documents

ENTER = Qt.Key.Key_Return


def test_statuses_turn_authorized_live(qtbot, make_window):
    w = make_window(start_worker=True)  # the worker thread talks to the embedded SRI sandbox
    assert w.ctx.worker is not None, w.ctx.worker_error
    view = w.show_screen("documents")
    results = [sell(w, ["ARROZ1", "ACEITE1"]), sell(w, ["PAN"])]
    w.ctx.wake_worker()

    def all_authorized():
        view.poll()
        shown = {r["id"]: r["status"] for r in view.model.rows}
        assert all(shown.get(r.document_id) == "authorized" for r in results)

    qtbot.waitUntil(all_authorized, timeout=30000)
    # the colour and the label come from the status
    idx = view.model.index(0, 5)
    assert view.model.data(idx) == "AUTORIZADO"
    assert view.model.data(idx, Qt.ItemDataRole.BackgroundRole).color().name() == "#d4edda"
    view.table.selectRow(0)
    assert view.history.rowCount() >= 2  # signed, …, authorized: the authority's answers over time
    statuses = [view.history.item(r, 1).text() for r in range(view.history.rowCount())]
    assert statuses[0] == "pendiente" and statuses[-1] == "autorizado"
    w.status.refresh()
    assert "contacto hace" in w.status.link.text()
    assert "Sin documentos pendientes" in w.status.pending.text()


def test_credit_note_from_the_documents_view(qtbot, make_window):
    w = make_window(start_worker=True)
    buyer = Buyer("05", "1710034065", "María Fernanda Andrade")
    invoice = sell(w, ["CEMENTO", "CEMENTO", "CAFE"], buyer)
    w.ctx.wake_worker()
    qtbot.waitUntil(lambda: documents.get(w.ctx.conn, invoice.document_id)["status"] == "authorized", timeout=30000)
    view = w.show_screen("documents")
    view.reload()
    row = next(i for i, r in enumerate(view.model.rows) if r["id"] == invoice.document_id)
    view.table.selectRow(row)
    assert view.credit_button.isEnabled()
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_F6)
    dlg = view.credit_dialog
    assert dlg is not None and dlg.isVisible()
    qtbot.waitUntil(dlg.isActiveWindow, timeout=2000)
    lines = {ln.code: ln for ln in dlg.lines}
    assert lines["CEMENTO"].sold == 2
    cement = [ln.code for ln in dlg.lines].index("CEMENTO")
    field = dlg.qty_fields[cement]
    field.selectAll()
    qtbot.keyClicks(field, "1")
    qtbot.wait(60)  # keys typed in a dialog are held ~35 ms by the scanner filter, then delivered
    assert "Total de la nota de crédito: $ 8.90" in dlg.total.text()
    qtbot.keyClick(field, Qt.Key.Key_F12)
    assert dlg.result is not None, dlg.error.text()
    note = documents.get(w.ctx.conn, dlg.result.document_id)
    assert note["kind"] == "credit-notes" and Decimal(note["total"]) == Decimal("8.90")
    xml = bytes(note["xml"])
    assert b"<codDocModificado>01</codDocModificado>" in xml
    assert invoice.document.number.encode() in xml
    # what was credited is no longer available
    from app.pos import credit_notes

    again = {ln.code: ln for ln in credit_notes.creditable_lines(w.ctx.conn, invoice.document_id)}
    assert again["CEMENTO"].available == 1
    w.ctx.wake_worker()
    qtbot.waitUntil(lambda: documents.get(w.ctx.conn, note["id"])["status"] == "authorized", timeout=30000)


def test_final_consumer_invoice_has_no_credit_note(qtbot, make_window):
    w = make_window()
    inv = sell(w, ["PAN"])
    view = w.show_screen("documents")
    view.reload()
    view.table.selectRow(0)
    assert view.current_id() == inv.document_id
    assert not view.credit_button.isEnabled()
    view.credit_note()
    assert "consumidor final" in view.message.text()


def test_filters(qtbot, make_window):
    w = make_window()
    sell(w, ["PAN"])
    sell(w, ["CAFE"], Buyer("04", "1790011674001", "Distribuidora Andina S.A."))
    view = w.show_screen("documents")
    qtbot.keyClicks(view.customer, "Andina")
    assert [r["buyer_name"] for r in view.model.rows] == ["Distribuidora Andina S.A."]
    view.customer.clear()
    view.status.setCurrentIndex(view.status.findData("authorized"))
    assert view.model.rows == []
    view.status.setCurrentIndex(view.status.findData("signed"))
    assert len(view.model.rows) == 2


def test_retry_now_makes_the_job_due(qtbot, make_window):
    w = make_window()  # no worker: the view says transmission is stopped
    inv = sell(w, ["PAN"])
    w.ctx.conn.execute("UPDATE outbox SET next_attempt_at = next_attempt_at + 3600 WHERE document_id=?",
                       (inv.document_id,))
    view = w.show_screen("documents")
    view.reload()
    view.table.selectRow(0)
    assert view.retry_button.isEnabled()
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_F5)
    import time

    due = w.ctx.conn.execute("SELECT next_attempt_at FROM outbox WHERE document_id=?", (inv.document_id,)).fetchone()[0]
    assert due <= time.time()
    assert "transmisión está detenida" in view.message.text()


def test_reprint_and_ride(qtbot, make_window, demo_session, tmp_path):
    from app.pos.printing import auto_printer
    from app.store import settings
    from app.store.db import transaction

    out = tmp_path / "ticket.bin"
    with transaction(demo_session.conn):  # a real "file" printer: the ESC/POS bytes land in a file
        settings.put(demo_session.conn, "printers", {"caja": {"kind": "file", "path": str(out)}})
        settings.put(demo_session.conn, "printer.default", "caja")
    w = make_window()
    w.ctx.on_sale_committed.append(auto_printer(demo_session.data))
    sale = w.sale
    qtbot.keyClicks(sale.code, "CAFE")
    qtbot.keyClick(sale.code, ENTER)
    qtbot.keyClick(sale.code, Qt.Key.Key_F12)
    qtbot.keyClick(sale.payment_dialog.fields["efectivo"], ENTER)
    qtbot.waitUntil(lambda: out.exists() and out.stat().st_size > 0, timeout=5000)
    first = out.read_bytes()
    assert b"REIMPRESI" not in first
    view = w.show_screen("documents")
    view.reload()
    view.table.selectRow(0)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_F7)
    assert "reimpreso" in view.message.text(), view.message.text()
    assert b"REIMPRESI" in out.read_bytes()  # the copy is marked
    labels = [view.history.item(r, 1).text() for r in range(view.history.rowCount())]
    assert labels.count("impreso") == 2
    ride = tmp_path / "ride.pdf"
    view.save_ride(view.current_id(), ride)
    assert ride.read_bytes().startswith(b"%PDF") and "RIDE guardado" in view.message.text()
