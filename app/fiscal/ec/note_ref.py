"""What an EC credit or debit note modifies, read from its signed XML: the till facet's
`note_reference` (used by the generic checks of app/pos/note_checks.py)."""
from __future__ import annotations

from datetime import date, datetime

from app.xmlsafe import parse_xml

_INFO = {"notaCredito": "infoNotaCredito", "notaDebito": "infoNotaDebito"}


def note_reference(xml: bytes) -> dict | None:
    """{'key', 'doc_code', 'number', 'issued_on', 'fields'} of the document a note modifies, or
    None when `xml` is not a note. `fields` names the input fields (Dátil) of each part."""
    root = parse_xml(xml)
    info = root.find(_INFO.get(root.tag, "-"))
    if info is None:
        return None
    text = lambda tag: (info.findtext(tag) or "").strip()  # noqa: E731
    try:
        issued_on: date | None = datetime.strptime(text("fechaEmisionDocSustento"), "%d/%m/%Y").date()
    except ValueError:
        issued_on = None
    return {"key": None, "doc_code": text("codDocModificado"), "number": text("numDocModificado"),
            "issued_on": issued_on,
            "fields": {"number": "numero_documento_modificado", "date": "fecha_emision_documento_modificado",
                       "amount": "totales", "buyer": "comprador.identificacion"}}
