"""Proof of "one package per country": Toylandia (tests/support/toy_country, a toy authority
with one document type and its own sandbox) is registered with one line and goes through the
till's keyboard sale, checkout, the worker, `mostrador documents`, the Documentos screen, the
ticket and `verify` — with no change to anything under app/."""
from __future__ import annotations

import json
from contextlib import ExitStack
from decimal import Decimal

import pytest
import shiboken6
from PySide6.QtCore import Qt

from app.cli import main
from app.core.status import AUTHORIZED
from app.fiscal import registry
from app.store import documents

ENTER = Qt.Key.Key_Return


@pytest.fixture
def toyland():
    registry.register("ZZ", "toy_country")  # the one registry line a new country needs
    yield registry.country("ZZ")
    registry.unregister("ZZ")


def test_a_third_country_goes_through_the_whole_till(qtbot, tmp_path, toyland, capsys):
    from app.devices.escpos_render import render_escpos
    from app.pos import printing, users
    from app.ui.main import MainWindow, build_context, make_app, prepare_demo

    make_app()
    data = tmp_path / "data"
    session = prepare_demo(data, "ZZ")
    assert session.company.country == "ZZ" and session.identity.ruc == "123456789"
    with ExitStack() as stack:
        ctx = build_context(session, users.authenticate(session.conn, "1234"), demo=True, stack=stack,
                            start_worker=True)
        assert ctx.worker is not None, ctx.worker_error
        w = MainWindow(ctx)
        # deleted in `finally`, before the toy country is unregistered (not by qtbot, later)
        w.resize(1024, 768)
        with qtbot.waitActive(w):
            w.show()
            w.activateWindow()
        try:
            # the till, by keyboard: two toys, cash
            sale = w.sale
            sale.code.setFocus()
            for code in ("PELOTA", "2*YOYO"):
                qtbot.keyClicks(sale.code, code)
                qtbot.keyClick(sale.code, ENTER)
            assert sale.cart.totals().total == Decimal("17.00")
            assert sale.total_label.text() == "T$ 17.00"  # the toy's money format
            qtbot.keyClick(sale.code, Qt.Key.Key_F12)
            dlg = sale.payment_dialog
            qtbot.keyClicks(dlg.fields["efectivo"], "20")
            qtbot.keyClick(dlg.fields["efectivo"], ENTER)
            done = sale.last_sale
            assert done.settlement.change == Decimal("3.00")
            doc_id = done.result.document_id
            row = documents.get(session.conn, doc_id)
            assert row["country"] == "ZZ" and row["kind"] == "invoices" and row["number"] == "001-001-000000001"
            xml = bytes(row["xml"])
            assert b"urn:toylandia:dgt:boleta:1" in xml and b"<total>17.00</total>" in xml
            # the worker sends it to the toy DGT and records its verdict
            ctx.wake_worker()
            qtbot.waitUntil(lambda: documents.get(session.conn, doc_id)["status"] == AUTHORIZED, timeout=30000)
            assert documents.get(session.conn, doc_id)["authorization_number"] == "DGT-000001"
            # Documentos lists it with the toy authority's word
            view = w.show_screen("documents")
            view.reload()
            r = next(i for i, d in enumerate(view.model.rows) if d["id"] == doc_id)
            shown = [view.model.data(view.model.index(r, c)) for c in range(view.model.columnCount())]
            assert "APROBADA" in shown and "001-001-000000001" in shown
            view.table.selectRow(r)
            assert "Pelota de trapo" in view.summary.toPlainText()  # the toy's own `describe`
        finally:
            w.shutdown()
            w.close()
            shiboken6.delete(w)  # nothing of the toy's window outlives its unregistered country
    # the ticket, from the stored signed bytes
    _row, ticket = printing.ticket(session, row["key"])
    escpos = render_escpos(ticket, width_mm=80)
    assert b"BOLETA 001-001-000000001" in escpos and b"T$ 17.00" in escpos
    assert ticket.cash_payment
    # `mostrador documents --json` and `verify`
    session.close()
    assert main(["--data-dir", str(data), "documents", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(d["numero"], d["estado"]) for d in listed] == [("001-001-000000001", "authorized")]
    path = tmp_path / "boleta.xml"
    path.write_bytes(xml)
    assert main(["verify", "--json", str(path)]) == 0
    findings = json.loads(capsys.readouterr().out)
    assert {f["check"] for f in findings} >= {"schema", "signature", "access_key", "totals"}


def test_the_toy_sandbox_refuses_a_tampered_boleta(tmp_path, toyland):
    import requests

    from toy_country.sandbox import ToyDgt

    from app.pos.demo import create_demo_company

    session = create_demo_company(__import__("app.config", fromlist=["DataDir"]).DataDir(tmp_path / "d"), "ZZ")
    body, kind = toyland.demo().sale_body(session.company, __import__("random").Random(1), 0, estab="001", point="001")
    draft = toyland.backend().parse(body, kind, session.company)
    signed = toyland.backend().sign(draft, 7, session.identity, session.company)
    other = toyland.backend().sign(draft, 8, session.identity, session.company)
    tampered = other.xml.replace(b"<total>", b"<total>1")
    with ToyDgt(accepted_ruc=session.company.ruc) as dgt:
        good = requests.post(f"{dgt.url}/boletas", data=signed.xml, timeout=5).json()
        again = requests.post(f"{dgt.url}/boletas", data=signed.xml, timeout=5).json()
        bad = requests.post(f"{dgt.url}/boletas", data=tampered, timeout=5).json()
    assert good["estado"] == "APROBADA" and again == good and dgt.received[signed.key] == 2
    assert bad["estado"] == "RECHAZADA" and "firma" in bad["motivo"] and "total" in bad["motivo"]
    assert {f.check for f in toyland.backend().verify(tampered) if not f.ok} == {"signature", "totals"}
    assert all(f.ok for f in toyland.backend().verify(signed.xml))
    session.close()
