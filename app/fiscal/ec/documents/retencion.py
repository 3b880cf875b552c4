"""Comprobante de retención 2.0.0 (codDoc 07). Dátil sends flat items; version 2.0.0 groups them
by supporting document (docSustento), whose totals, taxes and payments come in `documentos_sustento`."""
from __future__ import annotations

import re
from datetime import date

from app.core.company import Company
from app.fiscal.ec import catalog, identity, model
from app.fiscal.ec.documents.base import DocumentType
from app.fiscal.ec.documents.common import (
    Reader, ZERO, add_contact_fields, check_additional_count, check_payments, read_party, read_payments)
from app.fiscal.ec.documents.xml_parts import date_text, issuer_block, money, opt, payments, special, sub
from app.fiscal.ec.totals import CENT, Checker, child, children, dec, tax_value, txt


def parse(r: Reader, body: dict, header: dict, company: Company) -> model.Retention:
    subject = read_party(r, r.obj(body, "sujeto", "sujeto"), "sujeto", allow_final=False, who="el sujeto retenido")
    period = r.text(body, "periodo_fiscal", "periodo_fiscal", max_len=7, required=False)
    if period and not re.fullmatch(r"(0[1-9]|1[0-2])/20\d\d", period):
        r.err("periodo_fiscal", f"'{period}' no tiene el formato MM/AAAA")
    if not period:
        period = f"{header['issued']:%m/%Y}"
    related = body.get("parte_relacionada", False)
    if not isinstance(related, bool):
        r.err("parte_relacionada", "se esperaba true o false", "type")
        related = False
    if company.contribuyente_especial and len(company.contribuyente_especial) > 5:
        r.err("emisor.contribuyente_especial", "el comprobante de retención 2.0.0 admite como máximo 5 caracteres "
              "en la resolución de contribuyente especial", "configuration")
    # Dátil's flat items, grouped by supporting document.
    groups: dict[str, list] = {}
    meta: dict[str, tuple] = {}
    for i, it in enumerate(r.items(body, "items", "items")):
        p = f"items[{i}]"
        if not isinstance(it, dict):
            r.err(p, "se esperaba un objeto", "type")
            continue
        item = _retention_item(r, it, p)
        cod = r.code(it, "tipo_documento_sustento", f"{p}.tipo_documento_sustento", 2)
        num = r.text(it, "numero_documento_sustento", f"{p}.numero_documento_sustento", max_len=17)
        digits = num.replace("-", "")
        if num and not re.fullmatch(r"\d{15}", digits):
            r.err(f"{p}.numero_documento_sustento", f"'{num}' no tiene el formato 001-001-000000001")
            digits = ""
        d = r.day(it, "fecha_emision_documento_sustento", f"{p}.fecha_emision_documento_sustento")
        if d and d > header["issued"]:
            r.err(f"{p}.fecha_emision_documento_sustento", "el documento sustento no puede ser posterior a la "
                                                           "retención")
        if item and digits and cod and d:
            groups.setdefault(digits, []).append(item)
            meta.setdefault(digits, (cod, d, p))
    # Extra data version 2.0.0 needs and Dátil's body lacks.
    extra: dict[str, tuple[str, dict]] = {}
    for j, ds in enumerate(r.items(body, "documentos_sustento", "documentos_sustento", required=False)):
        dp = f"documentos_sustento[{j}]"
        if not isinstance(ds, dict):
            r.err(dp, "se esperaba un objeto", "type")
            continue
        num = str(ds.get("numero") or "").replace("-", "")
        if not re.fullmatch(r"\d{15}", num):
            r.err(f"{dp}.numero", "es obligatorio con formato 001-001-000000001", "required")
            continue
        extra[num] = (dp, ds)
    docs = []
    for num, items in groups.items():
        cod, d, first_path = meta[num]
        if num not in extra:
            r.err(f"{first_path}.numero_documento_sustento",
                  f"falta el documento sustento {num[:3]}-{num[3:6]}-{num[6:]} en documentos_sustento: el comprobante "
                  "de retención 2.0.0 exige su código de sustento, totales, impuestos y formas de pago", "sustento")
            continue
        dp, ds = extra[num]
        docs.append(_supporting_doc(r, ds, dp, cod, num, d, items))
    for num, (dp, _ds) in extra.items():
        if num not in groups:
            r.err(f"{dp}.numero", "ningún ítem retiene sobre este documento sustento", "sustento")
    id_type = subject.id_type if subject else ""
    kind = "02" if subject and identity.is_company_ruc(subject.id) and id_type == catalog.ID_RUC else "01"
    sujeto = body.get("sujeto") if isinstance(body.get("sujeto"), dict) else {}
    if sujeto.get("tipo_sujeto") not in (None, ""):  # only the caller knows it for passports
        kind = r.code(sujeto, "tipo_sujeto", "sujeto.tipo_sujeto", 2, default=kind)
        if kind not in ("01", "02"):
            r.err("sujeto.tipo_sujeto", "debe ser 01 (persona natural) o 02 (sociedad)")
    add_contact_fields(subject, header["additional"])
    check_additional_count(r, header["additional"])
    return model.Retention(**header, subject=subject, subject_kind=kind, related_party=related,
                           fiscal_period=period, docs=docs)


