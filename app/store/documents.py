"""Signed documents and their history. The signed bytes are written once, never updated."""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from app.core import status as st
from app.core.documents import SignedDocument
from app.core.errors import NotFoundError

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


def add_event(conn: sqlite3.Connection, doc_id: int, status: str, detail: Any, raw: bytes | None = None) -> None:
    if not isinstance(detail, str):
        detail = json.dumps(detail, ensure_ascii=False)
    conn.execute(
        "INSERT INTO document_events(document_id, at, status, detail, raw) VALUES (?,?,?,?,?)",
        (doc_id, utcnow_iso(), status, detail, raw),
    )


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


def events(conn: sqlite3.Connection, doc_id: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT * FROM document_events WHERE document_id=? ORDER BY id", (doc_id,)
    ).fetchall()


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
