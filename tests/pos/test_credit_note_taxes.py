"""The cashier's credit note on invoices carrying every tax an invoice can carry (ICE, IRBPNR,
0 %, 5 %, 15 %, exento, no objeto) and lines that omitted `tarifa`."""
from __future__ import annotations

from decimal import Decimal

import pytest

from app.config import DataDir
from app.core import status
from app.core.errors import ValidationError
from app.fiscal.ec.demo import invoice_body
from app.fiscal.ec.till import returned_amounts
from app.pos import checkout, credit_notes
from app.pos.demo import create_demo_company
from app.store import documents


@pytest.fixture
def session(tmp_path):
    s = create_demo_company(DataDir(tmp_path / "data"), "EC")
    yield s
    s.close()


def item(code, price, taxes, qty="2"):
    return {"cantidad": qty, "codigo_principal": code, "descripcion": f"Producto {code}", "precio_unitario": price,
            "descuento": "0", "impuestos": taxes}


def test_credit_note_over_every_tax(session):
    body = invoice_body(session.company, [])
    body["items"] = [
        item("ICE", "10.00", [{"codigo": "3", "codigo_porcentaje": "3031", "tarifa": "10", "valor": "2.00"},
                              {"codigo": "2", "codigo_porcentaje": "4", "tarifa": "15"}]),
        item("BOT", "1.00", [{"codigo": "2", "codigo_porcentaje": "4"},  # no tarifa
                             {"codigo": "5", "codigo_porcentaje": "5001", "tarifa": "0.02"}]),
        item("CER", "3.00", [{"codigo": "2", "codigo_porcentaje": "0"}]),
        item("CIN", "4.00", [{"codigo": "2", "codigo_porcentaje": "5"}]),
        item("EXE", "5.00", [{"codigo": "2", "codigo_porcentaje": "7"}]),
        item("NOB", "6.00", [{"codigo": "2", "codigo_porcentaje": "6"}]),
    ]
    del body["totales"], body["pagos"]
    body["comprador"] = {"tipo_identificacion": "05", "identificacion": "1710034065", "razon_social": "María"}
    # 58.00 of bases + ICE 2.00 + IVA 15 % on 22.00 (3.30) and on 2.00 (0.30) + IRBPNR 0.04 + IVA 5 % on 8.00 (0.40)
    body["pagos"] = [{"medio": "efectivo", "total": "64.04"}]
    inv = checkout.issue(session, body, "invoices")
    documents.set_status(session.conn, inv.document_id, status.AUTHORIZED)
    lines = credit_notes.creditable_lines(session.conn, inv.document_id)
    assert [ln.tax_code for ln in lines] == ["4", "4", "0", "5", "7", "6"]
    assert lines[1].rate == Decimal(15)  # the omitted tarifa is the code's rate
    # one of the two ICE units: half the ICE, and the IVA on base + ICE (11.00 -> 1.65)
    half = credit_notes.build_body(session.conn, inv.document_id, {0: Decimal(1)}, "Devolución")
    taxes = {t[0]: t for t in returned_amounts(half.lines[0]).taxes}  # (codigo, cp, tarifa, base, valor)
    assert taxes["3"][4] == Decimal("1.00") and taxes["2"][3:] == (Decimal("11.00"), Decimal("1.65"))
    assert credit_notes.total_of(half, "EC") == Decimal("12.65")
    first = checkout.issue_return(session, half)
    assert first.document.total == Decimal("12.65")
    # the rest back: the notes give back exactly what the invoice charged
    rest = credit_notes.build_body(session.conn, inv.document_id,
                                   {ln.index: ln.available for ln in credit_notes.creditable_lines(
                                       session.conn, inv.document_id) if ln.available}, "Devolución")
    second = checkout.issue_return(session, rest)
    assert first.document.total + second.document.total == inv.document.total
    with pytest.raises(ValidationError):  # nothing left
        credit_notes.build_body(session.conn, inv.document_id, {0: Decimal(1)}, "Devolución")
