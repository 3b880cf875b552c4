"""Group commit (app/pos/group_commit.py): several documents in one transaction, each in its own
savepoint; one failing document takes no other down; numbering stays gapless; nobody is answered
before the commit. Batches are made deterministic by holding the store's lock while they queue."""
from __future__ import annotations

import random
import sqlite3
import threading
import time

import pytest

from app.config import DataDir
from app.core.errors import ConfigurationError
from app.core.documents import SeriesKey
from app.fiscal.ec.demo import demo_invoice
from app.pos.demo import create_demo_company
from app.pos.group_commit import GroupCommitter
from app.store import sequences
from app.store.db import connect


@pytest.fixture
def session(tmp_path):
    s = create_demo_company(DataDir(tmp_path / "data"), "EC")
    yield s
    s.close()


def counts(conn):
    return tuple(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                 for t in ("sales", "payments", "documents", "outbox"))


def _wait(cond, what):
    deadline = time.monotonic() + 20
    while not cond():
        assert time.monotonic() < deadline, what
        time.sleep(0.005)


def _run_batched(session, committer, lock, hooks):
    """Submits one document per hook; the first commits alone (the writer takes it, then waits for
    the lock we hold), the rest queue meanwhile and form the second batch. Returns, per hook,
    the result or the exception its caller got."""
    drafts = [session.backend.parse(demo_invoice(session.company, random.Random(i), i), "invoices", session.company)
              for i in range(1, len(hooks) + 1)]
    out: list = [None] * len(hooks)

    def call(i):
        try:
            out[i] = committer.commit(drafts[i], request={"n": i}, source="test", on_commit=hooks[i])
        except BaseException as exc:  # noqa: BLE001 - what the caller got is what is asserted
            out[i] = exc

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(hooks))]
    with lock:
        threads[0].start()
        _wait(lambda: committer.formed == 1, "the writer formed the first batch (it now waits for the lock)")
        for t in threads[1:]:
            t.start()
        _wait(lambda: committer._queue.qsize() == len(hooks) - 1, "the others queued")
        assert all(r is None for r in out), "nobody is answered before the commit"
    for t in threads:
        t.join(timeout=30)
    return out


def test_queued_documents_share_one_transaction_and_numbers_stay_gapless(session):
    lock = threading.RLock()
    committer = GroupCommitter(session, lock)
    try:
        out = _run_batched(session, committer, lock, [None] * 6)
    finally:
        committer.close()
    assert committer.batches == 2 and committer.documents == 6
    assert sorted(r.document.sequential for r in out) == [1, 2, 3, 4, 5, 6]
    # committed, on disk: another connection sees every document, its sale and its outbox job
    other = connect(session.conn.db_path)
    try:
        assert counts(other)[2:] == (6, 6)
        assert other.execute("SELECT COUNT(*) FROM sales WHERE source='test'").fetchone()[0] == 6
    finally:
        other.close()


def test_a_failing_document_takes_no_other_down(session):
    lock = threading.RLock()
    committer = GroupCommitter(session, lock)

    def refuse(conn, doc_id):
        raise ValueError("rechazado por el gancho")

    try:
        out = _run_batched(session, committer, lock, [None, None, refuse, None, None])
    finally:
        committer.close()
    assert isinstance(out[2], ValueError) and "gancho" in str(out[2])
    good = [r for i, r in enumerate(out) if i != 2]
    # the failed document's number went back: the four stored ones are 1..4, no gap
    assert sorted(r.document.sequential for r in good) == [1, 2, 3, 4]
    assert counts(session.conn)[2:] == (4, 4)
    assert sequences.peek_last(session.conn, "EC", "1", SeriesKey("01", "001", "001")) == 4


def test_a_storage_fault_fails_the_whole_batch_and_stores_nothing(session):
    lock = threading.RLock()
    committer = GroupCommitter(session, lock)

    def disk_fault(conn, doc_id):
        raise sqlite3.OperationalError("disk I/O error")

    try:
        out = _run_batched(session, committer, lock, [None, None, disk_fault, None])
        assert out[0].document.sequential == 1  # the first batch, alone, was committed
        assert all(isinstance(r, Exception) for r in out[1:])
        assert counts(session.conn)[2:] == (1, 1)
        assert sequences.peek_last(session.conn, "EC", "1", SeriesKey("01", "001", "001")) == 1
        # the writer survived: the next document gets the next number
        d = session.backend.parse(demo_invoice(session.company, random.Random(9), 9), "invoices", session.company)
        assert committer.commit(d, request={}, source="test").document.sequential == 2
    finally:
        committer.close()


def test_after_reads_back_inside_the_documents_transaction(session):
    lock = threading.RLock()
    committer = GroupCommitter(session, lock)
    d = session.backend.parse(demo_invoice(session.company, random.Random(1), 1), "invoices", session.company)
    try:
        result, row = committer.commit(d, request={}, source="test",
                                       after=lambda conn, r: dict(conn.execute(
                                           "SELECT id, number FROM documents WHERE id=?",
                                           (r.document_id,)).fetchone()))
    finally:
        committer.close()
    assert row["id"] == result.document_id and row["number"].endswith("000000001")
    with pytest.raises(ConfigurationError, match="deteniendo"):  # closed: a clear Spanish refusal
        committer.commit(d, request={}, source="test")
