"""Safe XML parsing for printing: the stored signed bytes, never screen state."""
from __future__ import annotations

from lxml import etree


def parse_signed(xml: bytes) -> etree._Element:
    """Parses signed XML bytes with entity expansion and network access off."""
    try:
        from app.xmlsafe import parse_xml  # shared helper, when present
    except ImportError:
        parse_xml = None
    if parse_xml is not None:
        root = parse_xml(xml)
        return root.getroot() if hasattr(root, "getroot") else root
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    return etree.fromstring(xml, parser)


def local(tag) -> str:
    """Tag without namespace ('{ns}dRucEm' -> 'dRucEm')."""
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def clean(text: str | None) -> str:
    """Collapses whitespace (the sample XMLs carry '&#013;' and double spaces)."""
    return " ".join((text or "").split())
