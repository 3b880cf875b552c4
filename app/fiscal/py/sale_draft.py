"""A till `Sale` → the SIFEN factura electrónica model (a Draft), built directly: no FacturaSend
JSON in between. Contado, in guaraníes; Mostrador numbers and dates it when signing.

Items carry the till's SIFEN inputs (app.fiscal.py.till: price with IVA, per-unit discount in
whole guaraníes); the totals are computed once, by the same code that writes the XML.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from app.core.company import Company
from app.core.documents import Draft, SeriesKey
from app.core.errors import ValidationError
from app.core.money import ZERO
from app.core.sale import Party, Payment as SalePayment, Sale
from app.fiscal.py import catalog as cat
from app.fiscal.py import cdc as cdc_mod
from app.fiscal.py import ruc as ruc_mod
from app.fiscal.py import xml_build
from app.fiscal.py.draft_model import KIND_BY_TYPE, PyDraftModel, aware_local
from app.fiscal.py.model import Card, Document, Item, Payment, Receiver
from app.fiscal.py.till import (ANONYMOUS, CARD_METHODS, CURRENCY, DOCUMENT_TYPES, FACET as RULES, PAYMENT_METHODS,
                                RUC, UNIT, card_details, gs, item_input, taxpayer_type)

_EMAIL = re.compile(r"[0-9a-zA-Z][0-9a-zA-Z.\-_]*@([0-9a-zA-Z][0-9a-zA-Z\-_]*\.)+[a-zA-Z]{2,9}")


def receiver(b: Party) -> Receiver:
    """SIFEN's receptor of the buyer (B2B with a RUC, B2C otherwise)."""
    if b.id_type == RUC:
        base, dv = ruc_mod.split(b.identification)
        rec = Receiver(contribuyente=True, name=b.name.strip(), operation=1,
                       taxpayer_type=taxpayer_type(b.identification), ruc=base,
                       ruc_dv=ruc_mod.check_digit(base) if dv is None else dv)
    elif b.id_type == ANONYMOUS:
        return Receiver(contribuyente=False, name="Sin Nombre", operation=2, id_type=DOCUMENT_TYPES[ANONYMOUS],
                        id_number="0")
    else:
        rec = Receiver(contribuyente=False, name=b.name.strip(), operation=2, id_type=DOCUMENT_TYPES[b.id_type],
                       id_number=b.identification.strip())
    email = b.email.strip()
    if email and not _EMAIL.fullmatch(email):
        raise ValidationError(f"Correo inválido '{email}'", field="cliente.email")
    phone = b.phone.strip()
    if phone and not 6 <= len(phone) <= 15:
        raise ValidationError("El teléfono del cliente tiene entre 6 y 15 caracteres", field="cliente.telefono")
    rec.email, rec.phone = email, phone
    return rec


def payment(p: SalePayment) -> Payment:
    method = PAYMENT_METHODS.get(p.method)
    if method is None:
        raise ValidationError(f"Forma de pago desconocida: {p.method}", field="pagos")
    pay = Payment(kind=int(method.authority_code), amount=p.amount, currency=CURRENCY)
    if method.code in CARD_METHODS:  # brand and authorisation as the cashier typed them
        brand, desc, auth = card_details(p.extra)
        pay.card = Card(brand=brand, processing=1, brand_desc=desc, auth_code=auth)
    elif method.fields:  # the cheque's number and bank (gPagCheq)
        number, bank = (str(p.extra.get(f.key, "")).strip() for f in method.fields)
        if not number or not bank:
            raise ValueError("Pago con cheque: escriba el número del cheque y el banco")
        if not re.fullmatch(r"[0-9]{1,8}", number):
            raise ValueError("Pago con cheque: el número del cheque tiene hasta 8 dígitos")
        if len(bank) < 4:
            raise ValueError("Pago con cheque: el nombre del banco lleva al menos 4 letras")
        pay.cheque_number, pay.cheque_bank = number.rjust(8, "0"), bank[:20]
    return pay


def draft_from_sale(backend, sale: Sale, company: Company, *, now: datetime | None = None) -> Draft:
    """The factura of `sale`, for `backend` (the PyBackend: its totals and draft model). Raises
    ValidationError, or ValueError for a payment the cashier must complete (a cheque's data)."""
    if not sale.lines:
        raise ValidationError("La venta no tiene productos", field="items")
    problem = RULES.buyer_problem(sale)
    if problem:
        raise ValidationError(problem, field="cliente")
    try:
        est = company.establishment(sale.establishment)
    except KeyError:
        raise ValidationError(f"El establecimiento {sale.establishment} no está configurado en la empresa",
                              field="establecimiento") from None
    if sale.point not in {p.code for p in est.points}:
        raise ValidationError(f"El punto de expedición {sale.point} no existe en el establecimiento "
                              f"{sale.establishment}", field="punto")
    items = []
    for ln in sale.lines:
        i = item_input(ln)
        items.append(Item(code=ln.code, description=ln.name, quantity=ln.quantity, price=i.price, unit=UNIT,
                          iva_type=i.iva_type, iva_base=i.iva_base, iva_rate=i.iva_rate, discount=i.discount))
    moment = sale.issued_at or now or datetime.now(timezone.utc)
    doc = Document(doc_type=cat.FE, establishment=sale.establishment, point=sale.point,
                   issued_at=xml_build.local_naive(moment), receiver=receiver(sale.buyer), items=items,
                   currency=CURRENCY, transaction_type=1, tax_type=1, presence=1, condition=1,
                   payments=[payment(p) for p in sale.payments],
                   info_issuer=f"Cajero: {sale.cashier}"[:3000] if sale.cashier else "")
    if not doc.payments:
        raise ValidationError("Operación contado: informe al menos un pago", field="pagos")
    total, currency = backend._total(doc)
    paid = sum((p.amount for p in doc.payments), ZERO)
    if paid != total:
        raise ValidationError(f"Los pagos ({gs(paid)}) no suman el total ({gs(total)})", field="pagos")
    r = doc.receiver
    buyer_id = ruc_mod.format_ruc(r.ruc, r.ruc_dv) if r.contribuyente else (r.id_number or "0")
    return Draft(country="PY", kind=KIND_BY_TYPE[doc.doc_type], series=SeriesKey(str(doc.doc_type), doc.establishment,
                                                                                 doc.point),
                 issued_at=aware_local(doc.issued_at), total=total, currency=currency, buyer_id=buyer_id,
                 buyer_name=r.name, model=PyDraftModel(doc, cdc_mod.new_security_code(), "sale"),
                 payments=[(str(p.kind), p.amount) for p in doc.payments])
