"""Factura (codDoc 01): the Dátil body, its XML, its arithmetic check."""
from __future__ import annotations

import re
from decimal import Decimal

from app.core.company import Company
from app.fiscal.ec import catalog, model
from app.fiscal.ec.documents.base import DocumentType
from app.fiscal.ec.documents.common import (
    Reader, ZERO, add_contact_fields, check_additional_count, check_payments, compare_declared_totals,
    read_doc_number, read_lines, read_party, read_payments, sale_totals)
from app.fiscal.ec.documents.xml_parts import (
    issuer_block, money, opt, payments, sale_lines, special, sub, tax_totals)
from app.fiscal.ec.totals import Checker, check_sale


def parse(r: Reader, body: dict, header: dict, company: Company) -> model.Invoice:
    buyer_obj = r.obj(body, "comprador", "comprador", required=False)
    if buyer_obj is None:
        buyer = model.Party(catalog.ID_CONSUMIDOR_FINAL, catalog.CONSUMIDOR_FINAL_ID, catalog.CONSUMIDOR_FINAL_NAME)
    else:
        buyer = read_party(r, buyer_obj, "comprador", allow_final=True, who="el comprador")
    mark = len(r.ec.errors)
    lines = read_lines(r, body)
    lines_ok = len(r.ec.errors) == mark
    subtotal, discount, taxes = sale_totals(r, body, lines)
    tot = r.obj(body, "totales", "totales", required=False)
    tip = ZERO
    if tot is not None:
        tip = r.number(tot, "propina", "totales.propina", required=False, default=ZERO) or ZERO
        da = r.number(tot, "descuento_adicional", "totales.descuento_adicional", required=False)
        if da:
            r.err("totales.descuento_adicional", "el descuento adicional no está soportado; "
                                                 "aplíquelo como descuento de los ítems", "unsupported")
    if tip and subtotal and tip > subtotal * Decimal("0.10"):
        r.warnings.append(f"totales.propina: la propina {tip:.2f} supera el 10 % del subtotal {subtotal:.2f}")
    export = _export(r, body)
    extras = export.extras() if export else ZERO
    total = subtotal + sum((t.valor for t in taxes), ZERO) + tip + extras
    if tot is not None and lines and lines_ok:
        compare_declared_totals(r, tot, lines, subtotal, taxes, total, discount)
    if body.get("compensaciones"):
        r.err("compensaciones", "la compensación solidaria de IVA (Manabí y Esmeraldas) ya no está vigente",
              "unsupported")
    payments = read_payments(r, body)
    if lines_ok and lines:
        check_payments(r, payments, total)
    if buyer is not None and buyer.id_type == catalog.ID_CONSUMIDOR_FINAL and total > catalog.CONSUMIDOR_FINAL_LIMIT:
        r.err("comprador.tipo_identificacion", f"una factura de {total:.2f} USD a consumidor final no es admitida: "
              f"sobre {catalog.CONSUMIDOR_FINAL_LIMIT} USD el comprador debe identificarse", "final_consumer_limit")
    guia = read_doc_number(r, body, "guia_remision", "guia_remision", required=False)
    credit = r.obj(body, "credito", "credito", required=False)
    additional = header["additional"]
    if credit is not None:
        due = r.day(credit, "fecha_vencimiento", "credito.fecha_vencimiento")
        amount = r.number(credit, "monto", "credito.monto")
        if due and amount is not None:
            additional.append(("Crédito", f"{amount:.2f} USD, vence el {due:%d/%m/%Y}"))
    add_contact_fields(buyer, additional)
    retentions = []
    for i, rt in enumerate(r.items(body, "retenciones", "retenciones", required=False)):
        p = f"retenciones[{i}]"
        if not isinstance(rt, dict):
            r.err(p, "se esperaba un objeto", "type")
            continue
        c = r.code(rt, "codigo", f"{p}.codigo", 1)
        cp = r.code(rt, "codigo_porcentaje", f"{p}.codigo_porcentaje", 3)
        cp = (cp.lstrip("0") or "0") if cp else cp
        if c and c != "4":
            r.err(f"{p}.codigo", "la retención en la factura solo admite el código 4 (IVA presuntivo y renta)")
        if cp and cp not in catalog.PRESUMPTIVE_RETENTION_CODES:
            r.err(f"{p}.codigo_porcentaje", f"código de retención desconocido '{cp}'")
        tarifa = r.number(rt, "tarifa", f"{p}.tarifa")
        valor = r.number(rt, "valor", f"{p}.valor")
        if c and cp and tarifa is not None and valor is not None:
            retentions.append(model.PresumptiveRetention(c, cp, tarifa, valor))
    check_additional_count(r, additional)
    return model.Invoice(**header, buyer=buyer, lines=lines, taxes=taxes, subtotal=subtotal, discount=discount,
                         tip=tip, total=total, payments=payments, guia_remision=guia,
                         retained_iva=r.number(body, "valor_retenido_iva", "valor_retenido_iva", required=False),
                         retained_renta=r.number(body, "valor_retenido_renta", "valor_retenido_renta",
                                                 required=False),
                         retentions=retentions, export=export)


