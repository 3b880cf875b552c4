"""The sale being rung up: lines, buyer, totals, payments; it produces a `Sale`
(`app.core.sale`) that `checkout.issue_sale` turns into the country's signed invoice.

Everything that differs by country (tax categories, payment methods, buyer types and their
checks, the arithmetic, the money) comes from the country's till rules (`country.till()`, see
`app.fiscal.base.TillRules`); nothing here names a country.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from app.core.money import ZERO, round_half_up, to_decimal
from app.core.sale import Party, Payment, PaymentMethod, Sale, SaleLine, SaleTotals, TaxCategory
from app.fiscal import registry

HUNDRED = Decimal(100)

Buyer = Party
Totals = SaleTotals


def rules_for(country: str):
    """The till rules (`TillRules`) of a country code; the first registered country when empty."""
    return registry.country(country or registry.codes()[0]).till()


def _rules_of_tax(code: str):
    """The till rules whose tax categories include `code` (a line built without a cart)."""
    for c in registry.all_countries():
        rules = c.till()
        if code in rules.tax_categories:
            return rules
    raise ValueError(f"Categoría de IVA desconocida: {code}")


class BuyerRequired(ValueError):
    """The sale cannot be issued to this buyer (e.g. anonymous above the legal limit)."""


# ----------------------------------------------------------------------------------- lines

@dataclass
class CartLine:
    code: str
    description: str
    quantity: Decimal
    price: Decimal  # per unit, as shown to the cashier (with or without tax: price_includes_tax)
    price_includes_tax: bool
    tax_code: str
    discount_percent: Decimal = ZERO
    list_price: Decimal | None = None  # catalog price, to tell price changes apart
    rules: object = field(default=None, repr=False, compare=False)  # the cart's TillRules

    def _rules(self):
        if self.rules is None:
            self.rules = _rules_of_tax(self.tax_code)
        return self.rules

    @property
    def tax(self) -> TaxCategory:
        try:
            return self._rules().tax_categories[self.tax_code]
        except KeyError:
            raise ValueError(f"Categoría de IVA desconocida: {self.tax_code}") from None

    @property
    def unit_price(self) -> Decimal:
        """The price without tax, 6 decimals (a hint for people; the invoice's own comes from the rules)."""
        if self.price_includes_tax and self.tax.rate:
            return round_half_up(self.price * HUNDRED / (HUNDRED + self.tax.rate), 6)
        return round_half_up(self.price, 6)

    def as_sale_line(self) -> SaleLine:
        return SaleLine(self.code, self.description, self.quantity, self.price, self.price_includes_tax,
                        self.tax_code, self.discount_percent)

    @property
    def total(self) -> Decimal:
        """What the customer pays for this line."""
        return self._rules().line_total(self.as_sale_line())


# ----------------------------------------------------------------------------------- shelf prices
# A tax-included shelf price is billed exactly whenever the authority's rules allow it (see the
# country's `billed_price`); where they do not, the cashier is told before charging.

def billed_price(rules, price: Decimal, tax_code: str, includes_tax: bool = True) -> Decimal:
    """What one unit at `price` is billed at, tax included (`TillRules.billed_price`, else the
    rules' total of a one-unit line)."""
    own = getattr(rules, "billed_price", None)
    if own is not None:
        return own(price, tax_code, includes_tax)
    return rules.line_total(SaleLine("", "", Decimal(1), price, includes_tax, tax_code))


def price_notice(rules, price: Decimal, tax_code: str, includes_tax: bool = True,
                 near: int = 2) -> tuple[Decimal, tuple[Decimal, ...]] | None:
    """None when a tax-included `price` is billed as it is; else (what is billed, up to `near`
    exact prices on each side, nearest first) for Productos' "Se cobrará …" notice."""
    if not includes_tax:
        return None
    billed = billed_price(rules, price, tax_code)
    if billed == price:
        return None
    step = Decimal(1).scaleb(-rules.money.places)
    below, above = [], []
    for k in range(1, 51):
        for p, out in ((price - k * step, below), (price + k * step, above)):
            if len(out) < near and p > 0 and billed_price(rules, p, tax_code) == p:
                out.append(p)
        if len(below) == len(above) == near:
            break
    return billed, tuple(sorted(below + above, key=lambda p: (abs(p - price), p)))


def line_notice(line: "CartLine") -> Decimal | None:
    """What a tax-included cart line is billed at when that is not quantity × shelf price (less
    its discount), or None: shown on the sale line as it is added, before charging."""
    if not line.price_includes_tax:
        return None
    rules = line._rules()
    gross = line.quantity * line.price * (Decimal(100) - line.discount_percent) / Decimal(100)
    shelf = round_half_up(gross, rules.money.places)
    billed = line.total
    return None if billed == shelf else billed


def totals_of(lines: list[CartLine], rules=None) -> SaleTotals:
    if rules is None:
        if not lines:
            return SaleTotals(ZERO, ZERO, {}, ZERO, ZERO)
        rules = lines[0]._rules()
    return rules.totals([ln.as_sale_line() for ln in lines])


# ----------------------------------------------------------------------------------- payments

@dataclass(frozen=True)
class Settlement:
    payments: list[tuple[str, Decimal]]  # (PaymentMethod.code, amount applied to the sale)
    tendered: Decimal
    change: Decimal
    missing: Decimal
    country: str = ""
    # what a method needs besides the amount, e.g. {'cheque': {'numero': '123', 'banco': 'Itaú'}}
    details: dict = field(default_factory=dict, compare=False)

    @property
    def complete(self) -> bool:
        return self.missing == ZERO

    def authority_payments(self) -> list[tuple[str, Decimal]]:
        """(authority's method code, amount), what the payments table stores."""
        methods = rules_for(self.country).payment_methods
        return [(methods[m].authority_code, a) for m, a in self.payments]

    def sale_payments(self) -> tuple[Payment, ...]:
        return tuple(Payment(m, a, dict(self.details.get(m) or {})) for m, a in self.payments)


def settle(total: Decimal, tenders: list[tuple[str, Decimal]], *, country: str = "") -> Settlement:
    """Applies what the customer hands over to `total`. Non-cash methods are applied first and
    may not exceed what is owed; only cash gives change. Amounts are rounded to the currency
    (e.g. cents, whole guaraníes). Raises ValueError (Spanish)."""
    rules = rules_for(country)
    methods = rules.payment_methods
    for medio, _a in tenders:
        if medio not in methods:
            raise ValueError(f"Forma de pago desconocida: {medio}")
    noncash = [(m, a) for m, a in tenders if not methods[m].gives_change]
    cash = [(m, a) for m, a in tenders if methods[m].gives_change]
    remaining = total
    applied: list[tuple[str, Decimal]] = []
    for medio, amount in noncash + cash:
        amount = rules.money.round(amount)
        if amount <= ZERO:
            raise ValueError("Cada pago debe ser mayor que cero")
        if not methods[medio].gives_change and amount > remaining:
            raise ValueError(f"El pago con {methods[medio].label.lower()} "
                             f"({amount}) supera el saldo pendiente ({remaining})")
        use = min(amount, remaining)
        if use > ZERO:
            applied.append((medio, use))
        remaining -= use
    tendered = sum((rules.money.round(a) for _, a in tenders), ZERO)
    change = max(ZERO, tendered - total)
    return Settlement(_merge(applied), tendered, change, max(ZERO, remaining),
                      country or registry.codes()[0])


def _merge(payments: list[tuple[str, Decimal]]) -> list[tuple[str, Decimal]]:
    out: dict[str, Decimal] = {}
    for m, a in payments:
        out[m] = out.get(m, ZERO) + a
    return list(out.items())


# ----------------------------------------------------------------------------------- cart

@dataclass
class Cart:
    lines: list[CartLine] = field(default_factory=list)
    buyer: Party | None = None  # None: the country's anonymous buyer
    prebilled: bool = False  # a pre-bill was printed: removing lines now needs a supervisor
    country: str = ""  # the company's country code (the first registered one when empty)

    def __post_init__(self) -> None:
        self.country = self.country or registry.codes()[0]
        self.rules = rules_for(self.country)
        if self.buyer is None:
            self.buyer = self.rules.anonymous_buyer

    def add(self, product, quantity: Decimal = Decimal(1), *, price: Decimal | None = None,
            merge: bool = True) -> CartLine:
        """Adds a catalog product (anything with code, name, price, price_includes_tax,
        tax_category). Scanning the product of the last line again adds to that line (unless
        `merge` is False, e.g. a weighed item). `price` overrides the catalog price (a scale label
        with the amount inside; the catalog price stays as the list price)."""
        quantity = to_decimal(quantity)
        if quantity <= ZERO:
            raise ValueError("La cantidad debe ser mayor que cero")
        if product.tax_category not in self.rules.tax_categories:
            label = TAX_CATEGORIES[product.tax_category].label if product.tax_category in TAX_CATEGORIES \
                else product.tax_category
            raise ValueError(f"El producto {product.code} tiene la categoría «{label}», que no es de "
                             f"{registry.country(self.country).name}: corríjala en Productos")
        unit = product.price if price is None else price
        last = self.lines[-1] if self.lines else None
        if (merge and last and last.code == product.code and last.price == unit
                and last.discount_percent == ZERO):
            last.quantity += quantity
            return last
        line = CartLine(product.code, product.name, quantity, unit, product.price_includes_tax,
                        product.tax_category, list_price=product.price, rules=self.rules)
        self.lines.append(line)
        return line

    def remove(self, index: int) -> CartLine:
        return self.lines.pop(index)

    def clear(self) -> None:
        self.lines.clear()
        self.buyer = self.rules.anonymous_buyer
        self.prebilled = False

    @property
    def empty(self) -> bool:
        return not self.lines

    @property
    def buyer_is_anonymous(self) -> bool:
        return self.rules.is_anonymous(self.buyer)

    def totals(self) -> SaleTotals:
        return totals_of(self.lines, self.rules)

    def to_sale(self, settlement: Settlement | None = None, *, establishment: str = "", point: str = "",
                cashier: str = "") -> Sale:
        """The `Sale` of this cart: what was sold, to whom and (with a settlement) paid how."""
        return Sale(lines=tuple(ln.as_sale_line() for ln in self.lines), buyer=self.buyer,
                    payments=settlement.sale_payments() if settlement else (),
                    currency=self.rules.money.code, establishment=establishment, point=point,
                    tendered=settlement.tendered if settlement else None,
                    change=settlement.change if settlement else None, cashier=cashier)

    def buyer_problem(self) -> str | None:
        """Spanish reason why the sale cannot be issued to this buyer, or None."""
        return self.rules.buyer_problem(self.to_sale())

    def checked_sale(self, settlement: Settlement, *, establishment: str, point: str, cashier: str = "") -> Sale:
        """`to_sale`, refusing an empty cart (ValueError), a buyer the rules refuse (BuyerRequired)
        and payments that do not add up to the total (ValueError)."""
        if self.empty:
            raise ValueError("La venta no tiene productos")
        problem = self.buyer_problem()
        if problem:
            raise BuyerRequired(problem)
        total = self.totals().total
        paid = sum((a for _, a in settlement.payments), ZERO)
        if paid != total:
            money = self.rules.money
            raise ValueError(f"Los pagos ({money.money(paid)}) no suman el total ({money.money(total)})")
        return self.to_sale(settlement, establishment=establishment, point=point, cashier=cashier)


# ----------------------------------------------------------------------------------- by country code
# Conveniences for callers holding a country code (the screens); each asks the country's rules.

class _AllTaxCategories(Mapping):
    """Every country's tax categories by code (codes are unique across countries)."""

    def _merged(self) -> dict[str, TaxCategory]:
        out: dict[str, TaxCategory] = {}
        for c in registry.all_countries():
            out.update(c.till().tax_categories)
        return out

    def __getitem__(self, code: str) -> TaxCategory:
        return self._merged()[str(code)]

    def __iter__(self):
        return iter(self._merged())

    def __len__(self) -> int:
        return len(self._merged())


TAX_CATEGORIES: Mapping[str, TaxCategory] = _AllTaxCategories()


def tax_category(code: str) -> TaxCategory:
    try:
        return TAX_CATEGORIES[str(code)]
    except KeyError:
        raise ValueError(f"Categoría de IVA desconocida: {code}") from None


def payment_label(country: str, code: str) -> str:
    """The name of a stored payment code (the authority's)."""
    return rules_for(country).payment_label(code)


def rules_for_id_type(id_type: str):
    """The till rules that know a buyer id type (id types are unique across countries), or None."""
    for c in registry.all_countries():
        rules = c.till()
        if id_type in rules.id_types:
            return rules
    return None
