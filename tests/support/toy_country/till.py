"""The `till` facet: Toylandia's rules at the counter (one 10 % tax always included in prices,
cash or card, a DNI or an anonymous buyer up to T$ 1 000)."""
from __future__ import annotations

from decimal import Decimal
from typing import Mapping, Sequence

from app.core.errors import ValidationError
from app.core.money import MoneyFormat
from app.core.sale import IssuedLine, Party, PaymentMethod, Sale, SaleLine, SaleTotals, TaxCategory

CENT = Decimal("0.01")
TAX = TaxCategory("T10", Decimal("10"), "Impuesto 10 %")
ANONYMOUS = Party("ANON", "0", "Anónimo")


def _total(line: SaleLine) -> Decimal:
    gross = line.quantity * line.price
    return (gross - gross * line.discount_percent / 100).quantize(CENT)


class ToyTill:
    money = MoneyFormat("XTS", "T$", 2, unit="XTS", change_word="vuelto")
    tax_categories = {TAX.code: TAX}
    default_tax_category = TAX.code
    prices_include_tax = True
    payment_methods = {"efectivo": PaymentMethod("efectivo", "E", "Efectivo", gives_change=True),
                       "tarjeta": PaymentMethod("tarjeta", "T", "Tarjeta")}
    cash_method = "efectivo"
    id_types = {"DNI": "DNI", "ANON": "Anónimo"}
    anonymous_buyer = ANONYMOUS
    anonymous_label = "Anónimo"
    anonymous_limit = Decimal("1000")
    anonymous_note = "Anónimo (hasta T$ 1.000)"
    denominations = tuple(Decimal(d) for d in ("100", "50", "20", "10", "5", "1", "0.50", "0.10"))
    approval_word = "aprobar"
    authority_phrase = "la DGT"
    demo_products = (("PELOTA", "7790000000011", "Pelota de trapo", "12.50", "T10"),
                     ("TROMPO", "7790000000028", "Trompo de madera", "4.00", "T10"),
                     ("YOYO", "7790000000035", "Yoyó", "2.25", "T10"))
    demo_customers = (("DNI", "30123456", "Ana Toy", "ana@example.com"),)

    def is_anonymous(self, party: Party) -> bool:
        return party.id_type == ANONYMOUS.id_type

    def detect_id_type(self, identification: str) -> str:
        return ANONYMOUS.id_type if identification.strip() in ("", "0") else "DNI"

    def identification_errors(self, id_type: str, identification: str) -> list[str]:
        if id_type == "DNI" and not (identification.isdigit() and 6 <= len(identification) <= 10):
            return ["El DNI son de 6 a 10 dígitos"]
        return []

    def payment_label(self, authority_code: str) -> str:
        return next((m.label for m in self.payment_methods.values() if m.authority_code == authority_code),
                    authority_code)

    def line_total(self, line: SaleLine) -> Decimal:
        return _total(line)

    def tax_short_label(self, code: str) -> str:
        return "10 %"

    def totals_rows(self, totals: SaleTotals) -> list[tuple[str, Decimal]]:
        return [("Impuesto incluido", totals.tax)]

    def totals(self, lines: Sequence[SaleLine]) -> SaleTotals:
        for ln in lines:
            if ln.tax_category != TAX.code:
                raise ValueError(f"Toylandia no conoce la categoría '{ln.tax_category}'")
        total = sum((_total(ln) for ln in lines), Decimal("0.00"))
        tax = (total * 10 / 110).quantize(CENT)
        discount = sum(((ln.quantity * ln.price).quantize(CENT) - _total(ln) for ln in lines), Decimal("0.00"))
        return SaleTotals(subtotal=total - tax, discount=discount, by_tax={TAX.code: (total - tax, tax)},
                          tax=tax, total=total)

    def buyer_problem(self, sale: Sale) -> str | None:
        if self.is_anonymous(sale.buyer):
            total = self.totals(sale.lines).total
            return None if total <= self.anonymous_limit else "Más de T$ 1.000: identifique al comprador"
        errors = self.identification_errors(sale.buyer.id_type, sale.buyer.identification)
        return errors[0] if errors else (None if sale.buyer.name.strip() else "Falta el nombre del comprador")

    def issued_lines(self, request: Mapping) -> list[IssuedLine]:
        if Sale.is_record(request):
            lines = [(ln.code, ln.name, ln.quantity, ln.price) for ln in Sale.from_dict(request).lines]
        else:
            lines = [(i["codigo"], i["nombre"], Decimal(str(i["cantidad"])), Decimal(str(i["precio"])))
                     for i in request.get("items", [])]
        out = []
        for n, (code, name, qty, price) in enumerate(lines):
            total = (qty * price).quantize(CENT)
            tax = (total * 10 / 110).quantize(CENT)
            out.append(IssuedLine(n, code, name, qty, price, Decimal(0), TAX.code, TAX.rate, total - tax, tax))
        return out

    def issued_buyer(self, request: Mapping) -> Party | None:
        if Sale.is_record(request):
            return Sale.from_dict(request).buyer
        c = request.get("cliente") or {}
        return Party("DNI", str(c.get("id", "")), str(c.get("nombre", ""))) if c else None

    # The DGT has no credit notes: the boleta is final.
    def credit_note_problem(self, invoice: Mapping, request: Mapping) -> str | None:
        return "La DGT no admite notas de crédito sobre una boleta"

    def credited_quantities(self, request: Mapping, invoice: Mapping) -> dict[int, Decimal]:
        return {}

    def credit_note_body(self, invoice, request, returned, reason) -> dict:
        raise ValidationError("La DGT no admite notas de crédito sobre una boleta", field="documento")

    def credit_note_total(self, body: Mapping) -> Decimal:
        return Decimal(0)


FACET = ToyTill()
