"""Issuing a document: the one transaction of ARCHITECTURE invariant 1.

Allocate the next number, build, validate and sign the XML, store the sale, its payments,
the signed bytes and the outbox job, commit. Any failure before the commit rolls all of it
back, the number included: no gap, no duplicate. Printing happens after, from the stored bytes.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from app.core.errors import ClockError
from app.core.documents import Draft, SignedDocument
from app.core.sale import Return, Sale
from app.fiscal import registry
from app.pos import note_checks
from app.pos.session import Session
from app.store import documents, outbox, packing, sequences
from app.store.db import transaction

# NTP may step the clock back a little; anything more is a wrong clock.
CLOCK_TOLERANCE = timedelta(seconds=2)


@dataclass
class IssueResult:
    document_id: int
    sale_id: int
    document: SignedDocument
    warnings: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.document.key


def issue(session: Session, body: dict, kind: str = "invoices", *, source: str = "cli",
          payments: list[tuple[str, Decimal]] | None = None, tendered: Decimal | None = None,
          change: Decimal | None = None, cashier: str | None = None,
          now: datetime | None = None, options: Mapping[str, str] | None = None,
          on_commit: Callable[[Any, int], None] | None = None) -> IssueResult:
    """Validates `body` (one of the country's input dialects: the seed APIs' JSON), then numbers,
    signs and stores it atomically. `options` are hints the country's backend interprets (e.g.
    `dialect` where it reads several JSON formats; by default it detects)."""
    draft = session.backend.parse(body, kind, session.company, now=now, **{k: v for k, v in (options or {}).items() if v})
    return commit(session, draft, request=body, source=source, payments=payments,
                  tendered=tendered, change=change, cashier=cashier, now=now, on_commit=on_commit)


def issue_sale(session: Session, sale: Sale, *, source: str = "pos", now: datetime | None = None) -> IssueResult:
    """Issues the invoice of a till `Sale`: the country's backend builds it directly from the
    sale (no vendor JSON), then it is numbered, signed and stored atomically. The stored request
    is the sale itself (`Sale.as_dict()`)."""
    draft = session.backend.draft_from_sale(sale, session.company, now=now)
    return commit(session, draft, request=sale.as_dict(), source=source, tendered=sale.tendered,
                  change=sale.change, cashier=sale.cashier or None, now=now)


def issue_return(session: Session, ret: Return, *, source: str = "pos",
                 payments: list[tuple[str, Decimal]] | None = None, cashier: str | None = None,
                 now: datetime | None = None) -> IssueResult:
    """Issues the credit note of a till `Return`: the country's backend builds it directly from
    the return (no vendor JSON), then it is numbered, signed and stored atomically. The stored
    request is the return itself (`Return.as_dict()`); `payments` is the money given back."""
    draft = session.backend.draft_from_return(ret, session.company, now=now)
    return commit(session, draft, request=ret.as_dict(), source=source, payments=payments,
                  cashier=cashier or ret.cashier or None, now=now)


def commit(session: Session, draft: Draft, *, request: dict, source: str,
           payments: list[tuple[str, Decimal]] | None = None, tendered: Decimal | None = None,
           change: Decimal | None = None, cashier: str | None = None,
           now: datetime | None = None,
           on_commit: Callable[[Any, int], None] | None = None) -> IssueResult:
    """`on_commit(conn, document_id)` runs inside the transaction, last (e.g. the local API's
    idempotency record): if it raises, nothing is stored and no number is consumed."""
    session.identity  # noqa: B018  (loaded before the write lock is taken)
    with transaction(session.conn):
        return store_draft(session, draft, request=request, source=source, payments=payments,
                           tendered=tendered, change=change, cashier=cashier, now=now, on_commit=on_commit)


def store_draft(session: Session, draft: Draft, *, request: dict, source: str,
                payments: list[tuple[str, Decimal]] | None = None, tendered: Decimal | None = None,
                change: Decimal | None = None, cashier: str | None = None,
                now: datetime | None = None,
                on_commit: Callable[[Any, int], None] | None = None) -> IssueResult:
    """What `commit` does inside its transaction, for a caller that opened the transaction
    itself and commits it (app/pos/group_commit.py: several documents in one transaction, each
    in its own SAVEPOINT). Numbers, signs and stores the sale, its payments, the signed bytes
    and the outbox job; raises with nothing of it kept once the caller rolls back."""
    conn = session.conn
    company = session.company
    identity = session.identity
    now = now or datetime.now(timezone.utc)
    last = documents.last_signed_at(conn)
    if last is not None and now < last - CLOCK_TOLERANCE:
        raise ClockError(
            f"El reloj del equipo marca {now.astimezone():%d/%m/%Y %H:%M:%S}, antes del último "
            f"documento firmado ({last.astimezone():%d/%m/%Y %H:%M:%S}). Corrija la fecha y hora "
            "del equipo antes de seguir facturando."
        )
    till = registry.country(company.country).till()
    note_checks.check_chronology(conn, company, till, draft)
    reserve_once = getattr(till, "reserve_once", None)  # optional: what must be unique per document
    if reserve_once is not None:
        draft.warnings.extend(reserve_once(draft, lambda like: conn.execute(
            "SELECT 1 FROM documents WHERE country=? AND key LIKE ? LIMIT 1", (company.country, like)
        ).fetchone() is not None))
    sequential = sequences.next_sequential(conn, company.country, company.ambiente, draft.series)
    signed = session.backend.sign(draft, sequential, identity, company, now=now)
    draft.warnings.extend(note_checks.check(conn, company, till, signed))
    cur = conn.execute(
        "INSERT INTO sales(created_at, country, source, total, currency, tendered, change, cashier, "
        "request_json) VALUES (?,?,?,?,?,?,?,?,?)",
        (now.isoformat(), company.country, source, str(draft.total), draft.currency,
         None if tendered is None else str(tendered), None if change is None else str(change),
         cashier, packing.pack(conn, "request_json", json.dumps(request, ensure_ascii=False, default=str))),
    )
    sale_id = int(cur.lastrowid)
    if payments is None:  # what the draft says was paid (authority codes)
        payments = draft.payments
    for n, (method, amount) in enumerate(payments, start=1):
        conn.execute("INSERT INTO payments(sale_id, n, method, amount) VALUES (?,?,?,?)",
                     (sale_id, n, method, str(amount)))
    doc_id = documents.insert(conn, signed, ambiente=company.ambiente, sale_id=sale_id)
    outbox.enqueue(conn, doc_id, "send")
    if on_commit is not None:
        on_commit(conn, doc_id)
    return IssueResult(doc_id, sale_id, signed, list(draft.warnings))
