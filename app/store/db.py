"""SQLite connection, pragmas, migrations and explicit transactions.

WAL + synchronous=FULL: a committed sale survives a power cut (ecosystem.md §A8).
Connections are opened in autocommit mode (isolation_level=None) so that every
transaction is an explicit `BEGIN IMMEDIATE` taken through `transaction()`.

Opening never takes the write lock unless a migration is pending, and `connect_readonly()`
opens the file read-only (`mode=ro`), so listing and exporting never wait for a writer.
A read-write open runs the start-up quick check (app.store.health) once per process and the
daily backup (app.store.backup) in the background. `transaction()` refuses to start while the
database is marked corrupt, and turns storage faults (disk full, read-only, locked, corrupt)
into Spanish `StorageError` / `CorruptDatabaseError`, with the transaction rolled back.
The file is created private to the user (0600; SQLite gives -wal and -shm the same mode).
"""
from __future__ import annotations

import os
import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from app.resources import resource
from app.store import backup, health, packing

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
ENV_BUSY_TIMEOUT = "MOSTRADOR_BUSY_TIMEOUT"  # seconds a writer waits for the lock (default 30)


def busy_timeout() -> float:
    try:
        return max(0.0, float(os.environ.get(ENV_BUSY_TIMEOUT, "30")))
    except ValueError:
        return 30.0


class StoreConnection(sqlite3.Connection):
    """A connection that knows its file (for the corrupt mark and error messages)."""

    db_path: Path | None = None


def _open(target: str, path: Path | None, *, uri: bool = False) -> sqlite3.Connection:
    timeout = busy_timeout()
    conn = sqlite3.connect(target, isolation_level=None, timeout=timeout, check_same_thread=False,
                           uri=uri, factory=StoreConnection)
    conn.db_path = path
    conn.row_factory = packing.row_factory  # sqlite3.Row, packed columns read back as stored
    conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
    return conn


def connect(path: Path | str, *, migrate: bool = True) -> sqlite3.Connection:
    memory = str(path) == ":memory:" or str(path).startswith("file:")
    p = None if memory else Path(path)
    try:
        if p is not None and not p.exists():
            os.close(os.open(p, os.O_WRONLY | os.O_CREAT, 0o600))  # private from the first byte
        conn = _open(str(path), p)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            if migrate and schema_version(conn) < latest_version():
                apply_migrations(conn)
        except BaseException:
            conn.close()
            raise
    except (sqlite3.Error, OSError) as exc:
        err = health.translate(exc, p)
        if err is None:
            raise
        raise err from None
    if p is not None:
        if health.check_at_startup(conn, p):
            backup.maybe_daily(p)
    return conn


def connect_readonly(path: Path | str) -> sqlite3.Connection:
    """The database opened read-only: never takes (nor waits for) the write lock. A folder
    with no database yet, or one that needs a migration, gets a normal `connect()`."""
    p = Path(path)
    if not p.exists():
        return connect(p)
    try:
        conn = _open(p.resolve().as_uri() + "?mode=ro", p, uri=True)
        conn.execute("PRAGMA foreign_keys=ON")
        behind = schema_version(conn) < latest_version()
    except sqlite3.Error as exc:
        err = health.translate(exc, p)
        if err is None:
            raise
        raise err from None
    if behind:
        conn.close()
        return connect(p)
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def latest_version() -> int:
    found = migrations()
    return found[-1][0] if found else 0


def migrations() -> list[tuple[int, Path]]:
    found = []
    for p in sorted(resource("migrations").glob("*.sql")):
        m = _MIGRATION_NAME.match(p.name)
        if m:
            found.append((int(m.group(1)), p))
    return found


def apply_migrations(conn: sqlite3.Connection) -> int:
    """Applies the numbered migrations above `PRAGMA user_version`, each in its own transaction."""
    with transaction(conn):
        current = conn.execute("PRAGMA user_version").fetchone()[0]
    for number, path in migrations():
        if number <= current:
            continue
        with transaction(conn):
            # re-check inside the write lock: another process may have migrated meanwhile
            if conn.execute("PRAGMA user_version").fetchone()[0] >= number:
                continue
            for statement in _split_sql(path.read_text(encoding="utf-8")):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version={number}")
        current = number
    return current


def _split_sql(script: str) -> list[str]:
    # executescript() would COMMIT our transaction; split on ';' at line ends instead.
    stmts, buf = [], []
    for line in script.splitlines():
        if line.strip().startswith("--"):
            continue
        buf.append(line)
        if line.rstrip().endswith(";"):
            stmt = "\n".join(buf).strip()
            if stmt.strip(";").strip():
                stmts.append(stmt)
            buf = []
    rest = "\n".join(buf).strip()
    if rest:
        stmts.append(rest)
    return stmts


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """`BEGIN IMMEDIATE` … `COMMIT`, or `ROLLBACK` on any exception (then re-raised; a storage
    fault as its Spanish error). Refused while the database is marked corrupt."""
    path = health.db_path_of(conn)
    health.guard(path)
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        _reraise(exc, path)
    try:
        yield conn
    except BaseException as exc:
        _rollback(conn)
        if isinstance(exc, sqlite3.Error):
            _reraise(exc, path)
        raise
    else:
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            _rollback(conn)
            _reraise(exc, path)


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:  # SQLite may already have rolled back (disk full, corruption)
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


def _reraise(exc: sqlite3.Error, path: Path | None):
    err = health.translate(exc, path)
    if err is None or err is exc:
        raise exc
    raise err from exc
