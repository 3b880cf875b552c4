"""Ecuador: the RIDE-on-a-ticket, built from the signed SRI XML."""
from __future__ import annotations

from decimal import Decimal

from app.core.money import round_half_up
from app.devices.ticket import Code, Feed, Item, Pair, Rule, Text, Ticket
from app.fiscal.ec import documents
from app.fiscal.ec.reader import ID_TYPES, EcDocument, q2, qty, read_ec_document
from app.render.xmlread import local, parse_signed

CASH_CODE = "01"
ROOTS = frozenset(documents.roots())


def read(document) -> EcDocument:
    """`document`: signed XML bytes, a parsed root or an `EcDocument` already read."""
    if isinstance(document, EcDocument):
        return document
    root = parse_signed(document) if isinstance(document, (bytes, bytearray)) else document
    if local(root.tag) not in ROOTS:
        raise ValueError(f"No se reconoce el documento a imprimir (elemento raíz '{local(root.tag)}').")
    return read_ec_document(root)


def copy_marks(extras: dict) -> list:
    if not extras.get("copy"):
        return []
    return [Text("*** REIMPRESIÓN - COPIA ***", "center", bold=True)]


def build_ticket(document, extras: dict | None = None, company=None) -> Ticket:
    """The RIDE-on-a-ticket of `document` (see `read`); `extras` as in `app.fiscal.base.Printables`."""
    extras = dict(extras or {})
    if isinstance(document, (bytes, bytearray)):
        document = parse_signed(document)
    doc = read(document)
    t = Ticket("EC", doc.short_title, doc.number, copy=bool(extras.get("copy")), key=doc.clave)
    _header(t, doc, extras, company)
    _party(t, doc)
    if doc.root == "guiaRemision":
        _guide(t, doc)
    elif doc.root == "comprobanteRetencion":
        _retentions(t, doc)
    else:
        _lines(t, doc, None if isinstance(document, EcDocument) else _line_taxes(document))
        _totals(t, doc, extras)
    _key(t, doc, extras)
    if doc.info:
        t.add(Rule(), Text("INFORMACIÓN ADICIONAL", "center", bold=True))
        for name, value in doc.info:
            t.add(Text(f"{name}: {value}"))
    t.add(Rule(), *copy_marks(extras))
    if (extras.get("environment") or "") == "sandbox":
        t.add(Text("MODO DEMOSTRACIÓN - SIN VALIDEZ TRIBUTARIA", "center", bold=True))
    return t


def _header(t: Ticket, doc: EcDocument, extras: dict, company) -> None:
    t.add(*copy_marks(extras))
    t.add(Text(doc.razon_social, "center", bold=True))
    if doc.nombre_comercial and doc.nombre_comercial != doc.razon_social:
        t.add(Text(doc.nombre_comercial, "center"))
    t.add(Text(f"RUC: {doc.ruc}", "center", bold=True))
    t.add(Text(f"Matriz: {doc.dir_matriz}"))
    if doc.dir_establecimiento:
        t.add(Text(f"Sucursal: {doc.dir_establecimiento}"))
    especial = doc.contribuyente_especial or getattr(company, "contribuyente_especial", "")
    if especial:
        t.add(Text(f"Contribuyente Especial Nro: {especial}"))
    if doc.obligado:
        t.add(Text(f"OBLIGADO A LLEVAR CONTABILIDAD: {doc.obligado}"))
    agente = doc.agente_retencion or getattr(company, "agente_retencion", "")
    if agente:
        t.add(Text(f"Agente de Retención Resolución No. {agente}"))
    rimpe = doc.rimpe or getattr(company, "rimpe", "")
    if rimpe:
        t.add(Text(rimpe, "center"))
    t.add(Rule())
    t.add(Text(doc.short_title, "center", bold=True, big=True))
    t.add(Text(f"No. {doc.number}", "center", bold=True))
    t.add(Pair("AMBIENTE:", doc.ambiente_name), Pair("EMISIÓN:", doc.emision_name))
    label = "Fecha inicio transporte:" if doc.root == "guiaRemision" else "Fecha emisión:"
    t.add(Pair(label, doc.fecha))
    auth = extras.get("authorization") or {}
    if auth.get("fecha"):
        t.add(Pair("Fecha autorización:", str(auth["fecha"])))


def _party(t: Ticket, doc: EcDocument) -> None:
    t.add(Rule())
    t.add(Text(f"{doc.party_label}: {doc.party_name}"))
    id_label = ID_TYPES.get(doc.party_id_type, "RUC/CI")
    if doc.party_id_type == "07":
        id_label = "RUC/CI"
    t.add(Text(f"{id_label}: {doc.party_id}"))
    if doc.party_address:
        t.add(Text(f"Dirección: {doc.party_address}"))
    if doc.guia_remision:
        t.add(Text(f"Guía de remisión: {doc.guia_remision}"))
    if doc.periodo_fiscal:
        t.add(Text(f"Período fiscal: {doc.periodo_fiscal}"))
    if doc.modified_doc:
        t.add(Text(f"Comprobante modificado: {doc.modified_doc}"))
        t.add(Text(f"Fecha emisión (sustento): {doc.modified_date}"))
    if doc.reason:
        t.add(Text(f"Motivo: {doc.reason}"))


