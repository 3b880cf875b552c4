"""The arithmetic check of any SRI XML: finds its document type in the registry and runs that
type's check with the totals.Checker (the rule itself is app.fiscal.ec.totals)."""
from __future__ import annotations

from lxml import etree

from app.core.documents import Finding
from app.fiscal.ec import documents
from app.fiscal.ec.totals import Checker
from app.xmlsafe import parse_xml

CHECK = "totals"


def _root_of(xml):
    if isinstance(xml, (bytes, bytearray, str)):
        return parse_xml(xml if not isinstance(xml, str) else xml.encode("utf-8"))
    if isinstance(xml, etree._ElementTree):
        return xml.getroot()
    return xml


def check(xml) -> list[Finding]:
    """Arithmetic check of any SRI document (signed or not). One ok Finding when it adds up,
    one failed Finding per difference otherwise, and one ok warning Finding per difference within
    what the SRI authorizes (totals.HEADER_SUM_TOLERANCE). Types without amounts (the guía) say so."""
    try:
        root = _root_of(xml)
    except Exception as exc:  # ValidationError from the safe parser
        return [Finding(CHECK, False, f"No se pudo leer el XML: {exc}")]
    tag = root.tag.rpartition("}")[2] if isinstance(root.tag, str) else ""
    doc_type = documents.by_root(tag)
    if doc_type is None:
        return [Finding(CHECK, False, f"No es un comprobante del SRI (elemento raíz '{tag}')")]
    if doc_type.check is None:
        return [Finding(CHECK, True, f"La {doc_type.name} no tiene valores que cuadrar")]
    c = Checker()
    doc_type.check(c, root)
    warnings = [Finding(CHECK, True, w, warning=True) for w in c.warnings]
    if not c.problems:
        return warnings or [Finding(CHECK, True, "Los valores del comprobante cuadran (detalles, impuestos y totales)")]
    return [Finding(CHECK, False, p) for p in c.problems] + warnings
