"""Document model -> unsigned SRI XML (lxml elements only: escaping is lxml's job).

Root: <tag id="comprobante" version="X.Y.Z"> with no namespace declarations (the XAdES
signature digests the root with inclusive C14N; a namespace there would leak into every
digest, REFERENCE §3.3-2). infoTributaria and infoAdicional are common (documents/xml_parts.py);
what lies between is written by the type's own module in app/fiscal/ec/documents.
"""
from __future__ import annotations

from lxml import etree

from app.core.company import Company
from app.core.errors import ConfigurationError
from app.fiscal.base import Draft
from app.fiscal.ec import access_key, documents, model
from app.fiscal.ec.documents.xml_parts import additional, info_tributaria

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def build_element(draft: Draft, company: Company, sequential: int, codigo_numerico: str) -> tuple[str, etree._Element]:
    doc: model.Document = draft.model
    doc_type = documents.by_model(doc)
    if doc_type is None:
        raise TypeError(f"modelo de documento desconocido: {type(doc).__name__}")
    try:
        company.establishment(doc.estab)
    except KeyError:
        raise ConfigurationError(f"el establecimiento {doc.estab} no existe en la empresa") from None
    clave = access_key.build(doc.issued, doc.cod_doc, company.ruc, company.ambiente, doc.estab, doc.pto_emi,
                             sequential, codigo_numerico)
    root = etree.Element(doc_type.root, id="comprobante", version=doc.version)
    info_tributaria(root, company, doc, clave, sequential)
    doc_type.build(root, doc, company)
    additional(root, doc)
    return clave, root


def build(draft: Draft, company: Company, sequential: int, codigo_numerico: str) -> tuple[str, bytes]:
    """-> (clave de acceso, unsigned XML bytes, UTF-8 with declaration, not pretty-printed)."""
    clave, root = build_element(draft, company, sequential, codigo_numerico)
    # Double-quoted declaration, like the SRI's own samples (lxml's default uses single quotes).
    return clave, XML_DECLARATION + etree.tostring(root, xml_declaration=False, encoding="UTF-8")
