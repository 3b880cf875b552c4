"""Nota de remisión electrónica (iTiDE 7): goods moved, no values. gCamNRE (reason,
responsible, km, freight) and a complete gTransp; the receiver's address is required; no
gOpeCom, gCamCond, gValorItem nor gTotSub; the RG 41/2014 legend as dInfoFisc."""
from __future__ import annotations

from app.fiscal.py import catalog as cat
from app.fiscal.py.documents.base import DocumentType
from app.fiscal.py.parts import Remission
from app.fiscal.py.xml_parts import el, num


def read(r, d: dict, doc) -> None:
    m = r.obj(d, "remision", "remision", required=True)
    if m is None:
        return
    doc.remission = Remission(
        reason=r.int(m, "motivo", "remision.motivo", required=True, choices=set(cat.REMISSION_REASONS), default=1),
        responsible=r.int(m, "tipoResponsable", "remision.tipoResponsable", required=True,
                          choices=set(cat.REMISSION_RESPONSIBLE), default=1),
        km=r.int(m, "kms", "remision.kms", required=True, default=1),
        invoice_date=r.date(m, "fechaFactura", "remision.fechaFactura"),
        freight_cost=r.dec(m, "costoFlete", "remision.costoFlete"))
    if doc.remission.km is not None and not 1 <= doc.remission.km <= 99999:
        r.e.add("remision.kms", "Entre 1 y 99999")


def build(parent, doc) -> None:
    r = doc.remission
    f = el(parent, "gCamNRE")
    el(f, "iMotEmiNR", str(r.reason))
    el(f, "dDesMotEmiNR", cat.REMISSION_REASONS[r.reason])
    el(f, "iRespEmiNR", str(r.responsible))
    el(f, "dDesRespEmiNR", cat.REMISSION_RESPONSIBLE[r.responsible])
    el(f, "dKmR", str(r.km))
    if r.invoice_date:
        el(f, "dFecEm", r.invoice_date.isoformat())
    if r.freight_cost is not None:
        el(f, "cPreFle", num(r.freight_cost))


def check(doc, errors) -> None:
    if doc.remission is None:
        errors.add("remision", "Datos de la remisión obligatorios")
    tr = doc.transport
    if tr is None or tr.departure is None or tr.delivery is None or not tr.vehicles or tr.carrier is None:
        errors.add("transporte", "Transporte con salida, entrega, vehículo y transportista obligatorio")


TYPE = DocumentType(code=7, kind="waybills", short="NRE", description="Nota de remisión electrónica",
                    read=read, build=build, check=check, has_values=False, has_iva=False,
                    commercial=False, allows_anonymous=False, needs_receiver_address=True,
                    needs_transport=True, fiscal_legend=cat.NRE_FISCAL_LEGEND)