def _export(r: Reader, body: dict) -> model.Export | None:
    ex = r.obj(body, "exportacion", "exportacion", required=False)
    if ex is None:
        return None
    inc = r.obj(ex, "incoterm", "exportacion.incoterm") or {}
    ori = r.obj(ex, "origen", "exportacion.origen") or {}
    des = r.obj(ex, "destino", "exportacion.destino") or {}
    tot = r.obj(ex, "totales", "exportacion.totales", required=False) or {}

    def country(obj, key, path, required=True):
        v = r.text(obj, key, path, max_len=10, required=required)
        if v and not re.fullmatch(r"\d{3}", v):
            r.err(path, f"'{v}' no es un código de país del SRI: el esquema exige el código numérico de "
                        "3 dígitos de la tabla de países del SRI, no el código ISO de 2 letras", "country")
            return ""
        return v

    def upper10(obj, key, path):
        v = r.text(obj, key, path, max_len=10)
        if v and not re.fullmatch(r"[A-Z]+", v):
            r.err(path, f"'{v}' debe ser un código en mayúsculas (p. ej. FOB, CIF)")
        return v

    return model.Export(
        incoterm=upper10(inc, "termino", "exportacion.incoterm.termino"),
        incoterm_place=r.text(inc, "lugar", "exportacion.incoterm.lugar"),
        incoterm_total=upper10(inc, "total_sin_impuestos", "exportacion.incoterm.total_sin_impuestos"),
        origin_country=country(ori, "codigo_pais", "exportacion.origen.codigo_pais"),
        origin_port=r.text(ori, "puerto", "exportacion.origen.puerto"),
        destination_country=country(des, "codigo_pais", "exportacion.destino.codigo_pais"),
        destination_port=r.text(des, "puerto", "exportacion.destino.puerto"),
        acquisition_country=country(ex, "codigo_pais_adquisicion", "exportacion.codigo_pais_adquisicion",
                                    required=False),
        freight=r.number(tot, "flete_internacional", "exportacion.totales.flete_internacional", required=False),
        insurance=r.number(tot, "seguro_internacional", "exportacion.totales.seguro_internacional", required=False),
        customs=r.number(tot, "gastos_aduaneros", "exportacion.totales.gastos_aduaneros", required=False),
        other_transport=r.number(tot, "otros_gastos_transporte", "exportacion.totales.otros_gastos_transporte",
                                 required=False),
    )


def build(root, doc: model.Invoice, company: Company) -> None:
    info = sub(root, "infoFactura")
    issuer_block(info, company, doc)
    special(info, company)
    ex = doc.export
    if ex:
        sub(info, "comercioExterior", "EXPORTADOR")
        sub(info, "incoTermFactura", ex.incoterm)
        sub(info, "lugarIncoTerm", ex.incoterm_place)
        sub(info, "paisOrigen", ex.origin_country)
        sub(info, "puertoEmbarque", ex.origin_port)
        sub(info, "puertoDestino", ex.destination_port)
        sub(info, "paisDestino", ex.destination_country)
        opt(info, "paisAdquisicion", ex.acquisition_country)
    sub(info, "tipoIdentificacionComprador", doc.buyer.id_type)
    opt(info, "guiaRemision", doc.guia_remision)
    sub(info, "razonSocialComprador", doc.buyer.name)
    sub(info, "identificacionComprador", doc.buyer.id)
    opt(info, "direccionComprador", doc.buyer.address)
    sub(info, "totalSinImpuestos", money(doc.subtotal))
    if ex:
        sub(info, "incoTermTotalSinImpuestos", ex.incoterm_total)
    sub(info, "totalDescuento", money(doc.discount))
    tax_totals(info, doc.taxes, tarifa=True)
    sub(info, "propina", money(doc.tip))
    if ex:
        for tag, v in (("fleteInternacional", ex.freight), ("seguroInternacional", ex.insurance),
                       ("gastosAduaneros", ex.customs), ("gastosTransporteOtros", ex.other_transport)):
            if v is not None:
                sub(info, tag, money(v))
    sub(info, "importeTotal", money(doc.total))
    sub(info, "moneda", doc.currency)
    payments(info, doc.payments)
    if doc.retained_iva is not None:
        sub(info, "valorRetIva", money(doc.retained_iva))
    if doc.retained_renta is not None:
        sub(info, "valorRetRenta", money(doc.retained_renta))
    sale_lines(root, doc.lines)
    if doc.retentions:
        rets = sub(root, "retenciones")
        for rt in doc.retentions:
            re_ = sub(rets, "retencion")
            sub(re_, "codigo", rt.codigo)
            sub(re_, "codigoPorcentaje", rt.codigo_porcentaje)
            sub(re_, "tarifa", money(rt.tarifa))
            sub(re_, "valor", money(rt.valor))


def check(c: Checker, root) -> None:
    check_sale(c, root, "infoFactura", "importeTotal")


TYPE = DocumentType(
    kind="invoices", cod_doc="01", root="factura", info="infoFactura", version="1.1.0",
    schemas={"1.0.0": "factura_V1.0.0.xsd", "1.1.0": "factura_V1.1.0.xsd", "2.0.0": "factura_V2.0.0.xsd",
             "2.1.0": "factura_V2.1.0.xsd"},
    name="factura", title="FACTURA", model=model.Invoice,
    parse=parse, build=build, check=check,
)
