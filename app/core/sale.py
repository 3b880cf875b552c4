"""A sale in the domain's words: what was sold, to whom, paid how. Pure data, no I/O, no country.

The till's cart produces a `Sale`; the country's backend turns it into its invoice
(`backend.draft_from_sale(sale, company)`). The country's till rules (`country.till()`, see
`app.fiscal.base.TillRules`) say which tax categories, payment methods and buyer types exist and do
the arithmetic; the values here are what the cashier chose.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Mapping

ZERO = Decimal(0)


@dataclass(frozen=True)
class TaxCategory:
    """A tax category a product may have (what Productos offers)."""

    code: str  # what the products table stores: EC SRI codigo_porcentaje '4'; PY 'PY10'
    rate: Decimal  # percent
    label: str  # 'IVA 15 %'


@dataclass(frozen=True)
class PaymentField:
    """Something a payment method needs besides the amount (a cheque's number and bank)."""

    key: str  # 'numero'
    label: str  # 'número': how the payment dialog names it ('Cheque: número y banco')
    max_length: int = 20
    required: bool = True
    hint: str = ""  # the empty field's placeholder ('N.º de cheque'); the label when empty


@dataclass(frozen=True)
class PaymentMethod:
    """A way to pay at the till."""

    code: str  # ours, stable across countries where it means the same: 'efectivo', 'cheque'
    authority_code: str  # what the authority calls it and the payments table stores: SRI formaPago, SIFEN iTiPago
    label: str
    gives_change: bool = False
    fields: tuple[PaymentField, ...] = ()


@dataclass(frozen=True)
class Party:
    """Somebody a document is issued to (the buyer)."""

    id_type: str  # the country's buyer id type code (TillRules.id_types)
    identification: str
    name: str
    email: str = ""
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class SaleLine:
    """One line as the cashier rang it up; the country's rules compute its amounts."""

    code: str
    name: str
    quantity: Decimal
    price: Decimal  # per unit, as shown to the cashier
    price_includes_tax: bool
    tax_category: str  # TaxCategory.code
    discount_percent: Decimal = ZERO


@dataclass(frozen=True)
class Payment:
    """What was applied to the total with one method (change already taken out)."""

    method: str  # PaymentMethod.code
    amount: Decimal
    extra: Mapping[str, str] = field(default_factory=dict)  # PaymentMethod.fields' values


@dataclass(frozen=True)
class SaleTotals:
    """The totals of a sale, as the country's rules compute them."""

    subtotal: Decimal  # without tax (EC) / the operation's total (PY)
    discount: Decimal
    by_tax: dict[str, tuple[Decimal, Decimal]]  # tax category code -> (base, tax)
    tax: Decimal
    total: Decimal  # what the customer pays


@dataclass(frozen=True)
class IssuedLine:
    """One line of an issued invoice as the country's rules read it back (reports, credit notes)."""

    index: int  # position in the invoice
    code: str
    name: str
    quantity: Decimal
    unit_price: Decimal  # as the authority's document carries it (EC without tax, PY with IVA)
    discount: Decimal  # as the authority's document carries it (EC the line's, PY per unit)
    tax_category: str  # TaxCategory.code
    rate: Decimal  # percent
    base: Decimal  # taxable amount, without tax
    tax: Decimal


@dataclass(frozen=True)
class Sale:
    """What was sold, to whom, paid how."""

    lines: tuple[SaleLine, ...]
    buyer: Party
    payments: tuple[Payment, ...]
    currency: str  # ISO 4217
    establishment: str
    point: str
    tendered: Decimal | None = None  # what the customer handed over
    change: Decimal | None = None
    cashier: str = ""
    issued_at: datetime | None = None  # None: when it is signed

    @staticmethod
    def is_record(request) -> bool:
        """Whether a stored request is a till sale written by `as_dict`."""
        return isinstance(request, Mapping) and isinstance(request.get("sale"), Mapping)

    @classmethod
    def from_dict(cls, record: Mapping) -> "Sale":
        """The sale back from `as_dict()`."""
        s = record["sale"]
        b = s.get("buyer") or {}
        dec = lambda v: None if v is None else Decimal(str(v))  # noqa: E731
        return cls(
            lines=tuple(SaleLine(ln["code"], ln["name"], Decimal(ln["quantity"]), Decimal(ln["price"]),
                                 bool(ln["price_includes_tax"]), ln["tax_category"],
                                 Decimal(ln.get("discount_percent") or 0)) for ln in s.get("lines", [])),
            buyer=Party(b.get("id_type", ""), b.get("identification", ""), b.get("name", ""), b.get("email", ""),
                        b.get("address", ""), b.get("phone", "")),
            payments=tuple(Payment(p["method"], Decimal(p["amount"]), dict(p.get("extra") or {}))
                           for p in s.get("payments", [])),
            currency=s.get("currency", ""), establishment=s.get("establishment", ""), point=s.get("point", ""),
            tendered=dec(s.get("tendered")), change=dec(s.get("change")), cashier=s.get("cashier") or "",
            issued_at=datetime.fromisoformat(s["issued_at"]) if s.get("issued_at") else None)

    def as_dict(self) -> dict:
        """A JSON-able record of the sale (what `sales.request_json` keeps for the till)."""
        return {
            "sale": {
                "currency": self.currency, "establishment": self.establishment, "point": self.point,
                "cashier": self.cashier,
                "issued_at": self.issued_at.isoformat() if self.issued_at else None,
                "buyer": {"id_type": self.buyer.id_type, "identification": self.buyer.identification,
                          "name": self.buyer.name, "email": self.buyer.email, "address": self.buyer.address,
                          "phone": self.buyer.phone},
                "lines": [{"code": ln.code, "name": ln.name, "quantity": str(ln.quantity), "price": str(ln.price),
                           "price_includes_tax": ln.price_includes_tax, "tax_category": ln.tax_category,
                           "discount_percent": str(ln.discount_percent)} for ln in self.lines],
                "payments": [{"method": p.method, "amount": str(p.amount), **({"extra": dict(p.extra)} if p.extra else {})}
                             for p in self.payments],
                "tendered": None if self.tendered is None else str(self.tendered),
                "change": None if self.change is None else str(self.change),
            }
        }


@dataclass(frozen=True)
class LineTax:
    """A tax of an invoice line besides its main one, as the invoice charged it (EC ICE, IRBPNR)."""

    code: str  # the authority's tax code
    category: str  # the authority's code within that tax
    rate: Decimal  # percent, or per unit for a per-unit tax
    amount: Decimal  # what the whole invoice line carried


@dataclass(frozen=True)
class ReturnedLine:
    """Part (or all) of an invoice line given back."""

    line: IssuedLine
    quantity: Decimal
    other_taxes: tuple[LineTax, ...] = ()
    # what the country read from the invoice's line besides the domain's words (PY: unit of
    # measure, IVA type and base); JSON-able, read only by that country
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InvoiceRef:
    """The authorized invoice a credit note gives back from."""

    key: str  # the authority's key (EC clave de acceso, PY CDC)
    number: str  # '001-001-000000123'
    issued_at: str  # ISO 8601, as stored with the document
    doc_code: str  # the authority's document type code
    establishment: str
    point: str


@dataclass(frozen=True)
class Return:
    """What is given back of an invoice, to whom and why: a credit note in the domain's words."""

    invoice: InvoiceRef
    buyer: Party
    lines: tuple[ReturnedLine, ...]
    reason: str
    currency: str  # ISO 4217
    cashier: str = ""
    # what the country read from the invoice's buyer besides `buyer` (PY: the receptor's
    # location, trade name, operation type…); JSON scalars, read only by that country
    buyer_extra: Mapping[str, object] = field(default_factory=dict)

    @staticmethod
    def is_record(request) -> bool:
        """Whether a stored request is a till credit note written by `as_dict`."""
        return isinstance(request, Mapping) and isinstance(request.get("return"), Mapping)

    @classmethod
    def from_dict(cls, record: Mapping) -> "Return":
        """The return back from `as_dict()`."""
        r = record["return"]
        i, b = r["invoice"], r.get("buyer") or {}
        lines = []
        for x in r.get("lines", []):
            ln = x["line"]
            lines.append(ReturnedLine(
                IssuedLine(int(ln["index"]), ln["code"], ln["name"], Decimal(ln["quantity"]), Decimal(ln["unit_price"]),
                           Decimal(ln["discount"]), ln["tax_category"], Decimal(ln["rate"]), Decimal(ln["base"]),
                           Decimal(ln["tax"])),
                Decimal(x["quantity"]),
                tuple(LineTax(t["code"], t["category"], Decimal(t["rate"]), Decimal(t["amount"]))
                      for t in x.get("other_taxes", [])),
                {str(k): str(v) for k, v in (x.get("extra") or {}).items()}))
        return cls(
            invoice=InvoiceRef(i["key"], i["number"], i["issued_at"], i["doc_code"], i["establishment"], i["point"]),
            buyer=Party(b.get("id_type", ""), b.get("identification", ""), b.get("name", ""), b.get("email", ""),
                        b.get("address", ""), b.get("phone", "")),
            lines=tuple(lines), reason=r.get("reason", ""), currency=r.get("currency", ""),
            cashier=r.get("cashier") or "", buyer_extra=dict(r.get("buyer_extra") or {}))

    def as_dict(self) -> dict:
        """A JSON-able record of the return (what `sales.request_json` keeps for the till)."""
        i, b = self.invoice, self.buyer
        return {
            "return": {
                "invoice": {"key": i.key, "number": i.number, "issued_at": i.issued_at, "doc_code": i.doc_code,
                            "establishment": i.establishment, "point": i.point},
                "buyer": {"id_type": b.id_type, "identification": b.identification, "name": b.name,
                          "email": b.email, "address": b.address, "phone": b.phone},
                "lines": [{"line": {"index": x.line.index, "code": x.line.code, "name": x.line.name,
                                    "quantity": str(x.line.quantity), "unit_price": str(x.line.unit_price),
                                    "discount": str(x.line.discount), "tax_category": x.line.tax_category,
                                    "rate": str(x.line.rate), "base": str(x.line.base), "tax": str(x.line.tax)},
                           "quantity": str(x.quantity),
                           "other_taxes": [{"code": t.code, "category": t.category, "rate": str(t.rate),
                                            "amount": str(t.amount)} for t in x.other_taxes],
                           **({"extra": dict(x.extra)} if x.extra else {})}
                          for x in self.lines],
                "reason": self.reason, "currency": self.currency, "cashier": self.cashier,
                **({"buyer_extra": dict(self.buyer_extra)} if self.buyer_extra else {}),
            }
        }

    def quantities(self) -> dict[int, Decimal]:
        """Quantity given back per invoice line index."""
        out: dict[int, Decimal] = {}
        for x in self.lines:
            out[x.line.index] = out.get(x.line.index, ZERO) + x.quantity
        return out
