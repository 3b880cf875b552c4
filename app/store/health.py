"""Is the database sound? The start-up quick check, the "corrupt" mark that stops signing,
and SQLite's storage errors turned into Spanish `MostradorError`s.

The mark is a small file next to the database (`mostrador.db.corrupt`), so every process that
uses the folder sees it at its next write transaction, even one that started before the damage
was found. Only `mostrador restore` (a good backup put back) removes it.
"""
from __future__ import annotations

import errno
import json
import logging
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from app.core.errors import (CorruptDatabaseError, MostradorError, StorageError, StorageFullError,
                             StorageLockedError, StorageReadOnlyError)

log = logging.getLogger(__name__)

MARK_SUFFIX = ".corrupt"
RESTORE_HINT = "Restaure la última copia buena con `mostrador restore`."

# SQLite primary result codes (the low byte of the extended code)
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB, _PERM = 5, 6, 8, 10, 11, 13, 14, 26, 3

_checked: set[tuple] = set()  # (path, inode, size, mtime) already quick-checked by this process


def mark_path(db_path: Path | str) -> Path:
    p = Path(db_path)
    return p.with_name(p.name + MARK_SUFFIX)


def marked(db_path: Path | str) -> str | None:
    """The reason the database was marked corrupt, or None when it is not marked."""
    try:
        raw = mark_path(db_path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError:
        return "marca de daño ilegible"
    try:
        return json.loads(raw).get("detail") or "base de datos dañada"
    except ValueError:
        return "base de datos dañada"


def mark_corrupt(db_path: Path | str, detail: str) -> None:
    p = mark_path(db_path)
    if p.exists():
        return
    log.error("base de datos dañada (%s): %s", db_path, detail)
    try:
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"detail": detail, "at": datetime.now(timezone.utc).isoformat(timespec="seconds")}, f)
    except OSError:  # a read-only folder: the error raised to the caller still stops this process
        log.warning("no se pudo escribir la marca de daño %s", p, exc_info=True)


def clear_mark(db_path: Path | str) -> None:
    mark_path(db_path).unlink(missing_ok=True)


def corrupt_error(db_path: Path | str, detail: str) -> CorruptDatabaseError:
    return CorruptDatabaseError(f"La base de datos {db_path} está dañada ({detail}). No se firmará ningún "
                                f"documento hasta repararla. {RESTORE_HINT}")


def guard(db_path: Path | str | None) -> None:
    """Raises CorruptDatabaseError when the database is marked corrupt (no writes, no signing)."""
    if db_path is None:
        return
    detail = marked(db_path)
    if detail is not None:
        raise corrupt_error(db_path, detail)


def quick_check(conn: sqlite3.Connection, limit: int = 5) -> list[str]:
    """`PRAGMA quick_check`: [] when the file is sound, else up to `limit` problems."""
    rows = [r[0] for r in conn.execute(f"PRAGMA quick_check({int(limit)})")]
    return [] if rows == ["ok"] else rows


def check_at_startup(conn: sqlite3.Connection, db_path: Path | str) -> bool:
    """The quick check, once per process for a given state of the file (so it runs at every
    start-up, hence after any unclean shutdown). Marks the database on damage. True when sound."""
    p = Path(db_path)
    try:
        st = p.stat()
    except OSError:
        return True  # a new or in-memory database
    key = (str(p.resolve()), st.st_ino, st.st_size, st.st_mtime_ns)
    if key in _checked:
        return marked(p) is None
    try:
        problems = quick_check(conn)
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    _checked.add(key)
    if problems:
        mark_corrupt(p, "; ".join(problems)[:500])
        return False
    return marked(p) is None


def db_path_of(conn: sqlite3.Connection) -> Path | None:
    path = getattr(conn, "db_path", None)
    if path is not None:
        return path
    try:
        row = conn.execute("PRAGMA database_list").fetchone()
    except sqlite3.Error:
        return None
    return Path(row[2]) if row and row[2] else None


def translate(exc: BaseException, db_path: Path | str | None = None) -> MostradorError | None:
    """The Spanish error for a storage fault (sqlite3 or OS error), or None when `exc` is
    not one. A corrupt database is marked on the way."""
    if isinstance(exc, MostradorError):
        return exc
    where = f" ({db_path})" if db_path else ""
    if isinstance(exc, sqlite3.Error):
        code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
        text = str(exc).lower()
        if code in (_CORRUPT, _NOTADB) or "malformed" in text or "not a database" in text:
            if db_path:
                mark_corrupt(db_path, str(exc))
            return corrupt_error(db_path or "", str(exc))
        if code == _FULL or "disk is full" in text:
            return StorageFullError(f"El disco está lleno: no se pudo guardar{where}. Lo ya guardado está a "
                                    "salvo; libere espacio y repita la operación.")
        if code in (_READONLY, _PERM) or "readonly" in text:
            return StorageReadOnlyError(f"La carpeta de datos es de solo lectura{where}: no se pudo guardar. "
                                        "Revise los permisos de la carpeta y del disco.")
        if code in (_BUSY, _LOCKED) or "locked" in text:
            return StorageLockedError(f"La base de datos está bloqueada por otro proceso{where}. Espere a que "
                                      "termine (o cierre la otra caja o `mostrador sync`) y repita.")
        if code == _CANTOPEN:
            return StorageReadOnlyError(f"No se puede abrir la base de datos{where}: revise que la carpeta "
                                        "exista y que tenga permiso de escritura.")
        if code == _IOERR:
            return StorageError(f"Error de lectura o escritura del disco{where}: {exc}. Lo ya guardado "
                                "está a salvo; revise el disco y repita.")
        return None
    if isinstance(exc, OSError):
        name = exc.filename or db_path or ""
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return StorageFullError(f"El disco está lleno: no se pudo escribir {name}. Libere espacio y repita.")
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return StorageReadOnlyError(f"Sin permiso de escritura en {name} (carpeta o disco de solo lectura).")
        if exc.errno == errno.EIO:
            return StorageError(f"Error de lectura o escritura del disco en {name}: {exc.strerror}.")
        return None
    return None
