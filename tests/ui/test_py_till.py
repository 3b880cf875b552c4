"""The cashier's window for a Paraguayan (SIFEN) company, driven by real key events: a whole
sale in guaraníes with a split payment and vuelto that commits a schema-valid signed rDE, a
wrong RUC check digit refused without losing the sale, innominado above 7.000.000 Gs refused."""
from __future__ import annotations

from contextlib import ExitStack
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from app.fiscal.py import dsig, schema
from app.pos.cart import Buyer
from app.store import documents

ENTER = Qt.Key.Key_Return


def type_slowly(qtbot, widget, text):
    qtbot.keyClicks(widget, text, delay=60)
    qtbot.wait(60)


@pytest.fixture
def py_session(tmp_path):
    from app.ui.main import make_app, prepare_demo

    make_app()
    session = prepare_demo(tmp_path / "data", "PY")
    assert session.company.country == "PY"
    yield session
    session.close()


@pytest.fixture
def py_window(qtbot, py_session):
    from app.pos import users
    from app.ui.main import MainWindow, build_context

    stack = ExitStack()
    user = users.authenticate(py_session.conn, "1234")
    ctx = build_context(py_session, user, demo=True, stack=stack, start_worker=False)
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


def scan(qtbot, sale, code):
    qtbot.keyClicks(sale.code, code)
    qtbot.keyClick(sale.code, ENTER)


def test_whole_py_sale_by_keyboard_split_payment_and_vuelto(qtbot, py_window):
    w = py_window
    sale = w.sale
    for code in ("YERBA1", "ACEITE9", "ACEITE9", "LIBRO"):
        scan(qtbot, sale, code)
    assert [(ln.code, ln.quantity) for ln in sale.cart.lines] == [
        ("YERBA1", 1), ("ACEITE9", 2), ("LIBRO", 1)]
    # 24.500 (IVA 5 %) + 2 × 15.900 (IVA 10 %) + 45.000 exento
    total = sale.cart.totals().total
    assert total == Decimal("101300")
    assert sale.total_label.text() == "Gs. 101.300"
    assert sale.table.item(1, 6).text() == "31.800"
    t = sale.cart.totals()
    assert t.by_tax["PY10"] == (Decimal("31800"), Decimal("2891"))  # 31.800 / 11
    assert t.by_tax["PY5"] == (Decimal("24500"), Decimal("1167"))  # 24.500 / 21
    assert t.by_tax["PYEX"] == (Decimal("45000"), Decimal("0"))

    qtbot.keyClick(sale.code, Qt.Key.Key_F3)
    assert sale.buyer_id.hasFocus()
    type_slowly(qtbot, sale.buyer_id, "80069563-1")
    assert sale.buyer_type.currentData() == "PY-RUC"
    assert "válida" in sale.buyer_state.text()
    qtbot.keyClick(sale.buyer_id, ENTER)
    assert sale.buyer_name.hasFocus()
    type_slowly(qtbot, sale.buyer_name, "Ferreteria Asuncion S.A.")
    qtbot.keyClick(sale.buyer_name, Qt.Key.Key_F12)
    dlg = sale.payment_dialog
    assert dlg is not None and dlg.isVisible()
    assert "Gs. 101.300" in dlg.findChild(type(sale.total_label), "total").text()
    assert dlg.fields["efectivo"].text() == "101.300"
    qtbot.keyClick(dlg, Qt.Key.Key_F2)  # tarjeta de crédito
    qtbot.keyClicks(dlg.fields["tarjeta_credito"], "50.000")
    dlg.fields["efectivo"].selectAll()
    qtbot.keyClicks(dlg.fields["efectivo"], "100.000")
    assert "Vuelto: Gs. 48.700" in dlg.state.text()
    qtbot.keyClick(dlg.fields["efectivo"], ENTER)
    assert not dlg.isVisible(), dlg.error.text()
    assert sale.cart.empty and sale.code.hasFocus()
    done = sale.last_sale
    assert done.settlement.payments == [("tarjeta_credito", Decimal("50000")), ("efectivo", Decimal("51300"))]
    assert done.settlement.change == Decimal("48700")
    assert "vuelto Gs. 48.700" in sale.last_label.text()

    row = documents.get(w.ctx.conn, done.result.document_id)
    assert row["status"] == "signed" and row["country"] == "PY" and Decimal(row["total"]) == total
    xml = bytes(row["xml"])
    assert schema.validate(xml) == []
    assert all(f.ok for f in dsig.verify(xml)), [f.message for f in dsig.verify(xml) if not f.ok]
    assert b"<dRucRec>80069563</dRucRec><dDVRec>1</dDVRec>" in xml
    assert b"<iTiPago>3</iTiPago>" in xml and b"<iTiPago>1</iTiPago>" in xml
    assert b"<dMonTiPag>51300</dMonTiPag>" in xml  # the cash kept, not the cash handed over
    assert b"<dTotGralOpe>101300</dTotGralOpe>" in xml
    pays = w.ctx.conn.execute("SELECT method, amount FROM payments WHERE sale_id=? ORDER BY n",
                              (done.result.sale_id,)).fetchall()
    assert [(p[0], p[1]) for p in pays] == [("3", "50000"), ("1", "51300")]
    sale_row = w.ctx.conn.execute("SELECT tendered, change, currency FROM sales WHERE id=?",
                                  (done.result.sale_id,)).fetchone()
    assert (sale_row[0], sale_row[1], sale_row[2]) == ("150000", "48700", "PYG")
    # the drawer expects the opening float plus the cash kept
    from app.pos import shifts

    shift = shifts.current(w.ctx.conn, w.ctx.establishment, w.ctx.point)
    assert shifts.report(w.ctx.conn, shift.id).expected_cash == Decimal("200000") + Decimal("51300")


