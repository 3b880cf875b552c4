"""Signed documents and their history. The signed bytes are written once, never updated.

The authority's raw answers (`document_events.raw`) are stored once and compressed (migration
0008): `pack_raw` cuts the document's own signed XML out of an answer that embeds it, keeps the
zlib of the rest in `raw_blobs` under its SHA-256 (identical answers — a SIFEN lote's — are
stored once) and leaves in the row a 73-byte reference with the SHA-256 of the original.
`raw_bytes` (and `events`, which every reader uses) rebuilds the exact original bytes and
checks that digest; a row written before 0008 reads as it is.
The signed XML itself is stored packed (app.store.packing, migration 0013) and read back byte for
byte by the connection's row factory, so `row["xml"]` is always the signed bytes.
"""
from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import struct
import threading
import zlib
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from app.core import status as st
from app.core.documents import SignedDocument
from app.core.errors import CorruptDatabaseError, NotFoundError
from app.store import packing

STATUSES = tuple(st.DocumentStatus)
log = logging.getLogger(__name__)

# Called inside the transaction that records a status change, as fn(conn, doc_id, status):
# how work beyond the authority (app.integrations: e-mail on authorization, the mall) is
# queued with the change itself. Installed by the worker's wiring (app.pos.runtime).
STATUS_LISTENERS: list[Callable[[sqlite3.Connection, int, str], None]] = []


def utcnow_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def insert(conn: sqlite3.Connection, doc: SignedDocument, *, ambiente: str, sale_id: int | None,
           previous_id: int | None = None, version: int = 1) -> int:
    now = utcnow_iso()
    cur = conn.execute(
        "INSERT INTO documents(sale_id, country, kind, doc_code, key, version, previous_id, number, "
        "ambiente, establishment, point, sequential, issued_at, signed_at, total, currency, buyer_id, "
        "buyer_name, status, xml, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (sale_id, doc.country, doc.kind, doc.doc_code, doc.key, version, previous_id, doc.number,
         ambiente, doc.series.establishment, doc.series.point, doc.sequential,
         doc.issued_at.isoformat(), doc.signed_at.isoformat(), str(doc.total), doc.currency,
         doc.buyer_id, doc.buyer_name, st.SIGNED, packing.pack(conn, "xml", doc.xml), now),
    )
    doc_id = int(cur.lastrowid)
    add_event(conn, doc_id, st.SIGNED, f"Firmado {doc.number} ({doc.key})")
    return doc_id


RAW_MAGIC = b"\x00MZR1"  # an authority's answer never starts with NUL
_RAW_HEAD = struct.Struct(">32si32s")  # SHA-256 of the original, offset of the cut XML (-1: none), blob key
RAW_REF_SIZE = len(RAW_MAGIC) + _RAW_HEAD.size


def _document_xml(conn: sqlite3.Connection, doc_id: int) -> bytes | None:
    row = conn.execute("SELECT xml FROM documents WHERE id=?", (doc_id,)).fetchone()
    return bytes(row[0]) if row is not None and row[0] is not None else None


def pack_raw(conn: sqlite3.Connection, doc_id: int, raw: bytes | None) -> bytes | None:
    """The compact reference stored for `raw` (inside the caller's transaction)."""
    if raw is None:
        return None
    raw = bytes(raw)
    if raw.startswith(RAW_MAGIC):
        return raw  # already a reference
    xml = _document_xml(conn, doc_id)
    offset = raw.find(xml) if xml and len(raw) >= len(xml) else -1
    payload = raw if offset < 0 else raw[:offset] + raw[offset + len(xml):]
    key = hashlib.sha256(payload).digest()
    conn.execute("INSERT OR IGNORE INTO raw_blobs(key, z) VALUES (?, ?)", (key, zlib.compress(payload, 6)))
    return RAW_MAGIC + _RAW_HEAD.pack(hashlib.sha256(raw).digest(), offset, key)


