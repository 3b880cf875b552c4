"""XML pieces every SRI document type shares (lxml elements only: escaping is lxml's job).

Element order follows the XSDs in resources/xsd/ec; each type's own blocks live in its module.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from app.core.company import Company
from app.core.errors import ConfigurationError
from app.core.money import decimals_of, fmt
from app.fiscal.ec import model, text


def clean(value: str, what: str) -> str:
    try:
        return text.clean(str(value))
    except ValueError as exc:
        raise ConfigurationError(f"{what}: {exc}") from None


def sub(parent, tag: str, value=None):
    el = etree.SubElement(parent, tag)
    if value is not None:
        el.text = clean(value, tag)
    return el


def opt(parent, tag: str, value) -> None:
    """Optional element: emitted only when there is a value."""
    if value is None or value == "":
        return
    sub(parent, tag, value)


def money(v: Decimal) -> str:
    return fmt(v, 2)


def qty(v: Decimal) -> str:
    """cantidad / precioUnitario: as many decimals as given, at least 2, at most 6 (datil
    refuses more)."""
    return fmt(v, min(max(decimals_of(v), 2), 6))


def date_text(d: date) -> str:
    return f"{d:%d/%m/%Y}"


def info_tributaria(root, company: Company, doc: model.Document, clave: str, sequential: int) -> None:
    it = sub(root, "infoTributaria")
    sub(it, "ambiente", company.ambiente)
    sub(it, "tipoEmision", "1")
    sub(it, "razonSocial", company.razon_social)
    opt(it, "nombreComercial", company.nombre_comercial)
    sub(it, "ruc", company.ruc)
    sub(it, "claveAcceso", clave)
    sub(it, "codDoc", doc.cod_doc)
    sub(it, "estab", doc.estab)
    sub(it, "ptoEmi", doc.pto_emi)
    sub(it, "secuencial", f"{sequential:09d}")
    sub(it, "dirMatriz", company.address)
    opt(it, "agenteRetencion", company.agente_retencion.lstrip("0") if company.agente_retencion else "")
    opt(it, "contribuyenteRimpe", company.rimpe)


def issuer_block(info, company: Company, doc: model.Document, *, date_first=True) -> None:
    if date_first:
        sub(info, "fechaEmision", date_text(doc.issued))
    opt(info, "dirEstablecimiento", company.establishment(doc.estab).address)


def special(info, company: Company) -> None:
    opt(info, "contribuyenteEspecial", company.contribuyente_especial)
    sub(info, "obligadoContabilidad", "SI" if company.obligado_contabilidad else "NO")


def details(parent, pairs) -> None:
    if not pairs:
        return
    da = sub(parent, "detallesAdicionales")
    for name, value in pairs:
        el = sub(da, "detAdicional")
        el.set("nombre", clean(name, "detAdicional"))
        el.set("valor", clean(value, "detAdicional"))


def additional(root, doc: model.Document) -> None:
    if not doc.additional:
        return
    ia = sub(root, "infoAdicional")
    for name, value in doc.additional:
        el = sub(ia, "campoAdicional", value)
        el.set("nombre", clean(name, "campoAdicional"))


def payments(parent, items, *, with_terms=True) -> None:
    if not items:
        return
    ps = sub(parent, "pagos")
    for p in items:
        pe = sub(ps, "pago")
        sub(pe, "formaPago", p.forma_pago)
        sub(pe, "total", money(p.total))
        if with_terms and p.plazo is not None:
            sub(pe, "plazo", money(p.plazo))
            opt(pe, "unidadTiempo", p.unidad_tiempo)


def tax_totals(info, taxes, *, tarifa: bool) -> None:
    tci = sub(info, "totalConImpuestos")
    for t in taxes:
        ti = sub(tci, "totalImpuesto")
        sub(ti, "codigo", t.codigo)
        sub(ti, "codigoPorcentaje", t.codigo_porcentaje)
        sub(ti, "baseImponible", money(t.base))
        if tarifa:
            sub(ti, "tarifa", money(t.tarifa))
        sub(ti, "valor", money(t.valor))


def sale_lines(root, lines, *, credit_note=False) -> None:
    dets = sub(root, "detalles")
    for ln in lines:
        d = sub(dets, "detalle")
        opt(d, "codigoInterno" if credit_note else "codigoPrincipal", ln.main_code)
        opt(d, "codigoAdicional" if credit_note else "codigoAuxiliar", ln.aux_code)
        sub(d, "descripcion", ln.description)
        if not credit_note:
            opt(d, "unidadMedida", ln.unit)
        sub(d, "cantidad", qty(ln.quantity))
        sub(d, "precioUnitario", qty(ln.unit_price))
        sub(d, "descuento", money(ln.discount))
        sub(d, "precioTotalSinImpuesto", money(ln.subtotal))
        details(d, ln.details)
        imps = sub(d, "impuestos")
        for t in ln.taxes:
            im = sub(imps, "impuesto")
            sub(im, "codigo", t.codigo)
            sub(im, "codigoPorcentaje", t.codigo_porcentaje)
            sub(im, "tarifa", money(t.tarifa))
            sub(im, "baseImponible", money(t.base))
            sub(im, "valor", money(t.valor))


def buyer_with_special(info, company, buyer: model.Party) -> None:
    """NC/ND order: comprador first, then contribuyenteEspecial/obligadoContabilidad."""
    sub(info, "tipoIdentificacionComprador", buyer.id_type)
    sub(info, "razonSocialComprador", buyer.name)
    sub(info, "identificacionComprador", buyer.id)
    special(info, company)


def modified_ref(info, ref: model.DocRef) -> None:
    sub(info, "codDocModificado", ref.cod_doc)
    sub(info, "numDocModificado", ref.number)
    sub(info, "fechaEmisionDocSustento", date_text(ref.issued))
