"""The SIFEN document types (iTiDE), one module each, and lookups by code, kind and name.

Adding a type: write its module (`TYPE = DocumentType(...)` with its own fields, group and
rules) and name it in MODULES. SIFEN has one schema for every DE (siRecepDE_v150.xsd).
"""
from __future__ import annotations

from importlib import import_module

from app.fiscal.py.documents.base import DocumentType

MODULES = ("fe", "afe", "nce", "nde", "nre")

TYPES: tuple[DocumentType, ...] = tuple(sorted((import_module(f"{__name__}.{m}").TYPE for m in MODULES),
                                              key=lambda t: t.code))
_BY_CODE = {t.code: t for t in TYPES}
_BY_KIND = {t.kind: t for t in TYPES}
_BY_SHORT = {t.short: t for t in TYPES}


def by_code(code) -> DocumentType | None:
    """iTiDE or FacturaSend/DTEpy `tipoDocumento` (1, '1', '01') -> its type; None if unknown."""
    try:
        return _BY_CODE.get(int(code))
    except (TypeError, ValueError):
        return None


def by_kind(kind: str) -> DocumentType | None:
    """'credit-notes' -> the NCE."""
    return _BY_KIND.get(kind)


def lookup(key) -> DocumentType | None:
    """Any of the names: iTiDE / tipoDocumento, kind ('waybills') or short name ('NRE')."""
    if isinstance(key, str) and not key.strip().isdigit():
        return _BY_KIND.get(key) or _BY_SHORT.get(key.upper())
    return by_code(key)


def codes() -> tuple[int, ...]:
    return tuple(_BY_CODE)


def kinds() -> tuple[str, ...]:
    return tuple(_BY_KIND)


def descriptions() -> dict[int, str]:
    """iTiDE -> dDesTiDE."""
    return {t.code: t.description for t in TYPES}
