"""The read side the dialects' handlers use (`DocumentReads`): find a document by id or key, the
newest ones, the request it was issued from, its e-mails and events, its signed XML and PDF.

Two stores implement it: `SqliteReads`, one register's SQLite (the register's API, through
`ApiContext`), and app/central/api_reads.py, the central PostgreSQL store over every register of
a company (the central API). A document is a dict with the columns of the register's
`documents` table (`id`, `kind`, `key`, `number`, `status`, `xml`, …), whichever store it comes
from; a missing one raises `NotFoundError` (Spanish)."""
from __future__ import annotations

import json
import threading
from typing import Any, Protocol

from app.core.errors import NotFoundError
from app.pos import printing
from app.pos.session import Session
from app.store import documents


class DocumentReads(Protocol):
    def document(self, doc_id: Any, kind: str | None = None) -> dict:
        """The document with this id (of this kind when given); NotFoundError."""

    def recent(self, limit: int) -> list[dict]:
        """The last `limit` documents, newest first."""

    def by_key(self, key: str) -> dict:
        """The document with this clave de acceso / CDC; NotFoundError."""

    def request_of(self, doc: dict) -> dict:
        """The request the document was issued from (the dialect's JSON, or the till's sale); {}."""

    def emails_sent(self, doc: dict) -> list[dict]:
        """The document's e-mails the SMTP server accepted."""

    def events(self, doc: dict) -> list[dict]:
        """The document's history, oldest first."""

    def xml(self, doc: dict) -> bytes:
        """The signed bytes, as stored."""

    def pdf(self, doc: dict, *, a4: bool = True, width_mm: int = 80) -> bytes:
        """The A4 printable (RIDE, KuDE) or the ticket as PDF."""


def int_id(doc_id: Any) -> int:
    """A document id from a path or a body; NotFoundError (Spanish) when it is not a number."""
    try:
        return int(str(doc_id))
    except ValueError:
        raise NotFoundError(f"No existe el documento {doc_id}") from None


class SqliteReads:
    """`DocumentReads` over one register's SQLite; every use holds the app's lock (the
    connection is shared by the API's threads)."""

    session: Session
    _lock: threading.RLock

    def document(self, doc_id: Any, kind: str | None = None) -> dict:
        n = int_id(doc_id)
        with self._lock:
            row = self.session.conn.execute("SELECT * FROM documents WHERE id=?", (n,)).fetchone()
        if row is None or (kind is not None and row["kind"] != kind):
            raise NotFoundError(f"No existe el documento {doc_id}")
        return dict(row)

    def recent(self, limit: int) -> list[dict]:
        with self._lock:
            rows = self.session.conn.execute("SELECT * FROM documents ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [dict(r) for r in rows]

    def by_key(self, key: str) -> dict:
        with self._lock:
            return dict(documents.by_key(self.session.conn, key))

    def request_of(self, doc: dict) -> dict:
        with self._lock:
            row = self.session.conn.execute("SELECT request_json FROM sales WHERE id=?", (doc.get("sale_id"),)).fetchone()
        return json.loads(row[0]) if row and row[0] else {}

    def emails_sent(self, doc: dict) -> list[dict]:
        from app.integrations import mail

        with self._lock:
            return mail.sent_log(self.session.conn, doc["id"])

    def events(self, doc: dict) -> list[dict]:
        with self._lock:
            return [dict(r) for r in documents.events(self.session.conn, doc["id"])]

    def xml(self, doc: dict) -> bytes:
        return bytes(doc["xml"])

    def pdf(self, doc: dict, *, a4: bool = True, width_mm: int = 80) -> bytes:
        with self._lock:
            if a4:
                return printing.a4_pdf(self.session, doc["key"])
            return printing.ticket_pdf(self.session, doc["key"], width_mm=width_mm)
