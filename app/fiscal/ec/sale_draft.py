"""A till `Sale` → the SRI factura model (a Draft), built directly: no Dátil JSON in between.

The amounts are the till's (app.fiscal.ec.till, the same rule as the Dátil reader), computed
once here and carried by the Draft and its model.
"""
from __future__ import annotations

from datetime import datetime, timezone

from app.core.company import Company
from app.core.documents import Draft, SeriesKey
from app.core.errors import ValidationError
from app.core.money import ZERO
from app.core.sale import Sale
from app.fiscal.ec import catalog, model
from app.fiscal.ec import documents as ec_documents
from app.fiscal.ec.documents.common import GUAYAQUIL, add_contact_fields, tax_totals
from app.fiscal.ec.documents import rate_dates
from app.fiscal.ec.documents.common import Reader
from app.fiscal.ec.till import FACET as RULES, IVA, PAYMENT_METHODS, sale_amounts

KIND = "invoices"


def _buyer(sale: Sale) -> model.Party:
    b = sale.buyer
    if RULES.is_anonymous(b):
        return model.Party(b.id_type, catalog.CONSUMIDOR_FINAL_ID, catalog.CONSUMIDOR_FINAL_NAME)
    return model.Party(id_type=b.id_type, id=b.identification.strip(), name=b.name.strip(),
                       address=b.address.strip(), email=b.email.strip(), phone=b.phone.strip())


def draft_from_sale(sale: Sale, company: Company, *, now: datetime | None = None) -> Draft:
    """The factura of `sale`. Raises ValidationError (Spanish) when it cannot be issued."""
    if not sale.lines:
        raise ValidationError("La venta no tiene productos", field="items")
    problem = RULES.buyer_problem(sale)
    if problem:
        raise ValidationError(problem, field="comprador")
    try:
        est = company.establishment(sale.establishment)
    except KeyError:
        raise ValidationError(f"El establecimiento {sale.establishment} no está configurado en la empresa",
                              field="establecimiento") from None
    if sale.point not in {p.code for p in est.points}:
        raise ValidationError(f"El punto de emisión {sale.point} no existe en el establecimiento "
                              f"{sale.establishment}", field="punto_emision")
    issued_at = (sale.issued_at or now or datetime.now(timezone.utc)).astimezone(GUAYAQUIL)
    lines = []
    for ln, a in zip(sale.lines, sale_amounts(sale.lines)):
        lines.append(model.Line(description=ln.name, quantity=ln.quantity, unit_price=a.unit_price,
                                discount=a.discount, subtotal=a.base,
                                taxes=[model.Tax(IVA, ln.tax_category, a.rate, a.base, a.tax)],
                                main_code=ln.code))
    taxes = tax_totals(lines)
    subtotal = sum((ln.subtotal for ln in lines), ZERO)
    total = subtotal + sum((t.valor for t in taxes), ZERO)
    payments = []
    for p in sale.payments:
        if p.method not in PAYMENT_METHODS:
            raise ValidationError(f"Forma de pago desconocida: {p.method}", field="pagos")
        payments.append(model.Payment(PAYMENT_METHODS[p.method].authority_code, p.amount))
    paid = sum((p.total for p in payments), ZERO)
    if paid != total:
        raise ValidationError(f"Los pagos ({paid}) no suman el total ({total})", field="pagos")
    buyer = _buyer(sale)
    additional: list[tuple[str, str]] = []
    add_contact_fields(buyer, additional)
    factura = ec_documents.by_kind(KIND)
    cod_doc = factura.cod_doc
    doc = model.Invoice(kind=KIND, cod_doc=cod_doc, version=factura.version, issued=issued_at.date(),
                        estab=sale.establishment, pto_emi=sale.point, additional=additional, buyer=buyer,
                        lines=lines, taxes=taxes, subtotal=subtotal,
                        discount=sum((ln.discount for ln in lines), ZERO), tip=ZERO, total=total,
                        payments=payments)
    r = Reader()
    rate_dates.check(r, doc)  # a till may still offer a rate no longer in force (IVA 12 %)
    r.ec.raise_if_any()
    return Draft(country="EC", kind=KIND, series=SeriesKey(cod_doc, sale.establishment, sale.point),
                 issued_at=issued_at, total=total, currency="USD", buyer_id=buyer.id, buyer_name=buyer.name,
                 model=doc, payments=[(p.forma_pago, p.total) for p in payments])
