"""A till `Return` → the SRI nota de crédito model (a Draft), built directly: no Dátil JSON in
between.

The amounts are the till's (app.fiscal.ec.till.returned_amounts: discount and ICE in proportion,
IVA on base + ICE, IRBPNR per unit); the checks are the Dátil reader's (buyer identified, modified
invoice not after the note, IVA rates in force, at most 15 additional fields).
"""
from __future__ import annotations

from datetime import datetime, timezone

from app.core.company import Company
from app.core.documents import Draft, SeriesKey
from app.core.errors import ValidationError
from app.core.money import ZERO
from app.core.sale import Return
from app.fiscal.ec import catalog, identity, model, text
from app.fiscal.ec import documents as ec_documents
from app.fiscal.ec.documents import rate_dates
from app.fiscal.ec.documents.common import GUAYAQUIL, Reader, add_contact_fields, check_additional_count, tax_totals
from app.fiscal.ec.till import returned_amounts

KIND = "credit-notes"


def _clean(value: str, field: str, max_len: int = 300) -> str:
    """Text as the SRI takes it (the Dátil reader's rule): cleaned, at most `max_len` characters."""
    try:
        s = text.clean(value)
    except ValueError as exc:
        raise ValidationError(str(exc), field=field) from None
    if len(s) > max_len:
        raise ValidationError(f"{field}: tiene {len(s)} caracteres; el máximo es {max_len}", field=field)
    return s


def _buyer(ret: Return) -> model.Party:
    b = ret.buyer
    if b.id_type == catalog.ID_CONSUMIDOR_FINAL or b.id_type not in catalog.ID_TYPES:
        raise ValidationError("El comprador debe identificarse: no se admite consumidor final en la nota de "
                              "crédito", field="comprador")
    errors = identity.check_identification(b.id_type, b.identification.strip()).errors
    if errors:
        raise ValidationError("; ".join(errors), field="comprador.identificacion")
    name = _clean(b.name, "comprador.razon_social")
    if not name:
        raise ValidationError("Falta el nombre o razón social del comprador", field="comprador.razon_social")
    return model.Party(id_type=b.id_type, id=b.identification.strip(), name=name,
                       address=_clean(b.address, "comprador.direccion"), email=_clean(b.email, "comprador.email"),
                       phone=_clean(b.phone, "comprador.telefono"))


def _invoice_day(ret: Return):
    try:
        moment = datetime.fromisoformat(ret.invoice.issued_at.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(f"Fecha de la factura ilegible: {ret.invoice.issued_at}",
                              field="fecha_emision_documento_modificado") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=GUAYAQUIL)).astimezone(GUAYAQUIL).date()


def draft_from_return(ret: Return, company: Company, *, now: datetime | None = None) -> Draft:
    """The nota de crédito of `ret`. Raises ValidationError (Spanish) when it cannot be issued."""
    if not ret.lines:
        raise ValidationError("Elija al menos una línea y una cantidad a devolver", field="items")
    reason = _clean(ret.reason, "motivo")
    if not reason:
        raise ValidationError("Indique el motivo de la nota de crédito", field="motivo")
    if ret.invoice.doc_code not in catalog.MODIFIABLE_DOCS:
        raise ValidationError(f"Tipo de documento '{ret.invoice.doc_code}' no modificable (01, 03 o 05)",
                              field="tipo_documento_modificado")
    inv = ret.invoice
    try:
        est = company.establishment(inv.establishment)
    except KeyError:
        raise ValidationError(f"El establecimiento {inv.establishment} no está configurado en la empresa",
                              field="establecimiento") from None
    if inv.point not in {p.code for p in est.points}:
        raise ValidationError(f"El punto de emisión {inv.point} no existe en el establecimiento "
                              f"{inv.establishment}", field="punto_emision")
    issued_at = (now or datetime.now(timezone.utc)).astimezone(GUAYAQUIL)
    invoice_day = _invoice_day(ret)
    if invoice_day > issued_at.date():
        raise ValidationError("El documento modificado no puede ser posterior a la nota",
                              field="fecha_emision_documento_modificado")
    lines = []
    for returned in ret.lines:
        if returned.quantity <= ZERO or returned.quantity > returned.line.quantity:
            raise ValidationError(f"{returned.line.name}: cantidad a devolver inválida ({returned.quantity})",
                                  field=f"items[{returned.line.index}].cantidad")
        a = returned_amounts(returned)
        lines.append(model.Line(description=a.line.name, quantity=a.quantity, unit_price=a.line.unit_price,
                                discount=a.discount, subtotal=a.base,
                                taxes=[model.Tax(*t) for t in a.taxes], main_code=a.line.code,
                                details=[("linea_factura", str(a.line.index))]))
    taxes = tax_totals(lines)
    subtotal = sum((ln.subtotal for ln in lines), ZERO)
    total = subtotal + sum((t.valor for t in taxes), ZERO)
    buyer = _buyer(ret)
    additional: list[tuple[str, str]] = []
    add_contact_fields(buyer, additional)
    note = ec_documents.by_kind(KIND)
    doc = model.CreditNote(kind=KIND, cod_doc=note.cod_doc, version=note.version, issued=issued_at.date(),
                           estab=inv.establishment, pto_emi=inv.point, additional=additional, buyer=buyer,
                           modified=model.DocRef(inv.doc_code, inv.number, invoice_day), reason=reason,
                           lines=lines, taxes=taxes, subtotal=subtotal, total=total)
    r = Reader()
    check_additional_count(r, additional)
    rate_dates.check(r, doc)
    r.ec.raise_if_any()
    return Draft(country="EC", kind=KIND, series=SeriesKey(note.cod_doc, inv.establishment, inv.point),
                 issued_at=issued_at, total=total, currency="USD", buyer_id=buyer.id, buyer_name=buyer.name,
                 model=doc, warnings=list(r.warnings))
