"""The store: migrations, pragmas, numbering inside the transaction, the outbox's claims."""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from app.core.company import Company, Establishment
from app.core.documents import SeriesKey, SignedDocument
from app.store import documents, outbox, sequences, settings
from app.store.db import connect, migrations, transaction

SERIES = SeriesKey("01", "001", "001")


def fake_doc(seq: int, series: SeriesKey = SERIES) -> SignedDocument:
    # the store does not look inside the bytes; signing is tested in tests/fiscal
    now = datetime.now(timezone.utc)
    return SignedDocument(country="EC", kind="invoices", doc_code=series.doc_code, key=f"{int(series.point):03d}{seq:046d}",
                          number=f"{series.establishment}-{series.point}-{seq:09d}", sequential=seq,
                          series=series, issued_at=now, signed_at=now, total=Decimal("1.15"),
                          currency="USD", buyer_id="9999999999999", buyer_name="CONSUMIDOR FINAL",
                          xml=b"<factura/>")


@pytest.fixture
def conn(tmp_path):
    c = connect(tmp_path / "m.db")
    yield c
    c.close()


def add_doc(conn, series=SERIES) -> int:
    with transaction(conn):
        seq = sequences.next_sequential(conn, "EC", "1", series)
        doc_id = documents.insert(conn, fake_doc(seq, series), ambiente="1", sale_id=None)
        outbox.enqueue(conn, doc_id, "send")
    return doc_id


def test_pragmas_and_migrations(conn):
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations()[-1][0]
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_numbering_needs_a_transaction(conn):
    with pytest.raises(RuntimeError):
        sequences.next_sequential(conn, "EC", "1", SERIES)


def test_rollback_gives_the_number_back(conn):
    assert add_doc(conn)
    with pytest.raises(ZeroDivisionError):
        with transaction(conn):
            assert sequences.next_sequential(conn, "EC", "1", SERIES) == 2
            1 / 0
    add_doc(conn)
    seqs = [r["sequential"] for r in documents.listing(conn)]
    assert seqs == [1, 2]


def test_counters_are_per_series_and_ambiente(conn):
    other = SeriesKey("04", "001", "001")
    with transaction(conn):
        assert sequences.next_sequential(conn, "EC", "1", SERIES) == 1
        assert sequences.next_sequential(conn, "EC", "1", other) == 1
        assert sequences.next_sequential(conn, "EC", "2", SERIES) == 1
        assert sequences.next_sequential(conn, "EC", "1", SERIES) == 2


def test_concurrent_numbering_from_threads_has_no_duplicates(tmp_path):
    path = tmp_path / "m.db"
    connect(path).close()
    got: list[int] = []
    lock = threading.Lock()

    def work():
        c = connect(path)
        for _ in range(25):
            with transaction(c):
                n = sequences.next_sequential(c, "EC", "1", SERIES)
            with lock:
                got.append(n)
        c.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == list(range(1, 101))


def test_company_round_trip(conn):
    from datetime import date

    company = Company(country="PY", ruc="80069563-1", razon_social="Tienda S.A.", address="Asunción",
                      establishments=(Establishment("001", "Mcal. López 123"),),
                      timbrado="12345678", timbrado_start=date(2025, 1, 2), actividades=(("47111", "Comercio"),))
    with transaction(conn):
        settings.save_company(conn, company)
    assert settings.load_company(conn) == company


def test_signed_bytes_are_stored_exactly(conn):
    doc_id = add_doc(conn)
    assert bytes(documents.get(conn, doc_id)["xml"]) == b"<factura/>"
    assert documents.by_key(conn, f"001{1:046d}")["id"] == doc_id


def test_two_workers_never_claim_the_same_job(conn):
    for _ in range(10):
        add_doc(conn, SeriesKey("01", "001", "001"))
        add_doc(conn, SeriesKey("01", "001", "002"))
    a = outbox.claim(conn, "h:1:a", limit=50)
    b = outbox.claim(conn, "h:1:b", limit=50)
    assert len(a) == 20 and b == []  # leases held by a live owner are respected


def test_claim_keeps_series_order_after_a_failure(conn):
    ids = [add_doc(conn) for _ in range(3)]
    jobs = outbox.claim(conn, "w1", limit=50)
    assert [j.document_id for j in jobs] == ids
    # the first send failed: retry later; the other two are given back
    with transaction(conn):
        outbox.reschedule(conn, jobs[0].id, time.time() + 60, "sin red")
        outbox.release(conn, [j.id for j in jobs[1:]])
    assert outbox.claim(conn, "w2", limit=50) == []  # 2 and 3 wait behind 1


def test_dead_owner_lease_is_taken_over(conn):
    add_doc(conn)
    dead_pid = 2 ** 22 + 12345  # above any pid this machine hands out
    with pytest.raises(ProcessLookupError):
        os.kill(dead_pid, 0)
    owner = f"{outbox.HOST}:{dead_pid}:deadbeef"
    assert len(outbox.claim(conn, owner, limit=5)) == 1
    assert len(outbox.claim(conn, outbox.new_owner(), limit=5)) == 1


def test_expired_lease_is_taken_over(conn):
    add_doc(conn)
    assert outbox.claim(conn, "otherhost:1:x", limit=5, lease_seconds=0.01)
    time.sleep(0.05)
    assert outbox.claim(conn, outbox.new_owner(), limit=5)


def test_money_is_text_not_real(conn):
    add_doc(conn)
    assert conn.execute("SELECT typeof(total) FROM documents").fetchone()[0] == "text"
