"""The integrations outbox: work beyond the authority (e-mail per document, the mall report,
outbound webhooks), in its own table `integration_jobs` (migration 0006).

API (generic; a kind names no country)
--------------------------------------
- `enqueue(conn, kind, key, payload, *, at=None, document_id=None) -> int | None`
  Adds a job; usable INSIDE an existing transaction (the sale's, or the worker's `apply`), it
  never opens one. `(kind, key)` is unique: enqueueing the same key twice is a no-op and
  returns None (the first job stands). `payload` is any JSON-serialisable dict; `at` (unix time)
  is when it becomes due (default: now). `document_id` links it to a document (listings).
- `register(kind, handler, *, on_uncertain="hold", max_attempts=None)`: the process-wide
  handler of `kind` (or pass a mapping `{kind: Handler}` to `run_due`).
  A handler is `handler(conn, job: Job) -> Result`: it may READ `conn` (the worker's connection,
  outside any transaction) and does the network call; it must not write. What it wants written
  goes in `Result.apply(conn)`, run inside the transaction that records the result.
  Results: `done(result=None, apply=None)`, `retry(error, after=None)` (after: seconds, None =
  exponential backoff), `permanent(reason)` (a Spanish reason; the job stops: status `failed`).
- `run_due(conn, handlers=None, now=None, *, owner=None, limit=200) -> int`
  Claims due jobs under a lease (`BEGIN IMMEDIATE`, same discipline as app/store/outbox.py: a
  crashed owner's lease is taken over when it expires or its process is gone), runs their
  handlers one by one and records each result. Called by the sync worker at the end of every
  pass (`Worker(extra_work=[...])`, wired in app/pos/runtime.make_worker).
- At most once per request: the claim stamps `attempting_at` and COMMITS before the handler
  runs. A job later found with that stamp and no live lease crashed mid-call: it is "maybe
  sent". With `on_uncertain="hold"` (e-mail) it becomes status `uncertain` ("posiblemente
  enviado") and is never retried by itself; a person re-sends (a new request, a new key). With
  `on_uncertain="retry"` (receivers that deduplicate: a webhook with its key, an SFTP upload
  that checks the remote file) it is simply attempted again.
- Reading: `for_document(conn, document_id, kind)`, `get(conn, job_id)`, `by_key(conn, kind, key)`,
  `listing(conn, kind=None, limit=100)`, `retry_now(conn, job_id, now=None)`.

Statuses: `pending` → `done` | `failed` (permanently, with `last_error`) | `uncertain`.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from app.core import backoff
from app.store import outbox as _outbox
from app.store.db import transaction

log = logging.getLogger("mostrador.integrations")

PENDING = "pending"
DONE = "done"
FAILED = "failed"
UNCERTAIN = "uncertain"
STATUSES = (PENDING, DONE, FAILED, UNCERTAIN)

# How people read a job's status (Spanish).
STATUS_ES = {PENDING: "pendiente", DONE: "enviado", FAILED: "falló", UNCERTAIN: "posiblemente enviado"}

LEASE_SECONDS = 300.0
MAX_BACKOFF = 3600.0


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    key: str
    payload: dict
    attempts: int
    document_id: int | None


@dataclass(frozen=True)
class Result:
    outcome: str  # 'done' | 'retry' | 'failed'
    error: str | None = None
    after: float | None = None
    result: Any = None
    apply: Callable[[sqlite3.Connection], None] | None = None


def done(result: Any = None, apply: Callable[[sqlite3.Connection], None] | None = None) -> Result:
    return Result(DONE, result=result, apply=apply)


def retry(error: str, after: float | None = None,
          apply: Callable[[sqlite3.Connection], None] | None = None) -> Result:
    return Result("retry", error=error, after=after, apply=apply)


def permanent(reason: str, apply: Callable[[sqlite3.Connection], None] | None = None) -> Result:
    return Result(FAILED, error=reason, apply=apply)


@dataclass(frozen=True)
class Handler:
    run: Callable[[sqlite3.Connection, Job], Result]
    on_uncertain: str = "hold"  # 'hold' | 'retry'
    max_attempts: int | None = None  # None: retried until it succeeds or fails permanently


_REGISTRY: dict[str, Handler] = {}


def register(kind: str, handler: Callable[[sqlite3.Connection, Job], Result] | Handler, *,
             on_uncertain: str = "hold", max_attempts: int | None = None) -> Handler:
    if on_uncertain not in ("hold", "retry"):
        raise ValueError(f"on_uncertain: {on_uncertain!r}")
    h = handler if isinstance(handler, Handler) else Handler(handler, on_uncertain, max_attempts)
    _REGISTRY[kind] = h
    return h


def registered() -> dict[str, Handler]:
    return dict(_REGISTRY)


def _as_handler(h: Any) -> Handler:
    return h if isinstance(h, Handler) else Handler(h)


# ------------------------------------------------------------------------------ writing

def enqueue(conn: sqlite3.Connection, kind: str, key: str, payload: dict | None = None, *,
            at: float | None = None, document_id: int | None = None) -> int | None:
    """Adds a job inside the caller's transaction (or autocommits one statement). Returns the
    new job's id, or None when `(kind, key)` was already queued (a no-op)."""
    now = time.time()
    cur = conn.execute(
        "INSERT OR IGNORE INTO integration_jobs(kind, dedup_key, document_id, payload, status, attempts, "
        "next_attempt_at, created_at, updated_at) VALUES (?,?,?,?,?,0,?,?,?)",
        (kind, key, document_id, json.dumps(payload or {}, ensure_ascii=False, sort_keys=True),
         PENDING, now if at is None else at, now, now),
    )
    return int(cur.lastrowid) if cur.rowcount else None


