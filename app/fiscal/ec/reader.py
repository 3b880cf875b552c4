"""Reads a signed SRI document (all six types) into plain printable data.

Shared by the ticket builder (app/fiscal/ec/ticket.py) and the A4 RIDE
(app/fiscal/ec/ride.py) so both print exactly what the signed XML says.
Pure: lxml in, dataclass out; no I/O, no reportlab, no python-escpos.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from app.fiscal.ec import documents
from app.render.xmlread import clean, local, parse_signed

DOC_NAMES = {t.cod_doc: t.title for t in documents.TYPES}  # "01": "FACTURA", ...
# Short names for narrow paper.
DOC_SHORT = {"03": "LIQUIDACIÓN DE COMPRA"}

PAYMENT_NAMES = {
    "01": "SIN UTILIZACIÓN DEL SISTEMA FINANCIERO",
    "15": "COMPENSACIÓN DE DEUDAS",
    "16": "TARJETA DE DÉBITO",
    "17": "DINERO ELECTRÓNICO",
    "18": "TARJETA PREPAGO",
    "19": "TARJETA DE CRÉDITO",
    "20": "OTROS CON UTILIZACIÓN DEL SISTEMA FINANCIERO",
    "21": "ENDOSO DE TÍTULOS",
}
ID_TYPES = {"04": "RUC", "05": "CÉDULA", "06": "PASAPORTE", "07": "CONSUMIDOR FINAL", "08": "ID. EXTERIOR"}
IVA_RATES = {"0": "0", "2": "12", "3": "14", "4": "15", "5": "5", "8": "8", "10": "13"}
RETENTION_TAXES = {"1": "RENTA", "2": "IVA", "6": "ISD"}
ZERO = Decimal("0")


def dec(text) -> Decimal:
    try:
        return Decimal((text or "0").strip() or "0")
    except InvalidOperation:
        raise ValueError(f"Valor numérico inválido en el XML: '{text}'") from None


def q2(d: Decimal) -> str:
    return f"{d.quantize(Decimal('0.01')):.2f}"


def qty(d: Decimal) -> str:
    """Quantity/price as written but without useless trailing zeros beyond 2 decimals."""
    s = f"{d:f}"
    if "." in s:
        whole, frac = s.split(".")
        frac = frac.rstrip("0")
        frac = frac.ljust(2, "0") if len(frac) <= 2 else frac
        return f"{whole}.{frac}"
    return s


@dataclass
class EcLine:
    description: str
    quantity: Decimal = ZERO
    unit_price: Decimal = ZERO
    discount: Decimal = ZERO
    total: Decimal = ZERO
    code: str = ""
    aux_code: str = ""
    extra: list = field(default_factory=list)  # [(name, value)]


@dataclass
class EcRetention:
    tax: str  # RENTA / IVA / ISD
    code: str
    base: Decimal
    percent: Decimal
    value: Decimal
    doc_sustento: str = ""
    num_sustento: str = ""
    fecha_sustento: str = ""


@dataclass
class EcDestination:
    party_id: str
    name: str
    address: str
    reason: str
    route: str = ""
    doc_sustento: str = ""
    num_sustento: str = ""
    aut_sustento: str = ""
    fecha_sustento: str = ""
    cod_estab: str = ""
    dau: str = ""
    lines: list = field(default_factory=list)  # EcLine (quantity + description)


@dataclass
class EcDocument:
    root: str
    version: str
    cod_doc: str
    title: str
    short_title: str
    number: str  # 001-001-000000123
    clave: str
    ambiente: str  # '1' pruebas, '2' producción
    tipo_emision: str
    razon_social: str
    nombre_comercial: str
    ruc: str
    dir_matriz: str
    dir_establecimiento: str = ""
    contribuyente_especial: str = ""
    obligado: str = ""  # SI / NO / ''
    agente_retencion: str = ""
    rimpe: str = ""
    fecha: str = ""
    party_label: str = "Cliente"
    party_name: str = ""
    party_id_type: str = ""
    party_id: str = ""
    party_address: str = ""
    guia_remision: str = ""
    modified_doc: str = ""  # 'FACTURA 001-001-000000012'
    modified_date: str = ""
    reason: str = ""  # NC motivo
    periodo_fiscal: str = ""
    currency: str = "USD"
    lines: list = field(default_factory=list)
    totals: list = field(default_factory=list)  # [(label, Decimal)] in print order, total last
    total: Decimal = ZERO
    payments: list = field(default_factory=list)  # [(name, Decimal, plazo_text, formaPago code)]
    retentions: list = field(default_factory=list)
    transport: list = field(default_factory=list)  # [(label, value)] guía header
    destinations: list = field(default_factory=list)
    info: list = field(default_factory=list)  # información adicional [(name, value)]

    @property
    def ambiente_name(self) -> str:
        return "PRODUCCIÓN" if self.ambiente == "2" else "PRUEBAS"

    @property
    def emision_name(self) -> str:
        return "NORMAL" if self.tipo_emision in ("1", "") else "CONTINGENCIA"


def _t(node, path: str) -> str:
    return clean(node.findtext(path)) if node is not None else ""


def read_ec_document(xml_or_root) -> EcDocument:
    root = parse_signed(xml_or_root) if isinstance(xml_or_root, (bytes, bytearray)) else xml_or_root
    name = local(root.tag)
    it = root.find("infoTributaria")
    if it is None:
        raise ValueError("El XML no es un comprobante del SRI (falta infoTributaria).")
    cod = _t(it, "codDoc")
    info_tag = getattr(documents.by_root(name), "info", None)
    if info_tag is None:
        raise ValueError(f"Tipo de comprobante no soportado: '{name}'.")
    info = root.find(info_tag)
    doc = EcDocument(
        root=name,
        version=root.get("version", ""),
        cod_doc=cod,
        title=DOC_NAMES.get(cod, name.upper()),
        short_title=DOC_SHORT.get(cod, DOC_NAMES.get(cod, name.upper())),
        number=f"{_t(it, 'estab')}-{_t(it, 'ptoEmi')}-{_t(it, 'secuencial')}",
        clave=_t(it, "claveAcceso"),
        ambiente=_t(it, "ambiente"),
        tipo_emision=_t(it, "tipoEmision"),
        razon_social=_t(it, "razonSocial"),
        nombre_comercial=_t(it, "nombreComercial"),
        ruc=_t(it, "ruc"),
        dir_matriz=_t(it, "dirMatriz"),
        agente_retencion=_t(it, "agenteRetencion"),
        rimpe=_t(it, "contribuyenteRimpe"),
        fecha=_t(info, "fechaEmision"),
        dir_establecimiento=_t(info, "dirEstablecimiento"),
        contribuyente_especial=_t(info, "contribuyenteEspecial"),
        obligado=_t(info, "obligadoContabilidad"),
    )
    if name in ("factura", "notaCredito", "notaDebito"):
        doc.party_name = _t(info, "razonSocialComprador")
        doc.party_id = _t(info, "identificacionComprador")
        doc.party_id_type = _t(info, "tipoIdentificacionComprador")
        doc.party_address = _t(info, "direccionComprador")
        doc.guia_remision = _t(info, "guiaRemision")
    elif name == "liquidacionCompra":
        doc.party_label = "Proveedor"
        doc.party_name = _t(info, "razonSocialProveedor")
        doc.party_id = _t(info, "identificacionProveedor")
        doc.party_id_type = _t(info, "tipoIdentificacionProveedor")
        doc.party_address = _t(info, "direccionProveedor")
    elif name == "comprobanteRetencion":
        doc.party_label = "Sujeto retenido"
        doc.party_name = _t(info, "razonSocialSujetoRetenido")
        doc.party_id = _t(info, "identificacionSujetoRetenido")
        doc.party_id_type = _t(info, "tipoIdentificacionSujetoRetenido")
        doc.periodo_fiscal = _t(info, "periodoFiscal")
    elif name == "guiaRemision":
        doc.party_label = "Transportista"
        doc.party_name = _t(info, "razonSocialTransportista")
        doc.party_id = _t(info, "rucTransportista")
        doc.party_id_type = _t(info, "tipoIdentificacionTransportista")
        doc.fecha = _t(info, "fechaIniTransporte")
    if name in ("notaCredito", "notaDebito"):
        mod = _t(info, "codDocModificado")
        doc.modified_doc = f"{DOC_NAMES.get(mod, mod)} {_t(info, 'numDocModificado')}".strip()
        doc.modified_date = _t(info, "fechaEmisionDocSustento")
        doc.reason = _t(info, "motivo")
    cur = _t(info, "moneda")
    doc.currency = "USD" if cur in ("", "DOLAR", "USD") else cur

    _read_lines(root, name, doc)
    _read_totals(info, name, doc)
    _read_payments(info, doc)
    if name == "comprobanteRetencion":
        _read_retentions(root, doc)
    if name == "guiaRemision":
        _read_guide(root, info, doc)
    for campo in root.iterfind("infoAdicional/campoAdicional"):
        doc.info.append((clean(campo.get("nombre")), clean(campo.text)))
    return doc


def _read_lines(root, name: str, doc: EcDocument) -> None:
    if name == "notaDebito":
        for m in root.iterfind("motivos/motivo"):
            v = dec(m.findtext("valor"))
            doc.lines.append(EcLine(_t(m, "razon"), Decimal(1), v, ZERO, v))
        return
    for d in root.iterfind("detalles/detalle"):
        line = EcLine(
            description=_t(d, "descripcion"),
            quantity=dec(d.findtext("cantidad")),
            unit_price=dec(d.findtext("precioUnitario")),
            discount=dec(d.findtext("descuento")),
            total=dec(d.findtext("precioTotalSinImpuesto")),
            code=_t(d, "codigoPrincipal") or _t(d, "codigoInterno"),
            aux_code=_t(d, "codigoAuxiliar") or _t(d, "codigoAdicional"),
        )
        for a in d.iterfind("detallesAdicionales/detAdicional"):
            line.extra.append((clean(a.get("nombre")), clean(a.get("valor"))))
        doc.lines.append(line)


def _tax_rows(info, name: str):
    """(codigo, codigoPorcentaje, tarifa, base, valor) of the document's tax totals."""
    path = "impuestos/impuesto" if name == "notaDebito" else "totalConImpuestos/totalImpuesto"
    for t in info.iterfind(path):
        yield (
            _t(t, "codigo"),
            _t(t, "codigoPorcentaje"),
            _t(t, "tarifa"),
            dec(t.findtext("baseImponible")),
            dec(t.findtext("valor")),
        )


