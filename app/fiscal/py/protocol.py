"""SIFEN's protocol for the worker (REFERENCE §0, §5.3–5.9, §6).

Outbox actions for PY documents:
  send          transmit: a lone document goes by siRecepDE (sync, final answer at once); a
                backlog goes by siRecepLoteDE, ≤ 50 DEs of ONE type per lote.
  lote          wait for the lote's result: siResultLoteDE no earlier than
                `py.lote_first_poll_seconds` after sending, then every `py.lote_poll_seconds`.
  consult       siConsDE by CDC: after 0364/0360, after a lote whose fate is unknown (crash or
                timeout while posting), after 0301, and for 1001/1002 duplicates.
  event:<id>    a signed event (cancelación, inutilización, nominación, transporte) for
                siRecepEvento.

Receptor events (conformidad, disconformidad, desconocimiento, notificación) concern another
issuer's DE and have no document of ours: they wait in `py_receptor_events` (their own status,
schedule and lease) and `send_receptor_events` sends them: the worker calls it as `idle_work`
at the end of every pass, `transport.drain_receptor_events(session)` at any time.

A CDC whose result is still pending at SIFEN is NEVER sent again (SIFEN blocks the RUC for
10–60 min): the lote row is written before the lote is posted, so after a crash the worker
knows which CDCs may be pending and queries them instead. Every status change keeps SIFEN's
messages verbatim.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from app.core.status import EventStatus as ES, sql_list
from app.core import backoff
from app.core.errors import TransportError
from app.core.status import AUTHORIZED, CANCELLED, PENDING, REJECTED, SENT, SIGNED
from app.fiscal.base import Outcome
from app.fiscal.py.events import RECEPTOR_ID_BASE
from app.store import documents, outbox
from app.store.db import transaction

log = logging.getLogger("mostrador.sync.py")

LOTE_MAX = 50
# REFERENCE §5.9, what the worker does with each answer code of a DE:
#   approve  0260 (Aprobado), 1005 (Aprobado con observación: transmisión extemporánea) — any
#            dEstRes "Aprobado…" is approval, whatever the codes
#   query    1001 CDC duplicado / 1002 documento duplicado: SIFEN already has it → siConsDE; 0422
#            approves it, 0420 then needs a person (never renumbered automatically)
#   retry    0161/0162 server momentarily down or paralysed, 0301 not queued / RUC blocked
#   reject   everything else, messages verbatim: 0160 XML malformado (fix, re-sign, same CDC),
#            0100-0142 schema/signature/certificate, 0163, 0183, 0200/0270 size, 1000/1003 CDC,
#            1004 clock ahead, 1050 contingencia, 1101-1110 timbrado, 1150/1151 dates (30 days /
#            5 days: administrative procedure), 1263, 1321, 2500-2503 QR, …
#   Lotes: 0300 queued (poll after ≥ 10 min), 0301 not queued (ask per CDC before resending),
#   0360/0364/0363/0340 → per-CDC siConsDE, 0361 → poll again (≥ 10 min), 0362 → per-DE codes
#   above. Consulta: 0422 found (approved), 0420 not there or not approved, 0421 no permission.
#   Events: 0600 registered; 4000-4470 rejected (kept verbatim on the event and the document).
DUPLICATE_CODES = {"1001", "1002"}
EVENT_LABELS = {"cancelacion": "Cancelación", "inutilizacion": "Inutilización", "nominacion": "Nominación",
                "transporte": "Actualización de datos del transporte"}
TRANSIENT_CODES = {"0161", "0162", "0301"}
HINTS = {  # what a person should do, appended to the rejection detail (Spanish)
    "0160": "corrija el dato indicado y reenvíe con el mismo CDC",
    "1004": "la hora de firma es posterior a la de SIFEN: corrija el reloj del equipo",
    "1150": "la emisión tiene más de 30 días: solo se regulariza con un trámite ante la DNIT",
    "1151": "la fecha de emisión está más de 5 días en el futuro: corrija el reloj del equipo",
    "1101": "revise el número de timbrado configurado",
    "0142": "el certificado no pertenece al RUC emisor",
}
DEFAULTS = {
    "py.lote_first_poll_seconds": 600.0,  # GUIA: first consulta-lote no earlier than 10 min
    "py.lote_poll_seconds": 600.0,        # … then every ≥ 10 min
    "py.unknown_wait_seconds": 600.0,     # lote posted, answer lost: ask per CDC after this
    "py.not_queued_wait_seconds": 600.0,  # 0301: the RUC may be blocked 10–60 min
    "py.sync_single": True,               # a lone document goes by siRecepDE
}
SANDBOX_DEFAULTS = {"py.lote_first_poll_seconds": 0.3, "py.lote_poll_seconds": 0.3,
                    "py.unknown_wait_seconds": 1.0, "py.not_queued_wait_seconds": 1.0}


def _msgs(messages) -> list[dict]:
    return [m.as_dict() if hasattr(m, "as_dict") else dict(m) for m in messages or []]


def _said_duplicate(row) -> bool:
    """The document's last SIFEN answer was 1001/1002 (kept in last_messages)."""
    try:
        return any(m.get("codigo") in DUPLICATE_CODES for m in json.loads(row["last_messages"] or "[]"))
    except (ValueError, AttributeError):
        return False