def test_wrong_ruc_check_digit_refused_and_the_sale_kept(qtbot, py_window):
    w = py_window
    sale = w.sale
    scan(qtbot, sale, "CARNE")
    qtbot.keyClick(sale.code, Qt.Key.Key_F3)
    type_slowly(qtbot, sale.buyer_id, "80069563-2")  # the right digit is 1
    assert sale.buyer_type.currentData() == "PY-RUC"
    assert "dígito verificador incorrecto (corresponde 1)" in sale.buyer_state.text()
    qtbot.keyClick(sale.buyer_id, Qt.Key.Key_F12)
    assert sale.payment_dialog is None
    assert "dígito verificador incorrecto" in sale.message.text()
    assert [ln.code for ln in sale.cart.lines] == ["CARNE"]  # nothing lost
    assert w.ctx.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 0
    # corrected: a known customer is filled in and the sale goes through
    sale.buyer_id.clear()
    type_slowly(qtbot, sale.buyer_id, "80033303-9")
    qtbot.keyClick(sale.buyer_id, ENTER)
    assert sale.buyer_name.text() == "Distribuidora Guaraní S.R.L."
    qtbot.keyClick(sale.code, Qt.Key.Key_F12)
    dlg = sale.payment_dialog
    qtbot.keyClick(dlg.fields["efectivo"], ENTER)
    assert sale.last_sale is not None
    xml = bytes(documents.get(w.ctx.conn, sale.last_sale.result.document_id)["xml"])
    assert b"<dRucRec>80033303</dRucRec><dDVRec>9</dDVRec>" in xml and schema.validate(xml) == []


def test_innominado_above_the_limit_refused(qtbot, py_window):
    w = py_window
    sale = w.sale
    scan(qtbot, sale, "2*TV55")  # 2 × 3.650.000 = 7.300.000 Gs.
    assert sale.cart.totals().total == Decimal("7300000")
    assert "Innominado" in sale.buyer_state.text()
    qtbot.keyClick(sale.code, Qt.Key.Key_F12)
    assert sale.payment_dialog is None
    assert "innominada" in sale.message.text() and "Gs. 7.000.000" in sale.message.text()
    assert sale.buyer_id.hasFocus()  # straight to the customer box
    # one television (3.650.000 Gs.) may go to an innominado buyer
    sale.table.selectRow(0)
    qtbot.keyClick(sale.code, Qt.Key.Key_F4)
    sale.qty.selectAll()
    qtbot.keyClicks(sale.qty, "1")
    qtbot.keyClick(sale.qty, ENTER)
    assert sale.cart.totals().total == Decimal("3650000")
    sale.code.setFocus()
    qtbot.keyClick(sale.code, Qt.Key.Key_F12)
    dlg = sale.payment_dialog
    assert dlg is not None
    qtbot.keyClick(dlg.fields["efectivo"], ENTER)
    xml = bytes(documents.get(w.ctx.conn, sale.last_sale.result.document_id)["xml"])
    assert b"<iTipIDRec>5</iTipIDRec>" in xml and b"<dNomRec>Sin Nombre</dNomRec>" in xml
    assert schema.validate(xml) == []


