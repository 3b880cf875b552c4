"""A whole sale by keyboard: scanner bursts, the 3* multiplier, customers, split payment,
supervisor approvals. Real widgets, real key events, real checkout (signed XML in SQLite)."""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from app.pos import audit
from app.store import documents

ENTER = Qt.Key.Key_Return


def type_slowly(qtbot, widget, text):
    """A person typing (60 ms between keys): never mistaken for a scanner burst."""
    qtbot.keyClicks(widget, text, delay=60)
    qtbot.wait(60)


def test_whole_sale_by_keyboard_with_scanner_burst(qtbot, make_window):
    w = make_window()
    sale = w.sale
    qtbot.keyClicks(sale.code, "3*ARROZ1")
    qtbot.keyClick(sale.code, ENTER)
    assert [(ln.code, ln.quantity) for ln in sale.cart.lines] == [("ARROZ1", Decimal(3))]

    # the cashier is typing the customer's name when a product is scanned: the burst ends in
    # Enter and goes to the sale, the name field keeps only what the cashier typed
    type_slowly(qtbot, sale.buyer_name, "Ana")
    sale.buyer_name.setFocus()
    qtbot.keyClicks(sale.buyer_name, "7861001234592")  # scanner: no delay between keys
    qtbot.keyClick(sale.buyer_name, ENTER)
    assert w.scanner.scans == 1
    assert sale.buyer_name.text() == "Ana"
    assert [ln.code for ln in sale.cart.lines] == ["ARROZ1", "ACEITE1"]
    sale.buyer_name.clear()
    sale._buyer_changed()

    sale.code.setFocus()
    qtbot.keyClick(sale.code, Qt.Key.Key_F12)
    dlg = sale.payment_dialog
    assert dlg is not None and dlg.isVisible()
    total = sale.cart.totals().total
    assert total == Decimal("4.05") + Decimal("3.15")
    qtbot.keyClicks(dlg.fields["efectivo"], "10")
    qtbot.keyClick(dlg.fields["efectivo"], ENTER)
    assert not dlg.isVisible()
    assert sale.cart.empty and sale.code.hasFocus()
    done = sale.last_sale
    assert done.settlement.change == Decimal("2.80")
    row = documents.get(w.ctx.conn, done.result.document_id)
    assert row["status"] == "signed" and Decimal(row["total"]) == total
    assert b"<importeTotal>7.20</importeTotal>" in bytes(row["xml"])
    pays = w.ctx.conn.execute("SELECT method, amount FROM payments WHERE sale_id=?", (done.result.sale_id,)).fetchall()
    assert [(p[0], p[1]) for p in pays] == [("01", "7.20")]


def test_split_payment_with_change(qtbot, make_window):
    w = make_window()
    sale = w.sale
    for code in ("CEMENTO", "CEMENTO", "CAFE"):
        qtbot.keyClicks(sale.code, code)
        qtbot.keyClick(sale.code, ENTER)
    assert sale.cart.lines[0].quantity == 2  # the same product scanned twice adds up
    total = sale.cart.totals().total
    # prices include IVA: the shelf prices are what is billed (issue #9), 2 × 8.90 + 4.25
    assert total == Decimal("16.95") + Decimal("0.85") + Decimal("3.70") + Decimal("0.55")
    qtbot.keyClick(sale.code, Qt.Key.Key_F12)
    dlg = sale.payment_dialog
    qtbot.keyClick(dlg, Qt.Key.Key_F2)  # credit card field
    qtbot.keyClicks(dlg.fields["tarjeta_credito"], "15")
    dlg.fields["efectivo"].selectAll()
    qtbot.keyClicks(dlg.fields["efectivo"], "10")
    assert "Cambio: $ 2.95" in dlg.state.text()
    qtbot.keyClick(dlg.fields["efectivo"], ENTER)
    done = sale.last_sale
    assert done.settlement.payments == [("tarjeta_credito", Decimal("15.00")), ("efectivo", Decimal("7.05"))]
    assert done.settlement.change == Decimal("2.95")
    pays = w.ctx.conn.execute("SELECT method, amount FROM payments WHERE sale_id=? ORDER BY n",
                              (done.result.sale_id,)).fetchall()
    assert [(p[0], p[1]) for p in pays] == [("19", "15.00"), ("01", "7.05")]
    xml = bytes(documents.get(w.ctx.conn, done.result.document_id)["xml"])
    assert b"<formaPago>19</formaPago>" in xml and b"<formaPago>01</formaPago>" in xml


