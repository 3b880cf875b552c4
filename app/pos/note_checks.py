"""Checks of a credit or debit note against our own documents, whatever path it came by (the
cashier's credit note, `issue`, the local API): `checkout.commit` runs them inside the sale's
transaction, after signing and before storing, so a refusal consumes no number.

The country says what a signed note modifies through its till facet:
`till.note_reference(xml) -> dict | None` with
- `key`: the referenced document's key when the note names it (PY CDC), else None;
- `doc_code`, `number` ('001-001-000000123'): the referenced document's type and number;
- `issued_on`: the date the note says the referenced document has (None when it says none);
- `printed`: True when the reference is a printed document (never ours);
- `fields`: the input field names of 'number', 'date', 'amount' and 'buyer', for the refusals.

A referenced document that is ours must exist, not be rejected or cancelled, have the date the
note states, be of the note's buyer and not to the anonymous buyer; a credit note may not give
back more than is left of it. One that is not ours (another system's, printed) is accepted with
a warning. Also: the numbering follows the date (`check_chronology`).
"""
from __future__ import annotations

import sqlite3
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.core import status
from app.core.documents import Draft, SignedDocument
from app.core.errors import ValidationError
from app.core.money import ZERO

NOTE_KINDS = ("credit-notes", "debit-notes")
_GONE = (status.REJECTED, status.CANCELLED)


def _day(text: str) -> date:
    return datetime.fromisoformat(text).date()


def _find(conn: sqlite3.Connection, country: str, ambiente: str, ref: dict) -> sqlite3.Row | None:
    if ref.get("key"):
        sql, args = "key=?", (ref["key"],)
    elif ref.get("number") and ref.get("doc_code"):
        sql, args = "doc_code=? AND number=?", (ref["doc_code"], ref["number"])
    else:
        return None
    return conn.execute(f"SELECT * FROM documents WHERE country=? AND ambiente=? AND {sql} "
                        "ORDER BY version DESC LIMIT 1", (country, ambiente, *args)).fetchone()


def _never_issued(conn: sqlite3.Connection, country: str, ambiente: str, ref: dict) -> bool:
    """Whether the number falls inside a series we number (from our first document of it on)
    although we have no such document: nobody else can have issued it."""
    parts = (ref.get("number") or "").split("-")
    if len(parts) != 3 or not parts[2].isdigit() or not ref.get("doc_code"):
        return False
    first = conn.execute("SELECT MIN(sequential) FROM documents WHERE country=? AND ambiente=? AND doc_code=? "
                         "AND establishment=? AND point=?",
                         (country, ambiente, ref["doc_code"], parts[0], parts[1])).fetchone()[0]
    return first is not None and int(parts[2]) >= int(first)


def _credited(conn: sqlite3.Connection, till: Any, doc: sqlite3.Row) -> Decimal:
    """What earlier credit notes (not rejected nor cancelled) already gave back of `doc`."""
    out = ZERO
    for row in conn.execute("SELECT xml, total FROM documents WHERE country=? AND ambiente=? AND kind=? "
                            "AND status NOT IN (?, ?)", (doc["country"], doc["ambiente"], NOTE_KINDS[0], *_GONE)):
        ref = till.note_reference(bytes(row["xml"]))
        if ref is None:
            continue
        if (ref.get("key") and ref["key"] == doc["key"]) or (
                not ref.get("key") and ref.get("doc_code") == doc["doc_code"] and ref.get("number") == doc["number"]):
            out += Decimal(row["total"])
    return out


def check(conn: sqlite3.Connection, company: Any, till: Any, signed: SignedDocument) -> list[str]:
    """Raises ValidationError (naming the input field) when the note cannot modify what it
    references; returns warnings (Spanish) when it is accepted with a doubt."""
    if signed.kind not in NOTE_KINDS:
        return []
    ref = till.note_reference(signed.xml)
    if ref is None:
        return []
    f = ref["fields"]
    what = ref.get("number") or ref.get("key") or "?"
    doc = None if ref.get("printed") else _find(conn, signed.country, company.ambiente, ref)
    if doc is None:
        if not ref.get("printed") and _never_issued(conn, signed.country, company.ambiente, ref):
            raise ValidationError(f"El documento {what} no existe: está dentro de la numeración de este "
                                  "equipo y nunca se emitió", field=f["number"])
        return [f"El documento modificado {what} no fue emitido por Mostrador: no se comprueba su fecha, "
                "comprador ni saldo"]
    if doc["status"] in _GONE:
        raise ValidationError(f"El documento {what} está {'anulado' if doc['status'] == status.CANCELLED else 'rechazado'}"
                              ": no admite notas", field=f["number"])
    issued = _day(doc["issued_at"])
    if ref.get("issued_on") is not None and ref["issued_on"] != issued:
        raise ValidationError(f"El documento {what} es del {issued:%d/%m/%Y}, no del {ref['issued_on']:%d/%m/%Y}",
                              field=f["date"])
    if signed.issued_at.date() < issued:
        raise ValidationError(f"La nota no puede tener fecha anterior al documento que modifica ({issued:%d/%m/%Y})",
                              field=f["date"])
    if doc["buyer_id"] == till.anonymous_buyer.identification:
        raise ValidationError(f"El documento {what} se emitió a {till.anonymous_label}: no admite notas de "
                              "crédito ni débito", field=f["buyer"])
    if doc["buyer_id"] != signed.buyer_id:
        raise ValidationError(f"El documento {what} es de {doc['buyer_id']} ({doc['buyer_name']}), no de "
                              f"{signed.buyer_id}", field=f["buyer"])
    if signed.kind == NOTE_KINDS[0]:
        left = Decimal(doc["total"]) - _credited(conn, till, doc)
        if signed.total > left:
            raise ValidationError(f"La nota de crédito ({signed.total}) supera lo que queda por acreditar del "
                                  f"documento {what} ({left} de {Decimal(doc['total'])})", field=f["amount"])
    return []


def check_chronology(conn: sqlite3.Connection, company: Any, till: Any, draft: Draft) -> None:
    """A document never takes a number after a later-dated one of its series."""
    s = draft.series
    row = conn.execute("SELECT number, issued_at FROM documents WHERE country=? AND ambiente=? AND doc_code=? "
                       "AND establishment=? AND point=? ORDER BY sequential DESC, version DESC LIMIT 1",
                       (draft.country, company.ambiente, s.doc_code, s.establishment, s.point)).fetchone()
    if row is None:
        return
    last = _day(row["issued_at"])
    if draft.issued_at.date() < last:
        raise ValidationError(f"La fecha {draft.issued_at.date():%d/%m/%Y} es anterior a la del último documento "
                              f"de la serie ({row['number']}, {last:%d/%m/%Y}): la numeración debe seguir las "
                              "fechas", field=getattr(till, "date_field", "fecha"))
