"""Paraguay: the KuDE "formato cinta" (ticket), built from the signed SIFEN rDE.

Content per MT v150 §13 and NT-010 §1.11 (REFERENCE.md §7): emisor, timbrado, document,
receptor, items, subtotals per rate, IVA liquidation, the consultation legend, the CDC in
groups of four and the QR from dCarQR (>= 30 mm on a 203 dpi printer).
"""
from __future__ import annotations

from decimal import Decimal

from app.devices.ticket import Code, Feed, Item, Pair, Rule, Text, Ticket
from app.fiscal.py.reader import LEGEND_72H, LEGEND_XML, PyDocument, cdc_groups, find_rde, gs, gs_exact, read_py_document
from app.render.xmlread import local, parse_signed


def read(document, environment: str | None = None) -> PyDocument:
    """`document`: signed XML bytes (a bare rDE or inside a SOAP envelope), a parsed root or a
    `PyDocument` already read."""
    if isinstance(document, PyDocument):
        return document
    root = parse_signed(document) if isinstance(document, (bytes, bytearray)) else document
    if find_rde(root) is None:
        raise ValueError(f"No se reconoce el documento a imprimir (elemento raíz '{local(root.tag)}').")
    return read_py_document(root, environment)


def symbol(currency: str) -> str:
    """'Gs.' for guaraníes, else the ISO code ('USD'), as the KuDE writes amounts."""
    return "Gs." if currency in ("", "PYG") else currency


