"""Issuing a document: the one transaction of ARCHITECTURE invariant 1.

Allocate the next number, build, validate and sign the XML, store the sale, its payments,
the signed bytes and the outbox job, commit. Any failure before the commit rolls all of it
back, the number included: no gap, no duplicate. Printing happens after, from the stored bytes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from app.core.errors import ClockError
from app.core.documents import Draft, SignedDocument
from app.pos.session import Session
from app.store import documents, outbox, sequences
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
          now: datetime | None = None, dialect: str | None = None) -> IssueResult:
    """Validates `body` (the seed APIs' JSON), then numbers, signs and stores it atomically.
    `dialect` forces the JSON format where an authority accepts several (PY: 'facturasend' |
    'dtepy'); by default it is detected."""
    extra = {"dialect": dialect} if dialect else {}
    draft = session.backend.parse(body, kind, session.company, now=now, **extra)
    return commit(session, draft, request=body, source=source, payments=payments,
                  tendered=tendered, change=change, cashier=cashier, now=now)


def commit(session: Session, draft: Draft, *, request: dict, source: str,
           payments: list[tuple[str, Decimal]] | None = None, tendered: Decimal | None = None,
           change: Decimal | None = None, cashier: str | None = None,
           now: datetime | None = None) -> IssueResult:
    conn = session.conn
    company = session.company
    identity = session.identity  # loaded before the write lock is taken
    now = now or datetime.now(timezone.utc)
    with transaction(conn):
        last = documents.last_signed_at(conn)
        if last is not None and now < last - CLOCK_TOLERANCE:
            raise ClockError(
                f"El reloj del equipo marca {now.astimezone():%d/%m/%Y %H:%M:%S}, antes del último "
                f"documento firmado ({last.astimezone():%d/%m/%Y %H:%M:%S}). Corrija la fecha y hora "
                "del equipo antes de seguir facturando."
            )
        sequential = sequences.next_sequential(conn, company.country, company.ambiente, draft.series)
        signed = session.backend.sign(draft, sequential, identity, company, now=now)
        cur = conn.execute(
            "INSERT INTO sales(created_at, country, source, total, currency, tendered, change, cashier, "
            "request_json) VALUES (?,?,?,?,?,?,?,?,?)",
            (now.isoformat(), company.country, source, str(draft.total), draft.currency,
             None if tendered is None else str(tendered), None if change is None else str(change),
             cashier, json.dumps(request, ensure_ascii=False, default=str)),
        )
        sale_id = int(cur.lastrowid)
        if payments is None:  # the request's own payments (authority codes), when the model has them
            payments = [(p.forma_pago, p.total) for p in getattr(draft.model, "payments", None) or []
                        if hasattr(p, "forma_pago")]
        for n, (method, amount) in enumerate(payments, start=1):
            conn.execute("INSERT INTO payments(sale_id, n, method, amount) VALUES (?,?,?,?)",
                         (sale_id, n, method, str(amount)))
        doc_id = documents.insert(conn, signed, ambiente=company.ambiente, sale_id=sale_id)
        outbox.enqueue(conn, doc_id, "send")
    return IssueResult(doc_id, sale_id, signed, list(draft.warnings))
