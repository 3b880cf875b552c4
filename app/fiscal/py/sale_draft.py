"""A till `Sale` → the SIFEN factura electrónica model (a Draft), built directly: no FacturaSend
JSON in between. Contado or crédito (cuotas or a term), in guaraníes or in a foreign currency at
the day's rate; Mostrador numbers and dates it when signing.

Items carry the till's SIFEN inputs (app.fiscal.py.till: price with IVA, per-unit discount in
whole guaraníes); the totals are computed once, by the same code that writes the XML.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from app.core.company import Company
from app.core.documents import Draft, SeriesKey
from app.core.errors import ValidationError
from app.core.money import ZERO, round_half_up
from app.core.sale import Party, Payment as SalePayment, Sale
from app.fiscal.py import catalog as cat
from app.fiscal.py import cdc as cdc_mod
from app.fiscal.py import ruc as ruc_mod
from app.fiscal.py import xml_build
from app.fiscal.py.draft_model import KIND_BY_TYPE, PyDraftModel, aware_local
from app.fiscal.py.model import Card, Document, Item, Payment, Receiver
from app.fiscal.py import credit_plan
from app.fiscal.py.till import (ANONYMOUS, CARD_METHODS, CREDIT_METHOD, CURRENCY, DOCUMENT_TYPES, FACET as RULES,
                                PAYMENT_METHODS, RUC, UNIT, card_details, foreign_format, foreign_input, gs, item_input,
                                parse_rate, taxpayer_type)

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


def _currency_of(sale: Sale) -> tuple[str, Decimal | None]:
    """The operation's currency and rate: guaraníes, or the one foreign currency every payment was
    taken in (Cobrar's F9 writes 'moneda' and 'cambio', the day's rate, into each payment)."""
    seen = {(str(p.extra.get("moneda") or CURRENCY), str(p.extra.get("cambio") or "")) for p in sale.payments}
    if not seen or seen == {(CURRENCY, "")}:
        return CURRENCY, None
    if len(seen) > 1:
        raise ValidationError("Una venta se cobra en una sola moneda y a un solo tipo de cambio", field="pagos")
    (currency, rate_text), = seen
    foreign_format(currency)  # a currency the till offers
    try:
        rate = parse_rate(rate_text.replace(".", ","))
    except ValueError as exc:
        raise ValidationError(str(exc), field="cambio") from None
    return currency, rate


def _shares(total: Decimal, weights: list[Decimal], places: int) -> list[Decimal]:
    """`total` spread over the payments in proportion to their guaraní amounts; the last absorbs."""
    whole = sum(weights, ZERO)
    out = [round_half_up(total * w / whole, places) for w in weights[:-1]]
    return out + [total - sum(out, ZERO)]


def draft_from_sale(backend, sale: Sale, company: Company, *, now: datetime | None = None) -> Draft:
    """The factura of `sale`, for `backend` (the PyBackend: its totals and draft model). Contado in
    guaraníes; in a foreign currency when its payments say so (prices divided by the day's rate,
    dTiCam); a "Crédito" payment makes it a sale on credit (iCondOpe 2, gPagCred: a term or N
    cuotas), for an identified buyer only. Raises ValidationError, or ValueError for a payment the
    cashier must complete (a cheque's data, the cuotas)."""
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
    if not sale.payments:
        raise ValidationError("Operación contado: informe al menos un pago", field="pagos")
    currency, rate = _currency_of(sale)
    items = []
    for ln in sale.lines:
        i = item_input(ln) if rate is None else foreign_input(ln, rate, currency)
        items.append(Item(code=ln.code, description=ln.name, quantity=ln.quantity, price=i.price, unit=UNIT,
                          iva_type=i.iva_type, iva_base=i.iva_base, iva_rate=i.iva_rate, discount=i.discount))
    moment = sale.issued_at or now or datetime.now(timezone.utc)
    issued_at = xml_build.local_naive(moment)
    credit_payments = [p for p in sale.payments if p.method == CREDIT_METHOD]
    doc = Document(doc_type=cat.FE, establishment=sale.establishment, point=sale.point,
                   issued_at=issued_at, receiver=receiver(sale.buyer), items=items,
                   currency=currency, transaction_type=1, tax_type=1, presence=1,
                   condition=2 if credit_payments else 1,
                   info_issuer=f"Cajero: {sale.cashier}"[:3000] if sale.cashier else "")
    if rate is not None:
        doc.exchange_condition, doc.exchange_rate = 1, rate
    total_gs = RULES.totals(sale.lines).total
    paid_gs = sum((p.amount for p in sale.payments), ZERO)
    if paid_gs != total_gs:
        raise ValidationError(f"Los pagos ({gs(paid_gs)}) no suman el total ({gs(total_gs)})", field="pagos")
    total, _currency = backend._total(doc)
    places = 0 if rate is None else foreign_format(currency).places
    amounts = [p.amount for p in sale.payments] if rate is None else \
        _shares(total, [p.amount for p in sale.payments], places)
    pays = []
    for p, amount in zip(sale.payments, amounts):
        if p.method == CREDIT_METHOD:
            continue
        pay = payment(p)
        pay.amount, pay.currency, pay.exchange_rate = amount, currency, rate
        pays.append(pay)
    doc.payments = pays
    if credit_payments:
        if sale.buyer.id_type == ANONYMOUS:
            raise ValidationError("Venta a crédito: identifique al cliente (RUC o cédula) y su nombre",
                                  field="cliente")
        owed = sum((a for p, a in zip(sale.payments, amounts) if p.method == CREDIT_METHOD), ZERO)
        extra: dict = {}
        for p in credit_payments:
            extra.update({k: v for k, v in p.extra.items() if k in ("cuotas", "plazo") and str(v).strip()})
        try:
            doc.credit = credit_plan.plan(extra, owed, currency=currency, places=places, issued=issued_at.date(),
                                          down_payment=total - owed)
        except ValueError as exc:
            raise ValidationError(str(exc), field="pagos.credito") from None
    r = doc.receiver
    buyer_id = ruc_mod.format_ruc(r.ruc, r.ruc_dv) if r.contribuyente else (r.id_number or "0")
    # stored as every path stores a document (app/fiscal/home_amounts.py): the total and the payments
    # (the till's method codes, a credit as credit) in the document's currency; Reportes and Caja
    # convert a foreign-currency one at the rate its XML states
    return Draft(country="PY", kind=KIND_BY_TYPE[doc.doc_type], series=SeriesKey(str(doc.doc_type), doc.establishment,
                                                                                 doc.point),
                 issued_at=aware_local(doc.issued_at), total=total, currency=currency, buyer_id=buyer_id,
                 buyer_name=r.name, model=PyDraftModel(doc, cdc_mod.new_security_code(), "sale"),
                 payments=[(PAYMENT_METHODS[p.method].authority_code, a) for p, a in zip(sale.payments, amounts)])
