"""Nota de crédito electrónica (iTiDE 5): gCamNCDE (the reason, iMotEmi), always about an
associated document; never to an innominado receiver. The NDE shares this group."""
from __future__ import annotations

from app.fiscal.py import catalog as cat
from app.fiscal.py.documents.base import DocumentType
from app.fiscal.py.xml_parts import el


def read(r, d: dict, doc) -> None:
    n = r.obj(d, "notaCreditoDebito", "notaCreditoDebito", required=True) or {}
    doc.credit_reason = r.int(n, "motivo", "notaCreditoDebito.motivo", required=True,
                              choices=set(cat.CREDIT_NOTE_REASONS))


def build(parent, doc) -> None:
    f = el(parent, "gCamNCDE")
    el(f, "iMotEmi", str(doc.credit_reason))
    el(f, "dDesMotEmi", cat.CREDIT_NOTE_REASONS[doc.credit_reason])


def check(doc, errors) -> None:
    if doc.credit_reason not in cat.CREDIT_NOTE_REASONS:
        errors.add("notaCreditoDebito.motivo", "Motivo de emisión obligatorio (1 a 8)")


TYPE = DocumentType(code=5, kind="credit-notes", short="NCE", description="Nota de crédito electrónica",
                    read=read, build=build, check=check, needs_associated=True, allows_anonymous=False)
