"""Every SIFEN event of the company for the Eventos view (`Actions.list_events`): the issuer's
events on our documents (`py_events`: cancelación, inutilización, nominación, transporte; queued
in the outbox) and the receptor events on other issuers' DEs (`py_receptor_events`: conformidad,
disconformidad, desconocimiento, notificación; their own queue), newest first, with SIFEN's
answer verbatim (stored as JSON by app/fiscal/py/protocol.py)."""
from __future__ import annotations

import json
import sqlite3

from app.core.status import EventStatus
from app.fiscal.base import EventRow
from app.fiscal.py.event_requests import LABELS
from app.fiscal.py.events import RECEPTOR_ID_BASE

# the outbox job of an issuer's event is `event:<py_events.id>`; its last error says why it waits
_ISSUER = """
SELECT e.id, e.kind, e.status, e.reason, e.messages, e.protocol, e.created_at, e.updated_at,
       d.key AS reference, d.number AS number,
       (SELECT o.last_error FROM outbox o WHERE o.document_id = e.document_id
          AND o.action = 'event:' || e.id ORDER BY o.id DESC LIMIT 1) AS last_error,
       (SELECT o.attempts FROM outbox o WHERE o.document_id = e.document_id
          AND o.action = 'event:' || e.id ORDER BY o.id DESC LIMIT 1) AS attempts
FROM py_events e JOIN documents d ON d.id = e.document_id {where}
ORDER BY e.created_at DESC, e.id DESC LIMIT ?"""
_RECEPTOR = """
SELECT id, kind, status, reason, messages, protocol, created_at, updated_at, cdc AS reference,
       '' AS number, last_error, attempts
FROM py_receptor_events {where}
ORDER BY created_at DESC, id DESC LIMIT ?"""


def _messages(text: str | None) -> tuple[tuple[str, str], ...]:
    """SIFEN's answer as stored ([{"codigo", "mensaje"}]) -> ((code, message verbatim), ...)."""
    try:
        data = json.loads(text or "[]")
    except ValueError:
        return (("", str(text)),)
    if isinstance(data, dict):
        data = data.get("messages") or []
    out = []
    for m in data if isinstance(data, list) else []:
        if isinstance(m, dict):
            out.append((str(m.get("codigo") or m.get("code") or ""), str(m.get("mensaje") or m.get("message") or "")))
        else:
            out.append(("", str(m)))
    return tuple(out)


def _row(r: sqlite3.Row, receptor: bool) -> EventRow:
    status = EventStatus(r["status"])
    event_id = RECEPTOR_ID_BASE + r["id"] if receptor else r["id"]
    details = [("Id del evento", str(event_id)),
               ("Parte", "receptor (documento de otro emisor)" if receptor else "emisor (documento propio)")]
    if status == EventStatus.SIGNED and r["attempts"]:
        details.append(("Intentos de envío", str(r["attempts"])))
    return EventRow(
        id=f"{'r' if receptor else 'e'}{r['id']}", kind=LABELS.get(r["kind"], r["kind"]),
        reference=r["reference"] or "", number=r["number"] or "", status=status,
        created_at=r["created_at"], answered_at="" if status == EventStatus.SIGNED else (r["updated_at"] or ""),
        reason=r["reason"] or "", protocol=r["protocol"] or "", messages=_messages(r["messages"]),
        pending_error=(r["last_error"] or "") if status == EventStatus.SIGNED else "", details=tuple(details))


def list_events(conn: sqlite3.Connection, *, limit: int = 500,
                status: EventStatus | None = None) -> list[EventRow]:
    """The company's events (both tables), newest first, at most `limit`; only those in
    `status` when given."""
    where, args = ("", ()) if status is None else ("WHERE {p}status = ?", (EventStatus(status).value,))
    issuer = conn.execute(_ISSUER.format(where=where.format(p="e.")), (*args, limit)).fetchall()
    receptor = conn.execute(_RECEPTOR.format(where=where.format(p="")), (*args, limit)).fetchall()
    rows = [_row(r, False) for r in issuer] + [_row(r, True) for r in receptor]
    rows.sort(key=lambda e: (e.created_at, e.id), reverse=True)
    return rows[:limit]
