"""The background transmitter: claims outbox jobs and hands each to its country's protocol
(`app.fiscal.base.WorkerProtocol`, made by the country's `transport` facet).

Plain Python, its own SQLite connection, usable headless (`mostrador sync`) or in a thread
of the GUI. Safe to run in several processes at once (leases in `store.outbox`), and after
a crash at any instant (a re-sent document is recognised by the authority and queried,
never renumbered).

No document is sent by two workers, whatever the latency: while a pass runs its leases are
renewed (`outbox.LeaseKeeper`), each job's lease is checked right before its network call,
and each outcome is recorded as soon as it arrives (short transactions, several outcomes
that arrive together share one), so a worker taking over an expired lease never finds a
document sent but not yet recorded.
"""
from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Callable

from app.core import backoff
from app.core.errors import TransportError
from app.fiscal.base import Outcome, WorkerProtocol  # noqa: F401  (re-exported: the worker's interface)
from app.store import outbox
from app.store.db import transaction

log = logging.getLogger("mostrador.sync")
# outcomes arriving within this many seconds of each other are recorded in one transaction:
# far below any lease, it saves an fsync per document when many answers come together
RECORD_WINDOW = 0.05


def _prepare(protocol, conn: sqlite3.Connection, job: outbox.Job):
    """What runs on the worker thread before the network: the protocol's `prepare`, or for a
    protocol with only `handle`, the whole handling (it needs the worker's connection)."""
    if hasattr(protocol, "prepare"):
        return protocol.prepare(conn, job)
    return protocol.handle(conn, job)


@dataclass
class WorkerStats:
    processed: int = 0
    transport_errors: int = 0
    by_outcome: dict = field(default_factory=dict)


