"""Offline XSD validation of SRI documents, any of the 13 shipped schema versions.

The shipped XSDs are OCA copies without the trailing ds:Signature element the SRI
originals allow (REFERENCE §1.6), so a signed document is validated on a copy with its
ds:Signature removed. Compiled schemas are cached per (root tag, version); an XMLSchema
object is not thread-safe, hence the lock around validate().
"""
from __future__ import annotations

import copy
import threading
from functools import lru_cache

from lxml import etree

from app.fiscal.ec import documents
from app.resources import resource
from app.xmlsafe import parse_xml, safe_parser

DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
_lock = threading.Lock()


@lru_cache(maxsize=None)
def _schema(root_tag: str, version: str) -> etree.XMLSchema:
    name = documents.by_root(root_tag).schemas[version]
    with _lock:
        doc = etree.parse(str(resource("xsd", "ec", name)), safe_parser())
        return etree.XMLSchema(doc)


def schema_for(root_tag: str, version: str) -> etree.XMLSchema | None:
    doc_type = documents.by_root(root_tag)
    if doc_type is None or version not in doc_type.schemas:
        return None
    return _schema(root_tag, version)


def _without_signature(root: etree._Element) -> etree._Element:
    sigs = root.findall(f"{{{DSIG_NS}}}Signature")
    if not sigs:
        return root
    root = copy.deepcopy(root)
    for s in root.findall(f"{{{DSIG_NS}}}Signature"):
        tail = s.tail
        parent = s.getparent()
        prev = s.getprevious()
        parent.remove(s)
        if tail:  # keep surrounding whitespace where it was
            if prev is not None:
                prev.tail = (prev.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
    return root


def validate(xml) -> list[str]:
    """Spanish problems (empty list = valid). Accepts bytes or an lxml element/tree; detects
    the document type from the root element and its version attribute."""
    try:
        if isinstance(xml, (bytes, bytearray, str)):
            root = parse_xml(xml if not isinstance(xml, str) else xml.encode("utf-8"))
        elif isinstance(xml, etree._ElementTree):
            root = xml.getroot()
        else:
            root = xml
    except Exception as exc:  # ValidationError from the safe parser
        return [str(exc)]
    tag = etree.QName(root).localname
    if etree.QName(root).namespace:
        return [f"el elemento raíz '{tag}' no debe tener espacio de nombres"]
    version = root.get("version")
    doc_type = documents.by_root(tag)
    if doc_type is None:
        return [f"'{tag}' no es un comprobante electrónico del SRI"]
    if not version:
        return [f"el elemento raíz '{tag}' no tiene atributo version"]
    schema = schema_for(tag, version)
    if schema is None:
        known = sorted(doc_type.schemas)
        return [f"no hay esquema XSD para {tag} versión {version} (conocidas: {', '.join(known)})"]
    target = _without_signature(root)
    with _lock:
        ok = schema.validate(target)
        log = list(schema.error_log)
    if ok:
        return []
    return [f"línea {e.line}: {e.message}" for e in log]