def test_cheque_needs_number_and_bank(qtbot, py_window):
    sale = py_window.sale
    scan(qtbot, sale, "HARINA1")
    qtbot.keyClick(sale.code, Qt.Key.Key_F12)
    dlg = sale.payment_dialog
    dlg.fields["efectivo"].clear()
    qtbot.keyClick(dlg, Qt.Key.Key_F6)
    qtbot.keyClicks(dlg.fields["cheque"], "6500")
    qtbot.keyClick(dlg.fields["cheque"], ENTER)
    assert dlg.isVisible() and "número del cheque" in dlg.error.text()
    number, bank = dlg.extra["cheque"]["numero"], dlg.extra["cheque"]["banco"]  # the method's own fields
    assert (number.placeholderText(), number.maxLength(), bank.placeholderText()) == ("N.º de cheque", 8, "Banco")
    qtbot.keyClicks(number, "123456")
    qtbot.keyClicks(bank, "Banco Itau")
    qtbot.keyClick(bank, ENTER)
    assert not dlg.isVisible(), dlg.error.text()
    xml = bytes(documents.get(py_window.ctx.conn, sale.last_sale.result.document_id)["xml"])
    assert b"<dNumCheq>00123456</dNumCheq><dBcoEmi>Banco Itau</dBcoEmi>" in xml


def test_status_bar_for_sifen(qtbot, py_window, py_session):
    from datetime import datetime, timedelta, timezone

    from sales_helper import sell

    st = py_window.status
    assert st.env.text() == "SANDBOX"
    assert "SIFEN" in st.link.text()
    assert "vence en" in st.cert.text()
    cart_codes = ["COLA2"]
    r = sell(py_window, cart_codes)
    # 20 h old is nothing to worry about with SIFEN's 72 h; 60 h is
    old = (datetime.now(timezone.utc) - timedelta(hours=20)).isoformat()
    py_session.conn.execute("UPDATE documents SET signed_at=? WHERE id=?", (old, r.document_id))
    st.refresh()
    assert st.facts.deadline_hours == 72 and st.facts.level != "danger"
    older = (datetime.now(timezone.utc) - timedelta(hours=60)).isoformat()
    py_session.conn.execute("UPDATE documents SET signed_at=? WHERE id=?", (older, r.document_id))
    st.refresh()
    assert st.facts.level == "danger" and "72 h" in st.pending.text()


def test_documents_cancel_within_the_window_and_refused_past_it(qtbot, py_window, py_session):
    from datetime import datetime, timedelta, timezone

    from sales_helper import sell

    w = py_window
    first = sell(w, ["COLA2"])
    second = sell(w, ["LIBRO"], medio="tarjeta_debito")
    now = datetime.now(timezone.utc)
    # SIFEN approved both (what the worker records): one an hour ago, one 49 h ago
    for doc_id, hours in ((first.document_id, 1), (second.document_id, 49)):
        py_session.conn.execute("UPDATE documents SET status='authorized', authorized_at=? WHERE id=?",
                                ((now - timedelta(hours=hours)).isoformat(), doc_id))
    view = w.show_screen("documents")
    view.reload()
    rows = [r["id"] for r in view.model.rows]
    view.table.selectRow(rows.index(second.document_id))
    assert "CDC: " + second.key in view.summary.toPlainText()
    assert "Tarjeta de débito Gs. 45.000" in view.summary.toPlainText()
    assert view.action_buttons["cancelar"].isEnabled() and not view.action_buttons["inutilizar"].isEnabled()
    qtbot.keyClicks(view.param_fields["motivo"], "Error en el precio cobrado")
    qtbot.keyClick(view.param_fields["motivo"], Qt.Key.Key_F9)
    assert "venció" in view.message.text() and "48 horas" in view.message.text()
    assert py_session.conn.execute("SELECT COUNT(*) FROM py_events").fetchone()[0] == 0

    view.table.selectRow([r["id"] for r in view.model.rows].index(first.document_id))
    view.param_fields["motivo"].clear()
    qtbot.keyClicks(view.param_fields["motivo"], "abc")  # too short
    qtbot.keyClick(view.param_fields["motivo"], Qt.Key.Key_F9)
    assert "entre 5 y 500" in view.message.text()
    qtbot.keyClicks(view.param_fields["motivo"], " - cliente desiste de la compra")
    qtbot.keyClick(view.param_fields["motivo"], Qt.Key.Key_F9)
    assert "en cola para SIFEN" in view.message.text(), view.message.text()
    ev = py_session.conn.execute("SELECT kind, status, document_id FROM py_events").fetchall()
    assert [(e[0], e[1], e[2]) for e in ev] == [("cancelacion", "signed", first.document_id)]
    jobs = py_session.conn.execute("SELECT action FROM outbox WHERE document_id=? AND state='pending'",
                                   (first.document_id,)).fetchall()
    assert any(j[0].startswith("event:") for j in jobs)


