"""Nota de crédito (codDoc 04): returns or discounts on an earlier document, line by line."""
from __future__ import annotations

from app.core.company import Company
from app.fiscal.ec import model
from app.fiscal.ec.documents.base import DocumentType
from app.fiscal.ec.documents.common import (
    Reader, ZERO, add_contact_fields, check_additional_count, compare_declared_totals, read_lines, read_modified,
    read_party, sale_totals)
from app.fiscal.ec.documents.xml_parts import (
    buyer_with_special, issuer_block, modified_ref, money, sale_lines, sub, tax_totals)
from app.fiscal.ec.totals import Checker, check_sale


def parse(r: Reader, body: dict, header: dict, company: Company) -> model.CreditNote:
    buyer = read_party(r, r.obj(body, "comprador", "comprador"), "comprador", allow_final=False, who="el comprador")
    modified = read_modified(r, body, header["issued"])
    reason = r.text(body, "motivo", "motivo")
    mark = len(r.ec.errors)
    lines = read_lines(r, body, unit=False)
    lines_ok = len(r.ec.errors) == mark
    subtotal, _discount, taxes = sale_totals(r, body, lines)
    total = subtotal + sum((t.valor for t in taxes), ZERO)
    tot = r.obj(body, "totales", "totales", required=False)
    if tot is not None and lines and lines_ok:
        compare_declared_totals(r, tot, lines, subtotal, taxes, total)
    add_contact_fields(buyer, header["additional"])
    check_additional_count(r, header["additional"])
    return model.CreditNote(**header, buyer=buyer, modified=modified, reason=reason, lines=lines, taxes=taxes,
                            subtotal=subtotal, total=total)


def build(root, doc: model.CreditNote, company: Company) -> None:
    info = sub(root, "infoNotaCredito")
    issuer_block(info, company, doc)
    buyer_with_special(info, company, doc.buyer)
    modified_ref(info, doc.modified)
    sub(info, "totalSinImpuestos", money(doc.subtotal))
    sub(info, "valorModificacion", money(doc.total))
    sub(info, "moneda", doc.currency)
    tax_totals(info, doc.taxes, tarifa=False)
    sub(info, "motivo", doc.reason)
    sale_lines(root, doc.lines, credit_note=True)


def check(c: Checker, root) -> None:
    check_sale(c, root, "infoNotaCredito", "valorModificacion")


TYPE = DocumentType(
    kind="credit-notes", cod_doc="04", root="notaCredito", info="infoNotaCredito", version="1.1.0",
    schemas={"1.0.0": "NotaCredito_V1.0.0.xsd", "1.1.0": "NotaCredito_V1.1.0.xsd"},
    name="nota de crédito", title="NOTA DE CRÉDITO", model=model.CreditNote,
    parse=parse, build=build, check=check,
)
