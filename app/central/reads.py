"""The read side of the central store (the `DocumentReads` of app/api/reads.py, over PostgreSQL):
the documents of every register that issues for one company, as dicts shaped like a register's
`documents` rows, so the dialects' handlers answer from the central store unchanged.

A document's `id` here is the central store's own (`documents.id`, unique over every register;
two registers both have a local document 17). Where a dialect asks for an id, the clave de acceso
/ CDC is accepted too: it is the same everywhere. Each document also carries `register` (the
register's name) and `local_id` (its id on that register)."""
from __future__ import annotations

import json
from typing import Any

from app.central.store import CentralStore
from app.core.errors import NotFoundError, TransportError
from app.fiscal import registry
from app.core.moments import shown_as_written as _local_time

_COLUMNS = ("d.id, d.local_id, d.sale_id, d.country, d.kind, d.doc_code, d.key, d.version, d.number, "
            "d.ambiente, d.establishment, d.point, d.sequential, d.issued_at, d.total, d.currency, d.buyer_id, "
            "d.buyer_name, d.xml, d.status, d.authorization_number, d.authorized_at, d.last_messages, "
            "d.register_id, r.name AS register, "
            "(SELECT max(e.at) FROM document_events e WHERE e.register_id = d.register_id "
            "AND e.document_id = d.local_id) AS updated_at")
KEY_MIN_LENGTH = 40  # a clave de acceso has 49 digits, a CDC 44; a central id far fewer


class CentralReads:
    """Documents of the registers whose company is `ruc`; `store` is this thread's connection."""

    def __init__(self, store: CentralStore, ruc: str):
        self.store = store
        self.ruc = ruc

    def _rows(self, where: str, args: tuple, tail: str = "") -> list[dict]:
        import psycopg

        sql = (f"SELECT {_COLUMNS} FROM documents d JOIN registers r ON r.id = d.register_id "
               f"WHERE r.company_ruc = %s AND {where} {tail}")
        try:
            cur = self.store.conn.execute(sql, (self.ruc, *args))
            names = [c.name for c in cur.description]
            rows = [dict(zip(names, r)) for r in cur.fetchall()]
        except psycopg.Error:
            raise TransportError("La base central no está disponible; reintente") from None
        for r in rows:
            r["xml"] = bytes(r["xml"])
            r["total"] = str(r["total"])
        return rows

    def document(self, doc_id: Any, kind: str | None = None) -> dict:
        text = str(doc_id).strip()
        if len(text) >= KEY_MIN_LENGTH:
            rows = self._rows("d.key = %s", (text,), "ORDER BY d.id LIMIT 1")
        else:
            try:
                n = int(text)
            except ValueError:
                raise NotFoundError(f"No existe el documento {doc_id}") from None
            rows = self._rows("d.id = %s", (n,)) if -2**63 <= n < 2**63 else []
        if not rows or (kind is not None and rows[0]["kind"] != kind):
            raise NotFoundError(f"No existe el documento {doc_id}")
        return rows[0]

    def recent(self, limit: int) -> list[dict]:
        return self._rows("TRUE", (), "ORDER BY d.id DESC LIMIT %d" % int(limit))

    def by_key(self, key: str) -> dict:
        rows = self._rows("d.key = %s", (str(key).strip(),), "ORDER BY d.id LIMIT 1")
        if not rows:
            raise NotFoundError(f"No existe un documento con la clave {key}")
        return rows[0]

    def request_of(self, doc: dict) -> dict:
        if doc.get("sale_id") is None:
            return {}
        row = self.store.conn.execute("SELECT request_json FROM sales WHERE register_id=%s AND local_id=%s",
                                      (doc["register_id"], doc["sale_id"])).fetchone()
        try:
            return json.loads(row[0]) if row and row[0] else {}
        except ValueError:
            return {}

    def emails_sent(self, doc: dict) -> list[dict]:
        """The mail log stays on the register that sent the e-mails: none here."""
        return []

    def events(self, doc: dict) -> list[dict]:
        cur = self.store.conn.execute("SELECT at, status, detail FROM document_events WHERE register_id=%s "
                                      "AND document_id=%s ORDER BY local_id", (doc["register_id"], doc["local_id"]))
        return [{"at": a, "status": s, "detail": d} for a, s, d in cur.fetchall()]

    def xml(self, doc: dict) -> bytes:
        return bytes(doc["xml"])

    def pdf(self, doc: dict, *, a4: bool = True, width_mm: int = 80) -> bytes:
        """Drawn from the signed bytes by the document's country, with what the central store
        knows of the sale (payments, the authorization); never marked as a copy."""
        printables = registry.country(doc["country"]).printables()
        extras = self._extras(doc)
        if a4:
            return printables.a4_pdf(doc["xml"], extras, None)
        from app.devices.ticket_pdf import render_ticket_pdf

        return render_ticket_pdf(printables.ticket(doc["xml"], extras, None), width_mm)

    def _extras(self, doc: dict) -> dict:
        extras: dict = {"copy": False}
        if doc.get("authorization_number"):
            extras["authorization"] = {"numero": doc["authorization_number"],
                                       "fecha": _local_time(doc.get("authorized_at"))}
        if doc.get("sale_id") is not None:
            row = self.store.conn.execute("SELECT payments FROM sales WHERE register_id=%s AND local_id=%s",
                                          (doc["register_id"], doc["sale_id"])).fetchone()
            if row and isinstance(row[0], list):
                extras["payments"] = [{"method": p.get("method"), "amount": p.get("amount")} for p in row[0]]
        return extras


