"""X/Z shift report from a plain dict of figures, on the ticket printer."""
from __future__ import annotations

import pytest

from app.devices.escpos_render import render_escpos
from app.devices.layout import layout
from app.devices.shift_report import shift_report_ticket
from app.fiscal import registry

USD = registry.country("EC").till().money
PYG = registry.country("PY").till().money

FIGURES = {
    "kind": "Z",
    "number": "42",
    "company": "Ferretería Muñoz S.A.",
    "ruc": "1790011674001",
    "establishment": "001",
    "point": "002",
    "cashier": "Íñigo Peña",
    "opened_at": "23/11/2026 08:00",
    "closed_at": "23/11/2026 16:05",
    "documents": [{"type": "FACTURA", "count": 37, "first": "001-002-000000100", "last": "001-002-000000136", "total": "1234.5"}],
    "taxes": [{"label": "IVA 15%", "base": "1000", "tax": "150"}],
    "payments": [{"method": "Efectivo", "amount": "800.10", "count": 30}, {"method": "Tarjeta", "amount": "434.40"}],
    "cash": {"opening": "50", "sales": "800.10", "withdrawals": "300", "expected": "550.10", "counted": "549.10", "difference": "-1"},
    "voided": {"count": 1, "total": "12.00"},
}


def rows(t, columns=42):
    return [r.text for r in layout(t, columns) if r.code is None]


def flat(t, columns=42):
    return " ".join(" ".join(rows(t, columns)).split())


def test_z_report_content_and_bytes():
    t = shift_report_ticket(FIGURES, USD)
    text = flat(t)
    for expected in [
        "INFORME Z - CIERRE DE CAJA", "Turno N° 42", "Cajero: Íñigo Peña", "FACTURA (37) 1234.50",
        "del 001-002-000000100 al 001-002-000000136", "Base IVA 15% 1000.00", "IVA 15% 150.00",
        "Efectivo (30) 800.10", "Tarjeta 434.40", "TOTAL COBRADO $ 1234.50", "Fondo inicial 50.00",
        "Efectivo esperado 550.10", "Efectivo contado 549.10", "Diferencia -1.00", "Anulaciones (1) 12.00", "Firma supervisor",
    ]:
        assert expected in text, expected
    assert max(len(r) for r in rows(t, 32)) <= 32
    out = render_escpos(t, profile="TM-T20II", codepage="CP858", drawer_pin=2)
    assert "Íñigo Peña".encode("cp858") in out and b"\x1bp" not in out and out.endswith(b"\x1dV\x00")


def test_x_report_is_marked_partial_and_pyg_has_no_decimals():
    t = shift_report_ticket({"kind": "x", "payments": [{"method": "Efectivo", "amount": "1500000"}]}, PYG)
    text = flat(t)
    assert "INFORME X - PARCIAL" in text and "el turno sigue abierto" in text
    assert "TOTAL COBRADO Gs. 1.500.000" in text and "Firma" not in text


def test_bad_input_is_a_spanish_error():
    with pytest.raises(ValueError, match="X o Z"):
        shift_report_ticket({"kind": "Y"}, USD)
    with pytest.raises(ValueError, match="Cifra inválida"):
        shift_report_ticket({"payments": [{"method": "Efectivo", "amount": "mucho"}]}, USD)
