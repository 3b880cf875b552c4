"""A till `Return` → the SIFEN nota de crédito electrónica model (a Draft), built directly: no
FacturaSend JSON in between. Motivo Devolución (iMotEmi 2), linked to the invoice by its CDC, in
guaraníes, the invoice's receptor and prices; Mostrador numbers and dates it when signing.

What the domain's words do not carry comes from the country's own reading of the invoice
(`PyTill.returned_line` / `return_buyer_extra`): each line's `extra` {"unit", "iva_type",
"iva_base"}, and `buyer_extra`, the invoice's receptor as its request gave it (empty for a till
sale: its `Party` is the whole receptor). The checks are the FacturaSend parser's for an item and a
receptor, then SIFEN's offline rules (`xml_build.check_rules`), before any number is taken.
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from app.core.company import Company
from app.core.documents import Draft, SeriesKey
from app.core.errors import ErrorCollector, ValidationError
from app.core.sale import Return
from app.fiscal.py import catalog as cat
from app.fiscal.py import cdc as cdc_mod
from app.fiscal.py import geo
from app.fiscal.py import ruc as ruc_mod
from app.fiscal.py import xml_build
from app.fiscal.py.draft_model import KIND_BY_TYPE, PyDraftModel, aware_local
from app.fiscal.py.model import AssociatedDoc, Document, Item, Receiver
from app.fiscal.py.sale_draft import receiver as party_receiver
from app.fiscal.py.till import CURRENCY, RETURN_REASON

REASON_MAX = 3000  # dInfoFisc


def _int(value: str, field: str, errors: ErrorCollector) -> int:
    try:
        return int(str(value))
    except ValueError:
        errors.add(field, f"Se esperaba un número entero: '{value}'")
        return 0


def items_of(ret: Return, errors: ErrorCollector | None = None) -> list[Item]:
    """The NCE's items: each returned quantity at the invoice's price, discount, unit and IVA,
    checked as the FacturaSend parser checks an item (errors added to `errors` when given)."""
    errors = errors if errors is not None else ErrorCollector()
    out = []
    for n, x in enumerate(ret.lines):
        p, ln, extra = f"items[{n}]", x.line, x.extra
        unit = _int(extra.get("unit", 77), f"{p}.unidadMedida", errors)
        iva_type = _int(extra.get("iva_type", 1 if ln.rate else 3), f"{p}.ivaTipo", errors)
        try:
            iva_base = Decimal(str(extra.get("iva_base", 100 if ln.rate else 0)))
        except InvalidOperation:
            errors.add(f"{p}.ivaBase", "Se esperaba un número")
            iva_base = Decimal(0)
        rate = int(ln.rate) if ln.rate == ln.rate.to_integral_value() else -1
        if x.quantity <= 0:
            errors.add(f"{p}.cantidad", "La cantidad a devolver debe ser mayor que cero")
        elif x.quantity.as_tuple().exponent < -8:
            errors.add(f"{p}.cantidad", "Máximo 8 decimales")
        if unit not in cat.units():
            errors.add(f"{p}.unidadMedida", f"Unidad de medida desconocida: {unit}")
        if ln.unit_price != ln.unit_price.to_integral_value():
            errors.add(f"{p}.precioUnitario", "En guaraníes el precio no lleva decimales")
        if ln.discount and ln.discount > ln.unit_price:
            errors.add(f"{p}.descuento", "El descuento supera el precio unitario")
        if iva_type not in (1, 2, 3, 4):
            errors.add(f"{p}.ivaTipo", f"Tipo de IVA desconocido: {iva_type}")
        elif iva_type == 1 and (rate not in (5, 10) or iva_base != 100):
            errors.add(f"{p}.iva", "Gravado IVA: iva 5 o 10 con ivaBase 100")
        elif iva_type == 4 and (rate not in (5, 10) or not 0 < iva_base < 100):
            errors.add(f"{p}.ivaBase", "Gravado parcial: iva 5 o 10 y ivaBase entre 1 y 99")
        elif iva_type in (2, 3) and rate != 0:
            errors.add(f"{p}.iva", "Exento/exonerado: iva debe ser 0")
        out.append(Item(code=ln.code, description=ln.name, quantity=x.quantity, price=ln.unit_price, unit=unit,
                        iva_type=iva_type, iva_base=iva_base, iva_rate=max(rate, 0), discount=ln.discount))
    return out


def _receiver(ret: Return, errors: ErrorCollector) -> Receiver:
    """The invoice's receptor: its stored fields read as the FacturaSend parser reads a
    `cliente`, or the till sale's `Party`."""
    if ret.buyer_extra:
        from app.fiscal.py.facturasend import _receiver as read_cliente
        from app.fiscal.py.json_fields import Reader

        return read_cliente(Reader(errors), dict(ret.buyer_extra), cat.NCE)
    try:
        return party_receiver(ret.buyer)
    except ValidationError as exc:
        for e in exc.errors:
            errors.add(e.field, e.message, e.code)
        return Receiver(False, ret.buyer.name)