def _line_taxes(root) -> list[Decimal]:
    """Each detalle's taxes (IVA, ICE, IRBPNR valor), in order."""
    out = []
    for det in root.iter("detalle"):
        total = Decimal(0)
        for imp in det.iter("impuesto"):
            try:
                total += Decimal((imp.findtext("valor") or "0").strip())
            except ArithmeticError:
                pass
        out.append(total)
    return out


def _lines(t: Ticket, doc: EcDocument, taxes: list[Decimal] | None = None) -> None:
    """What the law asks (quantity, unit price without taxes, discount, line total without
    taxes) and, for a taxed line, the unit price the buyer recognises: PVP, taxes included."""
    t.add(Rule(), Pair("DESCRIPCIÓN", "TOTAL", bold=True))
    for i, ln in enumerate(doc.lines):
        detail = f"{qty(ln.quantity)} x {qty(ln.unit_price)}"
        if ln.discount:
            detail += f" desc. {q2(ln.discount)}"
        tax = taxes[i] if taxes is not None and i < len(taxes) else Decimal(0)
        if tax and ln.quantity:
            detail += f" PVP {q2(round_half_up((ln.total + tax) / ln.quantity, 2))}"
        desc = f"{ln.code} {ln.description}" if ln.code else ln.description
        t.add(Item(desc, detail, q2(ln.total), ln.code))
        for name, value in ln.extra:
            t.add(Text(f"  {name}: {value}"))


def _totals(t: Ticket, doc: EcDocument, extras: dict) -> None:
    t.add(Rule())
    for label, amount in doc.totals[:-1]:
        t.add(Pair(label, q2(amount)))
    label, amount = doc.totals[-1]
    t.add(Pair(label, q2(amount), bold=True, big=True))
    if doc.payments:
        t.add(Rule(), Text("FORMA DE PAGO", bold=True))
        for name, amount, plazo, code in doc.payments:
            t.add(Pair(name if not plazo else f"{name} ({plazo})", q2(amount)))
            if code == CASH_CODE:
                t.cash_payment = True
    # What the cashier recorded at the counter (not in the XML): tendered, change, methods.
    for p in extras.get("payments") or []:
        if str(p.get("method", "")).lower() in ("cash", "efectivo", "01"):
            t.cash_payment = True
    if extras.get("tendered") not in (None, ""):
        t.add(Pair("RECIBIDO", q2(Decimal(str(extras["tendered"])))))
    if extras.get("change") not in (None, ""):
        t.add(Pair("CAMBIO", q2(Decimal(str(extras["change"]))), bold=True))


def _retentions(t: Ticket, doc: EcDocument) -> None:
    t.add(Rule())
    for r in doc.retentions:
        t.add(Text(f"{r.tax} cód. {r.code} - {r.doc_sustento} {r.num_sustento} ({r.fecha_sustento})"))
        t.add(Pair(f"  Base {q2(r.base)} x {qty(r.percent)}%", q2(r.value)))
    t.add(Rule())
    label, amount = doc.totals[-1]
    t.add(Pair(label, q2(amount), bold=True, big=True))


def _guide(t: Ticket, doc: EcDocument) -> None:
    t.add(Rule())
    for label, value in doc.transport:
        t.add(Text(f"{label}: {value}"))
    for dest in doc.destinations:
        t.add(Rule(), Text(f"Destinatario: {dest.name}", bold=True), Text(f"RUC/CI: {dest.party_id}"))
        t.add(Text(f"Dirección: {dest.address}"), Text(f"Motivo: {dest.reason}"))
        if dest.route:
            t.add(Text(f"Ruta: {dest.route}"))
        if dest.num_sustento:
            t.add(Text(f"Doc. sustento: {dest.doc_sustento} {dest.num_sustento} ({dest.fecha_sustento})"))
        for ln in dest.lines:
            t.add(Pair(f"{ln.code} {ln.description}".strip(), qty(ln.quantity)))
            for name, value in ln.extra:
                t.add(Text(f"  {name}: {value}"))


def _key(t: Ticket, doc: EcDocument, extras: dict) -> None:
    auth = extras.get("authorization") or {}
    number = str(auth.get("numero") or doc.clave)
    t.add(Rule())
    if number == doc.clave:  # offline scheme: the clave is the authorization number
        t.add(Text("NÚMERO DE AUTORIZACIÓN Y CLAVE DE ACCESO", "center", bold=True))
    else:
        t.add(Text("NÚMERO DE AUTORIZACIÓN", "center", bold=True), Text(number, "center"))
        t.add(Text("CLAVE DE ACCESO", "center", bold=True))
    t.add(Text(doc.clave, "center"))
    # Code128 where it fits (80 mm); a QR on 58 mm, where a 49-digit Code128 cannot.
    t.add(Code(doc.clave, "code128", fallback="qr"), Feed())