def test_card_above_the_balance_is_refused(qtbot, make_window):
    w = make_window()
    sale = w.sale
    qtbot.keyClicks(sale.code, "ARROZ1")
    qtbot.keyClick(sale.code, ENTER)
    qtbot.keyClick(sale.code, Qt.Key.Key_F12)
    dlg = sale.payment_dialog
    dlg.fields["efectivo"].clear()
    qtbot.keyClicks(dlg.fields["tarjeta_debito"], "5")
    assert "supera el saldo" in dlg.error.text()
    qtbot.keyClick(dlg.fields["tarjeta_debito"], ENTER)
    assert dlg.isVisible() and sale.last_sale is None and not sale.cart.empty


def test_wrong_check_digit_is_explained_and_the_sale_kept(qtbot, make_window):
    w = make_window()
    sale = w.sale
    qtbot.keyClicks(sale.code, "ACEITE1")
    qtbot.keyClick(sale.code, ENTER)
    qtbot.keyClick(sale.code, Qt.Key.Key_F3)
    assert sale.buyer_id.hasFocus()
    type_slowly(qtbot, sale.buyer_id, "1710034066")  # the right digit is 5
    assert sale.buyer_type.currentData() == "05"
    assert "dígito verificador incorrecto" in sale.buyer_state.text()
    qtbot.keyClick(sale.buyer_id, Qt.Key.Key_F12)
    assert sale.payment_dialog is None
    assert "dígito verificador" in sale.message.text()
    assert [ln.code for ln in sale.cart.lines] == ["ACEITE1"]  # nothing lost
    sale.buyer_id.selectAll()
    type_slowly(qtbot, sale.buyer_id, "1710034065")
    qtbot.keyClick(sale.buyer_id, ENTER)
    assert sale.buyer_name.text() == "María Fernanda Andrade"  # a known customer is filled in
    qtbot.keyClick(sale.buyer_name, Qt.Key.Key_F12)
    dlg = sale.payment_dialog
    qtbot.keyClick(dlg.fields["efectivo"], ENTER)
    doc = documents.get(w.ctx.conn, sale.last_sale.result.document_id)
    assert doc["buyer_id"] == "1710034065"


def test_final_consumer_above_50_must_identify_the_buyer(qtbot, make_window):
    w = make_window()
    sale = w.sale
    qtbot.keyClicks(sale.code, "6*CEMENTO")
    qtbot.keyClick(sale.code, ENTER)
    assert sale.cart.totals().total == Decimal("53.40")
    qtbot.keyClick(sale.code, Qt.Key.Key_F12)
    assert sale.payment_dialog is None
    assert "supera USD 50.00" in sale.message.text()
    assert sale.buyer_id.hasFocus() and len(sale.cart.lines) == 1


def test_discount_over_the_limit_needs_a_supervisor_and_is_audited(qtbot, make_window):
    w = make_window()
    sale = w.sale
    qtbot.keyClicks(sale.code, "CAFE")
    qtbot.keyClick(sale.code, ENTER)
    qtbot.keyClick(sale.code, Qt.Key.Key_F6)
    assert sale.discount.hasFocus()
    qtbot.keyClicks(sale.discount, "25")
    qtbot.keyClick(sale.discount, ENTER)
    pin = sale.pin_dialog
    assert pin is not None and pin.isVisible()
    assert sale.cart.lines[0].discount_percent == 0  # not applied yet
    qtbot.keyClicks(pin.pin, "1234")  # the cashier's own PIN is not a supervisor's
    qtbot.keyClick(pin.pin, ENTER)
    assert pin.isVisible() and "sin permiso" in pin.error.text()
    pin.pin.clear()
    qtbot.keyClicks(pin.pin, "2468")
    qtbot.keyClick(pin.pin, ENTER)
    assert sale.cart.lines[0].discount_percent == Decimal(25)
    entry = audit.entries(w.ctx.conn, action="discount")[0]
    assert entry["approved_by"] == "Supervisora Demo" and entry["actor"] == "Cajero Demo"
    assert entry["detail"]["to"] == "25"


def test_deleting_after_prebill_needs_a_supervisor(qtbot, make_window):
    w = make_window()
    sale = w.sale
    for code in ("ARROZ1", "PAN"):
        qtbot.keyClicks(sale.code, code)
        qtbot.keyClick(sale.code, ENTER)
    qtbot.keyClick(sale.code, Qt.Key.Key_F8)  # before the pre-bill: no PIN
    assert [ln.code for ln in sale.cart.lines] == ["ARROZ1"]
    qtbot.keyClick(sale.code, Qt.Key.Key_F7)
    assert sale.cart.prebilled
    qtbot.keyClick(sale.code, Qt.Key.Key_F8)
    assert sale.pin_dialog.isVisible() and len(sale.cart.lines) == 1
    qtbot.keyClicks(sale.pin_dialog.pin, "2468")
    qtbot.keyClick(sale.pin_dialog.pin, ENTER)
    assert sale.cart.empty
    assert audit.entries(w.ctx.conn, action="delete_after_prebill")[0]["detail"]["code"] == "ARROZ1"