def test_caja_in_guaranies(qtbot, py_window, py_session):
    from app.pos import shifts

    from test_cash import ring_up

    w = py_window
    s1 = ring_up(qtbot, w, ["YERBA1"], [("efectivo", "50.000")])  # 24.500, vuelto 25.500
    s2 = ring_up(qtbot, w, ["COLA2"], [("tarjeta_debito", "11.000")])
    assert s1.settlement.change == Decimal("25500") and s2.result.document.total == Decimal("11000")
    cash = w.show_screen("cash")
    assert "fondo Gs. 200.000" in cash.state.text()
    cash.float_field.setFocus()
    qtbot.keyClick(cash, Qt.Key.Key_F8)
    assert cash.close_box.isVisible()
    assert Decimal("100000") in cash.denoms and Decimal("0.50") not in cash.denoms
    cash.denoms[Decimal("100000")].setValue(2)
    cash.denoms[Decimal("20000")].setValue(1)
    cash.denoms[Decimal("2000")].setValue(2)
    cash.denoms[Decimal("500")].setValue(1)  # 224.500 = 200.000 + 24.500
    assert "diferencia Gs. 0" in cash.close_state.text(), cash.close_state.text()
    cash.others["4"].setText("11.000")
    qtbot.keyClick(cash.others["4"], Qt.Key.Key_F12)
    z = cash.last_z
    assert z is not None and z.total_difference == 0
    by = {m.method: m for m in z.methods}
    assert by["1"].counted == Decimal("224500") and by["1"].label == "Efectivo"
    assert by["4"].counted == Decimal("11000") and by["4"].label == "Tarjeta de débito"
    assert shifts.current(py_session.conn, "001", "001") is None


def test_product_in_guaranies_by_keyboard(qtbot, py_window):
    from app.pos import catalog

    w = py_window
    view = w.show_screen("products")
    assert [view.tax.itemData(i) for i in range(view.tax.count())] == ["PY10", "PY5", "PYEX"]
    qtbot.keyClick(view.search, Qt.Key.Key_F6)
    qtbot.keyClicks(view.code, "QUESO")
    qtbot.keyClicks(view.name, "Queso Paraguay (kg)")
    qtbot.keyClicks(view.price, "32.000")
    view.tax.setCurrentIndex(view.tax.findData("PY5"))
    assert "IVA incluido: Gs. 1.524" in view.price_hint.text(), view.price_hint.text()
    qtbot.keyClick(view.price, Qt.Key.Key_F9)
    assert "Guardado" in view.message.text(), view.message.text()
    p = catalog.find_product(w.ctx.conn, "QUESO")
    assert p.price == Decimal("32000") and p.tax_category == "PY5" and p.price_includes_tax
    sale = w.show_screen("sale")
    qtbot.keyClicks(sale.code, "1.5*QUESO")
    qtbot.keyClick(sale.code, ENTER)
    assert sale.cart.totals().total == Decimal("48000")


