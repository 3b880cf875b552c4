"""How amounts look and are typed at the till: a thin layer over the country's `MoneyFormat`
(`country.till().money`, see `app.core.money.MoneyFormat`)."""
from __future__ import annotations

from decimal import Decimal

from app.core.money import MoneyFormat
from app.fiscal import registry


def money_format(country) -> MoneyFormat:
    """The till's money format of `country` (a `Country`, or its code)."""
    if isinstance(country, str):
        country = registry.country(country)
    return country.till().money


def amount(value: Decimal, country) -> str:
    """The number alone: '1234.50' (USD) or '1.234.500' (PYG)."""
    return money_format(country).amount(value)


def money(value: Decimal, country) -> str:
    """'$ 1234.50', 'Gs. 1.234.500'."""
    return money_format(country).money(value)


def parse(text: str, country, *, field: str = "") -> Decimal:
    """What the cashier typed, as the currency reads it (see `MoneyFormat.parse`)."""
    return money_format(country).parse(text, field=field)


def editable(value: Decimal, fmt: MoneyFormat) -> str:
    """A price in an input field or a catalog cell: the currency's amount when the value has no
    more decimals than the currency, else every digit it has ('1.2345' stays as typed)."""
    value = Decimal(value)
    return fmt.amount(value) if value == fmt.round(value) else f"{value.normalize():f}"


def denomination(value: Decimal, fmt: MoneyFormat) -> str:
    """A note or coin of the cash count: '$ 100', '$ 0.50', 'Gs. 100.000'."""
    value = Decimal(value)
    places = 0 if value == value.to_integral_value() else fmt.places
    return MoneyFormat(fmt.code, fmt.symbol, places, thousands=fmt.thousands).money(value)
