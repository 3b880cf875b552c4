"""IVA rates accepted only where valid on the document's date (app/fiscal/ec/documents/rate_dates.py):
12 % (code 2) only until 31/03/2024, except on notes that modify older documents."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

import ec_docs_support as S
from app.core.errors import ValidationError
from app.fiscal.ec import datil
from app.fiscal.ec.documents import rate_dates


def twelve_percent(body: dict) -> dict:
    for it in body.get("items", []):
        for t in it["impuestos"]:
            if t["codigo_porcentaje"] == "4":
                t.update(codigo_porcentaje="2", tarifa=12)
    for t in body.get("totales", {}).get("impuestos", []):
        if t["codigo_porcentaje"] == "4":
            t["codigo_porcentaje"] = "2"
            t.pop("tarifa", None)
            t["valor"] = str((Decimal(t["base_imponible"]) * Decimal("0.12")).quantize(Decimal("0.01")))
    body.get("totales", {}).pop("importe_total", None)
    body.pop("pagos", None)
    return body


def test_validity_windows():
    assert rate_dates.valid_on("2", date(2024, 3, 31)) and not rate_dates.valid_on("2", date(2024, 4, 1))
    assert rate_dates.valid_on("4", date(2024, 4, 1)) and not rate_dates.valid_on("4", date(2024, 3, 31))
    assert rate_dates.valid_on("3", date(2017, 1, 1)) and not rate_dates.valid_on("3", date(2018, 1, 1))
    assert rate_dates.valid_on("0", date(2000, 1, 1))


def test_invoice_at_12_percent_today_is_refused_naming_the_field():
    body = twelve_percent(S.invoice())
    with pytest.raises(ValidationError) as exc:
        datil.parse(body, "invoices", S.company(), S.NOW)
    bad = {e.field: e.message for e in exc.value.errors}
    assert "items[0].impuestos[0].codigo_porcentaje" in bad and "31/03/2024" not in bad[
        "items[0].impuestos[0].codigo_porcentaje"] and "no estaba vigente" in bad["items[0].impuestos[0].codigo_porcentaje"]


def test_credit_note_on_an_invoice_of_march_2024_keeps_12_percent():
    body = twelve_percent(S.credit_note())
    body["fecha_emision_documento_modificado"] = "2024-03-15"
    draft = datil.parse(body, "credit-notes", S.company(), S.NOW)
    assert draft.model.lines[0].taxes[0].codigo_porcentaje == "2"
    body["fecha_emision_documento_modificado"] = "2024-04-02"  # a 15 % invoice: 12 % is refused
    with pytest.raises(ValidationError) as exc:
        datil.parse(body, "credit-notes", S.company(), S.NOW)
    assert exc.value.errors[0].field == "items[0].impuestos[0].codigo_porcentaje"


def test_credit_note_at_15_percent_on_a_2023_invoice_is_refused():
    body = S.credit_note()
    body["fecha_emision_documento_modificado"] = "2023-12-01"
    with pytest.raises(ValidationError) as exc:
        datil.parse(body, "credit-notes", S.company(), S.NOW)
    assert exc.value.errors[0].field == "items[0].impuestos[0].codigo_porcentaje"


# -- the same rule on the till path (draft_from_sale), in `verify` and in the SRI sandbox

def _signed(xml: bytes) -> bytes:
    from datetime import datetime, timezone

    from app.fiscal.ec import xades
    from app.fiscal.ec.certificate import PROFILE
    from app.fiscal.signing import generate_test_p12, load_identity
    p12 = generate_test_p12(ruc="1790012345001", holder="Ferretería Ñandú S.A.", password="x", profile=PROFILE,
                            not_before=datetime(2026, 1, 1, tzinfo=timezone.utc), days_valid=3650)
    return xades.sign(xml, load_identity(p12, "x"), signing_time=datetime(2026, 11, 23, 15, tzinfo=timezone.utc))


def _judge(xml: bytes):
    from app.fiscal.ec.sandbox import judge
    from app.xmlsafe import parse_xml
    state, msgs = judge(parse_xml(xml), xml)
    return state, [(m.identificador, m.informacion_adicional) for m in msgs if m.tipo == "ERROR"]


def test_the_till_path_applies_the_rate_dates():
    """A till sale dated before April 2024 cannot carry the 15 % (code 4) its catalog offers."""
    from datetime import datetime

    from app.core.sale import Party, Payment, Sale, SaleLine
    from app.fiscal.ec.sale_draft import draft_from_sale
    line = SaleLine("P", "Producto", Decimal(1), Decimal("4.25"), True, "4")
    buyer = Party("05", S.BUYER_CEDULA, "Juan Pérez")
    old = Sale((line,), buyer, (Payment("efectivo", Decimal("4.25")),), "USD", "001", "001",
               issued_at=datetime(2024, 3, 15, 10, tzinfo=S.GYE))
    with pytest.raises(ValidationError) as exc:
        draft_from_sale(old, S.company())
    assert exc.value.errors[0].field == "items[0].impuestos[0].codigo_porcentaje"
    assert "15 %" in exc.value.errors[0].message and "15/03/2024" in exc.value.errors[0].message
    today = Sale((line,), buyer, (Payment("efectivo", Decimal("4.25")),), "USD", "001", "001", issued_at=S.NOW)
    assert draft_from_sale(today, S.company()).total == Decimal("4.25")


def test_the_sandbox_and_verify_accept_12_percent_on_a_note_of_an_old_invoice_only():
    from app.fiscal.ec import xml_build
    from app.pos.verify import verify_bytes
    body = twelve_percent(S.credit_note())
    body["fecha_emision_documento_modificado"] = "2024-03-15"
    xml = xml_build.build(datil.parse(body, "credit-notes", S.company(), S.NOW), S.company(), 3, "12345678")[1]
    good = _signed(xml)
    assert _judge(good) == ("AUTORIZADO", [])
    assert all(f.ok for f in verify_bytes(good) if f.check == "rates")
    bad = _signed(xml.replace(b"<fechaEmisionDocSustento>15/03/2024<", b"<fechaEmisionDocSustento>02/04/2024<"))
    state, errors = _judge(bad)
    assert state == "NO AUTORIZADO" and errors[0][0] == "52"
    assert "La tarifa 12 % (codigoPorcentaje 2, detalle 1) no estaba vigente el 02/04/2024 (fecha del documento " \
           "modificado)" in errors[0][1]
    rates = [f for f in verify_bytes(bad) if f.check == "rates"]
    assert rates and not rates[0].ok and "02/04/2024" in rates[0].message