def test_reports_for_sifen_sales(qtbot, py_window):
    from datetime import date

    from app.pos import reports
    from sales_helper import sell

    w = py_window
    sell(w, ["YERBA1", "ACEITE9", "LIBRO"])  # 24.500 (5 %) + 15.900 (10 %) + 45.000 exento
    sell(w, ["COLA2"], medio="tarjeta_credito")
    tz = reports.zone_for("PY")
    today = datetime_today(tz)
    by_tax = {r.label: r for r in reports.by_tax(w.ctx.conn, today, today, tz)}
    assert by_tax["IVA 10 %"].count == 2 and by_tax["IVA 10 %"].extra == Decimal("2445")  # 1.445 + 1.000
    assert by_tax["IVA 5 %"].amount == Decimal("23333") and by_tax["Exento"].amount == Decimal("45000")
    pays = {r.label: r.amount for r in reports.by_payment(w.ctx.conn, today, today, tz)}
    assert pays == {"Efectivo": Decimal("85400"), "Tarjeta de crédito": Decimal("11000")}
    view = w.show_screen("reports")
    view.kind.setCurrentIndex(view.kind.findData("day"))
    assert "Gs. 96.400" in view.total.text()
    assert view.table.horizontalHeaderItem(2).text() == "Total Gs."
    assert isinstance(today, date)


def datetime_today(tz):
    from datetime import datetime

    return datetime.now(tz).date()


def test_configuracion_for_sifen_keeps_or_replaces_the_csc(qtbot, py_window, py_session):
    from app.fiscal import signing
    from app.store import settings

    w = py_window
    ruc = py_session.company.ruc
    before = signing.load_secret(f"csc:{ruc}")
    assert before  # the demo stored the public test CSC in the keyring
    view = w.show_screen("settings")
    f = view.form
    assert f.country.country.currentData() == "PY" and not f.country.country.isEnabled()
    assert f.company.timbrado.text() == py_session.company.timbrado and not f.company.csc_secret.text()
    assert f.establishments.cell(0, 7) == "1"  # ciudad
    f.company.timbrado.selectAll()
    qtbot.keyClicks(f.company.timbrado, "87654321")
    view._save(type("Admin", (), {"is_admin": True, "name": "Administrador Demo"})())
    assert "guardada" in view.message.text(), view.message.text()
    company = settings.load_company(py_session.conn)
    assert company.timbrado == "87654321" and company.establishment("001").ciudad == 1
    assert signing.load_secret(f"csc:{ruc}") == before  # blank field: the CSC is kept
    qtbot.keyClicks(f.company.csc_secret, "Z" * 32)
    view._save(type("Admin", (), {"is_admin": True, "name": "Administrador Demo"})())
    assert "guardada" in view.message.text(), view.message.text()
    assert signing.load_secret(f"csc:{ruc}") == "Z" * 32
    db = py_session.data.db_path.read_bytes()
    wal = py_session.data.root / "mostrador.db-wal"
    db += wal.read_bytes() if wal.exists() else b""
    assert b"Z" * 32 not in db


def test_documents_nominate_an_innominado_invoice(qtbot, py_window, py_session):
    from datetime import datetime, timezone

    from sales_helper import sell

    w = py_window
    anon = sell(w, ["HARINA1"])  # innominado
    named = sell(w, ["COLA2"], buyer=Buyer("PY-CI", "3456789", "María José Benítez"))
    for r in (anon, named):
        py_session.conn.execute("UPDATE documents SET status='authorized', authorized_at=? WHERE id=?",
                                (datetime.now(timezone.utc).isoformat(), r.document_id))
    view = w.show_screen("documents")
    view.reload()
    ids = [r["id"] for r in view.model.rows]
    view.table.selectRow(ids.index(named.document_id))
    assert not view.action_buttons["nominar"].isEnabled()  # it already has a receptor
    view.table.selectRow(ids.index(anon.document_id))
    assert view.action_buttons["nominar"].isEnabled()
    qtbot.keyClicks(view.param_fields["motivo"], "El cliente pidio factura a su nombre")
    qtbot.keyClicks(view.param_fields["receptor"], "80069563-2")
    qtbot.keyClicks(view.param_fields["nombre"], "Ferreteria Asuncion S.A.")
    qtbot.keyClick(view.param_fields["nombre"], Qt.Key.Key_F11)
    assert "dígito verificador incorrecto" in view.message.text()
    view.param_fields["receptor"].clear()
    qtbot.keyClicks(view.param_fields["receptor"], "80069563-1")
    qtbot.keyClick(view.param_fields["nombre"], Qt.Key.Key_F11)
    assert "Nominación firmada" in view.message.text(), view.message.text()
    ev = py_session.conn.execute("SELECT kind, document_id, xml FROM py_events").fetchall()
    assert [(e[0], e[1]) for e in ev] == [("nominacion", anon.document_id)]
    xml = bytes(ev[0][2])
    from app.fiscal.py import schema

    assert schema.validate_event(xml) == [] and b"80069563" in xml


