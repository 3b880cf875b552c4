"""The transactional outbox: jobs written with the document, claimed by workers with a lease.

Two workers (two processes, or a thread and a process) can run at once: a job is claimed
inside `BEGIN IMMEDIATE`, so only one of them gets it; a crashed worker's lease is taken
over when it expires or when its process is gone. Documents of one series are sent in
numbering order: a `send` job is not claimable while an earlier document of the same
series still waits to be sent.

A lease must outlive the work done under it, whatever the latency: while a worker holds
jobs, a `LeaseKeeper` (its own connection, its own thread) extends `lease_until` of every job
it still holds, and `LeaseKeeper.still_mine(job_id)` is asked right before each network
call, so a job whose lease was lost anyway (a stalled process) is never sent by both.
"""
from __future__ import annotations

import logging
import os
import socket
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from app.store.db import transaction

HOST = socket.gethostname()
ENV_LEASE = "MOSTRADOR_LEASE_SECONDS"  # a shorter lease for tests (default 120 s)
log = logging.getLogger("mostrador.sync")


def default_lease() -> float:
    """How long a claimed job stays reserved without being renewed."""
    try:
        value = float(os.environ.get(ENV_LEASE, "120"))
    except ValueError:
        return 120.0
    return value if value > 0 else 120.0


