"""Paraguay at the till, by key events on the real window: a sale charged in US dollars at the
day's rate (F9 in Cobrar; the rate asked once a day and kept; the change in US$ or, with F8, in
guaraníes) and a sale on credit in 3 cuotas to an identified buyer. Both are issued, schema-valid,
verified, approved by the SIFEN sandbox and printed."""
from __future__ import annotations

import time
from contextlib import ExitStack
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from app.devices.layout import layout
from app.fiscal.py import qr, schema, verify as py_verify
from app.pos import exchange_rates, printing, shifts
from app.store import documents
from test_py_till import py_session, py_window, scan, type_slowly  # noqa: F401  (fixtures)

ENTER = Qt.Key.Key_Return


def ticket_text(session, key) -> str:
    _row, t = printing.ticket(session, key)
    return " ".join("\n".join(r.text for r in layout(t, 48) if r.code is None).split())


@pytest.fixture
def approve(py_session):
    """approve(doc_id) runs the worker against the demo's SIFEN sandbox until the document is
    approved; returns its status."""
    from app.pos.runtime import make_worker

    stack = ExitStack()
    worker = make_worker(py_session, stack)

    def run(doc_id):
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and documents.get(py_session.conn, doc_id)["status"] != "authorized":
            worker.run_once()
            time.sleep(0.05)
        return documents.get(py_session.conn, doc_id)["status"]

    yield run
    stack.close()


def checked(session, doc_id) -> bytes:
    row = documents.get(session.conn, doc_id)
    xml = bytes(row["xml"])
    assert schema.validate(xml) == []
    findings = py_verify.verify(xml, csc=qr.TEST_CSC["0001"])
    assert all(f.ok for f in findings), [f.message for f in findings if not f.ok]
    return xml


