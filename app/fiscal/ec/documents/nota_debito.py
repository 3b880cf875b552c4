"""Nota de débito (codDoc 05): charges added to an earlier document, as reasons with amounts."""
from __future__ import annotations

from app.core.company import Company
from app.fiscal.ec import catalog, model
from app.fiscal.ec.documents.base import DocumentType
from app.fiscal.ec.documents.common import (
    Reader, ZERO, add_contact_fields, check_additional_count, check_payments, read_modified, read_party,
    read_payments)
from app.fiscal.ec.documents.xml_parts import buyer_with_special, issuer_block, modified_ref, money, payments, sub
from app.fiscal.ec.totals import CENT, Checker, child, children, dec, tax_value, txt


def parse(r: Reader, body: dict, header: dict, company: Company) -> model.DebitNote:
    buyer = read_party(r, r.obj(body, "comprador", "comprador"), "comprador", allow_final=False, who="el comprador")
    modified = read_modified(r, body, header["issued"])
    mark = len(r.ec.errors)
    key = "motivos" if body.get("motivos") is not None else "items"  # the seed's example says "items"
    reasons = []
    for i, m in enumerate(r.items(body, key, key)):
        p = f"{key}[{i}]"
        if not isinstance(m, dict):
            r.err(p, "se esperaba un objeto", "type")
            continue
        k = "razon" if "razon" in m and "motivo" not in m else "motivo"
        reason = r.text(m, k, f"{p}.{k}")
        value = r.number(m, "valor", f"{p}.valor")
        if reason and value is not None:
            reasons.append(model.DebitReason(reason, value))
    subtotal = sum((m.value for m in reasons), ZERO)
    tot = r.obj(body, "totales", "totales", required=False)
    taxes: list[model.TaxTotal] = []
    if tot is not None:
        declared_sub = r.number(tot, "total_sin_impuestos", "totales.total_sin_impuestos", required=False)
        if declared_sub is not None and reasons and declared_sub != subtotal:
            r.err("totales.total_sin_impuestos", f"el valor {declared_sub:.2f} no coincide con la suma de los "
                  f"motivos {subtotal:.2f} (diferencia {declared_sub - subtotal:+.2f})", "mismatch")
        for j, t in enumerate(r.items(tot, "impuestos", "totales.impuestos")):
            tp = f"totales.impuestos[{j}]"
            if not isinstance(t, dict):
                r.err(tp, "se esperaba un objeto", "type")
                continue
            c = r.code(t, "codigo", f"{tp}.codigo", 1)
            cp = r.code(t, "codigo_porcentaje", f"{tp}.codigo_porcentaje", 4)
            cp = (cp.lstrip("0") or "0") if cp else cp
            if c and c != catalog.IVA:
                r.err(f"{tp}.codigo", "la nota de débito solo admite IVA (código 2)", "tax_code")
                continue
            if cp and cp not in catalog.IVA_RATES:
                r.err(f"{tp}.codigo_porcentaje", f"código de IVA desconocido '{cp}'", "tax_code")
                continue
            base = r.number(t, "base_imponible", f"{tp}.base_imponible")
            if not (c and cp) or base is None:
                continue
            rate = catalog.IVA_RATES[cp]
            declared_rate = r.number(t, "tarifa", f"{tp}.tarifa", required=False)
            if declared_rate is not None and declared_rate != rate:
                r.err(f"{tp}.tarifa", f"la tarifa {declared_rate} no corresponde al código {cp} ({rate} %)", "rate")
            valor = tax_value(base, rate)
            r.compare(f"{tp}.valor", r.number(t, "valor", f"{tp}.valor", required=False), valor)
            taxes.append(model.TaxTotal(c, cp, rate, base, valor))
        bases = sum((t.base for t in taxes), ZERO)
        if taxes and reasons and bases != subtotal and len(r.ec.errors) == mark:
            r.err("totales.impuestos", f"la suma de las bases imponibles {bases:.2f} no coincide con el total de "
                                       f"los motivos {subtotal:.2f}", "mismatch")
    total = subtotal + sum((t.valor for t in taxes), ZERO)
    if tot is not None and len(r.ec.errors) == mark:
        r.compare("totales.importe_total", r.number(tot, "importe_total", "totales.importe_total", required=False), total)
    payments = read_payments(r, body, required=False)
    if len(r.ec.errors) == mark:
        check_payments(r, payments, total)
    add_contact_fields(buyer, header["additional"])
    check_additional_count(r, header["additional"])
    return model.DebitNote(**header, buyer=buyer, modified=modified, reasons=reasons, taxes=taxes,
                           subtotal=subtotal, total=total, payments=payments)


def build(root, doc: model.DebitNote, company: Company) -> None:
    info = sub(root, "infoNotaDebito")
    issuer_block(info, company, doc)
    buyer_with_special(info, company, doc.buyer)
    modified_ref(info, doc.modified)
    sub(info, "totalSinImpuestos", money(doc.subtotal))
    imps = sub(info, "impuestos")
    for t in doc.taxes:
        im = sub(imps, "impuesto")
        sub(im, "codigo", t.codigo)
        sub(im, "codigoPorcentaje", t.codigo_porcentaje)
        sub(im, "tarifa", money(t.tarifa))
        sub(im, "baseImponible", money(t.base))
        sub(im, "valor", money(t.valor))
    sub(info, "valorTotal", money(doc.total))
    payments(info, doc.payments)
    mot = sub(root, "motivos")
    for m in doc.reasons:
        me = sub(mot, "motivo")
        sub(me, "razon", m.reason)
        sub(me, "valor", money(m.value))


def check(c: Checker, root) -> None:
    info = child(root, "infoNotaDebito")
    motivos = children(child(root, "motivos"), "motivo")
    subtotal = sum((dec(m, "valor", ZERO) for m in motivos), ZERO)
    c.same("totalSinImpuestos", dec(info, "totalSinImpuestos"), subtotal)
    taxes = ZERO
    for t in children(child(info, "impuestos"), "impuesto"):
        code = txt(t, "codigo")
        base, valor, tarifa = dec(t, "baseImponible", ZERO), dec(t, "valor", ZERO), dec(t, "tarifa")
        taxes += valor
        if code == "2" and tarifa is not None:
            c.same(f"valor del IVA código {txt(t, 'codigoPorcentaje')}", valor, tax_value(base, tarifa), CENT)
    declared_sub = dec(info, "totalSinImpuestos", subtotal)
    total = dec(info, "valorTotal")
    c.same("valorTotal", total, declared_sub + taxes)  # a sum: exact
    if total is not None:
        c.payments(info, total)


TYPE = DocumentType(
    kind="debit-notes", cod_doc="05", root="notaDebito", info="infoNotaDebito", version="1.0.0",
    schemas={"1.0.0": "NotaDebito_V1.0.0.xsd"},
    name="nota de débito", title="NOTA DE DÉBITO", model=model.DebitNote,
    parse=parse, build=build, check=check,
)
