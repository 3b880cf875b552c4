"""SQLite connection, pragmas, migrations and explicit transactions.

WAL + synchronous=FULL: a committed sale survives a power cut (ecosystem.md §A8).
Connections are opened in autocommit mode (isolation_level=None) so that every
transaction is an explicit `BEGIN IMMEDIATE` taken through `transaction()`.
"""
from __future__ import annotations

import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from app.resources import resource

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def connect(path: Path | str, *, migrate: bool = True) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=30, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    if migrate:
        apply_migrations(conn)
    return conn


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
    """`BEGIN IMMEDIATE` … `COMMIT`, or `ROLLBACK` on any exception (then re-raised)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