def test_usd_sale_at_the_days_rate_change_in_guaranies(qtbot, py_window, py_session, approve):
    w, sale = py_window, py_window.sale
    for code in ("YERBA1", "ACEITE9"):
        scan(qtbot, sale, code)
    assert sale.cart.totals().total == Decimal("40400")
    shift = shifts.current(w.ctx.conn, w.ctx.establishment, w.ctx.point)
    cash_before = shifts.report(w.ctx.conn, shift.id).expected_cash
    sales_before = shifts.report(w.ctx.conn, shift.id).sales_total
    qtbot.keyClick(sale.code, Qt.Key.Key_F12)
    dlg = sale.payment_dialog
    qtbot.waitUntil(dlg.isActiveWindow, timeout=2000)
    assert "Moneda: Gs." in dlg.currency_label.text() and not dlg.rate.isEnabled()
    qtbot.keyClick(dlg, Qt.Key.Key_F9)  # in dollars: no rate yet today, so it is asked
    assert dlg.currency == "USD"
    assert dlg.rate.hasFocus() and dlg.rate.text() == ""
    assert "tipo de cambio" in dlg.head.text()
    type_slowly(qtbot, dlg.rate, "7.300")
    qtbot.keyClick(dlg.rate, ENTER)
    # 24.500 / 7.300 = 3,36 and 15.900 / 7.300 = 2,18 (prices with IVA, to the cent)
    assert "US$ 5.54" in dlg.head.text() and "Gs. 40.400" in dlg.head.text(), dlg.head.text()
    cash = dlg.fields["efectivo"]
    assert cash.hasFocus() and cash.text() == "5.54"
    type_slowly(qtbot, cash, "20")
    assert "Vuelto: US$ 14.46" in dlg.state.text(), dlg.state.text()
    qtbot.keyClick(dlg, Qt.Key.Key_F8)  # the change in guaraníes
    assert "Vuelto: Gs. 105.558 (= US$ 14.46)" in dlg.state.text(), dlg.state.text()
    qtbot.keyClick(cash, ENTER)
    assert not dlg.isVisible(), dlg.error.text()
    assert "Gs. 105.558" in sale.change_display.text()
    assert exchange_rates.get(w.ctx.conn, "USD", dlg.rates.day) == Decimal("7300")  # kept for the day

    done = sale.last_sale
    row = documents.get(w.ctx.conn, done.result.document_id)
    # stored in the document's currency (app/fiscal/home_amounts.py); dTotalGs = 5,54 × 7.300 = 40.442
    assert Decimal(row["total"]) == Decimal("5.54") and row["currency"] == "USD"
    assert "por USD 5.54" in sale.last_label.text(), sale.last_label.text()
    xml = checked(py_session, row["id"])
    for part in (b"<cMoneOpe>USD</cMoneOpe>", b"<dCondTiCam>1</dCondTiCam>", b"<dTiCam>7300</dTiCam>",
                 b"<dPUniProSer>3.36</dPUniProSer>", b"<dTotGralOpe>5.54</dTotGralOpe>",
                 b"<dTotalGs>40442</dTotalGs>", b"<cMoneTiPag>USD</cMoneTiPag>", b"<dMonTiPag>5.54</dMonTiPag>",
                 b"<dTiCamTiPag>7300</dTiCamTiPag>"):
        assert part in xml, part
    # the drawer counts the sale once, at its guaraní value at the document's rate (dTotalGs)
    rep = shifts.report(w.ctx.conn, shift.id)
    assert rep.expected_cash == cash_before + Decimal("40442")
    assert rep.sales_total == sales_before + Decimal("40442")  # the X/Z "Total facturado"
    assert approve(row["id"]) == "authorized"
    text = ticket_text(py_session, row["key"])
    assert "Tipo de cambio: 7.300,00" in text and "TOTAL A PAGAR USD 5,54" in text, text
    # the change was handed over in guaraníes (F8): the ticket says so, in guaraníes
    assert "TOTAL EN GUARANÍES Gs. 40.442" in text and "VUELTO Gs. 105.558" in text, text
    assert "RECIBIDO USD 20" in text and "VUELTO USD" not in text, text

    # the next sale: today's rate is already known (asked once a day), Venta shows both totals
    scan(qtbot, sale, "HARINA1")
    qtbot.waitUntil(lambda: len(sale.cart.lines) == 1, timeout=2000)
    grid = [sale.totals_grid.itemAt(i).widget().text() for i in range(sale.totals_grid.count())]
    assert grid[-2:] == ["En US$ (cambio 7.300)", "US$ 0.89"], grid
    from test_screen_sizes import clipped

    assert w.width() == 1024 and clipped(sale) == []
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=2000)
    qtbot.keyClick(sale.code, Qt.Key.Key_F12)
    dlg = sale.payment_dialog
    qtbot.waitUntil(dlg.isActiveWindow, timeout=2000)
    qtbot.keyClick(dlg, Qt.Key.Key_F9)
    assert dlg.rate.text() == "7.300" and dlg.fields["efectivo"].hasFocus()
    assert dlg.fields["efectivo"].text() == "0.89"  # 6.500 / 7.300
    qtbot.keyClick(dlg, Qt.Key.Key_F9)  # back to guaraníes
    assert dlg.fields["efectivo"].text() == "6.500" and "Gs. 6.500" in dlg.head.text()
    dlg.reject()