def _rate_text(code_pct: str, tarifa: str) -> str:
    if tarifa:
        r = Decimal(tarifa).normalize()
        return f"{r:f}"
    return IVA_RATES.get(code_pct, code_pct)


def _read_totals(info, name: str, doc: EcDocument) -> None:
    if name in ("guiaRemision", "comprobanteRetencion"):
        return
    subtotals: list = []
    iva: list = []
    ice = irbpnr = ZERO
    for codigo, pct, tarifa, base, valor in _tax_rows(info, name):
        if codigo == "2":
            if pct == "6":
                subtotals.append(("SUBTOTAL NO OBJETO DE IVA", base))
            elif pct == "7":
                subtotals.append(("SUBTOTAL EXENTO DE IVA", base))
            elif pct == "8":
                subtotals.append(("SUBTOTAL TARIFA ESPECIAL", base))
                iva.append(("IVA TARIFA ESPECIAL", valor))
            else:
                rate = _rate_text(pct, tarifa)
                subtotals.append((f"SUBTOTAL {rate}%", base))
                if rate != "0":
                    iva.append((f"IVA {rate}%", valor))
        elif codigo == "3":
            ice += valor
        elif codigo == "5":
            irbpnr += valor
    rows = subtotals
    rows.append(("SUBTOTAL SIN IMPUESTOS", dec(info.findtext("totalSinImpuestos"))))
    if name in ("factura", "liquidacionCompra"):
        rows.append(("TOTAL DESCUENTO", dec(info.findtext("totalDescuento"))))
    if ice:
        rows.append(("ICE", ice))
    rows.extend(iva)
    if irbpnr:
        rows.append(("IRBPNR", irbpnr))
    if info.find("propina") is not None:
        rows.append(("PROPINA", dec(info.findtext("propina"))))
    total_tag = {"notaCredito": "valorModificacion", "notaDebito": "valorTotal"}.get(name, "importeTotal")
    doc.total = dec(info.findtext(total_tag))
    rows.append(("VALOR TOTAL", doc.total))
    doc.totals = rows


