"""Restoring a backup (app.store.backup keeps them): a good copy put in place of the database.

The current file is kept aside (`mostrador.db.damaged-<time>`, never deleted), and every row
still readable in it that the backup lacks (documents signed after the backup) is copied back,
and the sequence counters never go back, so no committed document and no used number is lost.
"""
from __future__ import annotations

import logging
import os
import sqlite3
from datetime import datetime
from pathlib import Path

from app.core.errors import CorruptDatabaseError, NotFoundError, OutputPathError
from app.store import health
from app.store.backup import backups, folder, integrity_problems, open_readonly
from app.store.db import connect

log = logging.getLogger(__name__)


def restore(db_path: Path | str, source: Path | str | None = None, *, force: bool = False) -> dict:
    """Puts the backup `source` (default: the newest good one) in place of the database.
    A sound, unmarked database is only replaced with `force`. Returns what was done."""
    db_path = Path(db_path)
    if source is None:
        good = [b for b in backups(db_path) if not integrity_problems(b)]
        if not good:
            raise NotFoundError(f"No hay copias de seguridad buenas en {folder(db_path)}")
        source = good[0]
    source = Path(source)
    if not source.is_file():
        raise NotFoundError(f"No existe la copia de seguridad {source}")
    problems = integrity_problems(source)
    if problems:
        raise CorruptDatabaseError(f"La copia {source} también está dañada ({problems[0]}); elija otra.")
    damaged = health.marked(db_path) is not None or (db_path.exists() and bool(integrity_problems(db_path)))
    if db_path.exists() and not damaged and not force:
        raise OutputPathError(f"La base de datos {db_path} está sana: para reemplazarla por la copia "
                              f"{source.name} use --force (la actual se guarda aparte).")
    aside = None
    if db_path.exists():
        aside = db_path.with_name(f"{db_path.name}.damaged-{datetime.now().strftime('%Y%m%d-%H%M%S')}")
        for suffix in ("", "-wal", "-shm"):
            part = db_path.with_name(db_path.name + suffix)
            if part.exists():
                os.replace(part, aside.with_name(aside.name + suffix))
    tmp = db_path.with_name(db_path.name + ".restoring")
    tmp.unlink(missing_ok=True)
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT, 0o600))
    src = open_readonly(source)
    try:
        dst = sqlite3.connect(tmp, isolation_level=None)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    os.replace(tmp, db_path)
    health.clear_mark(db_path)
    conn = connect(db_path)  # migrates a backup taken before an upgrade
    try:
        recovered, unreadable = _salvage(conn, aside) if aside else ({}, [])
        documents = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    finally:
        conn.close()
    return {"source": str(source), "damaged_copy": str(aside) if aside else None, "documents": documents,
            "recovered": recovered, "unreadable": unreadable}


def _salvage(conn: sqlite3.Connection, old_path: Path) -> tuple[dict[str, int], list[str]]:
    """Copies every readable row of `old_path` that `conn` lacks (a damaged page ends that
    table's copy, the rest go on); sequence counters take the larger value."""
    recovered: dict[str, int] = {}
    unreadable: list[str] = []
    try:
        old = open_readonly(old_path)
        tables = [r[0] for r in old.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
    except sqlite3.Error as exc:
        log.warning("la base dañada %s no se puede leer: %s", old_path, exc)
        return recovered, ["(todo el archivo)"]
    mine = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.execute("PRAGMA foreign_keys=OFF")  # rows arrive table by table
    try:
        for table in (t for t in tables if t in mine):
            cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            try:
                theirs = {r[1] for r in old.execute(f'PRAGMA table_info("{table}")')}
            except sqlite3.Error:
                unreadable.append(table)
                continue
            cols = [c for c in cols if c in theirs]
            names = ", ".join(f'"{c}"' for c in cols)
            insert = f'INSERT OR IGNORE INTO "{table}" ({names}) VALUES ({", ".join("?" * len(cols))})'
            n = 0
            conn.execute("BEGIN IMMEDIATE")
            try:
                try:
                    for row in old.execute(f'SELECT {names} FROM "{table}"'):
                        n += conn.execute(insert, tuple(row)).rowcount
                        if table == "sequences":
                            conn.execute("UPDATE sequences SET last=max(last, ?) WHERE country=? AND ambiente=? "
                                         "AND doc_code=? AND establishment=? AND point=?",
                                         (row["last"], row["country"], row["ambiente"], row["doc_code"],
                                          row["establishment"], row["point"]))
                except sqlite3.DatabaseError:
                    unreadable.append(table)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            if n:
                recovered[table] = n
    finally:
        old.close()
        conn.execute("PRAGMA foreign_keys=ON")
    return recovered, unreadable


def describe(report: dict) -> str:
    """The Spanish summary of `restore`'s report."""
    lines = [f"Restaurada la copia {report['source']} ({report['documents']} documentos)."]
    if report["damaged_copy"]:
        lines.append(f"La base anterior se guardó en {report['damaged_copy']}.")
    for table, n in sorted(report["recovered"].items()):
        lines.append(f"Recuperadas {n} filas de «{table}» posteriores a la copia.")
    if report["unreadable"]:
        lines.append("No se pudo leer del todo: " + ", ".join(report["unreadable"]) + ".")
    return "\n".join(lines)

