"""Document model -> unsigned SRI XML (lxml elements only: escaping is lxml's job).

Root: <tag id="comprobante" version="X.Y.Z"> with no namespace declarations (the XAdES
signature digests the root with inclusive C14N; a namespace there would leak into every
digest, REFERENCE §3.3-2). Element order follows the XSDs in resources/xsd/ec.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from app.core.company import Company
from app.core.errors import ConfigurationError
from app.core.money import decimals_of, fmt
from app.fiscal.base import Draft
from app.fiscal.ec import access_key, catalog, model, text

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def _clean(value: str, what: str) -> str:
    try:
        return text.clean(str(value))
    except ValueError as exc:
        raise ConfigurationError(f"{what}: {exc}") from None


def _sub(parent, tag: str, value=None):
    el = etree.SubElement(parent, tag)
    if value is not None:
        el.text = _clean(value, tag)
    return el


def _opt(parent, tag: str, value) -> None:
    """Optional element: emitted only when there is a value."""
    if value is None or value == "":
        return
    _sub(parent, tag, value)


def _money(v: Decimal) -> str:
    return fmt(v, 2)


def _qty(v: Decimal) -> str:
    """cantidad / precioUnitario: as many decimals as given, at least 2, at most 6 (datil
    refuses more)."""
    return fmt(v, min(max(decimals_of(v), 2), 6))


def _date(d: date) -> str:
    return f"{d:%d/%m/%Y}"


def _info_tributaria(root, company: Company, doc: model.Document, clave: str, sequential: int) -> None:
    it = _sub(root, "infoTributaria")
    _sub(it, "ambiente", company.ambiente)
    _sub(it, "tipoEmision", "1")
    _sub(it, "razonSocial", company.razon_social)
    _opt(it, "nombreComercial", company.nombre_comercial)
    _sub(it, "ruc", company.ruc)
    _sub(it, "claveAcceso", clave)
    _sub(it, "codDoc", doc.cod_doc)
    _sub(it, "estab", doc.estab)
    _sub(it, "ptoEmi", doc.pto_emi)
    _sub(it, "secuencial", f"{sequential:09d}")
    _sub(it, "dirMatriz", company.address)
    _opt(it, "agenteRetencion", company.agente_retencion.lstrip("0") if company.agente_retencion else "")
    _opt(it, "contribuyenteRimpe", company.rimpe)


def _issuer_block(info, company: Company, doc: model.Document, *, date_first=True) -> None:
    if date_first:
        _sub(info, "fechaEmision", _date(doc.issued))
    _opt(info, "dirEstablecimiento", company.establishment(doc.estab).address)


def _special(info, company: Company) -> None:
    _opt(info, "contribuyenteEspecial", company.contribuyente_especial)
    _sub(info, "obligadoContabilidad", "SI" if company.obligado_contabilidad else "NO")


def _details(parent, details) -> None:
    if not details:
        return
    da = _sub(parent, "detallesAdicionales")
    for name, value in details:
        el = _sub(da, "detAdicional")
        el.set("nombre", _clean(name, "detAdicional"))
        el.set("valor", _clean(value, "detAdicional"))


def _additional(root, doc: model.Document) -> None:
    if not doc.additional:
        return
    ia = _sub(root, "infoAdicional")
    for name, value in doc.additional:
        el = _sub(ia, "campoAdicional", value)
        el.set("nombre", _clean(name, "campoAdicional"))


def _payments(parent, payments, *, with_terms=True) -> None:
    if not payments:
        return
    ps = _sub(parent, "pagos")
    for p in payments:
        pe = _sub(ps, "pago")
        _sub(pe, "formaPago", p.forma_pago)
        _sub(pe, "total", _money(p.total))
        if with_terms and p.plazo is not None:
            _sub(pe, "plazo", _money(p.plazo))
            _opt(pe, "unidadTiempo", p.unidad_tiempo)


def _tax_totals(info, taxes, *, tarifa: bool) -> None:
    tci = _sub(info, "totalConImpuestos")
    for t in taxes:
        ti = _sub(tci, "totalImpuesto")
        _sub(ti, "codigo", t.codigo)
        _sub(ti, "codigoPorcentaje", t.codigo_porcentaje)
        _sub(ti, "baseImponible", _money(t.base))
        if tarifa:
            _sub(ti, "tarifa", _money(t.tarifa))
        _sub(ti, "valor", _money(t.valor))


def _sale_lines(root, lines, *, credit_note=False) -> None:
    dets = _sub(root, "detalles")
    for ln in lines:
        d = _sub(dets, "detalle")
        _opt(d, "codigoInterno" if credit_note else "codigoPrincipal", ln.main_code)
        _opt(d, "codigoAdicional" if credit_note else "codigoAuxiliar", ln.aux_code)
        _sub(d, "descripcion", ln.description)
        if not credit_note:
            _opt(d, "unidadMedida", ln.unit)
        _sub(d, "cantidad", _qty(ln.quantity))
        _sub(d, "precioUnitario", _qty(ln.unit_price))
        _sub(d, "descuento", _money(ln.discount))
        _sub(d, "precioTotalSinImpuesto", _money(ln.subtotal))
        _details(d, ln.details)
        imps = _sub(d, "impuestos")
        for t in ln.taxes:
            im = _sub(imps, "impuesto")
            _sub(im, "codigo", t.codigo)
            _sub(im, "codigoPorcentaje", t.codigo_porcentaje)
            _sub(im, "tarifa", _money(t.tarifa))
            _sub(im, "baseImponible", _money(t.base))
            _sub(im, "valor", _money(t.valor))


def _invoice(root, doc: model.Invoice, company: Company) -> None:
    info = _sub(root, "infoFactura")
    _issuer_block(info, company, doc)
    _special(info, company)
    ex = doc.export
    if ex:
        _sub(info, "comercioExterior", "EXPORTADOR")
        _sub(info, "incoTermFactura", ex.incoterm)
        _sub(info, "lugarIncoTerm", ex.incoterm_place)
        _sub(info, "paisOrigen", ex.origin_country)
        _sub(info, "puertoEmbarque", ex.origin_port)
        _sub(info, "puertoDestino", ex.destination_port)
        _sub(info, "paisDestino", ex.destination_country)
        _opt(info, "paisAdquisicion", ex.acquisition_country)
    _sub(info, "tipoIdentificacionComprador", doc.buyer.id_type)
    _opt(info, "guiaRemision", doc.guia_remision)
    _sub(info, "razonSocialComprador", doc.buyer.name)
    _sub(info, "identificacionComprador", doc.buyer.id)
    _opt(info, "direccionComprador", doc.buyer.address)
    _sub(info, "totalSinImpuestos", _money(doc.subtotal))
    if ex:
        _sub(info, "incoTermTotalSinImpuestos", ex.incoterm_total)
    _sub(info, "totalDescuento", _money(doc.discount))
    _tax_totals(info, doc.taxes, tarifa=True)
    _sub(info, "propina", _money(doc.tip))
    if ex:
        for tag, v in (("fleteInternacional", ex.freight), ("seguroInternacional", ex.insurance),
                       ("gastosAduaneros", ex.customs), ("gastosTransporteOtros", ex.other_transport)):
            if v is not None:
                _sub(info, tag, _money(v))
    _sub(info, "importeTotal", _money(doc.total))
    _sub(info, "moneda", doc.currency)
    _payments(info, doc.payments)
    if doc.retained_iva is not None:
        _sub(info, "valorRetIva", _money(doc.retained_iva))
    if doc.retained_renta is not None:
        _sub(info, "valorRetRenta", _money(doc.retained_renta))
    _sale_lines(root, doc.lines)
    if doc.retentions:
        rets = _sub(root, "retenciones")
        for rt in doc.retentions:
            re_ = _sub(rets, "retencion")
            _sub(re_, "codigo", rt.codigo)
            _sub(re_, "codigoPorcentaje", rt.codigo_porcentaje)
            _sub(re_, "tarifa", _money(rt.tarifa))
            _sub(re_, "valor", _money(rt.valor))


def _purchase_settlement(root, doc: model.PurchaseSettlement, company: Company) -> None:
    info = _sub(root, "infoLiquidacionCompra")
    _issuer_block(info, company, doc)
    _special(info, company)
    _sub(info, "tipoIdentificacionProveedor", doc.supplier.id_type)
    _sub(info, "razonSocialProveedor", doc.supplier.name)
    _sub(info, "identificacionProveedor", doc.supplier.id)
    _opt(info, "direccionProveedor", doc.supplier.address)
    _sub(info, "totalSinImpuestos", _money(doc.subtotal))
    _sub(info, "totalDescuento", _money(doc.discount))
    _tax_totals(info, doc.taxes, tarifa=True)
    _sub(info, "importeTotal", _money(doc.total))
    _sub(info, "moneda", doc.currency)
    _payments(info, doc.payments)
    _sale_lines(root, doc.lines)


def _buyer_with_special(info, company, buyer: model.Party) -> None:
    """NC/ND order: comprador first, then contribuyenteEspecial/obligadoContabilidad."""
    _sub(info, "tipoIdentificacionComprador", buyer.id_type)
    _sub(info, "razonSocialComprador", buyer.name)
    _sub(info, "identificacionComprador", buyer.id)
    _special(info, company)


def _modified(info, ref: model.DocRef) -> None:
    _sub(info, "codDocModificado", ref.cod_doc)
    _sub(info, "numDocModificado", ref.number)
    _sub(info, "fechaEmisionDocSustento", _date(ref.issued))


def _credit_note(root, doc: model.CreditNote, company: Company) -> None:
    info = _sub(root, "infoNotaCredito")
    _issuer_block(info, company, doc)
    _buyer_with_special(info, company, doc.buyer)
    _modified(info, doc.modified)
    _sub(info, "totalSinImpuestos", _money(doc.subtotal))
    _sub(info, "valorModificacion", _money(doc.total))
    _sub(info, "moneda", doc.currency)
    _tax_totals(info, doc.taxes, tarifa=False)
    _sub(info, "motivo", doc.reason)
    _sale_lines(root, doc.lines, credit_note=True)


def _debit_note(root, doc: model.DebitNote, company: Company) -> None:
    info = _sub(root, "infoNotaDebito")
    _issuer_block(info, company, doc)
    _buyer_with_special(info, company, doc.buyer)
    _modified(info, doc.modified)
    _sub(info, "totalSinImpuestos", _money(doc.subtotal))
    imps = _sub(info, "impuestos")
    for t in doc.taxes:
        im = _sub(imps, "impuesto")
        _sub(im, "codigo", t.codigo)
        _sub(im, "codigoPorcentaje", t.codigo_porcentaje)
        _sub(im, "tarifa", _money(t.tarifa))
        _sub(im, "baseImponible", _money(t.base))
        _sub(im, "valor", _money(t.valor))
    _sub(info, "valorTotal", _money(doc.total))
    _payments(info, doc.payments)
    mot = _sub(root, "motivos")
    for m in doc.reasons:
        me = _sub(mot, "motivo")
        _sub(me, "razon", m.reason)
        _sub(me, "valor", _money(m.value))


def _retention(root, doc: model.Retention, company: Company) -> None:
    info = _sub(root, "infoCompRetencion")
    _issuer_block(info, company, doc)
    _special(info, company)
    _sub(info, "tipoIdentificacionSujetoRetenido", doc.subject.id_type)
    if doc.subject.id_type in (catalog.ID_PASAPORTE, catalog.ID_EXTERIOR):
        _sub(info, "tipoSujetoRetenido", doc.subject_kind)
    _sub(info, "parteRel", "SI" if doc.related_party else "NO")
    _sub(info, "razonSocialSujetoRetenido", doc.subject.name)
    _sub(info, "identificacionSujetoRetenido", doc.subject.id)
    _sub(info, "periodoFiscal", doc.fiscal_period)
    dss = _sub(root, "docsSustento")
    for d in doc.docs:
        ds = _sub(dss, "docSustento")
        _sub(ds, "codSustento", d.cod_sustento)
        _sub(ds, "codDocSustento", d.cod_doc)
        _sub(ds, "numDocSustento", d.number)
        _sub(ds, "fechaEmisionDocSustento", _date(d.issued))
        if d.registered:
            _sub(ds, "fechaRegistroContable", _date(d.registered))
        _opt(ds, "numAutDocSustento", d.authorization)
        _sub(ds, "pagoLocExt", d.pago_loc_ext)
        _sub(ds, "totalSinImpuestos", _money(d.subtotal))
        _sub(ds, "importeTotal", _money(d.total))
        ids = _sub(ds, "impuestosDocSustento")
        for t in d.taxes:
            it = _sub(ids, "impuestoDocSustento")
            _sub(it, "codImpuestoDocSustento", t.codigo)
            _sub(it, "codigoPorcentaje", t.codigo_porcentaje)
            _sub(it, "baseImponible", _money(t.base))
            _sub(it, "tarifa", _money(t.tarifa))
            _sub(it, "valorImpuesto", _money(t.valor))
        rets = _sub(ds, "retenciones")
        for rt in d.retentions:
            re_ = _sub(rets, "retencion")
            _sub(re_, "codigo", rt.codigo)
            _sub(re_, "codigoRetencion", rt.codigo_retencion)
            _sub(re_, "baseImponible", _money(rt.base))
            _sub(re_, "porcentajeRetener", _money(rt.rate))
            _sub(re_, "valorRetenido", _money(rt.valor))
        _payments(ds, d.payments, with_terms=False)


def _waybill(root, doc: model.Waybill, company: Company) -> None:
    info = _sub(root, "infoGuiaRemision")
    _issuer_block(info, company, doc, date_first=False)
    _sub(info, "dirPartida", doc.origin)
    _sub(info, "razonSocialTransportista", doc.carrier.name)
    _sub(info, "tipoIdentificacionTransportista", doc.carrier.id_type)
    _sub(info, "rucTransportista", doc.carrier.id)
    _sub(info, "obligadoContabilidad", "SI" if company.obligado_contabilidad else "NO")
    _opt(info, "contribuyenteEspecial", company.contribuyente_especial)
    _sub(info, "fechaIniTransporte", _date(doc.start))
    _sub(info, "fechaFinTransporte", _date(doc.end))
    _sub(info, "placa", doc.plate)
    dsts = _sub(root, "destinatarios")
    for rc in doc.recipients:
        de = _sub(dsts, "destinatario")
        _sub(de, "identificacionDestinatario", rc.party.id)
        _sub(de, "razonSocialDestinatario", rc.party.name)
        _sub(de, "dirDestinatario", rc.party.address)
        _sub(de, "motivoTraslado", rc.reason)
        _opt(de, "docAduaneroUnico", rc.customs_doc)
        _opt(de, "codEstabDestino", rc.dest_estab)
        _opt(de, "ruta", rc.route)
        _opt(de, "codDocSustento", rc.doc_cod)
        _opt(de, "numDocSustento", rc.doc_number)
        _opt(de, "numAutDocSustento", rc.doc_authorization)
        if rc.doc_issued:
            _sub(de, "fechaEmisionDocSustento", _date(rc.doc_issued))
        dets = _sub(de, "detalles")
        for it in rc.items:
            d = _sub(dets, "detalle")
            _opt(d, "codigoInterno", it.main_code)
            _opt(d, "codigoAdicional", it.aux_code)
            _sub(d, "descripcion", it.description)
            _sub(d, "cantidad", _qty(it.quantity))
            _details(d, it.details)


_BUILDERS = {
    model.Invoice: _invoice,
    model.PurchaseSettlement: _purchase_settlement,
    model.CreditNote: _credit_note,
    model.DebitNote: _debit_note,
    model.Retention: _retention,
    model.Waybill: _waybill,
}


def build_element(draft: Draft, company: Company, sequential: int, codigo_numerico: str) -> tuple[str, etree._Element]:
    doc: model.Document = draft.model
    builder = _BUILDERS.get(type(doc))
    if builder is None:
        raise TypeError(f"modelo de documento desconocido: {type(doc).__name__}")
    try:
        company.establishment(doc.estab)
    except KeyError:
        raise ConfigurationError(f"el establecimiento {doc.estab} no existe en la empresa") from None
    clave = access_key.build(doc.issued, doc.cod_doc, company.ruc, company.ambiente, doc.estab, doc.pto_emi,
                             sequential, codigo_numerico)
    root = etree.Element(catalog.ROOT_TAGS[doc.cod_doc], id="comprobante", version=doc.version)
    _info_tributaria(root, company, doc, clave, sequential)
    builder(root, doc, company)
    _additional(root, doc)
    return clave, root


def build(draft: Draft, company: Company, sequential: int, codigo_numerico: str) -> tuple[str, bytes]:
    """-> (clave de acceso, unsigned XML bytes, UTF-8 with declaration, not pretty-printed)."""
    clave, root = build_element(draft, company, sequential, codigo_numerico)
    # Double-quoted declaration, like the SRI's own samples (lxml's default uses single quotes).
    return clave, XML_DECLARATION + etree.tostring(root, xml_declaration=False, encoding="UTF-8")