def _read_payments(info, doc: EcDocument) -> None:
    if info is None:
        return
    for p in info.iterfind("pagos/pago"):
        code = _t(p, "formaPago")
        plazo = _t(p, "plazo")
        plazo_text = f"{plazo} {_t(p, 'unidadTiempo')}".strip() if plazo else ""
        doc.payments.append((PAYMENT_NAMES.get(code, code), dec(p.findtext("total")), plazo_text, code))


def _read_retentions(root, doc: EcDocument) -> None:
    # v1.0.0: impuestos/impuesto; v2.0.0: docsSustento/docSustento/retenciones/retencion
    for t in root.iterfind("impuestos/impuesto"):
        doc.retentions.append(
            EcRetention(
                RETENTION_TAXES.get(_t(t, "codigo"), _t(t, "codigo")),
                _t(t, "codigoRetencion"),
                dec(t.findtext("baseImponible")),
                dec(t.findtext("porcentajeRetener")),
                dec(t.findtext("valorRetenido")),
                DOC_NAMES.get(_t(t, "codDocSustento"), _t(t, "codDocSustento")),
                _fmt_num(_t(t, "numDocSustento")),
                _t(t, "fechaEmisionDocSustento"),
            )
        )
    for ds in root.iterfind("docsSustento/docSustento"):
        for t in ds.iterfind("retenciones/retencion"):
            doc.retentions.append(
                EcRetention(
                    RETENTION_TAXES.get(_t(t, "codigo"), _t(t, "codigo")),
                    _t(t, "codigoRetencion"),
                    dec(t.findtext("baseImponible")),
                    dec(t.findtext("porcentajeRetener")),
                    dec(t.findtext("valorRetenido")),
                    DOC_NAMES.get(_t(ds, "codDocSustento"), _t(ds, "codDocSustento")),
                    _fmt_num(_t(ds, "numDocSustento")),
                    _t(ds, "fechaEmisionDocSustento"),
                )
            )
    total = sum((r.value for r in doc.retentions), ZERO)
    doc.total = total
    doc.totals = [("TOTAL RETENIDO", total)]


