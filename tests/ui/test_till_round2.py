"""Till round 2 (#13): the large change display, parked sales that survive a restart, quick-key
tiles, scale labels through the scanner path, the pre-bill printed, settings applied without a
restart. Real widgets, real key events, a real SQLite file."""
from __future__ import annotations

from contextlib import ExitStack
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from app.pos import parked, scale_barcodes
from app.store import settings
from app.store.db import transaction

ENTER = Qt.Key.Key_Return


def scan(qtbot, window, widget, code):
    """A scanner: the keys of a burst without delay, then Enter, into whatever has the focus."""
    widget.setFocus()
    qtbot.keyClicks(widget, code)
    qtbot.keyClick(widget, ENTER)


def enter(qtbot, sale, code):
    qtbot.keyClicks(sale.code, code)
    qtbot.keyClick(sale.code, ENTER)


def pay_cash(qtbot, sale, amount: str):
    sale.code.setFocus()
    qtbot.keyClick(sale.code, Qt.Key.Key_F12)
    dlg = sale.payment_dialog
    assert dlg is not None and dlg.isVisible()
    dlg.fields["efectivo"].selectAll()
    qtbot.keyClicks(dlg.fields["efectivo"], amount)
    qtbot.keyClick(dlg.fields["efectivo"], ENTER)
    assert not dlg.isVisible()


def ean13(first12: str) -> str:
    return first12 + str(scale_barcodes.ean13_check_digit(first12))


# ----------------------------------------------------------------------------------- change display

def test_change_due_stays_large_until_the_next_scan(qtbot, make_window):
    w = make_window()
    sale = w.sale
    enter(qtbot, sale, "CAFE")
    total = sale.cart.totals().total
    pay_cash(qtbot, sale, "10")
    assert sale.change_display.isVisible()
    assert sale.change_display.text() == f"Cambio\n$ {Decimal(10) - total}"
    assert sale.change_display.font().pointSize() != sale.code.font().pointSize() or \
        "font-size:26px" in sale.change_display.styleSheet()
    qtbot.wait(200)  # it stays: no timer takes it away
    assert sale.change_display.isVisible()
    scan(qtbot, w, sale.buyer_name, "7861001234561")  # the next customer's first item
    assert [ln.code for ln in sale.cart.lines] == ["ARROZ1"]
    assert not sale.change_display.isVisible()


def test_exact_payment_says_no_change(qtbot, make_window):
    w = make_window()
    sale = w.sale
    enter(qtbot, sale, "CAFE")
    pay_cash(qtbot, sale, str(sale.cart.totals().total))
    assert sale.change_display.isVisible() and sale.change_display.text() == "Sin vuelto"


# ----------------------------------------------------------------------------------- parked sales

def test_park_two_sales_serve_a_third_and_recall_after_a_restart(qtbot, make_window, demo_session):
    w = make_window()
    sale = w.sale
    enter(qtbot, sale, "2*ARROZ1")
    qtbot.keyClick(sale.code, Qt.Key.Key_F10)
    assert sale.cart.empty and "en espera n.º" in sale.message.text().lower()
    enter(qtbot, sale, "CAFE")
    sale.buyer_id.setText("0102030405")
    sale._buyer_changed()
    qtbot.keyClick(sale.code, Qt.Key.Key_F10)
    assert sale.cart.empty and sale.buyer_id.text() == ""
    assert sale.parked_label.text() == "Ventas en espera: 2 (F11)"
    # the third customer pays at once
    enter(qtbot, sale, "PAN")
    pay_cash(qtbot, sale, "5")

    # a restart: a new window on the same data folder still has both
    w.shutdown()
    w2 = make_window()
    sale2 = w2.sale
    assert sale2.parked_label.text() == "Ventas en espera: 2 (F11)"
    sale2.code.setFocus()
    qtbot.keyClick(sale2.code, Qt.Key.Key_F11)
    dlg = sale2.recall_dialog
    assert dlg.isVisible() and dlg.list.count() == 2
    qtbot.keyClick(dlg.list, Qt.Key.Key_Down)
    qtbot.keyClick(dlg.list, ENTER)
    assert not dlg.isVisible()
    assert [(ln.code, ln.quantity) for ln in sale2.cart.lines] == [("CAFE", Decimal(1))]
    assert sale2.buyer_id.text() == "0102030405"
    assert sale2.parked_label.text() == "Ventas en espera: 1 (F11)"
    # recalling while a sale is on screen parks that one in its place
    qtbot.keyClick(sale2.code, Qt.Key.Key_F11)
    qtbot.keyClick(sale2.recall_dialog.list, ENTER)
    assert [(ln.code, ln.quantity) for ln in sale2.cart.lines] == [("ARROZ1", Decimal(2))]
    assert [p.lines for p in sale2.parked_sales()] == [1]
    pay_cash(qtbot, sale2, "5")
    assert sale2.last_sale.settlement.change == Decimal("2.30")


