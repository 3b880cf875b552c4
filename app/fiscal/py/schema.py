"""Offline validation against the official SIFEN v150 XSDs.

The SET schemas `xs:include` absolute https URLs; a custom lxml resolver maps them to
`resources/xsd/py` so nothing ever touches the network. Schemas compile once, lazily.
"""
from __future__ import annotations

import threading
from functools import lru_cache

from lxml import etree

from app.resources import resource

_PREFIXES = ("https://ekuatia.set.gov.py/sifen/xsd/", "http://ekuatia.set.gov.py/sifen/xsd/")
_lock = threading.Lock()


class _LocalResolver(etree.Resolver):
    """Serves every schema the SET files reference from the local folder, never the network."""

    def resolve(self, url, pubid, context):
        name = url
        for prefix in _PREFIXES:
            if url.startswith(prefix):
                name = url[len(prefix):]
                break
        name = name.rsplit("/", 1)[-1]
        path = resource("xsd", "py", name)
        if path.is_file():
            return self.resolve_filename(str(path), context)
        return None


def safe_parser(**kw) -> etree.XMLParser:
    """The only way we parse untrusted XML: no entities, no network, no huge trees."""
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, **kw)


@lru_cache(maxsize=None)
def _schema(name: str) -> etree.XMLSchema:
    with _lock:
        parser = safe_parser()
        parser.resolvers.add(_LocalResolver())
        doc = etree.parse(str(resource("xsd", "py", name)), parser)
        return etree.XMLSchema(doc)


XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'


def serialize(root) -> bytes:
    """UTF-8 with the double-quoted declaration SIFEN shows (MT §7.2.1), no pretty print."""
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8")


def de_schema() -> etree.XMLSchema:
    return _schema("siRecepDE_v150.xsd")


def event_schema() -> etree.XMLSchema:
    return _schema("WS_SiRecepEvento_v150.xsd")


def _root(xml_or_root):
    if isinstance(xml_or_root, (bytes, str)):
        data = xml_or_root.encode("utf-8") if isinstance(xml_or_root, str) else xml_or_root
        return etree.fromstring(data, safe_parser())
    if isinstance(xml_or_root, etree._ElementTree):
        return xml_or_root.getroot()
    return xml_or_root


def _run(schema: etree.XMLSchema, xml_or_root) -> list[str]:
    try:
        root = _root(xml_or_root)
    except etree.XMLSyntaxError as exc:
        return [f"XML mal formado: {exc}"]
    if root.getroottree().docinfo.doctype:
        return ["DOCTYPE no permitido en un documento SIFEN"]
    with _lock:  # an XMLSchema object is not safe to share between threads
        try:
            ok = schema.validate(root)
        except etree.Error as exc:
            return [f"No se pudo validar el XML: {exc}"]
        log = list(schema.error_log)
    if ok:
        return []
    return [f"línea {e.line}: {e.message}" for e in log]


def validate(xml_or_root) -> list[str]:
    """Validates a signed `rDE` against siRecepDE_v150.xsd. Empty list = valid."""
    return _run(de_schema(), xml_or_root)


def validate_event(xml_or_root) -> list[str]:
    """Validates an `rEnviEventoDe` request against WS_SiRecepEvento_v150.xsd."""
    return _run(event_schema(), xml_or_root)
