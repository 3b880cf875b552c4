"""Online backups with SQLite's backup API, and restoring one.

A backup is a consistent snapshot taken while the till and the worker keep writing (WAL: the
copy reads one snapshot and never blocks a writer). It is checked (`integrity_check`) before it
is kept, so every file in `backups/` is a good one. The first read-write open of a day starts
one in the background (`maybe_daily`); backups older than `backup.keep_days` (setting, default
14) are removed, the newest one always stays.

`restore` puts a good backup in place of the database: the current file is kept aside
(`mostrador.db.damaged-<time>`, never deleted), and every row still readable in it that the
backup lacks (documents signed after the backup) is copied back, and the sequence counters
never go back, so no committed document and no used number is lost (app.store.restore).
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from datetime import datetime
from pathlib import Path

from app.core.errors import NotFoundError
from app.store import health

log = logging.getLogger(__name__)

FOLDER = "backups"
KEEP_DAYS_KEY = "backup.keep_days"
DEFAULT_KEEP_DAYS = 14
DAY = 24 * 3600

_lock = threading.Lock()
_last_look: dict[str, float] = {}  # db path -> monotonic time this process last looked


def folder(db_path: Path | str) -> Path:
    return Path(db_path).parent / FOLDER


def backups(db_path: Path | str) -> list[Path]:
    """The kept backups of this database, newest first."""
    p = Path(db_path)
    d = folder(p)
    if not d.is_dir():
        return []
    return sorted(d.glob(f"{p.stem}-*.db"), key=lambda f: f.name, reverse=True)


def open_readonly(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None,
                           timeout=5, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return conn


def integrity_problems(path: Path) -> list[str]:
    """`PRAGMA integrity_check` of a database file: [] when it is sound."""
    try:
        conn = open_readonly(path)
        try:
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check(5)")]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def make(db_path: Path | str, dest: Path | str | None = None) -> Path:
    """Backs the database up to `dest` (default `backups/<name>-<time>.db`) and returns it.
    Refuses a database marked corrupt; a copy that fails its check is not kept."""
    src_path = Path(db_path)
    health.guard(src_path)
    if not src_path.exists():
        raise NotFoundError(f"No hay base de datos en {src_path}")
    if dest is None:
        folder(src_path).mkdir(mode=0o700, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        dest = folder(src_path) / f"{src_path.stem}-{stamp}.db"
    dest = Path(dest)
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.unlink(missing_ok=True)
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT, 0o600))
    try:
        src = open_readonly(src_path)
        try:
            dst = sqlite3.connect(tmp, isolation_level=None)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                _shrink(dst)
            finally:
                dst.close()
        finally:
            src.close()
        problems = integrity_problems(tmp)
        if problems:
            health.mark_corrupt(src_path, "; ".join(problems)[:500])
            raise health.corrupt_error(src_path, "; ".join(problems)[:200])
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        err = health.translate(exc, src_path)
        if err is None:
            raise
        raise err from None
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def _shrink(copy: sqlite3.Connection) -> None:
    """VACUUMs the copy (never the live database) when a tenth of it is free pages, e.g. after
    the worker packed the rows written before a compacting migration: the backup then weighs
    what the data does, while the live file reuses its free pages for new documents."""
    pages = copy.execute("PRAGMA page_count").fetchone()[0]
    if pages and copy.execute("PRAGMA freelist_count").fetchone()[0] * 10 > pages:
        copy.execute("VACUUM")


def keep_days(db_path: Path | str) -> int:
    try:
        conn = open_readonly(Path(db_path))
        try:
            row = conn.execute("SELECT value FROM settings WHERE key=?", (KEEP_DAYS_KEY,)).fetchone()
        finally:
            conn.close()
        return max(1, int(json.loads(row[0]))) if row else DEFAULT_KEEP_DAYS
    except (sqlite3.Error, ValueError, TypeError):
        return DEFAULT_KEEP_DAYS


def prune(db_path: Path | str, days: int | None = None) -> list[Path]:
    """Removes backups older than `days` (and left-over partial copies); keeps the newest."""
    days = keep_days(db_path) if days is None else days
    limit = time.time() - days * DAY
    removed = []
    for old in backups(db_path)[1:]:
        if old.stat().st_mtime < limit:
            old.unlink(missing_ok=True)
            removed.append(old)
    for tmp in folder(db_path).glob("*.tmp"):
        if tmp.stat().st_mtime < time.time() - 3600:
            tmp.unlink(missing_ok=True)
    return removed


def due(db_path: Path | str) -> bool:
    """True when the newest backup is a day old (or there is none) and there is something to
    keep (at least one document: an empty database is not worth a day's slot)."""
    kept = backups(db_path)
    if kept and kept[0].stat().st_mtime >= time.time() - DAY:
        return False
    try:
        conn = open_readonly(Path(db_path))
        try:
            return conn.execute("SELECT EXISTS (SELECT 1 FROM documents)").fetchone()[0] == 1
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def maybe_daily(db_path: Path | str) -> threading.Thread | None:
    """Starts today's backup in a background thread when the newest one is a day old (looks at
    most once an hour per process). Returns the thread, or None when nothing was due."""
    key = str(Path(db_path).resolve())
    now = time.monotonic()
    with _lock:
        if key in _last_look and now - _last_look[key] < 3600:
            return None
        _last_look[key] = now
    try:
        if not due(db_path):
            return None
    except OSError:
        return None

    def run():
        try:
            make(db_path)
            prune(db_path)
        except Exception:  # a backup must never disturb a sale; the next start-up tries again
            log.warning("no se pudo hacer la copia de seguridad diaria de %s", db_path, exc_info=True)

    t = threading.Thread(target=run, name="mostrador-backup", daemon=True)
    t.start()
    return t