def _many(conn, sql: str, ids: list[int]) -> list:
    """`sql` with one `IN ({})` filled for `ids` (≤ a batch: well under SQLite's 999 limit)."""
    return conn.execute(sql.format(",".join("?" * len(ids))), ids).fetchall() if ids else []


def _by_id(conn, sql: str, ids: list[int]) -> dict:
    return {r["id"]: r for r in _many(conn, sql, ids)}


def _summary(messages) -> str:
    return "; ".join(str(m) for m in messages) or "sin mensajes"


@dataclass
class Settings:
    first_poll: float = DEFAULTS["py.lote_first_poll_seconds"]
    poll: float = DEFAULTS["py.lote_poll_seconds"]
    unknown_wait: float = DEFAULTS["py.unknown_wait_seconds"]
    not_queued_wait: float = DEFAULTS["py.not_queued_wait_seconds"]
    sync_single: bool = True
    max_backoff: float = 600.0


class SifenProtocol:
    def __init__(self, client, settings: Settings | None = None, *, ambiente: str = "1"):
        self.client = client
        self.s = settings or Settings()
        self.ambiente = ambiente

    # -- worker entry points ---------------------------------------------------------------
    def handle(self, conn: sqlite3.Connection, job: outbox.Job) -> Outcome:
        return self.handle_batch(conn, [job])[0]

    def handle_batch(self, conn: sqlite3.Connection, jobs: list[outbox.Job]) -> list[Outcome]:
        out: dict[int, Outcome] = {}
        groups = defaultdict(list)
        for j in jobs:
            groups["event" if j.action.startswith("event:") else j.action].append(j)
        for action, handler in (("send", self._send), ("lote", self._poll_lotes), ("consult", self._consult),
                                ("event", self._events)):
            if groups.get(action):
                try:
                    out.update(handler(conn, groups[action]))
                except TransportError as exc:  # one service down must not spoil the others
                    for j in groups[action]:
                        out.setdefault(j.id, Outcome(done=False, error=str(exc)))
        for j in jobs:
            out.setdefault(j.id, Outcome(done=True, error=f"acción desconocida {j.action}"))
        return [out[j.id] for j in jobs]

    # -- send ------------------------------------------------------------------------------
    def _send(self, conn, jobs) -> dict[int, Outcome]:
        out: dict[int, Outcome] = {}
        ready = []
        rows = _by_id(conn, "SELECT id, status, doc_code, key, xml FROM documents WHERE id IN ({})",
                      [j.document_id for j in jobs])
        open_lotes = {r["document_id"]: r for r in _many(
            conn, "SELECT i.document_id, l.* FROM py_lote_items i JOIN py_lotes l ON l.id = i.lote_id "
                  "WHERE i.document_id IN ({}) AND l.state IN ('sending', 'queued', 'unknown') ORDER BY l.id",
            [j.document_id for j in jobs])}
        for j in jobs:
            row = rows[j.document_id]
            if row["status"] != SIGNED:  # handled by an earlier attempt
                out[j.id] = Outcome(done=True)
                continue
            lote = open_lotes.get(j.document_id)
            if lote is not None:  # posted before a crash or a lost answer: maybe pending at SIFEN
                out[j.id] = self._to_unknown(conn, j, lote)
                continue
            ready.append((j, row))
        if not ready:
            return out
        if len(ready) == 1 and self.s.sync_single:
            j, row = ready[0]
            out[j.id] = self._send_sync(conn, j, row)
            return out
        by_type = defaultdict(list)
        for j, row in ready:
            by_type[row["doc_code"]].append((j, row))
        for doc_code, items in by_type.items():
            for i in range(0, len(items), LOTE_MAX):
                out.update(self._send_lote(conn, doc_code, items[i:i + LOTE_MAX]))
        return out

    def _to_unknown(self, conn, job, lote) -> Outcome:
        """The document is in a lote whose fate we do not know: ask SIFEN per CDC later."""
        due = max(time.time(), lote["sent_at"] + self.s.unknown_wait)
        doc_id = job.document_id

        def apply(c):
            if lote["state"] == "sending":
                c.execute("UPDATE py_lotes SET state='unknown' WHERE id=? AND state='sending'", (lote["id"],))
            documents.add_event(c, doc_id, SIGNED, "Lote enviado sin respuesta registrada: se consultará "
                                                     "el CDC antes de cualquier reenvío")
            outbox.enqueue(c, doc_id, "consult", due=due)
        return Outcome(done=True, apply=apply)

    def _send_sync(self, conn, job, row) -> Outcome:
        doc_id = job.document_id
        try:
            res = self.client.send_de(bytes(row["xml"]))
        except TransportError as exc:
            if getattr(exc, "maybe_received", False):
                # the answer was lost: SIFEN may have approved it; a sync DE is never pending,
                # so asking first and resending on 0420 is safe.
                return Outcome(done=True, error=str(exc), apply=lambda c: outbox.enqueue(
                    c, doc_id, "consult", due=time.time() + 1))
            raise
        return Outcome(done=True, apply=self._apply_result(doc_id, res.result, res.raw, job.attempts))

    def _apply_result(self, doc_id: int, r, raw: bytes | None, attempts: int = 0):
        """The function recording one DE verdict (sync answer or lote entry), in a transaction."""
        msgs = _msgs(r.messages)
        codes = set(r.codes)
        if r.approved:
            def apply(c):
                documents.set_status(c, doc_id, AUTHORIZED, messages=msgs, raw=raw, detail=r.status,
                                     authorization_number=r.protocol, authorized_at=r.processed_at or
                                     datetime.now(timezone.utc).isoformat())
                c.execute("UPDATE outbox SET state='done' WHERE document_id=? AND action IN ('lote','consult') "
                          "AND state='pending'", (doc_id,))
            return apply
        if codes & DUPLICATE_CODES:
            def apply(c):
                documents.set_status(c, doc_id, SENT, messages=msgs, raw=raw,
                                     detail="SIFEN ya tiene este CDC: se consulta su estado")
                outbox.enqueue(c, doc_id, "consult")
            return apply
        if codes & TRANSIENT_CODES:
            wait = backoff.delay(attempts + 1, cap=self.s.max_backoff)

            def apply(c):
                documents.set_status(c, doc_id, SIGNED, messages=msgs, raw=raw,
                                     detail=f"SIFEN: {_summary(r.messages)}; se reintentará")
                outbox.enqueue(c, doc_id, "send", due=time.time() + wait)
            return apply

        hints = "; ".join(HINTS[c] for c in r.codes if c in HINTS)

        def apply(c):
            documents.set_status(c, doc_id, REJECTED, messages=msgs, raw=raw,
                                 detail=f"Rechazado: {_summary(r.messages)}" + (f" ({hints})" if hints else ""))
        return apply

    def _send_lote(self, conn, doc_code: str, items) -> dict[int, Outcome]:
        now = time.time()
        with transaction(conn):  # write-ahead: these CDCs may be pending from now on
            lote_id = conn.execute("INSERT INTO py_lotes(ambiente, doc_code, state, sent_at) VALUES (?,?,'sending',?)",
                                   (self.ambiente, doc_code, now)).lastrowid
            conn.executemany("INSERT INTO py_lote_items(lote_id, document_id) VALUES (?,?)",
                             [(lote_id, j.document_id) for j, _ in items])
        try:
            ack = self.client.send_lote([bytes(row["xml"]) for _, row in items])
        except TransportError as exc:
            if getattr(exc, "maybe_received", False):
                return {j.id: self._to_unknown(conn, j, {"id": lote_id, "state": "sending", "sent_at": now})
                        for j, _ in items}
            with transaction(conn):  # never reached SIFEN: forget the lote, retry later
                conn.execute("UPDATE py_lotes SET state='failed', last_message=? WHERE id=?", (str(exc), lote_id))
            return {j.id: Outcome(done=False, error=str(exc)) for j, _ in items}
        out = {}
        with transaction(conn):
            if ack.accepted:
                due = now + self.s.first_poll
                conn.execute("UPDATE py_lotes SET state='queued', protocol=?, next_poll_at=?, last_code=?, "
                             "last_message=? WHERE id=?", (ack.protocol, due, ack.code, ack.message, lote_id))
                msgs = [{"codigo": ack.code, "mensaje": ack.message}]
                for j, _ in items:
                    documents.set_status(conn, j.document_id, SENT, messages=msgs, raw=ack.raw,
                                         detail=f"Lote {ack.protocol} recibido por SIFEN")
                    outbox.enqueue(conn, j.document_id, "lote", due=due)
                    outbox.complete(conn, j.id)
                    out[j.id] = Outcome(done=True)
            elif ack.code == "0301":
                # not queued (blocked RUC, or CDCs still in process): ask per CDC before any resend
                conn.execute("UPDATE py_lotes SET state='not_queued', last_code=?, last_message=? WHERE id=?",
                             (ack.code, ack.message, lote_id))
                due = now + self.s.not_queued_wait
                for j, _ in items:
                    documents.add_event(conn, j.document_id, SIGNED, {"detail": "Lote no encolado por SIFEN",
                                        "messages": [{"codigo": ack.code, "mensaje": ack.message}]}, ack.raw)
                    outbox.enqueue(conn, j.document_id, "consult", due=due)
                    outbox.complete(conn, j.id)
                    out[j.id] = Outcome(done=True)
            else:  # the lote itself was refused (0160 malformed, 0270 too big…): nothing is pending
                conn.execute("UPDATE py_lotes SET state='failed', last_code=?, last_message=? WHERE id=?",
                             (ack.code, ack.message, lote_id))
                msgs = [{"codigo": ack.code, "mensaje": ack.message}]
                for j, _ in items:
                    documents.set_status(conn, j.document_id, REJECTED, messages=msgs, raw=ack.raw,
                                         detail=f"Lote rechazado por SIFEN: {ack.code} {ack.message}")
                    outbox.complete(conn, j.id)
                    out[j.id] = Outcome(done=True)
        return out

    # -- lote results ------------------------------------------------------------------------
    def _poll_lotes(self, conn, jobs) -> dict[int, Outcome]:
        out: dict[int, Outcome] = {}
        by_lote = defaultdict(list)
        ids = [j.document_id for j in jobs]
        status = {r["id"]: r["status"] for r in _many(conn, "SELECT id, status FROM documents WHERE id IN ({})", ids)}
        lotes = {r["document_id"]: r for r in _many(
            conn, "SELECT i.document_id, l.* FROM py_lote_items i JOIN py_lotes l ON l.id = i.lote_id "
                  "WHERE i.document_id IN ({}) ORDER BY l.id", ids)}  # the latest lote wins
        for j in jobs:
            if status.get(j.document_id) != SENT:
                out[j.id] = Outcome(done=True)
                continue
            lote = lotes.get(j.document_id)
            if lote is None or lote["state"] != "queued":
                out[j.id] = Outcome(done=True, apply=lambda c, d=j.document_id: outbox.enqueue(c, d, "consult"))
                continue
            by_lote[lote["id"]].append((j, lote))
        for lote_id, items in by_lote.items():
            lote = items[0][1]
            now = time.time()
            if (lote["next_poll_at"] or 0) > now + 0.001:  # another worker polled it: keep the schedule
                for j, _ in items:
                    out[j.id] = Outcome(done=False, retry_in=lote["next_poll_at"] - now)
                continue
            out.update(self._poll_one(conn, lote, [j for j, _ in items]))
        return out

    def _poll_one(self, conn, lote, jobs) -> dict[int, Outcome]:
        res = self.client.query_lote(lote["protocol"])
        now = time.time()
        out = {}
        with transaction(conn):
            conn.execute("UPDATE py_lotes SET polls=polls+1, last_code=?, last_message=? WHERE id=?",
                         (res.code, res.message, lote["id"]))
            if res.code == "0361":
                due = now + self.s.poll
                conn.execute("UPDATE py_lotes SET next_poll_at=? WHERE id=?", (due, lote["id"]))
                return {j.id: Outcome(done=False, retry_in=self.s.poll, error=f"SIFEN: {res.code} {res.message}")
                        for j in jobs}
            members = conn.execute("SELECT d.id, d.key, d.status FROM py_lote_items i JOIN documents d "
                                   "ON d.id = i.document_id WHERE i.lote_id=?", (lote["id"],)).fetchall()
            conn.execute("UPDATE py_lotes SET state='done', next_poll_at=NULL WHERE id=?", (lote["id"],))
            if res.code == "0362":
                by_cdc = {r.cdc: r for r in res.results}
                for row in members:
                    doc_id = row["id"]
                    if row["status"] != SENT:
                        continue
                    r = by_cdc.get(row["key"])
                    if r is None:  # not in the result: ask for it
                        outbox.enqueue(conn, doc_id, "consult")
                    else:
                        self._apply_result(doc_id, r, res.raw)(conn)
            else:  # 0360 inexistente, 0364 extemporánea, 0363, 0340…: per-CDC consulta (GUIA §7)
                for row in members:
                    doc_id = row["id"]
                    if row["status"] == SENT:
                        documents.add_event(conn, doc_id, SENT, {"detail": "Consulta de lote sin resultado",
                                            "messages": [{"codigo": res.code, "mensaje": res.message}]}, res.raw)
                        outbox.enqueue(conn, doc_id, "consult")
            for j in jobs:
                outbox.complete(conn, j.id)
                out[j.id] = Outcome(done=True)
        return out

    # -- consulta per CDC --------------------------------------------------------------------
    def _consult(self, conn, jobs) -> dict[int, Outcome]:
        out = {}
        for j in jobs:
            row = documents.get(conn, j.document_id)
            if row["status"] in (AUTHORIZED, REJECTED, CANCELLED):
                out[j.id] = Outcome(done=True)
                continue
            res = self.client.query_de(row["key"])
            doc_id = j.document_id
            msgs = [{"codigo": res.code, "mensaje": res.message}]
            if res.found:
                def apply(c, res=res, msgs=msgs, doc_id=doc_id):
                    documents.set_status(c, doc_id, AUTHORIZED, messages=msgs, raw=res.raw,
                                         detail="Aprobado (según consulta por CDC)",
                                         authorization_number=res.protocol,
                                         authorized_at=datetime.now(timezone.utc).isoformat())
                    c.execute("UPDATE py_lotes SET state='done' WHERE state IN ('unknown','not_queued') AND id IN "
                              "(SELECT lote_id FROM py_lote_items WHERE document_id=?)", (doc_id,))
                out[j.id] = Outcome(done=True, apply=apply)
            elif res.code == "0420" and _said_duplicate(row):
                # SIFEN answered 1001/1002 but holds no approved DE under this CDC: the number is
                # taken by another CDC. Never renumber automatically: a person must look.
                def apply(c, res=res, msgs=msgs, doc_id=doc_id):
                    documents.set_status(c, doc_id, REJECTED, messages=msgs, raw=res.raw,
                                         detail="SIFEN indicó documento duplicado y no tiene este CDC aprobado: "
                                                "el número ya fue usado con otro CDC; revise antes de reemitir")
                out[j.id] = Outcome(done=True, apply=apply)
            elif res.code == "0420":
                # SIFEN does not hold it approved: it never arrived, or was rejected, or its lote
                # result expired. Nothing is pending any more (we waited): send it again.
                def apply(c, res=res, msgs=msgs, doc_id=doc_id):
                    c.execute("UPDATE py_lotes SET state='done' WHERE state IN ('unknown','not_queued','queued') "
                              "AND id IN (SELECT lote_id FROM py_lote_items WHERE document_id=?)", (doc_id,))
                    documents.set_status(c, doc_id, SIGNED, messages=msgs, raw=res.raw,
                                         detail="SIFEN no tiene el DE aprobado: se reenvía con el mismo CDC")
                    c.execute("UPDATE outbox SET state='done' WHERE document_id=? AND action='send' "
                              "AND state='pending'", (doc_id,))
                    outbox.enqueue(c, doc_id, "send")
                out[j.id] = Outcome(done=True, apply=apply)
            else:  # 0421 no permission, or something new: a person must look; retry slowly
                out[j.id] = Outcome(done=False, retry_in=backoff.delay(j.attempts + 1, cap=self.s.max_backoff),
                                    error=f"SIFEN consulta: {res.code} {res.message}")
        return out

    # -- events ------------------------------------------------------------------------------
    def _events(self, conn, jobs) -> dict[int, Outcome]:
        out = {}
        for j in jobs:
            event_id = int(j.action.split(":", 1)[1])
            ev = conn.execute("SELECT * FROM py_events WHERE id=?", (event_id,)).fetchone()
            if ev is None or ev["status"] != ES.SIGNED:
                out[j.id] = Outcome(done=True)
                continue
            res = self.client.send_event(bytes(ev["xml"]))
            r = next((x for x in res.results if x.cdc == str(event_id)), res.results[0])
            msgs = _msgs(r.messages)
            codes = set(r.codes)
            if codes & TRANSIENT_CODES:
                out[j.id] = Outcome(done=False, error=f"SIFEN evento: {_summary(r.messages)}")
                continue
            ok = r.approved
            raw = res.raw

            def apply(c, ev=ev, ok=ok, msgs=msgs, raw=raw, r=r):
                c.execute("UPDATE py_events SET status=?, messages=?, protocol=?, updated_at=? WHERE id=?",
                          (ES.REGISTERED if ok else ES.REJECTED, json.dumps(msgs, ensure_ascii=False), r.protocol,
                           documents.utcnow_iso(), ev["id"]))
                label = EVENT_LABELS.get(ev["kind"], ev["kind"])
                if ok and ev["kind"] == "cancelacion":
                    documents.set_status(c, ev["document_id"], CANCELLED, messages=msgs, raw=raw,
                                         detail=f"{label} registrada por SIFEN")
                else:
                    status = documents.get(c, ev["document_id"])["status"]
                    documents.add_event(c, ev["document_id"], status, {
                        "detail": f"{label} {'registrada' if ok else 'rechazada'} por SIFEN", "messages": msgs}, raw)
            out[j.id] = Outcome(done=True, apply=apply)
        return out


    # -- receptor events (py_receptor_events, migration 0004) ----------------------------------
    def idle_work(self, conn) -> int:
        """The worker's end-of-pass hook: receptor events live outside the outbox."""
        try:
            return self.send_receptor_events(conn)
        except TransportError:
            raise
        except Exception:  # a bug here must not stop the worker; the rows stay queued
            log.exception("eventos del receptor: error inesperado")
            return 0

    def send_receptor_events(self, conn, *, limit: int = 15, lease_seconds: float = 120.0) -> int:
        """Sends every due receptor event (one siRecepEvento each), recording SIFEN's verdict
        verbatim on the row; transport failures and 0161/0162/0301 are retried with backoff.
        A row is leased inside BEGIN IMMEDIATE, so two workers never send the same event.
        Returns how many rows were attempted."""
        now = time.time()
        if conn.execute(f"SELECT 1 FROM py_receptor_events WHERE status='{ES.SIGNED.value}' AND next_attempt_at <= ? "
                        "AND (lease_until IS NULL OR lease_until < ?) LIMIT 1", (now, now)).fetchone() is None:
            return 0
        owner = f"py-receptor:{id(self)}"
        with transaction(conn):
            rows = conn.execute(f"SELECT * FROM py_receptor_events WHERE status='{ES.SIGNED.value}' AND next_attempt_at <= ? "
                                "AND (lease_until IS NULL OR lease_until < ?) ORDER BY id LIMIT ?",
                                (now, now, limit)).fetchall()
            conn.executemany("UPDATE py_receptor_events SET lease_owner=?, lease_until=? WHERE id=?",
                             [(owner, now + lease_seconds, r["id"]) for r in rows])
        for ev in rows:
            eid = str(RECEPTOR_ID_BASE + ev["id"])  # see app.fiscal.py.events
            try:
                res = self.client.send_event(bytes(ev["xml"]))
            except TransportError as exc:
                self._receptor_retry(conn, ev, str(exc))
                continue
            r = next((x for x in res.results if x.cdc == eid), res.results[0] if res.results else None)
            if r is None:
                self._receptor_retry(conn, ev, "SIFEN evento: respuesta sin resultado")
                continue
            msgs = _msgs(r.messages)
            if set(r.codes) & TRANSIENT_CODES:
                self._receptor_retry(conn, ev, f"SIFEN evento: {_summary(r.messages)}")
                continue
            with transaction(conn):
                conn.execute("UPDATE py_receptor_events SET status=?, messages=?, protocol=?, attempts=attempts+1, "
                             "lease_owner=NULL, lease_until=NULL, last_error=NULL, updated_at=? WHERE id=?",
                             (ES.REGISTERED if r.approved else ES.REJECTED, json.dumps(msgs, ensure_ascii=False),
                              r.protocol, documents.utcnow_iso(), ev["id"]))
        return len(rows)

    def _receptor_retry(self, conn, ev, error: str) -> None:
        wait = backoff.delay(ev["attempts"] + 1, cap=self.s.max_backoff)
        with transaction(conn):
            conn.execute("UPDATE py_receptor_events SET attempts=attempts+1, next_attempt_at=?, last_error=?, "
                         "lease_owner=NULL, lease_until=NULL, updated_at=? WHERE id=?",
                         (time.time() + wait, error, documents.utcnow_iso(), ev["id"]))