def retry_now(conn: sqlite3.Connection, job_id: int, *, now: float | None = None) -> bool:
    """A pending job becomes due now. Returns whether there was such a job."""
    cur = conn.execute("UPDATE integration_jobs SET next_attempt_at=? WHERE id=? AND status=?",
                       (time.time() if now is None else now, job_id, PENDING))
    return cur.rowcount > 0


# ------------------------------------------------------------------------------ running

def _job(row: sqlite3.Row) -> Job:
    try:
        payload = json.loads(row["payload"] or "{}")
    except ValueError:
        payload = {}
    return Job(row["id"], row["kind"], row["dedup_key"], payload, row["attempts"], row["document_id"])


def _free(row: sqlite3.Row, owner: str, now: float) -> bool:
    lo = row["lease_owner"]
    return (lo is None or lo == owner or (row["lease_until"] or 0) < now
            or not _outbox._owner_alive(lo))


def _claim_one(conn: sqlite3.Connection, handlers: Mapping[str, Handler], owner: str,
               now: float, skip: set[int]) -> Job | None:
    """Claims one due job and stamps it `attempting_at` (committed before any network call).
    Jobs found stamped without a live lease are resolved first (held or retried)."""
    kinds = list(handlers)
    if not kinds:
        return None
    marks = ",".join("?" * len(kinds))
    if conn.execute(f"SELECT 1 FROM integration_jobs WHERE status=? AND next_attempt_at<=? "
                    f"AND kind IN ({marks}) LIMIT 1", (PENDING, now, *kinds)).fetchone() is None:
        return None
    with transaction(conn):
        rows = conn.execute(
            f"SELECT * FROM integration_jobs WHERE status=? AND next_attempt_at<=? AND kind IN ({marks}) "
            f"ORDER BY next_attempt_at, id LIMIT 50", (PENDING, now, *kinds)).fetchall()
        for row in rows:
            if row["id"] in skip or not _free(row, owner, now):
                continue
            if row["attempting_at"] is not None:  # a crash after the call may have started
                if handlers[row["kind"]].on_uncertain == "hold":
                    conn.execute(
                        "UPDATE integration_jobs SET status=?, lease_owner=NULL, lease_until=NULL, "
                        "last_error=?, updated_at=? WHERE id=?",
                        (UNCERTAIN, "Posiblemente enviado: el programa se interrumpió durante el envío; "
                                    "reenvíelo a mano si hace falta.", now, row["id"]))
                    continue
            conn.execute("UPDATE integration_jobs SET lease_owner=?, lease_until=?, attempting_at=?, "
                         "updated_at=? WHERE id=?", (owner, now + LEASE_SECONDS, now, now, row["id"]))
            return _job(row)
    return None


def _record(conn: sqlite3.Connection, job: Job, handler: Handler, res: Result, now: float) -> None:
    attempts = job.attempts + 1
    with transaction(conn):
        conn.execute("SAVEPOINT integration_apply")
        try:
            if res.apply is not None:
                res.apply(conn)
        except Exception as exc:
            log.exception("integration job %s: apply failed", job.id)
            conn.execute("ROLLBACK TO integration_apply")
            res = retry(f"Error interno al registrar: {type(exc).__name__}: {exc}")
        conn.execute("RELEASE integration_apply")
        result_json = None if res.result is None else json.dumps(res.result, ensure_ascii=False, default=str)
        if res.outcome == DONE:
            conn.execute("UPDATE integration_jobs SET status=?, attempts=?, attempting_at=NULL, lease_owner=NULL, "
                         "lease_until=NULL, last_error=NULL, result=COALESCE(?, result), updated_at=? WHERE id=?",
                         (DONE, attempts, result_json, now, job.id))
        elif res.outcome == FAILED or (handler.max_attempts is not None and attempts >= handler.max_attempts):
            conn.execute("UPDATE integration_jobs SET status=?, attempts=?, attempting_at=NULL, lease_owner=NULL, "
                         "lease_until=NULL, last_error=?, result=COALESCE(?, result), updated_at=? WHERE id=?",
                         (FAILED, attempts, res.error, result_json, now, job.id))
        else:
            wait = res.after if res.after is not None else backoff.delay(attempts, cap=MAX_BACKOFF)
            conn.execute("UPDATE integration_jobs SET attempts=?, attempting_at=NULL, lease_owner=NULL, "
                         "lease_until=NULL, next_attempt_at=?, last_error=?, updated_at=? WHERE id=?",
                         (attempts, now + wait, res.error, now, job.id))


