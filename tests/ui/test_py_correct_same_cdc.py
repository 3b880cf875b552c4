"""A till sale rejected by SIFEN is corrected on Documentos with the SAME CDC (Shift+F9): the
corrected buyer, re-signed as version 2 of the same number, queued, approved by the sandbox;
the rejected version stays."""
from __future__ import annotations

import time
from contextlib import ExitStack

from PySide6.QtCore import Qt

from app.core import status as st
from app.fiscal.py import qr, schema, verify as py_verify
from app.pos.cart import Buyer
from app.store import documents
from app.store.db import transaction
from sales_helper import sell
from test_py_till import py_session, py_window, type_slowly  # noqa: F401  (fixtures)


def test_rejected_till_sale_corrected_with_the_same_cdc(qtbot, py_window, py_session):
    from app.pos.runtime import make_worker

    w = py_window
    bad = sell(w, ["COLA2", "YERBA1"], buyer=Buyer("PY-CI", "3456789", "Maria Jose Benitez"))
    with transaction(w.ctx.conn):
        documents.set_status(w.ctx.conn, bad.document_id, st.REJECTED, detail="RECHAZADO",
                             messages=[{"codigo": "1309", "mensaje": "Nombre del receptor no corresponde"}])
    view = w.show_screen("documents")
    view.reload()
    view.table.selectRow([r["id"] for r in view.model.rows].index(bad.document_id))
    assert view.action_buttons["corregir"].isEnabled()
    type_slowly(qtbot, view.param_fields["nombre"], "Maria Jose Benitez Rojas")
    qtbot.keyClick(view.param_fields["nombre"], Qt.Key.Key_F9, Qt.KeyboardModifier.ShiftModifier)
    assert "firmada con el mismo CDC" in view.message.text(), view.message.text()
    live = documents.by_key(w.ctx.conn, bad.key)
    old = documents.get(w.ctx.conn, bad.document_id)
    assert live["id"] != bad.document_id and live["version"] == 2 and live["previous_id"] == bad.document_id
    assert live["number"] == old["number"] and live["status"] == st.SIGNED and old["status"] == st.REJECTED
    assert live["buyer_name"] == "Maria Jose Benitez Rojas"
    xml = bytes(live["xml"])
    assert schema.validate(xml) == []
    assert all(f.ok for f in py_verify.verify(xml, csc=qr.TEST_CSC["0001"]))
    assert b"<dNomRec>Maria Jose Benitez Rojas</dNomRec>" in xml and f'Id="{bad.key}"'.encode() in xml
    # the same emission moment as the rejected version (part of the CDC is its date)
    fe = lambda x: x.split(b"<dFeEmiDE>")[1].split(b"<")[0]  # noqa: E731
    assert fe(xml) == fe(bytes(old["xml"]))
    stack = ExitStack()
    try:
        worker = make_worker(py_session, stack)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and documents.get(w.ctx.conn, live["id"])["status"] != st.AUTHORIZED:
            worker.run_once()
            time.sleep(0.05)
        assert documents.get(w.ctx.conn, live["id"])["status"] == st.AUTHORIZED
    finally:
        stack.close()
