"""Group commit: many threads hand validated drafts to ONE writer thread, which numbers, signs
and stores several of them in one transaction (one fsync), then answers each.

Why: with `synchronous=FULL` every commit waits for the disk (2–4 ms here), and the store's
connection is held meanwhile, so one commit per document caps concurrent issuing (the local
API's 8 clients) far below what the CPU could sign. Grouping pays that wait once per batch.

ARCHITECTURE invariant 1 still holds per document: each one runs `checkout.store_draft` inside
its own SAVEPOINT of the batch's transaction, so its sale, signed bytes and outbox job (and its
`on_commit` record) are stored together or not at all. A document that fails rolls back to its
savepoint, its number included (no gap), and only its caller gets the error; the others go on.
Nobody is answered before the COMMIT has returned (on disk). If the COMMIT itself fails,
nothing of the batch is stored and every caller of the batch gets that error.

No artificial wait: a batch is whatever queued while the previous one was being written, so a
lone request is committed at once, as by `checkout.commit`.
"""
from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.core.documents import Draft
from app.core.errors import ConfigurationError
from app.pos import checkout
from app.pos.session import Session
from app.store.db import transaction

MAX_BATCH = 32  # documents per transaction: bounds how long the store's lock is held at once


@dataclass
class _Job:
    draft: Draft
    kwargs: dict
    after: Callable[[Any, checkout.IssueResult], Any] | None
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


class GroupCommitter:
    """`commit(draft, **kw)` is `checkout.commit(session, draft, **kw)` shared with every other
    thread calling it: blocks until this document is committed (or failed) and returns its
    `IssueResult`, or `(IssueResult, after(conn, result))` when `after` is given: `after` runs in
    the document's savepoint right after it is stored (e.g. read back its row), so the caller
    needs no second trip to the store. `lock` is the one the session's connection is used under."""

    def __init__(self, session: Session, lock: threading.RLock, *, max_batch: int = MAX_BATCH):
        self.session = session
        self.lock = lock
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._closed = False
        self.formed = 0  # batches taken off the queue (for benches and tests)
        self.batches = 0  # committed transactions
        self.documents = 0

    def commit(self, draft: Draft, *, after: Callable[[Any, checkout.IssueResult], Any] | None = None,
               **kwargs) -> Any:
        if self._closed:
            raise ConfigurationError("La emisión se está deteniendo (el servidor se cierra): "
                                     "reintente en unos segundos")
        self._ensure_writer()
        self.session.identity  # noqa: B018  (the certificate loaded by the caller, not the writer)
        job = _Job(draft, kwargs, after)
        self._queue.put(job)
        job.done.wait()
        if job.error is not None:
            raise job.error
        return job.result

    def close(self) -> None:
        """Stops the writer once what is queued is committed."""
        self._closed = True
        with self._start_lock:
            thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout=30)

    # -- the writer -----------------------------------------------------------------------------
    def _ensure_writer(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="mostrador-group-commit", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            batch = [job]
            stop = False
            while len(batch) < self.max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self.formed += 1
            self._write(batch)
            if stop:
                return

    def _write(self, batch: list[_Job]) -> None:
        conn = self.session.conn
        try:
            with self.lock, transaction(conn):
                for job in batch:
                    self._one(conn, job)
            self.batches += 1
            self.documents += sum(1 for j in batch if j.error is None)
        except BaseException as exc:  # BEGIN or COMMIT failed (or the store died): nothing is stored
            for job in batch:
                if job.error is None:
                    job.error, job.result = exc, None
        finally:
            for job in batch:
                job.done.set()

    def _one(self, conn, job: _Job) -> None:
        conn.execute("SAVEPOINT group_document")
        try:
            result = checkout.store_draft(self.session, job.draft, **job.kwargs)
            job.result = result if job.after is None else (result, job.after(conn, result))
        except Exception as exc:
            storage_fault = isinstance(exc, sqlite3.Error) and not isinstance(exc, sqlite3.IntegrityError)
            if storage_fault or not conn.in_transaction:
                raise  # disk full, I/O, corrupt: the whole batch fails (transaction() says it in Spanish)
            job.error = exc
            conn.execute("ROLLBACK TO group_document")
        conn.execute("RELEASE group_document")
