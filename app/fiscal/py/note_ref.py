"""What a SIFEN NCE / NDE modifies, read from its signed rDE: the till facet's `note_reference`
(used by the generic checks of app/pos/note_checks.py). An electronic associated document is
named by its CDC, which also carries its type, number and date; a printed one is not ours."""
from __future__ import annotations

from app.fiscal.py import cdc as cdc_mod
from app.xmlsafe import parse_xml

NOTE_TYPES = ("5", "6")  # iTiDE of the NCE and the NDE


def note_reference(xml: bytes) -> dict | None:
    """{'key', 'doc_code', 'number', 'issued_on', 'fields'} of the DE a note modifies, or None."""
    root = parse_xml(xml)
    de = root.find("{*}DE")
    if de is None or (de.findtext("{*}gTimb/{*}iTiDE") or "").strip() not in NOTE_TYPES:
        return None
    fields = {"number": "documentoAsociado.cdc", "date": "documentoAsociado.cdc", "amount": "items",
              "buyer": "cliente"}
    ref = (de.findtext("{*}gCamDEAsoc/{*}dCdCDERef") or "").strip()
    try:
        parts = cdc_mod.parse(ref)
    except ValueError:  # a printed document or a constancia: never issued by Mostrador
        number = "-".join((de.findtext(f"{{*}}gCamDEAsoc/{{*}}{t}") or "").strip()
                          for t in ("dEstDocAso", "dPExpDocAso", "dNumDocAso"))
        return {"key": None, "doc_code": "", "number": number.strip("-") or None, "issued_on": None,
                "printed": True, "fields": fields}
    return {"key": ref, "doc_code": str(parts.doc_type), "number": f"{parts.establishment}-{parts.point}-{parts.number}",
            "issued_on": parts.issued_on, "fields": fields}
