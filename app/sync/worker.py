"""The background transmitter: claims outbox jobs and hands each to its country's protocol.

Plain Python, its own SQLite connection, usable headless (`mostrador sync`) or in a thread
of the GUI. Safe to run in several processes at once (leases in `store.outbox`), and after
a crash at any instant (a re-sent document is recognised by the authority and queried,
never renumbered).
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Protocol

from app.core.errors import TransportError
from app.store import outbox
from app.store.db import transaction
from app.sync import backoff

log = logging.getLogger("mostrador.sync")


class Protocol_(Protocol):
    """What a country contributes to the worker (see app/sync/ec.py)."""

    def handle(self, conn: sqlite3.Connection, job: outbox.Job) -> "Outcome": ...


@dataclass
class Outcome:
    """What to do with a job after one attempt. `apply` runs inside the worker's transaction."""

    done: bool
    retry_in: float | None = None  # seconds; None with done=False means: backoff
    error: str | None = None
    apply: Callable[[sqlite3.Connection], None] | None = None
    blocks_series: bool = False  # a failed send: later documents of the series must wait


@dataclass
class WorkerStats:
    processed: int = 0
    transport_errors: int = 0
    by_outcome: dict = field(default_factory=dict)


class Worker:
    def __init__(self, conn: sqlite3.Connection, protocols: dict[str, Protocol_], *,
                 owner: str | None = None, batch: int = 50, max_backoff: float = 600.0,
                 on_change: Callable[[int], None] | None = None):
        self.conn = conn
        self.protocols = protocols
        self.owner = owner or outbox.new_owner()
        self.batch = batch
        self.max_backoff = max_backoff
        self.on_change = on_change  # called with a document id after each change (UI refresh)
        self.stats = WorkerStats()
        self._stop = threading.Event()
        self._wake = threading.Event()

    # -- one pass -------------------------------------------------------------------------
    def run_once(self) -> int:
        """Processes every job due now, batch after batch. Returns how many were handled."""
        handled = 0
        while not self._stop.is_set():
            jobs = outbox.claim(self.conn, self.owner, limit=self.batch)
            if not jobs:
                break
            n = self._process(jobs)
            if n == 0:  # everything claimed was released again (unknown country): stop here
                break
            handled += n
        return handled

    def _process(self, jobs: list[outbox.Job]) -> int:
        blocked: set[tuple] = set()
        done = 0
        for i, job in enumerate(jobs):
            if self._stop.is_set():
                outbox.release(self.conn, [j.id for j in jobs[i:]])
                break
            if job.action == "send" and job.series in blocked:
                outbox.release(self.conn, [job.id])
                continue
            protocol = self.protocols.get(job.country)
            if protocol is None:
                outbox.release(self.conn, [job.id])
                continue
            try:
                outcome = protocol.handle(self.conn, job)
            except TransportError as exc:
                self.stats.transport_errors += 1
                outcome = Outcome(done=False, error=str(exc), blocks_series=job.action == "send")
            except Exception as exc:  # a bug must not kill the worker nor lose the job
                log.exception("job %s failed unexpectedly", job.id)
                outcome = Outcome(done=False, error=f"Error interno: {type(exc).__name__}: {exc}",
                                  blocks_series=job.action == "send")
            self._record(job, outcome)
            if outcome.blocks_series and not outcome.done:
                blocked.add(job.series)
            done += 1
            self.stats.processed += 1
            if self.on_change:
                self.on_change(job.document_id)
        return done

    def _record(self, job: outbox.Job, outcome: Outcome) -> None:
        with transaction(self.conn):
            if outcome.apply:
                outcome.apply(self.conn)
            if outcome.done:
                outbox.complete(self.conn, job.id)
            else:
                wait = outcome.retry_in
                if wait is None:
                    wait = backoff.delay(job.attempts + 1, cap=self.max_backoff)
                outbox.reschedule(self.conn, job.id, time.time() + wait, outcome.error)

    # -- forever ----------------------------------------------------------------------------
    def run_forever(self, *, idle_max: float = 5.0) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
                nxt = outbox.next_due(self.conn)
            except sqlite3.OperationalError:  # database busy beyond the timeout: try again
                log.warning("base de datos ocupada; reintento", exc_info=True)
                nxt = None
            wait = idle_max if nxt is None else max(0.0, min(idle_max, nxt - time.time()))
            self._wake.wait(wait)
            self._wake.clear()

    def wake(self) -> None:
        """A new document was committed: look at the outbox now."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def start_thread(self) -> threading.Thread:
        t = threading.Thread(target=self.run_forever, name="mostrador-sync", daemon=True)
        t.start()
        return t
