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