def raw_bytes(conn: sqlite3.Connection, doc_id: int, stored: bytes | None) -> bytes | None:
    """The exact bytes the authority sent, from what `document_events.raw` holds."""
    if stored is None:
        return None
    stored = bytes(stored)
    if not stored.startswith(RAW_MAGIC) or len(stored) != RAW_REF_SIZE:
        return stored  # written before migration 0008
    digest, offset, key = _RAW_HEAD.unpack(stored[len(RAW_MAGIC):])
    row = conn.execute("SELECT z FROM raw_blobs WHERE key=?", (key,)).fetchone()
    if row is None:
        raise CorruptDatabaseError(f"Falta la respuesta original del documento {doc_id} (raw_blobs): "
                           "restaure la última copia de seguridad")
    payload = zlib.decompress(bytes(row[0]))
    if offset >= 0:
        xml = _document_xml(conn, doc_id) or b""
        payload = payload[:offset] + xml + payload[offset:]
    if hashlib.sha256(payload).digest() != digest:
        raise CorruptDatabaseError(f"La respuesta guardada del documento {doc_id} no coincide con su huella "
                           "SHA-256: restaure la última copia de seguridad")
    return payload


def add_event(conn: sqlite3.Connection, doc_id: int, status: str, detail: Any, raw: bytes | None = None) -> None:
    if not isinstance(detail, str):
        detail = json.dumps(detail, ensure_ascii=False)
    conn.execute(
        "INSERT INTO document_events(document_id, at, status, detail, raw) VALUES (?,?,?,?,?)",
        (doc_id, utcnow_iso(), status, detail, pack_raw(conn, doc_id, raw)),
    )


def add_event_nowait(conn: sqlite3.Connection, doc_id: int, status: str, detail: Any, *,
                     wait: float = 0.2) -> threading.Thread | None:
    """Records an event that must not hold up its caller (a print's "printed" mark, which makes
    the next print a copy): written at once when the write lock is free within `wait` seconds;
    while another process holds it, written by a background thread on its own connection (the
    normal busy timeout), and the call returns at once. Returns that thread, or None when the
    event is already written. The thread is not a daemon: a command's process ends only once
    its event is recorded (or given up with a warning), so no print goes unrecorded."""
    from app.core.errors import StorageLockedError
    from app.store.db import busy_timeout, connect, transaction

    conn.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
    try:
        with transaction(conn):
            add_event(conn, doc_id, status, detail)
        return None
    except StorageLockedError:
        pass
    finally:
        conn.execute(f"PRAGMA busy_timeout={int(busy_timeout() * 1000)}")
    path = getattr(conn, "db_path", None)
    if path is None:  # an in-memory database: its only other writers are this process's
        with transaction(conn):
            add_event(conn, doc_id, status, detail)
        return None

    def later() -> None:
        try:
            other = connect(path)
            try:
                with transaction(other):
                    add_event(other, doc_id, status, detail)
            finally:
                other.close()
        except Exception:  # noqa: BLE001 - a background thread has no caller to tell
            log.warning("no se pudo registrar el evento %s del documento %s", status, doc_id, exc_info=True)

    thread = threading.Thread(target=later, name=f"mostrador-event-{doc_id}", daemon=False)
    thread.start()
    return thread


def compact_events(conn: sqlite3.Connection, *, limit: int = 200) -> int:
    """Converts up to `limit` answers written before migration 0008 to the compact form, and up
    to `limit` signed XMLs and requests written before migration 0013 (app.store.packing), each in
    one short transaction (the worker calls it at the end of each pass until none is left).
    Returns how many rows were looked at (0: nothing left)."""
    return _compact_answers(conn, limit) + _compact_packed(conn, limit=limit)


_UNPACKED = (("documents", "xml", "xml", "store.signed_compact"),
             ("sales", "request_json", "request_json", "store.request_compact"))


def _compact_packed(conn: sqlite3.Connection, *, limit: int = 200) -> int:
    """Packs up to `limit` rows of each column written before migration 0013, one short
    transaction per column. Returns how many rows were looked at."""
    from app.store import settings
    from app.store.db import transaction

    looked = 0
    for table, column, purpose, mark in _UNPACKED:
        upto = int(settings.get(conn, mark + "_upto", 0) or 0)
        if int(settings.get(conn, mark + "_from", 0) or 0) >= upto:
            continue
        with transaction(conn):
            start = int(settings.get(conn, mark + "_from", 0) or 0)
            rows = conn.execute(f"SELECT id, {column} AS stored FROM {table} WHERE id > ? AND id <= ? "
                                "ORDER BY id LIMIT ?", (start, upto, limit)).fetchall()
            for r in rows:
                original = r["stored"]
                if original is None or packing.is_packed(original):
                    continue
                packed = packing.pack(conn, purpose, original)
                if packing.unpack(conn, packed) != original:  # never lose a byte
                    raise CorruptDatabaseError(f"No se pudo compactar {table}.{column} de la fila {r['id']}")
                conn.execute(f"UPDATE {table} SET {column}=? WHERE id=?", (packed, r["id"]))
            settings.put(conn, mark + "_from", rows[-1]["id"] if rows else upto)
        looked += len(rows)
    return looked