def build_ticket(document, extras: dict | None = None, company=None) -> Ticket:
    """The KuDE "formato cinta" of `document` (see `read`); `extras` as in `app.fiscal.base.Printables`."""
    extras = dict(extras or {})
    doc = read(document, extras.get("environment"))
    t = Ticket("PY", doc.title, doc.number, copy=bool(extras.get("copy")), key=doc.cdc)
    cur = doc.symbol
    copy = [Text("*** REIMPRESIÓN - COPIA ***", "center", bold=True)] if t.copy else []
    t.add(*copy)
    # --- emisor and timbrado
    t.add(Text(doc.emisor, "center", bold=True))
    if doc.fantasia:
        t.add(Text(doc.fantasia, "center"))
    t.add(Text(f"RUC: {doc.ruc}", "center", bold=True), Text(doc.address, "center"), Text(doc.city, "center"))
    if doc.phone:
        t.add(Text(f"Tel.: {doc.phone}", "center"))
    if doc.email:
        t.add(Text(doc.email, "center"))
    for act in doc.activities:
        t.add(Text(f"Actividad: {act}", "center"))
    t.add(Rule(), Text(f"TIMBRADO N° {doc.timbrado}", "center", bold=True))
    t.add(Text(f"Inicio de vigencia: {doc.timbrado_start}", "center"))
    if doc.timbrado_end:
        t.add(Text(f"Fin de vigencia: {doc.timbrado_end}", "center"))
    t.add(Text(f"KuDE de {doc.title}", "center", bold=True, big=True), Text(f"N° {doc.number}", "center", bold=True))
    # --- general data
    t.add(Rule(), Pair("Fecha de emisión:", doc.fecha))
    if doc.condition:
        t.add(Pair("Condición de venta:", doc.condition))
    if doc.plazo:
        t.add(Pair("Plazo:", doc.plazo))
    if doc.cuotas:
        t.add(Pair("Cuotas:", doc.cuotas))
    if doc.down_payment:
        t.add(Pair("Entrega inicial:", f"{cur} {gs(doc.down_payment)}"))
    for n, (amount, currency, due) in enumerate(doc.installments, 1):
        t.add(Pair(f"Cuota {n}" + (f" vence {due}" if due else "") + ":", f"{symbol(currency or doc.currency)} {gs(amount)}"))
    if doc.transaction:
        t.add(Text(f"Tipo de transacción: {doc.transaction}"))
    t.add(Pair("Moneda:", doc.currency_name))
    if doc.currency != "PYG" and doc.exchange:
        t.add(Pair("Tipo de cambio:", gs(doc.exchange, 2)))
    # --- receptor and type-specific data
    t.add(Rule())
    if doc.receptor_id:
        t.add(Text(doc.receptor_id))
    t.add(Text(f"Nombre o razón social: {doc.receptor_name}"))
    for label, value in doc.receptor_extra + doc.specific:
        t.add(Text(f"{label}: {value}"))
    # --- items
    t.add(Rule(), Pair("DESCRIPCIÓN", "TOTAL", bold=True))
    for it in doc.items:
        desc = f"{it.code} {it.description}".strip()
        if it.unit_price is None:  # Nota de Remisión: goods without values
            t.add(Pair(desc, f"{gs_exact(it.quantity)} {it.unit}".strip()))
            continue
        detail = f"{gs_exact(it.quantity)} {it.unit} x {gs_exact(it.unit_price)}".replace("  ", " ")
        if it.discount:
            detail += f" desc. {gs(it.discount)}"
        t.add(Item(desc, f"{detail} [{it.column}]", gs(it.total) if it.total else "", it.code))
    # --- totals (absent in a Nota de Remisión)
    if doc.totals:
        tot = doc.totals
        t.add(Rule(), Pair("SUBTOTAL EXENTAS", gs(tot["exentas"])))
        if tot["exoneradas"] != "0":
            t.add(Pair("SUBTOTAL EXONERADAS", gs(tot["exoneradas"])))
        t.add(Pair("SUBTOTAL 5%", gs(tot["sub5"])), Pair("SUBTOTAL 10%", gs(tot["sub10"])))
        if Decimal(tot["descuento"]):
            t.add(Pair("TOTAL DESCUENTO", gs(tot["descuento"])))
        t.add(Pair(f"TOTAL A PAGAR {cur}", gs(tot["total"]), bold=True, big=True))
        if doc.currency != "PYG" and tot["total_gs"] != "0":
            t.add(Pair("TOTAL EN GUARANÍES Gs.", gs(tot["total_gs"])))
        t.add(Text("LIQUIDACIÓN DEL IVA", bold=True))
        t.add(Pair("IVA 5%", gs(tot["iva5"])), Pair("IVA 10%", gs(tot["iva10"])))
        t.add(Pair("TOTAL IVA", gs(tot["iva"]), bold=True))
    # --- payments
    if doc.payments:
        t.add(Rule(), Text("FORMA DE PAGO", bold=True))
        for desc, amount, _kind in doc.payments:
            t.add(Pair(desc, gs(amount)))
    t.cash_payment = doc.cash or any(
        str(p.get("method", "")).lower() in ("cash", "efectivo", "1") for p in extras.get("payments") or []
    )
    if extras.get("tendered") not in (None, ""):
        t.add(Pair(f"RECIBIDO {cur}", gs(Decimal(str(extras["tendered"])))))
    if extras.get("change") not in (None, ""):  # in the currency it was given in (the till records it)
        given = symbol(extras.get("change_currency") or doc.currency)
        t.add(Pair(f"VUELTO {given}", gs(Decimal(str(extras["change"]))), bold=True))
    # --- fisco / emisor information, consultation block
    for text in (doc.info_fisc, doc.info_emi):
        if text:
            t.add(Rule(), Text(text))
    t.add(Rule(), Text(doc.consult_legend, "center"), Text("CDC:", "center", bold=True))
    t.add(*(Text(g, "center", bold=True) for g in cdc_groups(doc.cdc)))
    if doc.qr_url:
        t.add(Feed(), Code(doc.qr_url, "qr", min_mm=30.0), Feed())
    t.add(Text(LEGEND_XML, "center"), Text(LEGEND_72H, "center"))
    if doc.test:
        t.add(Text("AMBIENTE DE PRUEBAS - SIN VALIDEZ FISCAL", "center", bold=True))
    t.add(*copy)
    return t
