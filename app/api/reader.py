"""The API's hot reads (the key of each call, the idempotency record) on a read-only connection
of their own: in WAL mode a reader never waits for the writer, so a request is not held up
behind a batch of other requests' documents being signed and committed on the session's
connection. Only committed rows are seen, which is all these reads need (a racing twin of an
idempotent request is caught by the UNIQUE constraint, in its own savepoint)."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from app.pos.session import Session
from app.store.db import connect_readonly

T = TypeVar("T")


class Reader:
    def __init__(self, session: Session, lock: threading.RLock):
        self._session, self._session_lock = session, lock
        path = getattr(session.conn, "db_path", None)
        self._conn = connect_readonly(path) if path is not None else None  # an in-memory store: none
        self._lock = threading.Lock()  # one connection, shared by the server's threads

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(conn, *args)` on the read connection (or, without one, on the session's, locked)."""
        if self._conn is None:
            with self._session_lock:
                return fn(self._session.conn, *args)
        with self._lock:
            return fn(self._conn, *args)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
