"""What every document is, whatever the country: the draft to number and sign, the signed
result, the series it is numbered in, and one finding of `verify`."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Finding:
    """One result of `verify`: which check, whether it held, and a Spanish message."""

    check: str  # 'schema' | 'signature' | 'access_key' | 'totals' | 'qr' | ...
    ok: bool
    message: str
    # True: nothing was verified (a check that could not be done, a wrapper's claim). It does not
    # fail the document (ok stays True) but is never shown or reported as verified.
    unverified: bool = False
    # True (with ok True): it holds within what the authority accepts, but the message says what
    # differs (e.g. a header one cent off the sum of its lines). Shown as AVISO, never as a failure.
    warning: bool = False

    def as_dict(self) -> dict:
        out = {"check": self.check, "ok": self.ok, "message": self.message}
        if self.unverified:
            out["verified"] = False
        if self.warning:
            out["warning"] = True
        return out


@dataclass(frozen=True)
class SeriesKey:
    """The numbering counter a document draws from: no gaps, no duplicates per key."""

    doc_code: str  # authority's document code: EC codDoc '01', PY iTiDE '1'
    establishment: str  # '001'
    point: str  # '001'


@dataclass
class Draft:
    """Validated input ready to be numbered, built and signed (nothing allocated yet)."""

    country: str
    kind: str  # 'invoices' | 'credit-notes' | 'debit-notes' | 'retentions' | 'waybills' | 'purchase-settlements' | PY kinds
    series: SeriesKey
    issued_at: datetime  # aware, in the authority's time zone
    total: Decimal
    currency: str
    buyer_id: str
    buyer_name: str
    model: Any  # the country's own document model
    warnings: list[str] = field(default_factory=list)
    payments: list[tuple[str, Decimal]] = field(default_factory=list)  # (authority's method code, amount)


@dataclass
class SignedDocument:
    """A numbered, signed document: `xml` is exactly what is stored, sent and printed from."""

    country: str
    kind: str
    doc_code: str
    key: str  # EC clave de acceso (49) / PY CDC (44)
    number: str  # '001-001-000000123'
    sequential: int
    series: SeriesKey
    issued_at: datetime
    signed_at: datetime
    total: Decimal
    currency: str
    buyer_id: str
    buyer_name: str
    xml: bytes


# The kinds of document, named as the input APIs' paths name them (Dátil: /invoices/issue, …),
# with a short Spanish name for lists. A country issues the subset its authority has.
KINDS: dict[str, str] = {
    "invoices": "factura",
    "credit-notes": "nota crédito",
    "debit-notes": "nota débito",
    "retentions": "retención",
    "waybills": "guía remisión",
    "purchase-settlements": "liquidación",
}
