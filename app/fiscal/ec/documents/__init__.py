"""The SRI document types, one module each, and lookups by kind, codDoc, root tag and model.

Adding a type: write its module (a `TYPE = DocumentType(...)` with its parser, builder and
check), put its XSD in resources/xsd/ec, and name the module in MODULES.
"""
from __future__ import annotations

from importlib import import_module

from app.fiscal.ec.documents.base import DocumentType

MODULES = ("factura", "liquidacion_compra", "nota_credito", "nota_debito", "guia_remision", "retencion")

TYPES: tuple[DocumentType, ...] = tuple(sorted((import_module(f"{__name__}.{m}").TYPE for m in MODULES),
                                              key=lambda t: t.cod_doc))
_BY_KIND = {t.kind: t for t in TYPES}
_BY_CODE = {t.cod_doc: t for t in TYPES}
_BY_ROOT = {t.root: t for t in TYPES}
_BY_MODEL = {t.model: t for t in TYPES}


def by_kind(kind: str) -> DocumentType | None:
    """'invoices' -> the factura."""
    return _BY_KIND.get(kind)


def by_code(cod_doc: str) -> DocumentType | None:
    """'01' -> the factura."""
    return _BY_CODE.get(cod_doc)


def by_root(tag: str) -> DocumentType | None:
    """'factura' -> the factura."""
    return _BY_ROOT.get(tag)


def by_model(doc) -> DocumentType | None:
    """A model document (model.Invoice ...) -> its type."""
    return _BY_MODEL.get(type(doc))


def kinds() -> tuple[str, ...]:
    return tuple(_BY_KIND)


def roots() -> tuple[str, ...]:
    return tuple(_BY_ROOT)


def schema_files() -> dict[tuple[str, str], str]:
    """Every shipped XSD: (root tag, version) -> file name in resources/xsd/ec."""
    return {(t.root, v): f for t in TYPES for v, f in t.schemas.items()}