class Worker:
    def __init__(self, conn: sqlite3.Connection, protocols: dict[str, WorkerProtocol], *,
                 owner: str | None = None, batch: int = 50, max_backoff: float = 600.0,
                 threads: int = 4, on_change: Callable[[int], None] | None = None,
                 extra_work: list[Callable[[sqlite3.Connection], int]] | None = None,
                 lease_seconds: float | None = None):
        self.conn = conn
        self.protocols = protocols
        self.owner = owner or outbox.new_owner()
        self.lease_seconds = outbox.default_lease() if lease_seconds is None else lease_seconds
        self.leases = outbox.LeaseKeeper(getattr(conn, "db_path", None), self.owner, self.lease_seconds)
        weakref.finalize(self, self.leases.close)
        self._compacted = False
        self.batch = batch
        self.max_backoff = max_backoff
        self.threads = threads  # concurrent network calls (independent series, polls)
        self._executor = None
        self._last_deadline_check = float("-inf")
        self.on_change = on_change  # called with a document id after each change (UI refresh)
        # work outside the authority's outbox (app.integrations.jobs: e-mail, mall, webhooks):
        # `fn(conn) -> int` run at the end of every pass
        self.extra_work = list(extra_work or [])
        self.stats = WorkerStats()
        self._stop = threading.Event()
        self._wake = threading.Event()

    # -- one pass -------------------------------------------------------------------------
    def run_once(self) -> int:
        """Processes every job due now, batch after batch. Returns how many were handled."""
        handled = 0
        while not self._stop.is_set():
            jobs = outbox.claim(self.conn, self.owner, limit=self.batch, lease_seconds=self.lease_seconds)
            if not jobs:
                break
            with self.leases.holding():
                n = self._process(jobs)
            if n == 0:  # everything claimed was released again (unknown country): stop here
                break
            handled += n
        # work a protocol keeps outside the outbox (SIFEN receptor events on other issuers'
        # documents): `idle_work(conn) -> int` claims and records it itself
        for protocol in self.protocols.values():
            idle = getattr(protocol, "idle_work", None)
            if idle is not None and not self._stop.is_set():
                try:
                    handled += idle(self.conn)
                except TransportError as exc:
                    self.stats.transport_errors += 1
                    log.warning("trabajo pendiente sin enviar: %s", exc)
        if not self._compacted and not self._stop.is_set():
            self._compact_old_answers()
        for work in self.extra_work:
            if self._stop.is_set():
                break
            try:
                handled += work(self.conn)
            except Exception:  # an integration's bug or storage hiccup must not stop the authority's work
                log.exception("trabajo de integraciones fallido")
        return handled

    def _compact_old_answers(self) -> None:
        """Answers stored before migration 0008 are compacted a short batch per pass."""
        from app.store import documents

        try:
            self._compacted = documents.compact_events(self.conn) == 0
        except sqlite3.Error:  # busy or a storage fault: try again next pass
            log.warning("compactación de respuestas pospuesta", exc_info=True)

    def _process(self, jobs: list[outbox.Job]) -> int:
        # A protocol with `handle_batch` (SIFEN lotes) gets all its claimed jobs at once.
        batched = {c for c, p in self.protocols.items() if hasattr(p, "handle_batch")}
        if batched:
            rest = [j for j in jobs if j.country not in batched]
            done = 0
            for country in batched:
                mine = [j for j in jobs if j.country == country]
                if mine:
                    done += self._process_batch(self.protocols[country], mine)
            return done + (self._process_each(rest) if rest else 0)
        return self._process_each(jobs)

    def _process_batch(self, protocol, jobs: list[outbox.Job]) -> int:
        try:
            outcomes = protocol.handle_batch(self.conn, jobs)
        except TransportError as exc:
            self.stats.transport_errors += 1
            outcomes = [Outcome(done=False, error=str(exc)) for _ in jobs]
        except Exception as exc:
            log.exception("batch of %d jobs failed unexpectedly", len(jobs))
            outcomes = [Outcome(done=False, error=f"Error interno: {type(exc).__name__}: {exc}") for _ in jobs]
        self._record_all(list(zip(jobs, outcomes)))
        return len(jobs)

    def _process_each(self, jobs: list[outbox.Job]) -> int:
        """Store reads here, network calls in the pool: the sends of one series run in order in
        one task (stopping at a failure, which blocks the rest of that series), every other job
        in a task of its own. Each outcome is recorded as it arrives (those arriving together
        share one short transaction); what was not attempted goes back to the queue."""
        tasks: list[list[tuple[outbox.Job, object]]] = []
        by_series: dict[tuple, list] = {}
        skipped: list[int] = []
        blocked: set[tuple] = set()  # series whose send already failed in a `handle` protocol
        for job in jobs:
            protocol = self.protocols.get(job.country)
            if protocol is None or (job.action == "send" and job.series in blocked):
                skipped.append(job.id)
                continue
            try:
                prepared = _prepare(protocol, self.conn, job)
            except TransportError as exc:
                self.stats.transport_errors += 1
                prepared = Outcome(done=False, error=str(exc), blocks_series=job.action == "send")
            except Exception as exc:  # a bug must not kill the worker nor lose the job
                log.exception("job %s could not be prepared", job.id)
                prepared = Outcome(done=False, error=f"Error interno: {type(exc).__name__}: {exc}",
                                   blocks_series=job.action == "send")
            if isinstance(prepared, Outcome) and prepared.blocks_series and not prepared.done:
                blocked.add(job.series)
            if job.action == "send":
                if job.series not in by_series:
                    by_series[job.series] = []
                    tasks.append(by_series[job.series])
                by_series[job.series].append((job, prepared))
            else:
                tasks.append([(job, prepared)])
        if skipped:
            outbox.release(self.conn, skipped, owner=self.owner)
        recorded: set[int] = set()

        def run(task, emit):
            """One series (or one lone job) in order; each outcome goes to `emit` at once."""
            for job, prepared in task:
                if self._stop.is_set():
                    return
                outcome = self._execute(self.protocols[job.country], job, prepared)
                if outcome is None:  # the lease was lost: another worker has this job now
                    return
                emit((job, outcome))
                if outcome.blocks_series and not outcome.done:
                    return

        def record(pairs):
            self._record_all(pairs)
            recorded.update(j.id for j, _ in pairs)

        if self.threads <= 1:
            for task in tasks:
                run(task, lambda pair: record([pair]))
        elif tasks:  # even a lone series runs in the pool: this thread records while it sends
            arrived: queue.SimpleQueue = queue.SimpleQueue()

            def task_runner(task):
                try:
                    run(task, arrived.put)
                finally:
                    arrived.put(None)  # this task is over

            futures = [self._pool().submit(task_runner, task) for task in tasks]
            running = len(futures)
            while running:
                try:
                    item = arrived.get(timeout=0.2)
                except queue.Empty:
                    if all(f.done() for f in futures):  # tasks cancelled by stop() never start
                        break
                    continue
                # what arrives within a short window shares the transaction (one fsync)
                pairs, window_end = [], None
                while True:
                    if item is None:
                        running -= 1
                    else:
                        pairs.append(item)
                        window_end = window_end or time.monotonic() + RECORD_WINDOW
                    left = (window_end or 0) - time.monotonic()
                    if not running or left <= 0:
                        break
                    try:
                        item = arrived.get(timeout=left)
                    except queue.Empty:
                        break
                if pairs:
                    record(pairs)
        # the rest (after a failed send of its series, on stop, a lost lease) goes back untouched
        rest = [j.id for j in jobs if j.id not in recorded and j.id not in skipped]
        if rest:
            outbox.release(self.conn, rest, owner=self.owner)
        return len(recorded)

    def _execute(self, protocol, job: outbox.Job, prepared) -> Outcome | None:
        """The job's network call (None, and no call, when its lease is no longer ours)."""
        if isinstance(prepared, Outcome):
            return prepared
        if not self.leases.still_mine(job.id):
            log.info("trabajo %s tomado por otro proceso: no se envía", job.id)
            return None
        try:
            return protocol.execute(prepared) if hasattr(protocol, "execute") else prepared()
        except TransportError as exc:
            self.stats.transport_errors += 1
            return Outcome(done=False, error=str(exc), blocks_series=job.action == "send")
        except Exception as exc:  # a bug must not kill the worker nor lose the job
            log.exception("job %s failed unexpectedly", job.id)
            return Outcome(done=False, error=f"Error interno: {type(exc).__name__}: {exc}",
                           blocks_series=job.action == "send")

    def _pool(self):
        if self._executor is None:
            from concurrent.futures import ThreadPoolExecutor

            self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix="mostrador-net")
        return self._executor

    def _record_all(self, pairs: list[tuple[outbox.Job, Outcome]]) -> None:
        """One short transaction (one fsync) for the outcomes at hand; a savepoint per job so
        that one failing `apply` (a bug) only sends that job back to the queue."""
        if not pairs:
            return
        with transaction(self.conn):
            for job, outcome in pairs:
                self.conn.execute("SAVEPOINT job")
                try:
                    self._record_one(job, outcome)
                except Exception as exc:
                    log.exception("recording job %s failed", job.id)
                    self.conn.execute("ROLLBACK TO job")
                    outbox.reschedule(self.conn, job.id, time.time() + backoff.delay(job.attempts + 1, cap=self.max_backoff),
                                      f"Error interno al registrar: {type(exc).__name__}: {exc}")
                self.conn.execute("RELEASE job")
        for job, _ in pairs:
            self.stats.processed += 1
            if self.on_change:
                self.on_change(job.document_id)

    def _record_one(self, job: outbox.Job, outcome: Outcome) -> None:
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
    def warn_deadlines(self) -> list:
        """Logs every document past its warning age or legal deadline (at most once a minute)."""
        from app.sync import deadlines

        now = time.monotonic()
        if now - self._last_deadline_check < 60:
            return []
        self._last_deadline_check = now
        late = [w for w in deadlines.waiting(self.conn) if w.level != "ok"]
        for w in late:
            (log.error if w.level == "overdue" else log.warning)(w.message)
        return late

    def run_forever(self, *, idle_max: float = 5.0, idle_min: float = 0.5) -> None:
        while not self._stop.is_set():
            handled = 0
            try:
                handled = self.run_once()
                self.warn_deadlines()
                nxt = outbox.next_due(self.conn)
            except sqlite3.OperationalError:  # database busy beyond the timeout: try again
                log.warning("base de datos ocupada; reintento", exc_info=True)
                nxt = None
            wait = idle_max if nxt is None else max(0.0, min(idle_max, nxt - time.time()))
            if handled == 0:
                # due jobs that could not be claimed (held behind a failed send, leased by
                # another worker): do not spin; a new sale still wakes us at once
                wait = max(wait, min(idle_min, idle_max))
            self._wake.wait(wait)
            self._wake.clear()

    def wake(self) -> None:
        """A new document was committed: look at the outbox now."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stops and frees the lease keeper's connection (the worker's own is the caller's)."""
        self.stop()
        self.leases.close()

    def start_thread(self) -> threading.Thread:
        t = threading.Thread(target=self.run_forever, name="mostrador-sync", daemon=True)
        t.start()
        return t