def _fmt_num(num: str) -> str:
    return f"{num[:3]}-{num[3:6]}-{num[6:]}" if len(num) == 15 and num.isdigit() else num


def _read_guide(root, info, doc: EcDocument) -> None:
    doc.transport = [
        ("Dirección de partida", _t(info, "dirPartida")),
        ("Transportista", _t(info, "razonSocialTransportista")),
        ("RUC/CI transportista", _t(info, "rucTransportista")),
        ("Placa", _t(info, "placa")),
        ("Inicio de transporte", _t(info, "fechaIniTransporte")),
        ("Fin de transporte", _t(info, "fechaFinTransporte")),
    ]
    if _t(info, "rise"):
        doc.transport.append(("RISE", _t(info, "rise")))
    for d in root.iterfind("destinatarios/destinatario"):
        dest = EcDestination(
            party_id=_t(d, "identificacionDestinatario"),
            name=_t(d, "razonSocialDestinatario"),
            address=_t(d, "dirDestinatario"),
            reason=_t(d, "motivoTraslado"),
            route=_t(d, "ruta"),
            doc_sustento=DOC_NAMES.get(_t(d, "codDocSustento"), _t(d, "codDocSustento")),
            num_sustento=_t(d, "numDocSustento"),
            aut_sustento=_t(d, "numAutDocSustento"),
            fecha_sustento=_t(d, "fechaEmisionDocSustento"),
            cod_estab=_t(d, "codEstabDestino"),
            dau=_t(d, "docAduaneroUnico"),
        )
        for det in d.iterfind("detalles/detalle"):
            line = EcLine(
                description=_t(det, "descripcion"),
                quantity=dec(det.findtext("cantidad")),
                code=_t(det, "codigoInterno"),
                aux_code=_t(det, "codigoAdicional"),
            )
            for a in det.iterfind("detallesAdicionales/detAdicional"):
                line.extra.append((clean(a.get("nombre")), clean(a.get("valor"))))
            dest.lines.append(line)
        doc.destinations.append(dest)
