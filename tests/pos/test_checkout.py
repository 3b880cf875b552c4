"""The one transaction: everything or nothing, the number included."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from app.config import DataDir
from app.core.errors import ClockError, ValidationError
from app.pos import checkout
from app.pos.demo import create_demo_company
from app.fiscal.ec.demo import demo_invoice
from app.store import documents, outbox, sequences
from app.core.documents import SeriesKey


@pytest.fixture
def session(tmp_path):
    s = create_demo_company(DataDir(tmp_path / "data"), "EC")
    yield s
    s.close()


def counts(conn):
    return tuple(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                 for t in ("sales", "payments", "documents", "document_events", "outbox"))


def test_sale_document_and_job_commit_together(session):
    body = demo_invoice(session.company, random.Random(1), 1)
    r = checkout.issue(session, body, "invoices")
    row = documents.get(session.conn, r.document_id)
    assert row["status"] == "signed" and bytes(row["xml"]) == r.document.xml
    assert row["sequential"] == 1 and row["key"] == r.key and len(r.key) == 49
    assert outbox.pending_count(session.conn) == 1
    assert session.conn.execute("SELECT request_json FROM sales WHERE id=?", (r.sale_id,)).fetchone()[0]


def test_failure_while_signing_leaves_nothing_and_no_gap(session, monkeypatch):
    body = demo_invoice(session.company, random.Random(1), 1)
    checkout.issue(session, body, "invoices")
    before = counts(session.conn)

    def broken_sign(*a, **k):
        raise RuntimeError("disco lleno")

    monkeypatch.setattr(session.backend, "sign", broken_sign)
    with pytest.raises(RuntimeError):
        checkout.issue(session, body, "invoices")
    assert counts(session.conn) == before
    assert sequences.peek_last(session.conn, "EC", "1", SeriesKey("01", "001", "001")) == 1
    monkeypatch.undo()
    r = checkout.issue(session, body, "invoices")
    assert r.document.sequential == 2


def test_invalid_input_stores_nothing(session):
    body = demo_invoice(session.company, random.Random(1), 1)
    body["items"][0]["cantidad"] = "-1"
    before = counts(session.conn)
    with pytest.raises(ValidationError) as exc:
        checkout.issue(session, body, "invoices")
    assert any("cantidad" in e.field for e in exc.value.errors)
    assert counts(session.conn) == before


def test_refuses_to_sign_with_the_clock_behind(session):
    body = demo_invoice(session.company, random.Random(1), 1)
    checkout.issue(session, body, "invoices")
    before = counts(session.conn)
    past = datetime.now(timezone.utc) - timedelta(hours=3)
    with pytest.raises(ClockError) as exc:
        checkout.issue(session, body, "invoices", now=past)
    assert "reloj" in str(exc.value)
    assert counts(session.conn) == before
