"""Tax-included shelf prices on an SRI factura: the shelf price is what the buyer pays.

A price with IVA included has no 2-decimal base whose per-line IVA, rounded, gives it back
(4.25 at 15 %: base 3.70 → IVA 0.56 → 4.26; base 3.69 → 0.55 → 4.24). The SRI accepts a tax
value one cent off the rounding of its base (app.fiscal.ec.totals.TAX_TOLERANCE; evidence in
docs/sri.md), and `precioUnitario` has 6 decimals, so every shelf price can be billed exactly:

- the line's gross G = round(cantidad × precio × (1 − descuento %), 2) is what the buyer pays
  for it; its exact base is x = G / (1 + tarifa);
- per IVA rate, the header base is B = round(Σ x, 2), and the line bases are x rounded to
  cents, moved by one cent where needed (largest remainder first) so that they sum to B: each
  stays within a cent of its x;
- each line's IVA is G − base (within a cent of round(base × tarifa), proven in
  tests/fiscal/ec/test_included_prices.py), the header IVA is ΣG − B (within a cent of
  round(B × tarifa)), and `precioUnitario` is price / (1 + tarifa) to 6 decimals, or
  (base + descuento) / cantidad when that one does not give the base.

Net prices (not including IVA) keep the plain rule: base = round(cantidad × precio − descuento, 2),
IVA = round(base × tarifa, 2).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.core.money import round_half_up
from app.core.sale import SaleLine
from app.fiscal.ec import totals as ec_totals

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
MICRO = Decimal("0.000001")


@dataclass(frozen=True)
class LineAmounts:
    unit_price: Decimal  # precio_unitario: without tax, 6 decimals
    discount: Decimal
    base: Decimal  # precio_total_sin_impuestos
    tax: Decimal  # IVA valor
    rate: Decimal

    @property
    def total(self) -> Decimal:
        return self.base + self.tax


def gross(line: SaleLine) -> Decimal:
    """What the buyer pays for a tax-included line: quantity × shelf price, less its discount."""
    return round_half_up(line.quantity * line.price * (HUNDRED - line.discount_percent) / HUNDRED, 2)


def net_amounts(line: SaleLine, rate: Decimal) -> LineAmounts:
    """A line whose price excludes IVA (or whose rate is 0): the plain per-line rule."""
    price = round_half_up(line.price, 6)
    discount = round_half_up(line.quantity * price * line.discount_percent / HUNDRED, 2)
    base = ec_totals.line_subtotal(line.quantity, price, discount)
    return LineAmounts(price, discount, base, ec_totals.tax_value(base, rate), rate)


def _unit_price(base: Decimal, discount: Decimal, quantity: Decimal) -> Decimal:
    """A 6-decimal precioUnitario with round(cantidad × precio − descuento, 2) == base, or the
    nearest one when the quantity's precision leaves none (the check tolerates a cent)."""
    price = round_half_up((base + discount) / quantity, 6)
    for step in (0, 1, -1, 2, -2):
        candidate = price + step * MICRO
        if candidate >= 0 and ec_totals.line_subtotal(quantity, candidate, discount) == base:
            return candidate
    return price


def allocate(lines: Sequence[SaleLine], rate_of) -> list[LineAmounts]:
    """The amounts of every line of one sale (the allocation needs the whole sale: each rate's
    bases are balanced together). `rate_of(tax_category) -> Decimal`."""
    out: list[LineAmounts | None] = [None] * len(lines)
    groups: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        rate = rate_of(line.tax_category)
        if line.price_includes_tax and rate and line.quantity > 0:
            groups.setdefault(line.tax_category, []).append(i)
        else:
            out[i] = net_amounts(line, rate)
    for category, idx in groups.items():
        rate = rate_of(category)
        factor = (HUNDRED + rate) / HUNDRED
        g = {i: gross(lines[i]) for i in idx}
        exact = {i: g[i] / factor for i in idx}
        base = {i: round_half_up(exact[i], 2) for i in idx}
        target = round_half_up(sum(exact.values(), Decimal(0)), 2)
        cents = int((target - sum(base.values(), Decimal(0))) / CENT)
        # largest remainder: the lines rounded furthest from their exact base move first
        if cents > 0:
            order = sorted(idx, key=lambda i: exact[i] - base[i], reverse=True)
            for i in order[:cents]:
                base[i] += CENT
        elif cents < 0:
            order = [i for i in sorted(idx, key=lambda i: exact[i] - base[i]) if base[i] >= CENT]
            for i in order[:-cents]:
                base[i] -= CENT
        for i in idx:
            line = lines[i]
            pu0 = round_half_up(line.price / factor, 6)
            discount = round_half_up(line.quantity * pu0 * line.discount_percent / HUNDRED, 2)
            if discount and discount + base[i] <= 0:
                discount = Decimal("0.00")
            # the plain unit price when it already gives the base; else one that does
            price = pu0 if ec_totals.line_subtotal(line.quantity, pu0, discount) == base[i] else \
                _unit_price(base[i], discount, line.quantity)
            out[i] = LineAmounts(price, discount, base[i], g[i] - base[i], rate)
    return out  # type: ignore[return-value]


def header_taxes(amounts: Sequence[LineAmounts], categories: Sequence[str]) -> dict[str, tuple[Decimal, Decimal]]:
    """{tax category: (base, IVA)} as the document's totalConImpuestos carries them."""
    groups: dict[str, tuple[Decimal, Decimal, Decimal]] = {}
    for a, cat in zip(amounts, categories):
        base, value, rate = groups.get(cat, (Decimal("0"), Decimal("0"), a.rate))
        groups[cat] = (base + a.base, value + a.tax, rate)
    return {cat: (b, ec_totals.header_tax_value(b, r, v)) for cat, (b, v, r) in groups.items()}