# ------------------------------------------------------------------------ deadline watch

@dataclass(frozen=True)
class Deadline:
    document_id: int
    number: str
    key: str
    status: str
    age_hours: float  # since dFecFirma
    late: bool  # > 72 h: SIFEN approves it as "transmisión extemporánea" (1005)
    hours_to_late: float
    expired: bool  # dFeEmiDE > 720 h ago: SIFEN rejects it (1150)
    hours_to_expiry: float

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def deadline_watch(conn: sqlite3.Connection, *, now: datetime | None = None) -> list[Deadline]:
    """Every PY document not yet approved, with its age against the 72 h rule and the 30-day
    hard limit (MT §6.2.1), most urgent first."""
    now = now or datetime.now(timezone.utc)
    rows = conn.execute("SELECT id, number, key, status, signed_at, issued_at FROM documents "
                        f"WHERE country='PY' AND status IN ({sql_list(PENDING)})").fetchall()
    out = []
    for r in rows:
        signed = datetime.fromisoformat(r["signed_at"])
        issued = datetime.fromisoformat(r["issued_at"])
        age = (now - signed) / timedelta(hours=1)
        issued_age = (now - issued) / timedelta(hours=1)
        out.append(Deadline(r["id"], r["number"], r["key"], r["status"], round(age, 2), age > 72,
                            round(72 - age, 2), issued_age > 720, round(720 - issued_age, 2)))
    return sorted(out, key=lambda d: d.hours_to_late)
