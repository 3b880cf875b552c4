"""Factura electrónica (iTiDE 1): gCamFE (presence of the buyer); the NT-024 limit for an
innominado receiver."""
from __future__ import annotations

from app.fiscal.py import catalog as cat
from app.fiscal.py.documents.base import DocumentType
from app.fiscal.py.xml_parts import el


def read(r, d: dict, doc) -> None:
    f = r.obj(d, "factura", "factura") or {}
    doc.presence = r.int(f, "presencia", "factura.presencia", choices=set(cat.PRESENCE), default=1)


def build(parent, doc) -> None:
    f = el(parent, "gCamFE")
    el(f, "iIndPres", str(doc.presence))
    el(f, "dDesIndPres", cat.PRESENCE[doc.presence])


def check(doc, errors) -> None:
    r = doc.receiver
    if (r.anonymous and r.operation == 2 and doc.transaction_type != 13
            and doc.total_in_pyg() >= cat.ANONYMOUS_LIMIT_PYG):
        errors.add("cliente", "Total igual o mayor a 7.000.000 Gs: identifique al receptor, "
                              "no se permite innominado (NT-024, 1321)")


TYPE = DocumentType(code=1, kind="invoices", short="FE", description="Factura electrónica",
                    read=read, build=build, check=check, has_transaction_type=True,
                    has_payments=True, cancel_hours=48)
