"""Signed documents and their history. The signed bytes are written once, never updated.

The authority's raw answers (`document_events.raw`) are stored once and compressed (migration
0008): `pack_raw` cuts the document's own signed XML out of an answer that embeds it, keeps the
zlib of the rest in `raw_blobs` under its SHA-256 (identical answers — a SIFEN lote's — are
stored once) and leaves in the row a 73-byte reference with the SHA-256 of the original.
`raw_bytes` (and `events`, which every reader uses) rebuilds the exact original bytes and
checks that digest; a row written before 0008 reads as it is.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import struct
import zlib
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from app.core import status as st
from app.core.documents import SignedDocument
from app.core.errors import CorruptDatabaseError, NotFoundError

STATUSES = tuple(st.DocumentStatus)

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
         doc.buyer_id, doc.buyer_name, st.SIGNED, doc.xml, now),
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


def compact_events(conn: sqlite3.Connection, *, limit: int = 200) -> int:
    """Converts up to `limit` answers written before migration 0008 to the compact form, in one
    short transaction (the worker calls it at the end of each pass until none is left).
    Returns how many rows were looked at (0: nothing left)."""
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