def test_unknown_code_keeps_text_and_search_by_name(qtbot, make_window):
    w = make_window()
    sale = w.sale
    qtbot.keyClicks(sale.code, "NOEXISTE")
    qtbot.keyClick(sale.code, ENTER)
    assert "No existe un producto" in sale.message.text() and sale.cart.empty
    sale.code.clear()
    qtbot.keyClicks(sale.code, "2*leche")
    qtbot.keyClick(sale.code, Qt.Key.Key_F2)
    assert sale.results.isVisible() and sale.results.count() == 1
    qtbot.keyClick(sale.code, ENTER)
    assert [(ln.code, ln.quantity) for ln in sale.cart.lines] == [("LECHE1", Decimal(2))]


def test_closed_till_refuses_to_charge(qtbot, make_window, demo_session):
    from app.pos import shifts

    shift = shifts.current(demo_session.conn, "001", "001")
    shifts.close_shift(demo_session.conn, shift.id, denominations={"50": 1}, other_counts={}, closed_by="x")
    w = make_window()
    sale = w.sale
    assert sale.closed_banner.isVisibleTo(sale)
    qtbot.keyClicks(sale.code, "PAN")
    qtbot.keyClick(sale.code, ENTER)
    qtbot.keyClick(sale.code, Qt.Key.Key_F12)
    assert sale.payment_dialog is None and "caja está cerrada" in sale.message.text()


def test_a_scan_during_cobrar_is_not_an_amount(qtbot, make_window):
    w = make_window()
    sale = w.sale
    qtbot.keyClicks(sale.code, "PAN")
    qtbot.keyClick(sale.code, ENTER)
    qtbot.keyClick(sale.code, Qt.Key.Key_F12)
    dlg = sale.payment_dialog
    qtbot.waitUntil(dlg.isActiveWindow, timeout=2000)
    field = dlg.fields["efectivo"]
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, "7861001234592")  # scanner burst while the amount is focused
    qtbot.keyClick(field, ENTER)
    assert dlg.isVisible() and sale.last_sale is None  # nothing issued
    assert field.text() == "2.30"  # the amount is untouched
    assert "Se ignoró un código escaneado" in dlg.error.text()
    assert [ln.code for ln in sale.cart.lines] == ["PAN"]
    field.selectAll()
    type_slowly(qtbot, field, "5")  # a person typing still works
    qtbot.keyClick(field, ENTER)
    assert not dlg.isVisible() and sale.last_sale.settlement.change == Decimal("2.70")


def test_new_sale_needs_f9_twice(qtbot, make_window):
    w = make_window()
    sale = w.sale
    qtbot.keyClicks(sale.code, "PAN")
    qtbot.keyClick(sale.code, ENTER)
    qtbot.keyClick(sale.code, Qt.Key.Key_F9)
    assert len(sale.cart.lines) == 1 and "otra vez" in sale.message.text()
    qtbot.keyClick(sale.code, Qt.Key.Key_F9)
    assert sale.cart.empty


def test_ticket_hook_runs_after_the_sale_and_a_printer_failure_keeps_it(qtbot, make_window):
    w = make_window()
    sale = w.sale
    seen = []

    def broken_printer(result):
        import threading

        # off the UI thread: a slow printer never freezes the till
        seen.append((result.document.number, sale.cart.empty, threading.current_thread() is threading.main_thread()))
        raise OSError("impresora desconectada")

    w.ctx.on_sale_committed.append(broken_printer)
    qtbot.keyClicks(sale.code, "PAN")
    qtbot.keyClick(sale.code, ENTER)
    qtbot.keyClick(sale.code, Qt.Key.Key_F12)
    qtbot.keyClick(sale.payment_dialog.fields["efectivo"], ENTER)
    qtbot.waitUntil(lambda: bool(seen), timeout=2000)
    number = sale.last_sale.result.document.number
    assert seen == [(number, True, False)]  # called once, fresh sale on screen, not the UI thread
    qtbot.waitUntil(lambda: "falló la impresión" in sale.message.text(), timeout=2000)
    assert number in sale.message.text()
    assert documents.get(w.ctx.conn, sale.last_sale.result.document_id)["status"] == "signed"