def _retention_item(r: Reader, it: dict, p: str) -> model.RetentionItem | None:
    c = r.code(it, "codigo", f"{p}.codigo", 1)
    cp = r.text(it, "codigo_porcentaje", f"{p}.codigo_porcentaje", max_len=5)
    base = r.number(it, "base_imponible", f"{p}.base_imponible")
    rate = r.number(it, "porcentaje", f"{p}.porcentaje", required=False)
    if c and c not in catalog.RETENTION_TAXES:
        r.err(f"{p}.codigo", f"impuesto a retener desconocido '{c}' (1 renta, 2 IVA, 6 ISD)", "tax_code")
        return None
    table = {catalog.RET_IVA: catalog.IVA_RETENTION_RATES, catalog.RET_ISD: catalog.ISD_RETENTION_RATES}.get(c)
    if table is not None and cp:
        if cp not in table:
            r.err(f"{p}.codigo_porcentaje", f"código de retención de {catalog.RETENTION_TAXES[c]} desconocido '{cp}' "
                  f"(válidos: {', '.join(table)})", "tax_code")
            return None
        if rate is not None and rate != table[cp]:
            r.err(f"{p}.porcentaje", f"el porcentaje {rate} no corresponde al código {cp} ({table[cp]} %)", "rate")
            return None
        rate = table[cp]
    elif c == catalog.RET_RENTA and rate is None:
        r.err(f"{p}.porcentaje", "es obligatorio para retenciones de renta", "required")
    if rate is not None and rate > 100:
        r.err(f"{p}.porcentaje", "no puede superar 100")
        return None
    if not (c and cp) or base is None or rate is None:
        return None
    valor = tax_value(base, rate)
    r.compare(f"{p}.valor_retenido", r.number(it, "valor_retenido", f"{p}.valor_retenido", required=False), valor)
    return model.RetentionItem(c, cp, base, rate, valor)


def _supporting_doc(r: Reader, ds: dict, dp: str, cod: str, num: str, d: date, items) -> model.SupportingDoc:
    cs = r.code(ds, "codigo_sustento", f"{dp}.codigo_sustento", 2)
    pago = r.code(ds, "pago_local_exterior", f"{dp}.pago_local_exterior", 2, required=False, default="01")
    if pago not in ("01", "02"):
        r.err(f"{dp}.pago_local_exterior", "debe ser 01 (local) o 02 (exterior)")
    if pago == "02":
        r.err(f"{dp}.pago_local_exterior", "los pagos al exterior (02) no están soportados todavía", "unsupported")
    reg = r.day(ds, "fecha_registro_contable", f"{dp}.fecha_registro_contable", required=False)
    auth = r.text(ds, "numero_autorizacion", f"{dp}.numero_autorizacion", max_len=49, required=False)
    if auth and not re.fullmatch(r"\d{10,49}", auth):
        r.err(f"{dp}.numero_autorizacion", "debe tener entre 10 y 49 dígitos")
    sub = r.number(ds, "total_sin_impuestos", f"{dp}.total_sin_impuestos")
    total = r.number(ds, "importe_total", f"{dp}.importe_total")
    taxes = []
    for k, t in enumerate(r.items(ds, "impuestos", f"{dp}.impuestos")):
        tp = f"{dp}.impuestos[{k}]"
        if not isinstance(t, dict):
            r.err(tp, "se esperaba un objeto", "type")
            continue
        c = r.code(t, "codigo", f"{tp}.codigo", 1)
        cp = r.code(t, "codigo_porcentaje", f"{tp}.codigo_porcentaje", 4)
        cp = (cp.lstrip("0") or "0") if cp else cp
        base = r.number(t, "base_imponible", f"{tp}.base_imponible")
        if c == catalog.IVA:
            if cp not in catalog.IVA_RATES:
                r.err(f"{tp}.codigo_porcentaje", f"código de IVA desconocido '{cp}'", "tax_code")
                continue
            rate = catalog.IVA_RATES[cp]
            if base is None:
                continue
            valor = tax_value(base, rate)
            r.compare(f"{tp}.valor", r.number(t, "valor", f"{tp}.valor", required=False), valor)
        elif c in (catalog.ICE, catalog.IRBPNR):
            rate = r.number(t, "tarifa", f"{tp}.tarifa")
            valor = r.number(t, "valor", f"{tp}.valor")
            if base is None or rate is None or valor is None:
                continue
        else:
            if c:
                r.err(f"{tp}.codigo", f"código de impuesto desconocido '{c}'", "tax_code")
            continue
        taxes.append(model.Tax(c, cp, rate, base, valor))
    if sub is not None and total is not None and taxes:
        r.compare(f"{dp}.importe_total", total, sub + sum((t.valor for t in taxes), ZERO), len(taxes))
    payments = read_payments(r, ds, "pagos", f"{dp}.pagos")
    if total is not None:
        check_payments(r, payments, total, f"{dp}.pagos")
    return model.SupportingDoc(cod_sustento=cs, cod_doc=cod, number=num, issued=d, pago_loc_ext=pago or "01",
                               subtotal=sub or ZERO, total=total or ZERO, taxes=taxes, retentions=items,
                               payments=payments, registered=reg, authorization=auth)


