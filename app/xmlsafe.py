"""The one way we parse XML that came from outside: no entities, no DOCTYPE, no network, no huge trees.

lxml parsers are not thread-safe to share, so each call builds its own (cheap).
"""
from __future__ import annotations

import re

from lxml import etree

from app.core.errors import ValidationError

MAX_XML_BYTES = 10 * 1024 * 1024  # no authority document comes near this (a SIFEN lote of 50 DE is ~1 MB)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                           remove_blank_text=False, load_dtd=False, dtd_validation=False)


def parse_xml(data: bytes, *, max_bytes: int = MAX_XML_BYTES) -> etree._Element:
    """Parses untrusted bytes into the root element, or raises ValidationError (Spanish).

    Refused: more than `max_bytes`, any DOCTYPE (neither the SRI's nor SIFEN's schemas use one;
    it is the door to entity expansion and external entities)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, (bytes, bytearray)):
        raise ValidationError("se esperaban los bytes de un documento XML", field="xml")
    if len(data) > max_bytes:
        raise ValidationError(f"el documento XML supera el máximo de {max_bytes // (1024 * 1024)} MB", field="xml")
    if not data.strip():
        raise ValidationError("el documento XML está vacío", field="xml")
    if _DOCTYPE.search(data) or _DOCTYPE.search(_ascii_view(data)):
        raise ValidationError("DOCTYPE no permitido en un documento XML", field="xml")
    try:
        root = etree.fromstring(bytes(data), safe_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ValidationError(f"XML mal formado: {exc}", field="xml") from None
    if root is None:
        raise ValidationError("el documento XML no tiene elemento raíz", field="xml")
    if root.getroottree().docinfo.doctype:
        raise ValidationError("DOCTYPE no permitido en un documento XML", field="xml")
    return root


def _ascii_view(data: bytes) -> bytes:
    """UTF-16/32 input: the markup with the zero bytes removed, so '<!DOCTYPE' is still seen."""
    return data.replace(b"\x00", b"") if b"\x00" in data[:4096] else b""
