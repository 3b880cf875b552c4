"""Liquidación de compra de bienes y prestación de servicios (codDoc 03): the issuer buys from
someone who cannot invoice; IVA only."""
from __future__ import annotations

from app.core.company import Company
from app.fiscal.ec import model
from app.fiscal.ec.documents.base import DocumentType
from app.fiscal.ec.documents.common import (
    Reader, ZERO, add_contact_fields, check_additional_count, check_payments, compare_declared_totals, read_lines,
    read_party, read_payments, sale_totals)
from app.fiscal.ec.documents.xml_parts import (
    issuer_block, money, opt, payments, sale_lines, special, sub, tax_totals)
from app.fiscal.ec.totals import Checker, check_sale


def parse(r: Reader, body: dict, header: dict, company: Company) -> model.PurchaseSettlement:
    supplier = read_party(r, r.obj(body, "proveedor", "proveedor"), "proveedor", allow_final=False,
                      who="el proveedor")
    mark = len(r.ec.errors)
    lines = read_lines(r, body, iva_only=True)
    lines_ok = len(r.ec.errors) == mark
    subtotal, discount, taxes = sale_totals(r, body, lines)
    total = subtotal + sum((t.valor for t in taxes), ZERO)
    tot = r.obj(body, "totales", "totales", required=False)
    if tot is not None and lines and lines_ok:
        compare_declared_totals(r, tot, lines, subtotal, taxes, total, discount)
    payments = read_payments(r, body)
    if lines_ok and lines:
        check_payments(r, payments, total)
    add_contact_fields(supplier, header["additional"])
    check_additional_count(r, header["additional"])
    return model.PurchaseSettlement(**header, supplier=supplier, lines=lines, taxes=taxes, subtotal=subtotal,
                                    discount=discount, total=total, payments=payments)


def build(root, doc: model.PurchaseSettlement, company: Company) -> None:
    info = sub(root, "infoLiquidacionCompra")
    issuer_block(info, company, doc)
    special(info, company)
    sub(info, "tipoIdentificacionProveedor", doc.supplier.id_type)
    sub(info, "razonSocialProveedor", doc.supplier.name)
    sub(info, "identificacionProveedor", doc.supplier.id)
    opt(info, "direccionProveedor", doc.supplier.address)
    sub(info, "totalSinImpuestos", money(doc.subtotal))
    sub(info, "totalDescuento", money(doc.discount))
    tax_totals(info, doc.taxes, tarifa=True)
    sub(info, "importeTotal", money(doc.total))
    sub(info, "moneda", doc.currency)
    payments(info, doc.payments)
    sale_lines(root, doc.lines)


def check(c: Checker, root) -> None:
    check_sale(c, root, "infoLiquidacionCompra", "importeTotal")


TYPE = DocumentType(
    kind="purchase-settlements", cod_doc="03", root="liquidacionCompra", info="infoLiquidacionCompra", version="1.1.0",
    schemas={"1.0.0": "LiquidacionCompra_V1.0.0.xsd", "1.1.0": "LiquidacionCompra_V1.1.0.xsd"},
    name="liquidación de compra", title="LIQUIDACIÓN DE COMPRA DE BIENES Y PRESTACIÓN DE SERVICIOS",
    model=model.PurchaseSettlement,
    parse=parse, build=build, check=check,
    party=lambda doc: doc.supplier,
)