def build(root, doc: model.Retention, company: Company) -> None:
    info = sub(root, "infoCompRetencion")
    issuer_block(info, company, doc)
    special(info, company)
    sub(info, "tipoIdentificacionSujetoRetenido", doc.subject.id_type)
    if doc.subject.id_type in (catalog.ID_PASAPORTE, catalog.ID_EXTERIOR):
        sub(info, "tipoSujetoRetenido", doc.subject_kind)
    sub(info, "parteRel", "SI" if doc.related_party else "NO")
    sub(info, "razonSocialSujetoRetenido", doc.subject.name)
    sub(info, "identificacionSujetoRetenido", doc.subject.id)
    sub(info, "periodoFiscal", doc.fiscal_period)
    dss = sub(root, "docsSustento")
    for d in doc.docs:
        ds = sub(dss, "docSustento")
        sub(ds, "codSustento", d.cod_sustento)
        sub(ds, "codDocSustento", d.cod_doc)
        sub(ds, "numDocSustento", d.number)
        sub(ds, "fechaEmisionDocSustento", date_text(d.issued))
        if d.registered:
            sub(ds, "fechaRegistroContable", date_text(d.registered))
        opt(ds, "numAutDocSustento", d.authorization)
        sub(ds, "pagoLocExt", d.pago_loc_ext)
        sub(ds, "totalSinImpuestos", money(d.subtotal))
        sub(ds, "importeTotal", money(d.total))
        ids = sub(ds, "impuestosDocSustento")
        for t in d.taxes:
            it = sub(ids, "impuestoDocSustento")
            sub(it, "codImpuestoDocSustento", t.codigo)
            sub(it, "codigoPorcentaje", t.codigo_porcentaje)
            sub(it, "baseImponible", money(t.base))
            sub(it, "tarifa", money(t.tarifa))
            sub(it, "valorImpuesto", money(t.valor))
        rets = sub(ds, "retenciones")
        for rt in d.retentions:
            re_ = sub(rets, "retencion")
            sub(re_, "codigo", rt.codigo)
            sub(re_, "codigoRetencion", rt.codigo_retencion)
            sub(re_, "baseImponible", money(rt.base))
            sub(re_, "porcentajeRetener", money(rt.rate))
            sub(re_, "valorRetenido", money(rt.valor))
        payments(ds, d.payments, with_terms=False)


def _check_retention_item(c: Checker, r, label: str, rate_tag: str) -> None:
    base, rate, valor = dec(r, "baseImponible", ZERO), dec(r, rate_tag, ZERO), dec(r, "valorRetenido")
    c.same(f"valorRetenido de {label}", valor, tax_value(base, rate), CENT)


def check(c: Checker, root) -> None:
    docs = children(child(root, "docsSustento"), "docSustento")
    if docs:  # version 2.0.0
        for d_i, d in enumerate(docs, start=1):
            ident = txt(d, "numDocSustento") or str(d_i)
            taxes = ZERO
            imps = children(child(d, "impuestosDocSustento"), "impuestoDocSustento")
            for t in imps:
                base, tarifa, valor = dec(t, "baseImponible", ZERO), dec(t, "tarifa"), dec(t, "valorImpuesto", ZERO)
                taxes += valor
                code = txt(t, "codImpuestoDocSustento")
                if code == "2" and tarifa is not None:
                    c.same(f"valorImpuesto del documento sustento {ident}", valor, tax_value(base, tarifa),
                           CENT)
            sub, total = dec(d, "totalSinImpuestos", ZERO), dec(d, "importeTotal")
            c.same(f"importeTotal del documento sustento {ident}", total, sub + taxes, CENT * max(len(imps), 1))
            for r_i, r in enumerate(children(child(d, "retenciones"), "retencion"), start=1):
                _check_retention_item(c, r, f"la retención {r_i} del documento sustento {ident}", "porcentajeRetener")
            pagos = children(child(d, "pagos"), "pago")
            if pagos and total is not None:
                paid = sum((dec(p, "total", ZERO) for p in pagos), ZERO)
                if paid != total:
                    c.problems.append(f"ERROR EN DIFERENCIAS: la suma de las formas de pago {paid:.2f} del "
                                      f"documento sustento {ident} no coincide con el importeTotal {total:.2f}")
    else:  # version 1.0.0
        for r_i, r in enumerate(children(child(root, "impuestos"), "impuesto"), start=1):
            _check_retention_item(c, r, f"la retención {r_i}", "porcentajeRetener")


TYPE = DocumentType(
    kind="retentions", cod_doc="07", root="comprobanteRetencion", info="infoCompRetencion", version="2.0.0",
    schemas={"1.0.0": "ComprobanteRetencion_V1.0.0.xsd", "2.0.0": "ComprobanteRetencion_V2.0.0.xsd"},
    name="comprobante de retención", title="COMPROBANTE DE RETENCIÓN", model=model.Retention,
    parse=parse, build=build, check=check,
    party=lambda doc: doc.subject,
)