def test_parking_an_empty_sale_is_refused(qtbot, make_window):
    w = make_window()
    qtbot.keyClick(w.sale.code, Qt.Key.Key_F10)
    assert "vacía" in w.sale.message.text()
    assert w.sale.parked_sales() == []
    qtbot.keyClick(w.sale.code, Qt.Key.Key_F11)
    assert w.sale.message.text() == "No hay ventas en espera"


def test_parked_cart_round_trips_prices_discounts_and_prebill(demo_session):
    from app.pos import catalog
    from app.pos.cart import Cart

    conn = demo_session.conn
    cart = Cart(country=demo_session.company.country)
    line = cart.add(catalog.find_product(conn, "CEMENTO"), Decimal("2.5"))
    line.discount_percent = Decimal("5")
    cart.prebilled = True
    n = parked.park(conn, cart, establishment="001", point="001", cashier="ana")
    back = parked.recall(conn, n)
    assert back.prebilled and back.lines[0].quantity == Decimal("2.5")
    assert back.lines[0].discount_percent == Decimal("5") and back.totals() == cart.totals()
    with pytest.raises(Exception, match="No existe la venta en espera"):
        parked.recall(conn, n)


# ----------------------------------------------------------------------------------- quick keys

def test_quick_key_tiles_for_goods_without_barcode(qtbot, make_window):
    w = make_window()
    sale = w.sale
    assert [b.text().split("\n")[0] for b in sale.tile_buttons] == ["Recarga celular"]
    assert "(Alt+1)" in sale.tile_buttons[0].text()
    sale.code.setFocus()
    qtbot.keyClick(sale.code, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(sale.code, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert [(ln.code, ln.quantity) for ln in sale.cart.lines] == [("RECARGA", Decimal(2))]
    qtbot.mouseClick(sale.tile_buttons[0], Qt.MouseButton.LeftButton)
    assert sale.cart.lines[0].quantity == Decimal(3)


def test_quick_keys_follow_the_setting(qtbot, make_window, demo_session):
    with transaction(demo_session.conn):
        settings.put(demo_session.conn, "pos.quick_keys", ["PAN", "CAFE"])
    w = make_window()
    assert [b.text().split("\n")[0] for b in w.sale.tile_buttons] == ["Pan de molde Supan", "Café Minerva 200 g"]
    w.sale.code.setFocus()
    qtbot.keyClick(w.sale.code, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert [ln.code for ln in w.sale.cart.lines] == ["CAFE"]


# ----------------------------------------------------------------------------------- scale labels

def test_scale_label_parsing():
    cfg = scale_barcodes.ScaleConfig(("20", "21"), "price")
    code = ean13("200123401234")
    label = scale_barcodes.parse(code, cfg, money_places=2)
    assert (label.item, label.mode, label.value) == ("01234", "price", Decimal("12.34"))
    assert scale_barcodes.parse(ean13("200123401234"), scale_barcodes.ScaleConfig(("20",), "weight"),
                                money_places=2).value == Decimal("1.234")
    assert scale_barcodes.parse(ean13("200123401234"), cfg, money_places=0).value == Decimal("1234")
    assert scale_barcodes.parse("7861001234561", cfg, money_places=2) is None  # an ordinary EAN
    assert scale_barcodes.parse_prefixes(20) == ("20",)  # `settings set` may store a number
    assert scale_barcodes.parse_prefixes(["20", 21]) == scale_barcodes.parse_prefixes("20; 21") == ("20", "21")
    bad = code[:-1] + str((int(code[-1]) + 1) % 10)
    with pytest.raises(ValueError, match="dígito verificador"):
        scale_barcodes.parse(bad, cfg, money_places=2)
    with pytest.raises(ValueError, match="Prefijo"):
        scale_barcodes.ScaleConfig(("2",), "price")
    with pytest.raises(ValueError, match="Modo"):
        scale_barcodes.ScaleConfig(("20",), "volume")


def _scale_product(conn, code="00042", name="Queso fresco (kg)", price="9.80"):
    from app.pos import catalog

    catalog.apply_products(conn, [catalog.Product(code, name, Decimal(price), "0", True, "")])


def test_weight_label_scanned_adds_the_weighed_quantity(qtbot, make_window, demo_session):
    conn = demo_session.conn
    _scale_product(conn)
    with transaction(conn):
        settings.put(conn, scale_barcodes.PREFIXES_KEY, "21, 22")
        settings.put(conn, scale_barcodes.MODE_KEY, "weight")
    w = make_window()
    sale = w.sale
    scan(qtbot, w, sale.buyer_name, ean13("210004201250"))  # 1.250 kg of item 00042
    scan(qtbot, w, sale.buyer_name, ean13("210004200500"))  # another piece: its own line
    assert w.scanner.scans == 2
    assert [(ln.code, ln.quantity, ln.price) for ln in sale.cart.lines] == [
        ("00042", Decimal("1.250"), Decimal("9.80")), ("00042", Decimal("0.500"), Decimal("9.80"))]
    assert sale.cart.totals().total == Decimal("12.25") + Decimal("4.90")


def test_price_label_scanned_adds_the_printed_amount(qtbot, make_window, demo_session):
    conn = demo_session.conn
    _scale_product(conn, code="42")  # stored without the leading zeros
    with transaction(conn):
        settings.put(conn, scale_barcodes.PREFIXES_KEY, "20")
    w = make_window()
    sale = w.sale
    scan(qtbot, w, sale.buyer_name, ean13("200004200735"))
    line = sale.cart.lines[0]
    assert (line.code, line.quantity, line.price, line.list_price) == ("42", 1, Decimal("7.35"), Decimal("9.80"))
    assert sale.total_label.text() == "$ 7.35"
    # a misread label is explained, nothing added
    enter(qtbot, sale, ean13("200004200735")[:-1] + "0" if not ean13("200004200735").endswith("0")
          else ean13("200004200735")[:-1] + "1")
    assert "dígito verificador" in sale.message.text() and len(sale.cart.lines) == 1
    # prefixes not configured: an unknown code as before
    with transaction(conn):
        settings.put(conn, scale_barcodes.PREFIXES_KEY, "")
    sale.code.clear()
    enter(qtbot, sale, ean13("200004200735"))
    assert "No existe un producto" in sale.message.text()


# ----------------------------------------------------------------------------------- pre-bill (F7)

def test_prebill_prints_on_the_default_printer(qtbot, make_window, demo_session, tmp_path):
    from app.pos import printing

    conn = demo_session.conn
    out = tmp_path / "precuenta.bin"
    with transaction(conn):
        settings.put(conn, printing.PRINTERS_KEY, {"caja": {"kind": "file", "path": str(out)}})
        settings.put(conn, printing.DEFAULT_PRINTER_KEY, "caja")
    w = make_window()
    sale = w.sale
    enter(qtbot, sale, "2*CAFE")
    enter(qtbot, sale, "PAN")
    qtbot.keyClick(sale.code, Qt.Key.Key_F7)
    assert sale.cart.prebilled
    data = out.read_bytes()
    assert b"PRE-CUENTA" in data and b"COMPROBANTE FISCAL" in data
    assert sale.cart.totals().total.to_eng_string().encode() in data
    assert "Pre-cuenta emitida" in sale.message.text() and "sin impresora" not in sale.message.text()


def test_prebill_without_printer_says_so_and_a_broken_printer_keeps_the_sale_open(qtbot, make_window,
                                                                                    demo_session, tmp_path):
    from app.pos import printing

    w = make_window()
    sale = w.sale
    enter(qtbot, sale, "CAFE")
    qtbot.keyClick(sale.code, Qt.Key.Key_F7)
    assert sale.cart.prebilled and "sin impresora configurada" in sale.message.text()

    conn = demo_session.conn
    with transaction(conn):  # a printer on a folder that does not exist
        settings.put(conn, printing.PRINTERS_KEY, {"caja": {"kind": "file", "path": str(tmp_path / "no" / "x")}})
        settings.put(conn, printing.DEFAULT_PRINTER_KEY, "caja")
    sale.cart.prebilled = False
    qtbot.keyClick(sale.code, Qt.Key.Key_F7)
    assert not sale.cart.prebilled
    assert sale.message.text().startswith("No se pudo imprimir la pre-cuenta")


def test_prebill_ticket_content(demo_session):
    from app.pos import catalog
    from app.pos.cart import Cart
    from app.pos.prebill import prebill_ticket
    from app.devices.ticket import Item, Pair

    cart = Cart(country=demo_session.company.country)
    cart.add(catalog.find_product(demo_session.conn, "CEMENTO"), Decimal(2)).discount_percent = Decimal(10)
    t = prebill_ticket(cart, demo_session.company, printed_at="01/02/2030 10:00")
    items = [e for e in t.elements if isinstance(e, Item)]
    assert items[0].detail == "2 x 8.90 -10 %" and items[0].total == cart.rules.money.amount(cart.lines[0].total)
    assert any(isinstance(e, Pair) and e.left.startswith("TOTAL") and e.right == cart.rules.money.amount(
        cart.totals().total) for e in t.elements)


# ----------------------------------------------------------------------------------- settings live

def test_settings_apply_without_restart(qtbot, make_window, demo_session):
    w = make_window(user_pin="9753")  # the demo administrator
    sale = w.sale
    assert [b.text().split("\n")[0] for b in sale.tile_buttons] == ["Recarga celular"]
    view = w.show_screen("settings")
    assert "sin reiniciar" in view.findChildren(type(sale.parked_label))[0].text()
    company_page = next(p for p in view.form.pages if p.title == "Empresa")
    company_page.nombre_comercial.setText("Tienda Nueva")
    with transaction(demo_session.conn):  # another setting the till reads: the quick keys
        settings.put(demo_session.conn, "pos.quick_keys", ["PAN"])
    qtbot.keyClick(view.tabs, Qt.Key.Key_F9)
    assert view.message.text() == "Configuración guardada y aplicada.", view.message.text()
    assert w.windowTitle() == "Mostrador — Tienda Nueva"
    assert w.ctx.session.company.nombre_comercial == "Tienda Nueva"
    assert [b.text().split("\n")[0] for b in sale.tile_buttons] == ["Pan de molde Supan"]


# ----------------------------------------------------------------------------------- 1024×768

def test_sale_screen_fits_1024x768_without_clipped_labels(qtbot, make_window):
    from PySide6.QtWidgets import QLabel, QPushButton

    w = make_window()
    w.resize(1024, 768)
    sale = w.sale
    enter(qtbot, sale, "CAFE")
    pay_cash(qtbot, sale, "10")
    qtbot.wait(50)
    assert w.width() <= 1024 and w.height() <= 768
    clipped = [wd.text() for wd in sale.findChildren(QLabel) + sale.findChildren(QPushButton)
               if wd.isVisible() and wd.text() and not (isinstance(wd, QLabel) and wd.wordWrap())
               and wd.width() < wd.sizeHint().width()]
    assert clipped == []


# ----------------------------------------------------------------------------------- Caja

def test_cash_refund_of_a_credit_note_no_contado_and_net_reports(qtbot, make_window, demo_session, tmp_path):
    from datetime import date, datetime, timedelta

    from app.core.sale import Party
    from app.pos import credit_notes, printing, reports, shifts, till
    from app.store import documents

    conn = demo_session.conn
    out = tmp_path / "z.bin"
    with transaction(conn):
        settings.put(conn, printing.PRINTERS_KEY, {"caja": {"kind": "file", "path": str(out)}})
        settings.put(conn, printing.DEFAULT_PRINTER_KEY, "caja")
    w = make_window(start_worker=True)
    sale = w.sale
    # a named buyer paying cash, then a card sale
    sale.buyer_id.setText("1710034065")
    sale._buyer_id_edited("1710034065")
    sale.buyer_name.setText("María Fernanda Andrade")
    sale._buyer_changed()
    enter(qtbot, sale, "2*CEMENTO")
    pay_cash(qtbot, sale, "20")
    invoice = sale.last_sale.result
    enter(qtbot, sale, "CAFE")
    qtbot.keyClick(sale.code, Qt.Key.Key_F12)
    dlg = sale.payment_dialog
    qtbot.keyClick(dlg, Qt.Key.Key_F2)
    card_total = sale.cart.totals().total
    qtbot.keyClicks(dlg.fields["tarjeta_credito"], str(card_total))
    qtbot.keyClick(dlg.fields["tarjeta_credito"], ENTER)
    w.ctx.wake_worker()
    qtbot.waitUntil(lambda: documents.get(conn, invoice.document_id)["status"] == "authorized", timeout=30000)

    shift = shifts.current(conn, w.ctx.establishment, w.ctx.point)
    before = shifts.report(conn, shift.id).expected_cash
    lines = {ln.code: ln for ln in credit_notes.creditable_lines(conn, invoice.document_id)}
    note = till.issue_credit_note(w.ctx.session, invoice.document_id, {lines["CEMENTO"].index: Decimal(1)},
                                  "Devolución de un saco", user=w.ctx.user.name)
    refund = Decimal(note.document.total)
    assert refund == Decimal("8.90")
    x = shifts.report(conn, shift.id)
    assert x.expected_cash == before - refund and x.cash_refunds == refund
    assert "Devoluciones (notas de crédito)" in shifts.report_text(x.as_dict())

    today = datetime.now(reports.zone_for("EC")).date()
    tz = reports.zone_for("EC")
    day = {r.label: r for r in reports.by_day(conn, today - timedelta(days=1), today + timedelta(days=1), tz)}
    assert sum((r.amount for r in day.values()), Decimal(0)) == invoice.document.total + card_total - refund
    pay = {r.label: r.amount for r in reports.by_payment(conn, today - timedelta(days=1), today + timedelta(days=1), tz)}
    cash_label = till.rules("EC").payment_label(shifts.cash_code("EC"))
    assert pay[cash_label] == invoice.document.total - refund, pay

    # the close: cash counted by denomination, the card total left blank = "no contado"
    cash = w.show_screen("cash")
    qtbot.keyClick(cash.report, Qt.Key.Key_F8)
    assert cash.close_box.isVisible()
    card_field = next(iter(cash.others.values()))
    assert "no contado" in card_field.placeholderText()
    assert "No contado" in cash.close_state.text()
    expected = x.expected_cash
    twenties, rest = divmod(expected, Decimal(20))
    cash.denoms[Decimal("20")].setValue(int(twenties))
    for d in sorted(cash.denoms, reverse=True):
        n = int(rest // d)
        if n and d < 20:
            cash.denoms[d].setValue(n)
            rest -= d * n
    assert rest == 0
    assert "diferencia $ 0.00" in cash.close_state.text()
    qtbot.keyClick(cash.report, Qt.Key.Key_F12)
    z = cash.shown_report
    card = next(m for m in z["methods"] if m["method"] != z["cash_code"])
    assert card["counted"] is None and card["difference"] is None
    assert "no contado" in shifts.report_text(z)
    assert Decimal(z["total_difference"]) == 0
    assert b"INFORME Z" in out.read_bytes()  # printed at the close


# ----------------------------------------------------------------------------------- Paraguay: cards

@pytest.fixture
def py_window(qtbot, tmp_path):
    from app.pos import users
    from app.ui.main import MainWindow, build_context, make_app, prepare_demo

    make_app()
    session = prepare_demo(tmp_path / "py", "PY")
    stack = ExitStack()
    ctx = build_context(session, users.authenticate(session.conn, "1234"), demo=True, stack=stack,
                        start_worker=False)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1024, 768)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    window.sale.code.setFocus()
    yield window
    window.shutdown()
    stack.close()
    session.close()


def test_card_brand_and_authorisation_are_asked_and_signed(qtbot, py_window):
    from app.store import documents

    sale = py_window.sale
    enter(qtbot, sale, "COLA2")
    qtbot.keyClick(sale.code, Qt.Key.Key_F12)
    dlg = sale.payment_dialog
    dlg.fields["efectivo"].clear()
    qtbot.keyClick(dlg, Qt.Key.Key_F2)  # tarjeta de crédito
    qtbot.keyClicks(dlg.fields["tarjeta_credito"], "11.000")
    brand, auth = dlg.extra["tarjeta_credito"]["marca"], dlg.extra["tarjeta_credito"]["autorizacion"]
    # the whole hint where it fits, else the field's name; the whole hint always in the tooltip
    assert brand.placeholderText() in ("Marca (Visa, Mastercard…)", "Marca") and auth.maxLength() == 10
    assert brand.toolTip() == "Marca (Visa, Mastercard…)"
    qtbot.keyClicks(brand, "master")
    qtbot.keyClicks(auth, "12ab")
    qtbot.keyClick(auth, ENTER)
    assert dlg.isVisible() and "autorización" in dlg.error.text()  # refused, nothing issued
    auth.clear()
    qtbot.keyClicks(auth, "654321")
    qtbot.keyClick(auth, ENTER)
    assert not dlg.isVisible(), dlg.error.text()
    xml = bytes(documents.get(py_window.ctx.conn, sale.last_sale.result.document_id)["xml"])
    assert b"<iDenTarj>2</iDenTarj><dDesDenTarj>Mastercard</dDesDenTarj>" in xml
    assert b"<dCodAuOpe>654321</dCodAuOpe>" in xml


def test_card_of_another_brand_and_a_blank_brand():
    from app.fiscal import registry

    till_rules = registry.country("PY").till()
    fields = [f.key for f in till_rules.payment_methods["tarjeta_debito"].fields]
    assert fields == ["marca", "autorizacion"]
    from app.fiscal.py.till import card_details

    assert card_details({"marca": "Credicard", "autorizacion": ""}) == (99, "Credicard", None)
    assert card_details({}) == (99, "Tarjeta", None)
    assert card_details({"marca": "VISA", "autorizacion": "1234567890"}) == (1, "", 1234567890)
    with pytest.raises(ValueError, match="marca completa"):
        card_details({"marca": "Xy"})


def _clipped(root):
    from PySide6.QtWidgets import QLabel, QPushButton

    return [wd.text() for wd in root.findChildren(QLabel) + root.findChildren(QPushButton)
            if wd.isVisible() and wd.text() and not (isinstance(wd, QLabel) and wd.wordWrap())
            and wd.width() < wd.sizeHint().width()]


def test_caja_close_fits_1024x768(qtbot, make_window):
    w = make_window()
    cash = w.show_screen("cash")
    qtbot.keyClick(cash.report, Qt.Key.Key_F8)
    assert cash.close_box.isVisible()
    qtbot.wait(50)
    assert w.width() <= 1024 and w.height() <= 768 and _clipped(cash) == []


def test_py_sale_and_cobrar_fit_1024x768(qtbot, py_window):
    sale = py_window.sale
    enter(qtbot, sale, "COLA2")
    qtbot.keyClick(sale.code, Qt.Key.Key_F12)
    dlg = sale.payment_dialog
    qtbot.wait(50)
    assert dlg.width() <= 1024 and dlg.height() <= 768 and _clipped(dlg) == []
    sale.payment_dialog.reject()
    assert py_window.width() <= 1024 and _clipped(sale) == []