def new_owner() -> str:
    return f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _owner_alive(owner: str | None) -> bool:
    if not owner:
        return False
    try:
        host, pid, _ = owner.rsplit(":", 2)
        pid_n = int(pid)
    except ValueError:
        return False
    if host != HOST:
        return True  # cannot tell; rely on the lease expiry
    if pid_n == os.getpid():
        return True
    try:
        os.kill(pid_n, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Job:
    id: int
    document_id: int
    action: str
    attempts: int
    series: tuple
    sequential: int
    country: str


def enqueue(conn: sqlite3.Connection, document_id: int, action: str, *, due: float | None = None) -> int:
    cur = conn.execute(
        "INSERT INTO outbox(document_id, action, state, attempts, next_attempt_at, created_at) "
        "VALUES (?, ?, 'pending', 0, ?, datetime('now'))",
        (document_id, action, time.time() if due is None else due),
    )
    return int(cur.lastrowid)


# In document order straight from the index (no sort of the whole queue), due ones only.
_CANDIDATES = """
SELECT o.id, o.document_id, o.action, o.attempts, o.lease_owner, o.lease_until,
       d.country, d.ambiente, d.doc_code, d.establishment, d.point, d.sequential
FROM outbox o INDEXED BY outbox_pending_order JOIN documents d ON d.id = o.document_id
WHERE o.state = 'pending' AND o.next_attempt_at <= ?
ORDER BY o.document_id, o.id
LIMIT ?
"""


def claim(conn: sqlite3.Connection, owner: str, *, limit: int = 50, lease_seconds: float | None = None,
          now: float | None = None) -> list[Job]:
    """Claims up to `limit` due jobs for `owner`, respecting per-series order."""
    now = time.time() if now is None else now
    lease_seconds = default_lease() if lease_seconds is None else lease_seconds
    # look first without the write lock: an idle worker must not keep taking it (the till's
    # sale waits for that lock)
    if conn.execute("SELECT 1 FROM outbox WHERE state='pending' AND next_attempt_at <= ? LIMIT 1",
                    (now,)).fetchone() is None:
        return []
    with transaction(conn):
        rows = conn.execute(_CANDIDATES, (now, limit * 4)).fetchall()
        free = [r for r in rows
                if r["lease_owner"] is None or r["lease_owner"] == owner
                or (r["lease_until"] or 0) < now or not _owner_alive(r["lease_owner"])]
        jobs: list[Job] = []
        chosen_ids = {r["id"] for r in free}
        first_blocked: dict[tuple, int | None] = {}
        for r in free:
            series = (r["country"], r["ambiente"], r["doc_code"], r["establishment"], r["point"])
            if r["action"] == "send":
                if series not in first_blocked:
                    first_blocked[series] = _first_unclaimable_send(conn, series, chosen_ids)
                blocked = first_blocked[series]
                if blocked is not None and r["sequential"] > blocked:
                    continue
            jobs.append(Job(r["id"], r["document_id"], r["action"], r["attempts"], series,
                            r["sequential"], r["country"]))
            if len(jobs) >= limit:
                break
        if jobs:
            conn.executemany(
                "UPDATE outbox SET lease_owner=?, lease_until=? WHERE id=?",
                [(owner, now + lease_seconds, j.id) for j in jobs],
            )
        return jobs


def _first_unclaimable_send(conn: sqlite3.Connection, series: tuple, chosen: set[int]) -> int | None:
    """Lowest sequential of this series whose send job is pending but not among `chosen`
    (leased by another live worker, or not yet due): later documents must wait for it.

    Walks the pending sends in document order (index outbox_pending_sends; id order is
    numbering order within a series) and stops at the first one outside the batch, so a
    long backlog costs no more than the batch itself."""
    cur = conn.execute(
        "SELECT o.id, d.sequential FROM outbox o JOIN documents d ON d.id = o.document_id "
        "WHERE o.action='send' AND o.state='pending' AND d.country=? AND d.ambiente=? AND d.doc_code=? "
        "AND d.establishment=? AND d.point=? ORDER BY o.document_id",
        series,
    )
    try:
        for job_id, sequential in cur:
            if job_id not in chosen:
                return int(sequential)
        return None
    finally:
        cur.close()


def complete(conn: sqlite3.Connection, job_id: int) -> None:
    conn.execute(
        "UPDATE outbox SET state='done', lease_owner=NULL, lease_until=NULL, attempts=attempts+1 WHERE id=?",
        (job_id,),
    )


def reschedule(conn: sqlite3.Connection, job_id: int, due: float, error: str | None = None) -> None:
    conn.execute(
        "UPDATE outbox SET next_attempt_at=?, attempts=attempts+1, last_error=?, "
        "lease_owner=NULL, lease_until=NULL WHERE id=?",
        (due, error, job_id),
    )


def release(conn: sqlite3.Connection, job_ids: list[int], *, owner: str | None = None) -> None:
    """Gives back leased jobs untouched (e.g. the rest of a batch after a failure); with
    `owner`, only those still leased to it (another worker may have taken one over)."""
    if owner is None:
        conn.executemany("UPDATE outbox SET lease_owner=NULL, lease_until=NULL WHERE id=?",
                         [(i,) for i in job_ids])
    else:
        conn.executemany("UPDATE outbox SET lease_owner=NULL, lease_until=NULL WHERE id=? AND lease_owner=?",
                         [(i, owner) for i in job_ids])


def renew(conn: sqlite3.Connection, owner: str, lease: float, *, job_id: int | None = None,
          now: float | None = None) -> int:
    """Extends the lease of every pending job `owner` still holds (or of `job_id` only).
    One short statement; returns how many jobs are still held."""
    now = time.time() if now is None else now
    if job_id is None:
        cur = conn.execute("UPDATE outbox SET lease_until=? WHERE lease_owner=? AND state='pending'",
                           (now + lease, owner))
    else:
        cur = conn.execute("UPDATE outbox SET lease_until=? WHERE id=? AND lease_owner=? AND state='pending'",
                           (now + lease, job_id, owner))
    return cur.rowcount


class LeaseKeeper:
    """Keeps a worker's leases alive while it works (`with keeper.holding(): ...`): a thread
    with its own connection renews them every third of the lease, in one short autocommit
    statement (the till's sale never waits long behind it). `still_mine(job_id)` is the fence
    asked right before a network call: False when the job is no longer leased to this owner
    (taken over, or finished by someone else): then it must not be sent.

    A database without a file (":memory:") cannot be shared by two workers: no thread, and
    every job is the owner's."""

    def __init__(self, db_path: Path | str | None, owner: str, lease: float):
        self.owner = owner
        self.lease = lease
        self._path = db_path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._depth = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.renewals = 0

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            from app.store.db import busy_timeout

            self._conn = sqlite3.connect(str(self._path), isolation_level=None, timeout=busy_timeout(),
                                         check_same_thread=False)
        return self._conn

    def holding(self):
        keeper = self

        class _Holding:
            def __enter__(self):
                keeper._enter()

            def __exit__(self, *exc):
                keeper._exit()
        return _Holding()

    def _enter(self) -> None:
        if self._path is None:
            return
        with self._lock:
            self._depth += 1
            if self._thread is not None:
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._beat, name="mostrador-lease", daemon=True)
            self._thread.start()

    def _exit(self) -> None:
        if self._path is None:
            return
        with self._lock:
            self._depth -= 1
            if self._depth > 0 or self._thread is None:
                return
            thread, self._thread = self._thread, None
            self._stop.set()
        thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self.lease / 3):
            try:
                with self._lock:
                    renew(self._db(), self.owner, self.lease)
                    self.renewals += 1
            except sqlite3.Error as exc:  # locked for long, disk full…: the fence still guards
                log.warning("no se pudo renovar la reserva de trabajos: %s", exc)

    def still_mine(self, job_id: int) -> bool:
        if self._path is None:
            return True
        try:
            with self._lock:
                db = self._db()
                row = db.execute("SELECT lease_owner, lease_until, state FROM outbox WHERE id=?",
                                 (job_id,)).fetchone()
                if row is None or row[0] != self.owner or row[2] != "pending":
                    return False
                if (row[1] or 0) - time.time() >= self.lease / 2:
                    return True
                return renew(db, self.owner, self.lease, job_id=job_id) == 1
        except sqlite3.Error as exc:  # cannot tell: do not send now, the job comes back
            log.warning("no se pudo comprobar la reserva del trabajo %s: %s", job_id, exc)
            return False

    def close(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
            self._stop.set()
        if thread is not None:
            thread.join()
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def make_due(conn: sqlite3.Connection, document_id: int, *, now: float | None = None) -> int:
    """"Reintentar ahora": the document's pending jobs become due (the caller wakes the worker).
    Returns how many jobs there were."""
    cur = conn.execute("UPDATE outbox SET next_attempt_at=? WHERE document_id=? AND state='pending'",
                       (time.time() if now is None else now, document_id))
    return cur.rowcount


def pending_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM outbox WHERE state='pending'").fetchone()[0]


def next_due(conn: sqlite3.Connection) -> float | None:
    row = conn.execute("SELECT MIN(next_attempt_at) FROM outbox WHERE state='pending'").fetchone()
    return row[0]


def last_error(conn: sqlite3.Connection, document_id: int) -> str | None:
    row = conn.execute(
        "SELECT last_error FROM outbox WHERE document_id=? AND state='pending' ORDER BY id DESC LIMIT 1",
        (document_id,),
    ).fetchone()
    return row[0] if row else None