def test_credit_sale_in_cuotas_for_an_identified_buyer(qtbot, py_window, py_session, approve):
    w, sale = py_window, py_window.sale
    for code in ("TV55",):
        scan(qtbot, sale, code)
    qtbot.waitUntil(lambda: len(sale.cart.lines) == 1, timeout=2000)
    total = sale.cart.totals().total
    assert total == Decimal("3650000")
    shift = shifts.current(w.ctx.conn, w.ctx.establishment, w.ctx.point)
    cash_before = shifts.report(w.ctx.conn, shift.id).expected_cash
    qtbot.keyClick(sale.code, Qt.Key.Key_F3)
    type_slowly(qtbot, sale.buyer_id, "80069563-1")
    qtbot.keyClick(sale.buyer_id, ENTER)
    type_slowly(qtbot, sale.buyer_name, "Ferreteria Asuncion S.A.")
    qtbot.keyClick(sale.buyer_name, Qt.Key.Key_F12)
    dlg = sale.payment_dialog
    qtbot.waitUntil(dlg.isActiveWindow, timeout=2000)
    dlg.fields["efectivo"].selectAll()
    qtbot.keyClick(dlg.fields["efectivo"], Qt.Key.Key_Delete)
    qtbot.keyClick(dlg, Qt.Key.Key_F7)  # crédito
    credit = dlg.fields["credito"]
    assert credit.hasFocus()
    type_slowly(qtbot, credit, "3.650.000")
    assert dlg.credit_terms.isVisible() and "cuotas o el plazo" in dlg.credit_terms.text()
    type_slowly(qtbot, dlg.extra["credito"]["cuotas"], "3")
    terms = dlg.credit_terms.text().splitlines()
    assert [t.split(" vence")[0] for t in terms] == [
        "Cuota 1: Gs. 1.216.667", "Cuota 2: Gs. 1.216.667", "Cuota 3: Gs. 1.216.666"], terms
    qtbot.keyClick(dlg.extra["credito"]["cuotas"], ENTER)
    assert not dlg.isVisible(), dlg.error.text()

    done = sale.last_sale
    row = documents.get(w.ctx.conn, done.result.document_id)
    xml = checked(py_session, row["id"])
    for part in (b"<iCondOpe>2</iCondOpe>", b"<iCondCred>2</iCondCred>", b"<dCuotas>3</dCuotas>",
                 b"<dMonCuota>1216667</dMonCuota>", b"<dMonCuota>1216666</dMonCuota>"):
        assert part in xml, part
    assert b"<gPaConEIni>" not in xml and xml.count(b"<gCuotas>") == 3
    pays = w.ctx.conn.execute("SELECT method, amount FROM payments WHERE sale_id=?",
                              (done.result.sale_id,)).fetchall()
    assert [(p[0], p[1]) for p in pays] == [("credito", "3650000")]
    rep = shifts.report(w.ctx.conn, shift.id)
    assert rep.expected_cash == cash_before  # credit is not cash: its own line at the close
    assert [(m.label, m.expected) for m in rep.methods if m.method == "credito"] == [("Crédito", total)]
    from app.pos import reports

    from zoneinfo import ZoneInfo

    zone = ZoneInfo(w.ctx.country.timezone)
    day = reports.today_in(zone)
    by_method = {r.label: r.amount for r in reports.by_payment(w.ctx.conn, day, day, zone)}
    assert by_method["Crédito"] == total and "Efectivo" not in by_method
    assert approve(row["id"]) == "authorized"
    text = ticket_text(py_session, row["key"])
    assert "Condición de venta: Crédito" in text and "Cuotas: 3" in text, text


def test_credit_refused_for_the_anonymous_buyer_and_without_terms(qtbot, py_window):
    sale = py_window.sale
    scan(qtbot, sale, "HARINA1")
    qtbot.waitUntil(lambda: len(sale.cart.lines) == 1, timeout=2000)
    qtbot.keyClick(sale.code, Qt.Key.Key_F12)
    dlg = sale.payment_dialog
    qtbot.waitUntil(dlg.isActiveWindow, timeout=2000)
    dlg.fields["efectivo"].clear()
    qtbot.keyClick(dlg, Qt.Key.Key_F7)
    type_slowly(qtbot, dlg.fields["credito"], "6.500")
    type_slowly(qtbot, dlg.extra["credito"]["plazo"], "30")
    assert dlg.credit_terms.text() == "Plazo: 30 días"
    qtbot.keyClick(dlg.fields["credito"], ENTER)
    assert dlg.isVisible() and "identifique al cliente" in dlg.error.text()
    assert len(sale.cart.lines) == 1  # nothing issued, the sale is still there
    dlg.reject()


def test_the_days_rate_is_editable_in_configuracion(qtbot, py_session):
    from app.pos import users
    from app.ui.exchange_rates_settings import ExchangeRatesBox
    from app.ui.main import build_context
    from app.ui.settings_view import SettingsView

    admin = users.authenticate(py_session.conn, "9753")
    view = SettingsView(build_context(py_session, admin, demo=True, stack=None))
    qtbot.addWidget(view)
    box = next(view.tabs.widget(i) for i in range(view.tabs.count())
               if isinstance(view.tabs.widget(i), ExchangeRatesBox))
    assert view.tabs.tabText(view.tabs.indexOf(box)) == "Tipo de cambio"
    field = box.fields["USD"]
    assert field.text() == ""
    field.setText("7.295,5")
    view.save()
    assert "guardada" in view.message.text(), view.message.text()
    assert exchange_rates.get(py_session.conn, "USD", box.day) == Decimal("7295.5")
    field.setText("siete mil")
    view.save()
    assert "Tipo de cambio no válido" in box.result.text()
    assert exchange_rates.get(py_session.conn, "USD", box.day) == Decimal("7295.5")  # kept
