"""Reads a signed SIFEN rDE (bare or inside a SOAP envelope) into plain printable data.

Shared by the KuDE ticket (app/fiscal/py/ticket.py) and the A4 KuDE
(app/fiscal/py/kude.py). Pure: lxml in, dataclass out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from app.render.xmlread import clean, local, parse_signed

TITLES = {
    "1": "Factura Electrónica",
    "4": "Autofactura Electrónica",
    "5": "Nota de Crédito Electrónica",
    "6": "Nota de Débito Electrónica",
    "7": "Nota de Remisión Electrónica",
}
CONSULT_PROD = "https://ekuatia.set.gov.py/consultas/"
CONSULT_TEST = "https://ekuatia.set.gov.py/consultas-test/"
LEGEND_XML = "ESTE DOCUMENTO ES UNA REPRESENTACIÓN GRÁFICA DE UN DOCUMENTO ELECTRÓNICO (XML)"
LEGEND_72H = (
    "Si su documento electrónico presenta algún error puede solicitar la modificación "
    "dentro de las 72 horas siguientes de la emisión de este comprobante."
)
CASH = "1"  # iTiPago 1 = Efectivo


def dec(text: str) -> Decimal:
    try:
        return Decimal(text or "0")
    except InvalidOperation:
        raise ValueError(f"Valor numérico inválido en el XML: '{text}'") from None


def gs(value, decimals: int | None = None) -> str:
    """Paraguayan number style: '.' thousands, ',' decimals; guaraníes without decimals
    unless the XML carries a fraction."""
    d = dec(value) if isinstance(value, str) else Decimal(value)
    if decimals is None:
        decimals = 0 if d == d.to_integral_value() else 2
    s = f"{d:,.{decimals}f}"
    return s.replace(",", "_").replace(".", ",").replace("_", ".")


def gs_exact(d: Decimal) -> str:
    """Quantities and unit prices keep their written decimals (up to 8), trailing zeros off."""
    n = d.normalize()
    exp = n.as_tuple().exponent
    places = max(0, -exp) if isinstance(exp, int) else 0
    return gs(d, min(places, 8))


def ddmmyyyy(iso: str) -> str:
    """'2018-12-18T17:44:36' -> '18-12-2018 17:44:36' (NT-010 §1.11: DD-MM-AAAA)."""
    date, _, time = iso.partition("T")
    parts = date.split("-")
    out = "-".join(reversed(parts)) if len(parts) == 3 else date
    return f"{out} {time}".strip()


def cdc_groups(cdc: str) -> list[str]:
    """The CDC in groups of four, as two printable lines (6 + 5 groups)."""
    groups = [cdc[i : i + 4] for i in range(0, len(cdc), 4)]
    return [" ".join(groups[:6]), " ".join(groups[6:])]


@dataclass
class PyItem:
    code: str
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal | None  # None: a Nota de Remisión line (goods without values)
    discount: Decimal
    total: str  # as written
    column: str  # 'Exenta' | '5%' | '10%'


@dataclass
class PyDocument:
    ti: str
    title: str
    cdc: str
    number: str
    timbrado: str
    timbrado_start: str
    timbrado_end: str
    emisor: str
    fantasia: str
    ruc: str  # 'NNNNNNN-D'
    address: str
    city: str
    phone: str
    email: str
    activities: list
    fecha: str  # DD-MM-AAAA hh:mm:ss
    condition: str
    plazo: str
    cuotas: str
    transaction: str
    currency: str  # 'PYG'
    currency_name: str
    exchange: str
    receptor_id: str  # 'RUC: 80002201-7' | 'Cédula paraguaya: 123'
    receptor_name: str
    receptor_extra: list  # [(label, value)]
    specific: list  # [(label, value)] motive, associated document, transport...
    items: list = field(default_factory=list)
    totals: dict | None = None
    payments: list = field(default_factory=list)  # [(description, amount text, iTiPago)]
    installments: list = field(default_factory=list)  # gCuotas: [(amount text, currency, due 'DD/MM/AAAA' or '')]
    down_payment: str = ""  # dMonEnt of a sale on credit
    info_fisc: str = ""
    info_emi: str = ""
    qr_url: str = ""
    test: bool = False

    @property
    def symbol(self) -> str:
        return "Gs." if self.currency == "PYG" else self.currency

    @property
    def cash(self) -> bool:
        return any(kind == CASH for _, _, kind in self.payments)

    @property
    def consult_url(self) -> str:
        return CONSULT_TEST if self.test else CONSULT_PROD

    @property
    def consult_legend(self) -> str:
        name = self.title.replace(" Electrónica", "")
        return f"Consulte la validez de esta {name} Electrónica con el número de CDC impreso abajo en: {self.consult_url}"


def find_rde(root):
    return root if local(root.tag) == "rDE" else root.find(".//{*}rDE")


def read_py_document(xml_or_root, environment: str | None = None) -> PyDocument:
    root = parse_signed(xml_or_root) if isinstance(xml_or_root, (bytes, bytearray)) else xml_or_root
    rde = find_rde(root)
    de = rde.find("{*}DE") if rde is not None else None
    if de is None:
        raise ValueError("El XML no contiene un documento electrónico SIFEN (rDE/DE).")

    def f(tag: str, node=de) -> str:
        return clean(node.findtext(f".//{{*}}{tag}"))

    ti = f("iTiDE")
    address = f("dDirEmi")
    if f("dNumCas") not in ("", "0") and "N°" not in address:
        address += f" N° {f('dNumCas')}"
    if f("dRucRec"):
        receptor_id = f"RUC: {f('dRucRec')}-{f('dDVRec')}"
    elif f("dNumIDRec"):
        receptor_id = f"{f('dDTipIDRec') or 'Documento'}: {f('dNumIDRec')}"
    else:
        receptor_id = ""
    qr_url = clean(rde.findtext(".//{*}dCarQR"))
    doc = PyDocument(
        ti=ti,
        title=TITLES.get(ti, f("dDesTiDE") or "Documento Electrónico"),
        cdc=de.get("Id", ""),
        number=f"{f('dEst')}-{f('dPunExp')}-{f('dNumDoc')}",
        timbrado=f("dNumTim"),
        timbrado_start=ddmmyyyy(f("dFeIniT")),
        timbrado_end=ddmmyyyy(f("dFeFinT")) if f("dFeFinT") else "",
        emisor=f("dNomEmi"),
        fantasia=f("dNomFanEmi"),
        ruc=f"{f('dRucEm')}-{f('dDVEmi')}",
        address=address,
        city=f("dDesCiuEmi"),
        phone=f("dTelEmi"),
        email=f("dEmailE"),
        activities=[clean(a.findtext("{*}dDesActEco")) for a in de.iterfind(".//{*}gActEco")],
        fecha=ddmmyyyy(f("dFeEmiDE")),
        condition=f("dDCondOpe"),
        plazo=f("dPlazoCre"),
        cuotas=f("dCuotas"),
        transaction=f("dDesTipTra"),
        currency=f("cMoneOpe") or "PYG",
        currency_name=f("dDesMoneOpe") or f("cMoneOpe") or "Guarani",
        exchange=f("dTiCam"),
        receptor_id=receptor_id,
        receptor_name=f("dNomRec"),
        receptor_extra=[(label, f(tag)) for tag, label in (("dDirRec", "Dirección"), ("dTelRec", "Teléfono"), ("dEmailRec", "Correo")) if f(tag)],
        specific=_specific(de, f),
        info_fisc=f("dInfoFisc"),
        info_emi=f("dInfoEmi"),
        qr_url=qr_url,
        test="consultas-test" in qr_url or environment in ("sandbox", "pruebas"),
    )
    for item in de.iterfind(".//{*}gCamItem"):
        value = item.find(".//{*}gValorItem") is not None
        rate = clean(item.findtext(".//{*}dTasaIVA"))
        afec = clean(item.findtext(".//{*}iAfecIVA"))
        doc.items.append(
            PyItem(
                code=clean(item.findtext("{*}dCodInt")),
                description=clean(item.findtext("{*}dDesProSer")),
                unit=clean(item.findtext("{*}dDesUniMed")),
                quantity=dec(clean(item.findtext("{*}dCantProSer"))),
                unit_price=dec(clean(item.findtext(".//{*}dPUniProSer"))) if value else None,
                discount=dec(clean(item.findtext(".//{*}dDescItem"))),
                total=clean(item.findtext(".//{*}dTotOpeItem")),
                column="Exenta" if afec in ("2", "3") or rate in ("", "0") else f"{rate}%",
            )
        )
    if de.find(".//{*}gTotSub") is not None and ti != "7":
        doc.totals = {
            key: f(tag) or "0"
            for key, tag in (
                ("exentas", "dSubExe"), ("exoneradas", "dSubExo"), ("sub5", "dSub5"), ("sub10", "dSub10"),
                ("descuento", "dTotDesc"), ("total", "dTotGralOpe"), ("total_gs", "dTotalGs"),
                ("iva5", "dIVA5"), ("iva10", "dIVA10"), ("iva", "dTotIVA"),
            )
        }
    for p in de.iterfind(".//{*}gPaConEIni"):
        doc.payments.append((clean(p.findtext("{*}dDesTiPag")), clean(p.findtext("{*}dMonTiPag")), clean(p.findtext("{*}iTiPago"))))
    for q in de.iterfind(".//{*}gPagCred/{*}gCuotas"):
        due = clean(q.findtext("{*}dVencCuo"))
        doc.installments.append((clean(q.findtext("{*}dMonCuota")), clean(q.findtext("{*}cMoneCuo")),
                                 "/".join(reversed(due.split("-"))) if due else ""))
    doc.down_payment = clean(de.findtext(".//{*}gPagCred/{*}dMonEnt"))
    return doc


def _specific(de, f) -> list:
    out = []
    if f("dDesMotEmi"):
        out.append(("Motivo de emisión", f("dDesMotEmi")))
    if f("dDesMotEmiNR"):
        out.append(("Motivo del traslado", f("dDesMotEmiNR")))
        out.append(("Responsable", f("dDesRespEmiNR")))
    if f("dNomVen"):  # autofactura: the seller we bought from
        out.append(("Vendedor", f"{f('dNomVen')} ({f('dDTipIDVen')} {f('dNumIDVen')})"))
        out.append(("Dirección del vendedor", f("dDirVen")))
    for aso in de.iterfind(".//{*}gCamDEAsoc"):
        ref = f("dCdCDERef", aso)
        if ref:
            out.append(("Documento asociado (CDC)", ref))
        elif f("dNumDocAso", aso):
            out.append(
                (
                    "Documento asociado",
                    f"{f('dDTipoDocAso', aso)} {f('dEstDocAso', aso)}-{f('dPExpDocAso', aso)}-{f('dNumDocAso', aso)} (timbrado {f('dNTimDI', aso)})",
                )
            )
        elif f("dNumCons", aso):
            out.append((f("dDesTipCons", aso), f("dNumCons", aso)))
    if de.find(".//{*}gTransp") is not None:
        for tag, label in (("dDesModTrans", "Modalidad de transporte"), ("dIniTras", "Inicio del traslado"), ("dFinTras", "Fin del traslado")):
            if f(tag):
                out.append((label, f(tag)))
    return out


def document_rate(xml: bytes) -> Decimal | None:
    """Guaraníes per unit of a signed DE's currency (dTiCam), None for a DE in guaraníes (or
    without a rate)."""
    root = parse_signed(bytes(xml))
    currency = clean(root.findtext(".//{*}cMoneOpe")) or "PYG"
    rate = clean(root.findtext(".//{*}dTiCam"))
    return Decimal(rate) if currency != "PYG" and rate else None
