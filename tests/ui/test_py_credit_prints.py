"""Paraguay, a sale on credit and a sale in US dollars from the till, by key events: choosing
Crédito in Cobrar empties the cash field (a down payment is typed only if there is one); the
ticket and the KuDE A4 show each cuota's amount and due date from the signed gCuotas, and the
change in the currency it was handed over in."""
from __future__ import annotations

import shutil
import subprocess

import pytest
from PySide6.QtCore import Qt

from app.fiscal import registry
from app.pos import printing
from app.store import documents
from test_py_till import py_session, py_window, scan, type_slowly  # noqa: F401  (fixtures)
from test_py_usd_credit import ticket_text

ENTER = Qt.Key.Key_Return


def kude_text(session, key, tmp_path, name) -> str:
    """The KuDE A4's text (pdftotext -layout); also leaves `name`.pdf in tmp_path."""
    row = documents.by_key(session.conn, key)
    pdf = registry.country("PY").printables().a4_pdf(bytes(row["xml"]), printing.extras_for(session, row, copy=False),
                                                     session.company)
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def buyer(qtbot, sale):
    qtbot.keyClick(sale.code, Qt.Key.Key_F3)
    type_slowly(qtbot, sale.buyer_id, "80069563-1")
    qtbot.keyClick(sale.buyer_id, ENTER)
    type_slowly(qtbot, sale.buyer_name, "Ferreteria Asuncion S.A.")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_credit_chosen_empties_cash_and_prints_each_cuota(qtbot, py_window, py_session, tmp_path):
    w, sale = py_window, py_window.sale
    scan(qtbot, sale, "TV55")
    qtbot.waitUntil(lambda: len(sale.cart.lines) == 1, timeout=2000)
    buyer(qtbot, sale)
    qtbot.keyClick(sale.buyer_name, Qt.Key.Key_F12)
    dlg = sale.payment_dialog
    qtbot.waitUntil(dlg.isActiveWindow, timeout=2000)
    assert dlg.fields["efectivo"].text() == "3.650.000"  # contado: the total is pre-filled
    qtbot.keyClick(dlg, Qt.Key.Key_F7)  # crédito: no cash to clear by hand
    assert dlg.fields["efectivo"].text() == ""
    credit = dlg.fields["credito"]
    assert credit.hasFocus() and credit.text() == "3.650.000"
    qtbot.keyClick(credit, Qt.Key.Key_Tab)
    type_slowly(qtbot, dlg.extra["credito"]["cuotas"], "3")
    terms = dlg.credit_terms.text().splitlines()
    assert [t.split(" vence")[0] for t in terms] == [
        "Cuota 1: Gs. 1.216.667", "Cuota 2: Gs. 1.216.667", "Cuota 3: Gs. 1.216.666"], terms
    qtbot.keyClick(dlg.extra["credito"]["cuotas"], ENTER)
    assert not dlg.isVisible(), dlg.error.text()
    row = documents.get(w.ctx.conn, sale.last_sale.result.document_id)
    xml = bytes(row["xml"])
    dues = [d.decode() for d in __import__("re").findall(rb"<dVencCuo>([0-9-]+)</dVencCuo>", xml)]
    assert len(dues) == 3
    shown = ["/".join(reversed(d.split("-"))) for d in dues]
    text = ticket_text(py_session, row["key"])
    assert "Cuotas: 3" in text, text
    for n, (amount, due) in enumerate(zip(("1.216.667", "1.216.667", "1.216.666"), shown), 1):
        assert f"Cuota {n} vence {due}: Gs. {amount}" in text, text
    kude = kude_text(py_session, row["key"], tmp_path, "credito")
    assert "Condición de venta: Crédito" in kude and "cuotas: 3" in kude, kude
    for n, (amount, due) in enumerate(zip(("1.216.667", "1.216.667", "1.216.666"), shown), 1):
        assert f"Cuota {n}: Gs. {amount} — vence el {due}" in kude, kude


def test_credit_with_a_down_payment_typed_in_cash(qtbot, py_window):
    w, sale = py_window, py_window.sale
    scan(qtbot, sale, "TV55")
    qtbot.waitUntil(lambda: len(sale.cart.lines) == 1, timeout=2000)
    buyer(qtbot, sale)
    qtbot.keyClick(sale.buyer_name, Qt.Key.Key_F12)
    dlg = sale.payment_dialog
    qtbot.waitUntil(dlg.isActiveWindow, timeout=2000)
    qtbot.keyClick(dlg, Qt.Key.Key_F7)
    assert dlg.fields["efectivo"].text() == ""
    type_slowly(qtbot, dlg.fields["credito"], "3.000.000")
    qtbot.keyClick(dlg, Qt.Key.Key_F1)  # the down payment, typed because there is one
    type_slowly(qtbot, dlg.fields["efectivo"], "650.000")
    type_slowly(qtbot, dlg.extra["credito"]["cuotas"], "2")
    assert dlg.credit_terms.text().splitlines()[0].startswith("Cuota 1: Gs. 1.500.000"), dlg.credit_terms.text()
    qtbot.keyClick(dlg.extra["credito"]["cuotas"], ENTER)
    assert not dlg.isVisible(), dlg.error.text()
    pays = w.ctx.conn.execute("SELECT method, amount FROM payments WHERE sale_id=? ORDER BY n",
                              (sale.last_sale.result.sale_id,)).fetchall()
    assert sorted((p[0], p[1]) for p in pays) == [("1", "650000"), ("credito", "3000000")]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_usd_sale_change_in_dollars_and_kude(qtbot, py_window, py_session, tmp_path):
    w, sale = py_window, py_window.sale
    for code in ("YERBA1", "ACEITE9"):
        scan(qtbot, sale, code)
    qtbot.waitUntil(lambda: len(sale.cart.lines) == 2, timeout=2000)
    qtbot.keyClick(sale.code, Qt.Key.Key_F12)
    dlg = sale.payment_dialog
    qtbot.waitUntil(dlg.isActiveWindow, timeout=2000)
    qtbot.keyClick(dlg, Qt.Key.Key_F9)
    type_slowly(qtbot, dlg.rate, "7.300")
    qtbot.keyClick(dlg.rate, ENTER)
    type_slowly(qtbot, dlg.fields["efectivo"], "10")
    qtbot.keyClick(dlg.fields["efectivo"], ENTER)  # change in dollars (no F8)
    assert not dlg.isVisible(), dlg.error.text()
    row = documents.get(w.ctx.conn, sale.last_sale.result.document_id)
    assert (row["total"], row["currency"]) == ("5.54", "USD")  # the document's own total and currency
    view = w.show_screen("documents")
    view.reload()
    shown = [view.model.data(view.model.index(r, 4)) for r in range(view.model.rowCount())
             if view.model.data(view.model.index(r, 0)) == row["number"]]
    assert shown == ["USD 5.54"], shown
    text = ticket_text(py_session, row["key"])
    assert "VUELTO USD 4,46" in text and "RECIBIDO USD 10" in text, text
    kude = kude_text(py_session, row["key"], tmp_path, "usd")
    assert "Condición de venta: Contado" in kude, kude
    assert "tipo de cambio: 7.300,00" in kude, kude
    assert "TOTAL DE LA OPERACIÓN (USD)" in kude and "TOTAL EN GUARANÍES (Gs.)" in kude, kude
    assert "3,36 2,18 5,54" in kude and "40.442" in kude, kude  # subtotals and total in USD; dTotalGs