def _compact_answers(conn: sqlite3.Connection, limit: int) -> int:
    from app.store import settings
    from app.store.db import transaction

    upto = int(settings.get(conn, "store.raw_compact_upto", 0) or 0)
    start = int(settings.get(conn, "store.raw_compact_from", 0) or 0)
    if start >= upto:
        return 0
    with transaction(conn):
        start = int(settings.get(conn, "store.raw_compact_from", 0) or 0)
        rows = conn.execute("SELECT id, document_id, raw FROM document_events WHERE id > ? AND id <= ? "
                            "ORDER BY id LIMIT ?", (start, upto, limit)).fetchall()
        for r in rows:
            if r["raw"] is not None and not bytes(r["raw"]).startswith(RAW_MAGIC):
                original = bytes(r["raw"])
                packed = pack_raw(conn, r["document_id"], original)
                if raw_bytes(conn, r["document_id"], packed) != original:  # never lose a byte
                    raise CorruptDatabaseError(f"No se pudo compactar la respuesta del evento {r['id']}")
                conn.execute("UPDATE document_events SET raw=? WHERE id=?", (packed, r["id"]))
        settings.put(conn, "store.raw_compact_from", rows[-1]["id"] if rows else upto)
    return len(rows) or 0


def set_status(conn: sqlite3.Connection, doc_id: int, status: str, *, messages: list | None = None,
               raw: bytes | None = None, detail: str = "", authorization_number: str | None = None,
               authorized_at: str | None = None) -> None:
    row = conn.execute("SELECT status FROM documents WHERE id=?", (doc_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"No existe el documento {doc_id}")
    status = st.check_transition(row[0], status)
    conn.execute(
        "UPDATE documents SET status=?, last_messages=COALESCE(?, last_messages), "
        "authorization_number=COALESCE(?, authorization_number), "
        "authorized_at=COALESCE(?, authorized_at), updated_at=? WHERE id=?",
        (status, json.dumps(messages, ensure_ascii=False) if messages is not None else None,
         authorization_number, authorized_at, utcnow_iso(), doc_id),
    )
    add_event(conn, doc_id, status, {"detail": detail, "messages": messages or []}, raw)
    for listener in STATUS_LISTENERS:
        listener(conn, doc_id, status)


def get(conn: sqlite3.Connection, doc_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM documents WHERE id=?", (doc_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"No existe el documento {doc_id}")
    return row


def by_key(conn: sqlite3.Connection, key: str) -> sqlite3.Row:
    """The latest version of the document whose clave de acceso / CDC is `key`."""
    row = conn.execute(
        "SELECT * FROM documents WHERE key=? ORDER BY version DESC LIMIT 1", (key.strip(),)
    ).fetchone()
    if row is None:
        raise NotFoundError(f"No hay ningún documento con la clave {key}")
    return row


def events(conn: sqlite3.Connection, doc_id: int) -> list[dict]:
    """The document's history, oldest first; `raw` is the authority's answer byte for byte."""
    out = []
    for r in conn.execute("SELECT * FROM document_events WHERE document_id=? ORDER BY id", (doc_id,)):
        e = dict(r)
        e["raw"] = raw_bytes(conn, doc_id, e["raw"])
        out.append(e)
    return out


def listing(conn: sqlite3.Connection, *, statuses: Iterable[str] | None = None) -> list[sqlite3.Row]:
    sql = ("SELECT id, country, kind, doc_code, key, version, number, ambiente, sequential, issued_at, "
           "signed_at, total, currency, buyer_id, buyer_name, status, authorization_number, "
           "authorized_at, last_messages, updated_at FROM documents")
    args: list = []
    if statuses:
        st = list(statuses)
        sql += f" WHERE status IN ({','.join('?' * len(st))})"
        args += st
    return conn.execute(sql + " ORDER BY id", args).fetchall()


def last_signed_at(conn: sqlite3.Connection) -> datetime | None:
    row = conn.execute("SELECT signed_at FROM documents ORDER BY id DESC LIMIT 1").fetchone()
    return datetime.fromisoformat(row[0]) if row else None


def counts_by_status(conn: sqlite3.Connection) -> dict[str, int]:
    return {r[0]: r[1] for r in conn.execute("SELECT status, COUNT(*) FROM documents GROUP BY status")}
