"""How amounts look and are typed in the shop's currency: USD '$ 1234.50' (what the Ecuador
screens always showed), PYG 'Gs. 1.234.500' (no decimals, '.' between thousands)."""
from __future__ import annotations

from decimal import Decimal

from app.core.money import fmt, round_half_up, to_decimal

SYMBOL = {"EC": "$", "PY": "Gs."}


def amount(value: Decimal, country: str) -> str:
    """The number alone: '1234.50' (EC) or '1.234.500' (PY)."""
    if country == "PY":
        return f"{round_half_up(Decimal(value), 0):,.0f}".replace(",", ".")
    return fmt(value)


def money(value: Decimal, country: str) -> str:
    return f"{SYMBOL.get(country, '$')} {amount(value, country)}"


def parse(text: str, country: str, *, field: str = "") -> Decimal:
    """What the cashier typed. PY: '150.000' and '150000' are both 150000 guaraníes, and a
    decimal comma is refused (guaraníes have no cents). EC: '1,50' or '1.50'."""
    text = text.strip().replace(" ", "")
    if country == "PY":
        if "," in text:
            raise ValueError(f"{field or 'importe'}: los guaraníes no llevan decimales ('{text}')")
        digits = text.replace(".", "")
        return to_decimal(digits, field=field)
    return to_decimal(text.replace(",", "."), field=field)