def draft_from_return(ret: Return, company: Company, *, now: datetime | None = None) -> Draft:
    """The nota de crédito of `ret`. Raises ValidationError naming every problem."""
    errors = ErrorCollector()
    reason = " ".join(ret.reason.split())
    if not reason:
        errors.add("motivo", "Indique el motivo de la nota de crédito", "required")
    if ret.currency != CURRENCY:
        errors.add("moneda", "Por ahora las notas de crédito se emiten solo sobre facturas en guaraníes")
    if not ret.lines:
        errors.add("items", "Elija al menos una línea y una cantidad a devolver", "required")
    key = ret.invoice.key
    if cdc_mod.validate(key):
        errors.add("documentoAsociado.cdc", cdc_mod.validate(key)[0])
    inv = ret.invoice
    try:
        est = company.establishment(inv.establishment)
        if inv.point not in {p.code for p in est.points}:
            errors.add("punto", f"El punto de expedición {inv.point} no existe en el establecimiento "
                                f"{inv.establishment}")
    except KeyError:
        errors.add("establecimiento", f"El establecimiento {inv.establishment} no está configurado en la empresa")
    rec = _receiver(ret, errors)
    if rec.anonymous:
        errors.add("cliente", "Una factura innominada no admite nota de crédito (SIFEN 1331)")
    items = items_of(ret, errors)
    errors.raise_if_any()
    loc = rec.location
    if loc is not None and not geo.consistent(loc.departamento, loc.distrito, loc.ciudad):
        raise ValidationError(f"La ciudad {loc.ciudad} no pertenece al distrito {loc.distrito} / departamento "
                              f"{loc.departamento} (tabla geográfica de SIFEN, 1326/1329)", field="cliente.ciudad")
    moment = now or datetime.now(timezone.utc)
    doc = Document(doc_type=cat.NCE, establishment=inv.establishment, point=inv.point,
                   issued_at=xml_build.local_naive(moment), receiver=rec, items=items, currency=CURRENCY,
                   transaction_type=1, tax_type=1, credit_reason=RETURN_REASON,
                   associated=[AssociatedDoc(kind=1, cdc=key)], info_fiscal=reason[:REASON_MAX])
    xml_build.check_rules(doc, company.ruc)  # SIFEN's offline rules, before any number is taken
    r = doc.receiver
    buyer_id = ruc_mod.format_ruc(r.ruc, r.ruc_dv) if r.contribuyente else (r.id_number or "0")
    return Draft(country="PY", kind=KIND_BY_TYPE[doc.doc_type],
                 series=SeriesKey(str(doc.doc_type), doc.establishment, doc.point),
                 issued_at=aware_local(doc.issued_at), total=doc.total(), currency=doc.currency, buyer_id=buyer_id,
                 buyer_name=r.name, model=PyDraftModel(doc, cdc_mod.new_security_code(), "return"))

