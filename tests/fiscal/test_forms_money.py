"""The "Nuevo documento" dialog reads amounts as the country writes them."""
import pytest

from app.fiscal import registry
from app.fiscal.forms import MONEY, QUANTITY, FormField, parse_value

AMOUNT = FormField("monto", "Monto", MONEY)


@pytest.mark.parametrize("typed, expected", [("1.000", "1000"), ("1.000.000", "1000000"), ("150000", "150000")])
def test_guaranies_are_written_with_thousand_dots(typed, expected):
    assert parse_value(AMOUNT, typed, registry.country("PY").till().money) == expected


@pytest.mark.parametrize("typed", ["12,5", "1.234,50", "abc"])
def test_guaranies_have_no_decimals(typed):
    with pytest.raises(ValueError, match="no es un número"):
        parse_value(AMOUNT, typed, registry.country("PY").till().money)


@pytest.mark.parametrize("typed, expected", [("1.234,50", "1234.50"), ("12,5", "12.5"), ("3.70", "3.70")])
def test_dollars_take_a_decimal_comma_or_point(typed, expected):
    assert parse_value(AMOUNT, typed, registry.country("EC").till().money) == expected


def test_quantities_keep_their_decimals_whatever_the_currency():
    assert parse_value(FormField("c", "Cantidad", QUANTITY), "1,5", registry.country("PY").till().money) == "1.5"
