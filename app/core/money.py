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


class MoneyFormat:
    """How amounts of one currency look and are typed at the till (a country's till facet has one).

    `places` decimals; `thousands` separates thousands when shown ('' = none); `symbol` precedes
    an amount ('$', 'Gs.'); `unit` names the currency in headers ('USD', 'Gs.'); `change_word` is
    what the customer gets back ('cambio', 'vuelto')."""

    def __init__(self, code: str, symbol: str, places: int, *, thousands: str = "", unit: str = "",
                 change_word: str = "cambio", plural: str = ""):
        self.code = code  # ISO 4217
        self.plural = plural or code  # 'guaraníes', in messages
        self.symbol = symbol
        self.places = places
        self.thousands = thousands
        self.unit = unit or code
        self.change_word = change_word

    def round(self, value) -> Decimal:
        return round_half_up(to_decimal(value), self.places)

    def amount(self, value) -> str:
        """The number alone: '1234.50' (USD) or '1.234.500' (PYG)."""
        text = f"{self.round(value):,.{self.places}f}"
        return text.replace(",", self.thousands) if self.thousands != "," else text

    def money(self, value) -> str:
        """'$ 1234.50', 'Gs. 1.234.500'."""
        return f"{self.symbol} {self.amount(value)}"

    def parse(self, text: str, *, field: str = "") -> Decimal:
        """What the cashier typed. With thousands separators ('150.000') they are dropped; a
        currency without decimals refuses a decimal comma; otherwise ',' and '.' are decimal points."""
        text = str(text).strip().replace(" ", "")
        if self.places == 0 and self.thousands != "," and "," in text:
            raise ValueError(f"{field or 'importe'}: los {self.plural} no llevan decimales ('{text}')")
        if self.thousands:
            text = text.replace(self.thousands, "")
        return to_decimal(text.replace(",", ".") if self.thousands != "," else text, field=field)

    def placeholder(self) -> str:
        """'0.00' / '0': what an empty amount field shows."""
        return self.amount(0)
