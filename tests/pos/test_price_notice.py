"""Issue #9 item 6: the cashier sees, before charging, what a tax-included shelf price is billed
at whenever the authority's rules cannot bill it exactly (app.pos.cart.price_notice/line_notice)."""
from __future__ import annotations

from decimal import Decimal

from app.core.money import round_half_up
from app.core.sale import SaleLine
from app.fiscal import registry
from app.fiscal.ec.till import EcTill, tax_category
from app.pos.cart import CartLine, billed_price, line_notice, price_notice


class PerLineRoundingTill(EcTill):
    """Ecuador's till under an authority with no tolerance at all: base = round(price / 1.15, 2)
    and IVA = round(base × 15 %, 2), nothing else (the arithmetic before issue #9). It has no
    `billed_price`, so the generic fallback (a one-unit line's total) is what is exercised."""

    billed_price = None

    def line_total(self, line: SaleLine) -> Decimal:
        rate = tax_category(line.tax_category).rate
        unit = round_half_up(line.price * 100 / (100 + rate), 6) if line.price_includes_tax else line.price
        base = round_half_up(line.quantity * unit, 2)
        return base + round_half_up(base * rate / 100, 2)


def test_ecuador_bills_every_shelf_price_so_no_notice_is_due():
    ec = registry.country("EC").till()
    for cents in range(1, 5001, 7):
        price = Decimal(cents) / 100
        assert price_notice(ec, price, "4") is None and billed_price(ec, price, "4") == price
    line = CartLine("CAFE", "Café", Decimal(3), Decimal("4.25"), True, "4", rules=ec)
    assert line_notice(line) is None and line.total == Decimal("12.75")


def test_a_price_that_cannot_be_billed_says_what_is_billed_and_the_nearest_exact_prices():
    strict = PerLineRoundingTill()
    billed, near = price_notice(strict, Decimal("4.25"), "4")
    assert billed == Decimal("4.26")
    assert near[:2] == (Decimal("4.24"), Decimal("4.26"))
    assert all(billed_price(strict, p, "4") == p for p in near)
    assert price_notice(strict, Decimal("4.26"), "4") is None
    assert price_notice(strict, Decimal("4.25"), "4", includes_tax=False) is None  # a net price: no shelf promise
    line = CartLine("CAFE", "Café", Decimal(1), Decimal("4.25"), True, "4", rules=strict)
    assert line_notice(line) == Decimal("4.26")


def test_paraguay_bills_every_shelf_price_as_it_is():
    """SIFEN prices include IVA and the IVA is taken out of the item's total (dTotOpeItem =
    price × quantity; the liquidation is derived from it), so nothing can move the billed amount."""
    py = registry.country("PY").till()
    for code in py.tax_categories:
        for gs in range(1, 200_001, 37):
            assert price_notice(py, Decimal(gs), code) is None, (gs, code)