def run_due(conn: sqlite3.Connection, handlers: Mapping[str, Any] | None = None, now: float | None = None,
            *, owner: str | None = None, limit: int = 200, clock: Callable[[], float] | None = None,
            budget: float | None = None) -> int:
    """Runs every due job whose kind has a handler (at most `limit`, and no new one after
    `budget` seconds: the worker's pass also serves the authority). Returns how many ran."""
    hs = {k: _as_handler(h) for k, h in (_REGISTRY if handlers is None else handlers).items()}
    owner = owner or _outbox.new_owner()
    tick = clock or (lambda: time.time() if now is None else now)
    ran = 0
    skip: set[int] = set()
    started = time.monotonic()
    while ran < limit and (budget is None or time.monotonic() - started < budget):
        job = _claim_one(conn, hs, owner, tick(), skip)
        if job is None:
            break
        skip.add(job.id)
        handler = hs[job.kind]
        try:
            res = handler.run(conn, job)
            if not isinstance(res, Result):
                raise TypeError(f"el manejador de '{job.kind}' devolvió {type(res).__name__}")
        except Exception as exc:  # a bug must not kill the worker nor lose the job
            log.exception("integration job %s (%s) failed unexpectedly", job.id, job.kind)
            res = retry(f"Error interno: {type(exc).__name__}: {exc}")
        _record(conn, job, handler, res, tick())
        ran += 1
    return ran


def extra_work(handlers: Mapping[str, Any] | None = None, *, budget: float = 15.0) -> Callable[[sqlite3.Connection], int]:
    """A callable for `Worker(extra_work=[...])`: runs the due jobs on the worker's connection,
    starting none after `budget` seconds (the rest waits for the next pass)."""
    def work(conn: sqlite3.Connection) -> int:
        return run_due(conn, handlers, budget=budget)
    return work


# ------------------------------------------------------------------------------ reading

@dataclass(frozen=True)
class JobView:
    id: int
    kind: str
    key: str
    status: str
    attempts: int
    last_error: str | None
    result: Any
    payload: dict
    document_id: int | None
    next_attempt_at: float
    updated_at: float
    attempting: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def status_es(self) -> str:
        return STATUS_ES.get(self.status, self.status)

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "key": self.key, "status": self.status,
                "status_es": self.status_es, "attempts": self.attempts, "last_error": self.last_error,
                "result": self.result, "payload": self.payload, "updated_at": self.updated_at}


def _view(row: sqlite3.Row) -> JobView:
    res = None
    if row["result"]:
        try:
            res = json.loads(row["result"])
        except ValueError:
            res = row["result"]
    j = _job(row)
    return JobView(row["id"], row["kind"], row["dedup_key"], row["status"], row["attempts"], row["last_error"],
                   res, j.payload, row["document_id"], row["next_attempt_at"], row["updated_at"],
                   row["attempting_at"] is not None)


def get(conn: sqlite3.Connection, job_id: int) -> JobView | None:
    row = conn.execute("SELECT * FROM integration_jobs WHERE id=?", (job_id,)).fetchone()
    return _view(row) if row else None


def by_key(conn: sqlite3.Connection, kind: str, key: str) -> JobView | None:
    row = conn.execute("SELECT * FROM integration_jobs WHERE kind=? AND dedup_key=?", (kind, key)).fetchone()
    return _view(row) if row else None


def for_document(conn: sqlite3.Connection, document_id: int, kind: str | None = None) -> list[JobView]:
    """The document's jobs (of `kind`), oldest first."""
    sql, args = "SELECT * FROM integration_jobs WHERE document_id=?", [document_id]
    if kind:
        sql += " AND kind=?"
        args.append(kind)
    return [_view(r) for r in conn.execute(sql + " ORDER BY id", args)]


def listing(conn: sqlite3.Connection, kind: str | None = None, *, limit: int = 100) -> list[JobView]:
    """The latest jobs (of `kind`), newest first."""
    sql, args = "SELECT * FROM integration_jobs", []
    if kind:
        sql += " WHERE kind=?"
        args.append(kind)
    return [_view(r) for r in conn.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit))]