def test_cancel_end_to_end_against_the_sifen_sandbox(qtbot, py_window, py_session):
    """Approved by the simulated SIFEN, cancelled from Documentos, the event registered."""
    import time

    from app.pos.runtime import make_worker
    from sales_helper import sell

    w = py_window
    r = sell(w, ["CARNE"])
    stack = ExitStack()
    try:
        worker = make_worker(py_session, stack)

        def run_until(pred):
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and not pred():
                worker.run_once()
                time.sleep(0.05)
            return pred()

        status = lambda: documents.get(py_session.conn, r.document_id)["status"]  # noqa: E731
        assert run_until(lambda: status() == "authorized"), status()
        view = w.show_screen("documents")
        view.reload()
        view.table.selectRow([x["id"] for x in view.model.rows].index(r.document_id))
        assert "APROBADO" in view.summary.toPlainText()
        qtbot.keyClicks(view.param_fields["motivo"], "Venta anulada a pedido del cliente")
        qtbot.keyClick(view.param_fields["motivo"], Qt.Key.Key_F9)
        assert "en cola para SIFEN" in view.message.text(), view.message.text()
        assert run_until(lambda: status() == "cancelled"), status()
        ev = py_session.conn.execute("SELECT status FROM py_events").fetchone()
        assert ev[0] == "registered"
        view.reload()
        assert "ANULADO" in view.summary.toPlainText()
    finally:
        stack.close()


def test_credit_note_for_a_sifen_invoice(qtbot, py_window, py_session):
    """F6 on an approved factura → a nota de crédito electrónica linked by CDC, signed,
    schema-valid, approved by the simulated SIFEN; an innominado factura refuses it."""
    import time

    from app.pos.runtime import make_worker
    from sales_helper import sell

    w = py_window
    r = sell(w, ["YERBA1", "ACEITE9", "ACEITE9"], buyer=Buyer("PY-RUC", "80033303-9", "Distribuidora Guaraní S.R.L."))
    anon = sell(w, ["HARINA1"])
    stack = ExitStack()
    try:
        worker = make_worker(py_session, stack)

        def run_until(pred):
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and not pred():
                worker.run_once()
                time.sleep(0.05)
            return pred()

        def status(doc_id):
            return documents.get(py_session.conn, doc_id)["status"]

        assert run_until(lambda: status(r.document_id) == status(anon.document_id) == "authorized")
        view = w.show_screen("documents")
        view.reload()
        ids = [x["id"] for x in view.model.rows]
        view.table.selectRow(ids.index(anon.document_id))
        assert not view.credit_button.isEnabled()
        view.credit_note()
        assert "innominada" in view.message.text()
        view.table.selectRow(ids.index(r.document_id))
        assert view.credit_button.isEnabled()
        qtbot.keyClick(view.table, Qt.Key.Key_F6)
        dlg = view.credit_dialog
        assert dlg is not None and [ln.code for ln in dlg.lines] == ["YERBA1", "ACEITE9"]
        qtbot.waitUntil(dlg.isActiveWindow, timeout=2000)
        dlg.qty_fields[1].setText("1")  # one bottle of oil back
        assert "Gs. 15.900" in dlg.total.text(), dlg.total.text()
        qtbot.keyClick(dlg.qty_fields[1], Qt.Key.Key_F12)
        assert dlg.result is not None, dlg.error.text()
        note = documents.get(py_session.conn, dlg.result.document_id)
        assert note["kind"] == "credit-notes" and note["doc_code"] == "5" and Decimal(note["total"]) == 15900
        xml = bytes(note["xml"])
        assert schema.validate(xml) == [] and all(f.ok for f in dsig.verify(xml))
        assert f"<dCdCDERef>{r.key}</dCdCDERef>".encode() in xml and b"<iMotEmi>2</iMotEmi>" in xml
        assert run_until(lambda: status(note["id"]) == "authorized"), status(note["id"])
        # what is left to return: one bottle and the yerba
        from app.pos import credit_notes

        left = {ln.code: ln.available for ln in credit_notes.creditable_lines(py_session.conn, r.document_id)}
        assert left == {"YERBA1": Decimal(1), "ACEITE9": Decimal(1)}
    finally:
        stack.close()
