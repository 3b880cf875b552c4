"""The SRI's offline protocol for the worker: validarComprobante, then autorizacionComprobante.

REFERENCE §4.4–4.5: on RECIBIDA wait, then poll; 43 (clave registrada) and 70 (en
procesamiento) mean the SRI already has it: poll, never renumber; 50 and transport errors
are retried with backoff; every other error needs a person (status `rejected`, messages kept
verbatim, same clave and number for the corrected re-send).
"""
from __future__ import annotations

import sqlite3
import time
from dataclasses import asdict, is_dataclass
from datetime import datetime, timezone

from app.core.status import AUTHORIZED, CANCELLED, REJECTED, SENT, SIGNED
from app.fiscal.base import Outcome
from app.store import documents, outbox

# After this long in EN PROCESO the SRI has broken its own 24 h promise: ask a person.
MAX_POLL_SECONDS = 24 * 3600


def _messages(msgs) -> list[dict]:
    return [asdict(m) if is_dataclass(m) else dict(m) for m in msgs or []]


class SriProtocol:
    def __init__(self, client, *, poll_delay: float = 3.0, max_backoff: float = 600.0):
        self.client = client
        self.poll_delay = poll_delay
        self.max_backoff = max_backoff

    def handle(self, conn: sqlite3.Connection, job: outbox.Job) -> Outcome:
        prepared = self.prepare(conn, job)
        return prepared if isinstance(prepared, Outcome) else self.execute(prepared)

    def prepare(self, conn: sqlite3.Connection, job: outbox.Job):
        """Reads what the call needs from the store (worker thread). -> a callable for
        `execute`, or an Outcome when there is nothing to send."""
        row = documents.get(conn, job.document_id)
        if job.action == "send":
            if row["status"] != SIGNED:  # already handled by an earlier attempt
                return Outcome(done=True)
            xml = bytes(row["xml"])
            return lambda: self._send(job, xml)
        if job.action == "poll":
            if row["status"] in (AUTHORIZED, REJECTED, CANCELLED):
                return Outcome(done=True)
            key, updated_at = row["key"], row["updated_at"]
            return lambda: self._poll(job, key, updated_at)
        return Outcome(done=True, error=f"acción desconocida {job.action}")

    def execute(self, prepared) -> Outcome:
        """The network part (a pool thread): no store access here."""
        return prepared()

    # -- recepción ------------------------------------------------------------------------
    def _send(self, job: outbox.Job, xml: bytes) -> Outcome:
        from app.fiscal.ec.client import classify

        result = self.client.send(xml)
        msgs = _messages(result.messages)
        doc_id = job.document_id
        if result.estado == "RECIBIDA":
            return Outcome(done=True, apply=lambda c: self._to_sent(c, doc_id, msgs, result.raw, "RECIBIDA"))
        action = classify(result.messages)
        if action == "poll":
            return Outcome(done=True, apply=lambda c: self._to_sent(c, doc_id, msgs, result.raw,
                                                                    "DEVUELTA: el SRI ya tiene la clave"))
        if action == "retry":
            return Outcome(done=False, error=_summary(msgs), blocks_series=True,
                           apply=lambda c: documents.add_event(c, doc_id, SIGNED,
                                                               {"detail": "SRI: error temporal", "messages": msgs},
                                                               result.raw))
        return Outcome(done=True, apply=lambda c: documents.set_status(
            c, doc_id, REJECTED, messages=msgs, raw=result.raw, detail="DEVUELTA por el SRI"))

    def _to_sent(self, conn, doc_id, msgs, raw, detail) -> None:
        documents.set_status(conn, doc_id, SENT, messages=msgs, raw=raw, detail=detail)
        outbox.enqueue(conn, doc_id, "poll", due=time.time() + self.poll_delay)

    # -- autorización ---------------------------------------------------------------------
    def _poll(self, job: outbox.Job, key: str, updated_at: str) -> Outcome:
        result = self.client.authorize(key)
        msgs = _messages(result.messages)
        doc_id = job.document_id
        if result.estado == "AUTORIZADO":
            fecha = result.fecha_autorizacion
            at = fecha.isoformat() if isinstance(fecha, datetime) else (str(fecha) if fecha else None)
            return Outcome(done=True, apply=lambda c: documents.set_status(
                c, doc_id, AUTHORIZED, messages=msgs, raw=result.raw, detail="AUTORIZADO",
                authorization_number=result.numero_autorizacion or key, authorized_at=at))
        if result.estado == "NO AUTORIZADO":
            return Outcome(done=True, apply=lambda c: documents.set_status(
                c, doc_id, REJECTED, messages=msgs, raw=result.raw, detail="NO AUTORIZADO"))
        # EN PROCESO, or not yet known: ask again later, more and more patiently
        waited = time.time() - _ts(updated_at)
        if waited > MAX_POLL_SECONDS:
            return Outcome(done=True, apply=lambda c: documents.set_status(
                c, doc_id, REJECTED, messages=msgs, raw=result.raw,
                detail="El SRI no respondió la autorización en 24 horas; revise en SRI en línea"))
        wait = min(self.max_backoff, max(self.poll_delay, 1.0) * (2 ** min(job.attempts, 10)))
        return Outcome(done=False, retry_in=wait, error=f"SRI: {result.estado}")


def _ts(iso: str) -> float:
    try:
        return datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return datetime.now(timezone.utc).timestamp()


def _summary(msgs: list[dict]) -> str:
    return "; ".join(f"{m.get('identificador')} {m.get('mensaje')}" for m in msgs) or "sin mensajes"
