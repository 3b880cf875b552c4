"""Dátil-style JSON (seed 001) -> validated SRI document model (a Draft).

The shared reading (Reader, header, parties, lines, taxes, payments, and the policy decisions)
is in documents/common.py; each type's own reading is in its module of app/fiscal/ec/documents.
The helpers are re-exported here under their old names, so `from app.fiscal.ec.datil import ...`
keeps working.
"""
from __future__ import annotations

from datetime import datetime

from app.core.company import Company
from app.fiscal.base import Draft, SeriesKey
from app.fiscal.ec import documents
from app.fiscal.ec.documents import rate_dates
from app.fiscal.ec.documents.common import (  # noqa: F401  (re-exported)
    CENT, GUAYAQUIL, PAST_LIMIT_DAYS, ZERO, Reader, add_contact_fields, check_additional_count, check_payments,
    compare_declared_totals, compare_tax_totals, read_additional, read_details, read_doc_number, read_header,
    read_line_taxes, read_lines, read_modified, read_party, read_payments, sale_totals, tax_totals)

# Names before the split into documents/ (private then, kept for importers such as sale_draft).
_Reader, _party, _contact_fields, _details = Reader, read_party, add_contact_fields, read_details
_line_taxes, _lines, _tax_totals, _compare_tax_totals = read_line_taxes, read_lines, tax_totals, compare_tax_totals
_payments, _check_payments, _doc_number, _modified = read_payments, check_payments, read_doc_number, read_modified
_common_sale, _check_additional_count, _additional = sale_totals, check_additional_count, read_additional


def parse(body: dict, kind: str, company: Company, now: datetime | None = None) -> Draft:
    """Validates a Dátil-style issue body of `kind` for `company` -> Draft(model=...).

    Raises app.core.errors.ValidationError listing every problem found."""
    r = Reader()
    doc_type = documents.by_kind(kind)
    if doc_type is None:
        r.err("kind", f"tipo de comprobante desconocido '{kind}' (válidos: {', '.join(documents.kinds())})")
        r.ec.raise_if_any()
    if not isinstance(body, dict):
        r.err("", "el cuerpo debe ser un objeto JSON", "type")
        r.ec.raise_if_any()
    if now is None:
        now = datetime.now(GUAYAQUIL)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=GUAYAQUIL)
    header, issued_at = read_header(r, body, doc_type, company, now)
    doc = doc_type.parse(r, body, header, company)
    rate_dates.check(r, doc)
    r.ec.raise_if_any()
    party, total = doc_type.party(doc), doc_type.total(doc)
    return Draft(country="EC", kind=kind, series=SeriesKey(doc.cod_doc, doc.estab, doc.pto_emi),
                 issued_at=issued_at, total=total, currency="USD", buyer_id=party.id if party else "",
                 buyer_name=party.name if party else "", model=doc, warnings=list(r.warnings))
