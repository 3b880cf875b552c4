"""The one way we parse XML that came from outside: no entities, no network, no huge trees.

lxml parsers are not thread-safe to share, so each call builds its own (cheap).
"""
from __future__ import annotations

from lxml import etree

from app.core.errors import ValidationError


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                           remove_blank_text=False, load_dtd=False, dtd_validation=False)


def parse_xml(data: bytes) -> etree._Element:
    """Parses untrusted bytes into the root element, or raises ValidationError (Spanish)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, (bytes, bytearray)):
        raise ValidationError("se esperaban los bytes de un documento XML", field="xml")
    if not data.strip():
        raise ValidationError("el documento XML está vacío", field="xml")
    try:
        root = etree.fromstring(bytes(data), safe_parser())
    except etree.XMLSyntaxError as exc:
        raise ValidationError(f"XML mal formado: {exc}", field="xml") from None
    if root is None:
        raise ValidationError("el documento XML no tiene elemento raíz", field="xml")
    return root
