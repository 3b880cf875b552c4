"""What a dialect's handlers may do (`ApiContext`): issue through `pos.checkout` with the
idempotency record written in the sale's own transaction, read documents (the `DocumentReads`
of app/api/reads.py, which the central API implements too), print, ask the authority. One
per request; the store is shared, so every use holds the app's lock."""
from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from app.api.reader import Reader
from app.api.reads import SqliteReads
from app.core.errors import NotFoundError
from app.fiscal import registry
from app.pos import checkout
from app.pos.group_commit import GroupCommitter
from app.pos.session import Session
from app.store import documents


@dataclass
class Issued:
    """A document the API answered with: its `documents` row as a dict, the stored request,
    whether this call created it, the parse warnings."""

    doc: dict
    request: dict
    created: bool
    warnings: list[str]


class ApiContext(SqliteReads):
    def __init__(self, session: Session, lock: threading.RLock, *, key_hash: str, idempotency_key: str | None,
                 raw_body: bytes, dialect: str, committer: GroupCommitter | None = None,
                 reader: Reader | None = None):
        self.session = session
        self.company = session.company
        self._lock = lock
        self._committer = committer  # several requests' documents in one transaction (group commit)
        self._reader = reader  # committed rows, without waiting for the writer
        self._key_hash = key_hash
        self._idem_header = idempotency_key
        self._body_hash = hashlib.sha256(raw_body).hexdigest()
        self.dialect = dialect

    # -- issuing --------------------------------------------------------------------------------
    def issue(self, body: dict, kind: str, *, dialect: str | None = None, client_number: str | None = None,
              part: int | None = None, corrects: dict | None = None, token: str | None = None,
              grouped: bool = True) -> Issued:
        """Issues `body` (at most once per idempotency token: the `Idempotency-Key` header, else
        the raw body's hash; plus the client's own document number when given). `part` tells
        apart the documents of one request (a lote). `corrects`: a rejected document this one
        replaces (a new number; the old one's history says by which). `grouped=False` when the
        caller holds the store's lock (it then commits alone, in this thread)."""
        tokens = [token or (f"idem:{self._idem_header}" if self._idem_header else f"body:{self._body_hash}")]
        if part is not None:
            tokens[0] += f"#{part}"
        if client_number:
            tokens.append(f"num:{kind}:{client_number}")
        found = self._replay(tokens)
        if found is not None:
            return found
        # validated outside the lock (pure): only numbering, signing and the commit are serialised
        draft = self.session.backend.parse(body, kind, self.company, **({"dialect": dialect} if dialect else {}))

        def record(conn, doc_id):
            now = datetime.now(timezone.utc).isoformat()
            conn.executemany("INSERT INTO api_requests(key_hash, idem, document_id, created_at) VALUES (?,?,?,?)",
                             [(self._key_hash, t, doc_id, now) for t in tokens])
            if corrects is not None:
                new = documents.get(conn, doc_id)
                documents.add_event(conn, corrects["id"], corrects["status"],
                                    f"Reemitido por la API como {new['number']} ({new['key']})")

        def read_back(conn, result):  # the row as committed, read in the same transaction
            return dict(documents.get(conn, result.document_id))

        source = f"api:{self.dialect}"
        try:
            if self._committer is not None and grouped:
                # a racing twin (same token) fails on api_requests' primary key, in its own savepoint
                result, doc = self._committer.commit(draft, request=body, source=source, on_commit=record,
                                                     after=read_back)
            else:
                with self._lock:
                    found = self._replay(tokens)
                    if found is not None:
                        return found
                    result = checkout.commit(self.session, draft, request=body, source=source, on_commit=record)
                    doc = read_back(self.session.conn, result)
        except sqlite3.IntegrityError:  # another request with the same token won the race
            found = self._replay(tokens)
            if found is None:
                raise
            return found
        return Issued(doc, body, True, result.warnings)

    # -- drafts (stored as sent, validated, neither numbered nor signed) ------------------------
    DRAFT_MAX_AGE = timedelta(hours=72)  # FacturaSend: a draft is confirmed within 72 h of its creation

    def save_draft(self, bodies: list[dict], kind: str, *, dialect: str | None = None) -> int:
        """Validates every body (all or none) and keeps them as one draft; returns its id."""
        from app.store.db import transaction

        for body in bodies:
            self.check(body, kind, dialect=dialect)
        with self._lock, transaction(self.session.conn):
            cur = self.session.conn.execute(
                "INSERT INTO api_drafts(key_hash, dialect, kind, bodies_json, created_at) VALUES (?,?,?,?,?)",
                (self._key_hash, self.dialect, kind, json.dumps(bodies, ensure_ascii=False),
                 datetime.now(timezone.utc).isoformat()))
            return cur.lastrowid

    def _draft(self, draft_id: Any) -> sqlite3.Row:
        try:
            n = int(str(draft_id))
        except ValueError:
            raise NotFoundError(f"No existe el borrador {draft_id}") from None
        row = self.session.conn.execute("SELECT * FROM api_drafts WHERE id=? AND key_hash=? AND dialect=?",
                                        (n, self._key_hash, self.dialect)).fetchone()
        if row is None:
            raise NotFoundError(f"No existe el borrador {draft_id}")
        return row

    def confirm_draft(self, draft_id: Any, *, dialect: str | None = None) -> list[Issued]:
        """Issues the draft's documents through the normal path (numbered, signed, queued), in
        order; confirming again (a retry) answers with the same documents."""
        from app.core.errors import ValidationError
        from app.store.db import transaction

        with self._lock:
            row = self._draft(draft_id)
            bodies = json.loads(row["bodies_json"])
            if row["confirmed_at"] is None:
                created = datetime.fromisoformat(row["created_at"])
                if datetime.now(timezone.utc) - created > self.DRAFT_MAX_AGE:
                    raise ValidationError("El borrador tiene más de 72 horas: ya no se puede confirmar; "
                                          "descártelo y emita de nuevo", field="loteId")
                for body in bodies:  # all or none: re-validated on today's date before any is numbered
                    self.check(body, row["kind"], dialect=dialect)
            issued = [self.issue(body, row["kind"], dialect=dialect, token=f"draft:{row['id']}", part=i,
                                 grouped=False)  # this thread holds the lock the writer needs
                      for i, body in enumerate(bodies)]
            if row["confirmed_at"] is None:
                with transaction(self.session.conn):
                    self.session.conn.execute(
                        "UPDATE api_drafts SET confirmed_at=?, document_ids=? WHERE id=?",
                        (datetime.now(timezone.utc).isoformat(), json.dumps([i.doc["id"] for i in issued]),
                         row["id"]))
            return issued

    def reject_draft(self, draft_id: Any) -> None:
        """Discards a draft that was not confirmed: nothing was numbered, nothing remains."""
        from app.core.errors import ValidationError
        from app.store.db import transaction

        with self._lock:
            row = self._draft(draft_id)
            if row["confirmed_at"] is not None:
                raise ValidationError("El borrador ya fue confirmado: sus documentos están emitidos", field="loteId")
            with transaction(self.session.conn):
                self.session.conn.execute("DELETE FROM api_drafts WHERE id=?", (row["id"],))

    def check(self, body: Any, kind: str, *, dialect: str | None = None) -> None:
        """Validates `body` as `issue` would, without issuing (a lote is all or nothing)."""
        opts = {"dialect": dialect} if dialect else {}
        self.session.backend.parse(body, kind, self.company, **opts)

    def _replay(self, tokens: list[str]) -> Issued | None:
        marks = ",".join("?" * len(tokens))
        sql = f"SELECT document_id FROM api_requests WHERE key_hash=? AND idem IN ({marks}) LIMIT 1"
        if self._reader is not None:
            row = self._reader.run(lambda conn: conn.execute(sql, (self._key_hash, *tokens)).fetchone())
        else:
            with self._lock:
                row = self.session.conn.execute(sql, (self._key_hash, *tokens)).fetchone()
        if row is None:
            return None
        doc = self.document(row[0])
        return Issued(doc, self.request_of(doc), False, [])

    # -- reading: inherited from app/api/reads.py `SqliteReads` -------------------------------

    def locked(self, fn, *args, **kwargs):
        """`fn(session, *args, **kwargs)` holding the store's lock (a country's own use case that
        writes, e.g. a SIFEN event request)."""
        with self._lock:
            return fn(self.session, *args, **kwargs)

    def subscribe(self, event_name: Any, url: Any) -> dict:
        """A webhook subscription of this key and dialect (app/integrations/webhooks.py)."""
        from app.integrations import webhooks
        from app.store.db import transaction

        with self._lock, transaction(self.session.conn):
            return webhooks.subscribe(self.session.conn, key_hash=self._key_hash, dialect=self.dialect,
                                      event_name=event_name, url=url)

    def send_email(self, key: str, to: str | None = None) -> int:
        """Queues the document's e-mail (app/integrations/mail.py); ConfigurationError (Spanish)
        when no SMTP server is configured. Returns the job id."""
        from app.integrations import mail
        from app.store.db import transaction

        with self._lock, transaction(self.session.conn):
            mail.SmtpConfig.load(self.session.conn)
            return mail.request_send(self.session.conn, key, to)[0]

    # -- online ---------------------------------------------------------------------------------
    def online(self, name: str, argument: str, timeout: float = 8.0) -> dict:
        """An inherently online question to the authority (the transport facet's OnlineQuery)."""
        transport = registry.country(self.company.country).transport()
        for q in transport.online_queries:
            if q.name == name:
                return q.run(self.session, argument, timeout)
        raise NotFoundError(f"Consulta no disponible: {name}")
