"""Money in Decimal. Never float: a float anywhere here is a bug."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0")


def to_decimal(value, *, field: str = "") -> Decimal:
    """Converts JSON/CLI input to Decimal without passing through float.

    Accepts int, str and Decimal. A float is accepted only because JSON parsers produce
    them; it is converted through its shortest repr (``repr(0.1) == '0.1'``), which is
    what a person typed. Raises ValueError with a Spanish message otherwise.
    """
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{field or 'valor'}: se esperaba un número")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float):
        d = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            d = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{field or 'valor'}: '{value}' no es un número") from None
    else:
        raise ValueError(f"{field or 'valor'}: se esperaba un número")
    if not d.is_finite():
        raise ValueError(f"{field or 'valor'}: se esperaba un número finito")
    return d


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """Commercial rounding (0.005 -> 0.01), the one the SRI and SIFEN both use."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def decimals_of(value: Decimal) -> int:
    """Number of fraction digits as written (Decimal('1.50') -> 2)."""
    exp = value.normalize().as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


def fmt(value: Decimal, places: int = 2) -> str:
    """Fixed-point text with exactly `places` decimals, dot separator (XML style)."""
    return f"{round_half_up(value, places):.{places}f}"
