"""Documentos' detail pane writes unit prices as the buyer saw them (with IVA where the shelf
price includes it) and as the country writes money: never the XML's 6-decimal net prices."""
from __future__ import annotations

import re

from sales_helper import sell
from test_py_till import py_session, py_window  # noqa: F401  (fixtures)


def _detail(window, doc_id) -> str:
    view = window.show_screen("documents")
    view.reload()
    view.table.selectRow([r["id"] for r in view.model.rows].index(doc_id))
    return view.summary.toPlainText()


def test_ecuador_detail_shows_the_shelf_price_with_iva(make_window):
    w = make_window()
    r = sell(w, ["ACEITE1", "ACEITE1", "ARROZ1"])  # 3.15 with IVA 15 % (net 2.739130), 1.35 without IVA
    text = _detail(w, r.document_id)
    rows = [t for t in text.splitlines() if "Aceite" in t or "Arroz" in t]
    assert len(rows) == 2, text
    assert re.search(r"2\s+Aceite La Favorita 1 L\s+3\.15\s+15 %\s+6\.30", rows[0]), rows[0]
    assert re.search(r"1\s+Arroz Gustadina 1 kg\s+1\.35\s+0 %\s+1\.35", rows[1]), rows[1]
    assert "Precios unitarios con impuestos incluidos" in text
    assert not re.search(r"\d\.\d{3,}", text.split("Correo:")[0]), text  # no 6-decimal amounts


def test_paraguay_detail_in_guaranies(py_window):
    r = sell(py_window, ["ACEITE9", "LIBRO"])
    text = _detail(py_window, r.document_id)
    assert re.search(r"1\s+Aceite de soja 900 ml\s+15\.900\s+10 %\s+15\.900", text), text
    assert re.search(r"1\s+Libro escolar de lectura\s+45\.000\s+Exento\s+45\.000", text), text
