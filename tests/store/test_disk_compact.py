"""Issue #15 item 8: the authority's raw answers are stored once and compressed, and every
reader still gets the exact bytes (SHA-256 checked on read). Real SRI sandbox answers over
loopback; a legacy row (written before migration 0008) is converted without losing a byte."""
from __future__ import annotations

import hashlib
import random
import time
from contextlib import ExitStack

import pytest

from app.config import DataDir
from app.core.errors import CorruptDatabaseError
from app.fiscal.ec.demo import demo_invoice
from app.fiscal.ec.sandbox import SriSandbox
from app.fiscal.ec.transport import SANDBOX_URL_KEY, sandbox_accepts
from app.pos import checkout
from app.pos.demo import create_demo_company
from app.pos.runtime import make_worker
from app.store import documents, settings
from app.store.db import transaction


@pytest.fixture
def authorized(tmp_path):
    session = create_demo_company(DataDir(tmp_path / "data"), "EC")
    sandbox = SriSandbox(accepted=sandbox_accepts(session.company), db_path=str(tmp_path / "sri.db"))
    sandbox.start()
    with transaction(session.conn):
        settings.put(session.conn, SANDBOX_URL_KEY, sandbox.url)
        settings.put(session.conn, "sync.max_backoff_seconds", 0.2)
    rng = random.Random(8)
    ids = [checkout.issue(session, demo_invoice(session.company, rng, i + 1), "invoices").document_id
           for i in range(3)]
    with ExitStack() as stack:
        worker = make_worker(session, stack)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(
                documents.get(session.conn, i)["status"] != "authorized" for i in ids):
            worker.run_once()
            time.sleep(0.02)
    yield session, sandbox, ids
    sandbox.stop()
    session.close()


def _stored(conn, doc_id):
    return [(r["id"], r["raw"]) for r in conn.execute(
        "SELECT id, raw FROM document_events WHERE document_id=? AND raw IS NOT NULL ORDER BY id", (doc_id,))]


def test_answers_are_references_and_read_back_exactly(authorized):
    session, sandbox, ids = authorized
    conn = session.conn
    for doc_id in ids:
        doc = documents.get(conn, doc_id)
        assert doc["status"] == "authorized"
        xml = bytes(doc["xml"])
        stored = _stored(conn, doc_id)
        assert stored and all(len(raw) == documents.RAW_REF_SIZE for _, raw in stored)
        raws = [e["raw"] for e in documents.events(conn, doc_id) if e["raw"] is not None]
        # the authorization answer embeds our signed XML verbatim: rebuilt, byte for byte
        assert any(xml in raw and b"AUTORIZADO" in raw for raw in raws)
        # the digest kept in the reference is the SHA-256 of what is returned
        for (_, ref), raw in zip(stored, raws):
            assert ref[len(documents.RAW_MAGIC):][:32] == hashlib.sha256(raw).digest()
        # nothing of the signed XML is stored twice: the blobs are far smaller than the answers
        blob = sum(len(conn.execute("SELECT z FROM raw_blobs WHERE key=?", (ref[-32:],)).fetchone()[0])
                   for _, ref in stored)
        assert blob < sum(len(r) for r in raws) - len(xml)


def test_legacy_rows_are_converted_byte_for_byte(authorized):
    session, sandbox, ids = authorized
    conn = session.conn
    originals = {}
    with transaction(conn):  # rows as a database before migration 0008 holds them
        for doc_id in ids:
            for e in documents.events(conn, doc_id):
                if e["raw"] is not None:
                    conn.execute("UPDATE document_events SET raw=? WHERE id=?", (e["raw"], e["id"]))
                    originals[e["id"]] = e["raw"]
        conn.execute("DELETE FROM raw_blobs")
        settings.put(conn, "store.raw_compact_from", 0)
        settings.put(conn, "store.raw_compact_upto", max(originals))
    legacy_size = sum(len(r) for r in originals.values())
    # legacy rows read as they are
    assert {e["id"]: e["raw"] for d in ids for e in documents.events(conn, d) if e["raw"]} == originals
    rounds = 0
    while documents.compact_events(conn, limit=2):
        rounds += 1
    assert rounds >= 2  # short batches
    after = {e["id"]: e["raw"] for d in ids for e in documents.events(conn, d) if e["raw"]}
    assert after == originals
    stored = conn.execute("SELECT SUM(length(raw)) FROM document_events").fetchone()[0]
    blobs = conn.execute("SELECT SUM(length(z)) FROM raw_blobs").fetchone()[0]
    assert stored == len(originals) * documents.RAW_REF_SIZE
    assert stored + blobs < legacy_size / 3
    assert documents.compact_events(conn) == 0


def test_identical_answers_share_one_blob(authorized):
    """A SIFEN lote answer recorded on each of its documents is stored once."""
    session, sandbox, ids = authorized
    conn = session.conn
    answer = b"<rResEnviConsLoteDe>" + b"<gResProcLote>resultado</gResProcLote>" * 50 + b"</rResEnviConsLoteDe>"
    before = conn.execute("SELECT COUNT(*) FROM raw_blobs").fetchone()[0]
    with transaction(conn):
        for doc_id in ids:
            documents.add_event(conn, doc_id, "authorized", "lote", answer)
    assert conn.execute("SELECT COUNT(*) FROM raw_blobs").fetchone()[0] == before + 1
    for doc_id in ids:
        assert documents.events(conn, doc_id)[-1]["raw"] == answer


def test_a_damaged_answer_is_reported_not_returned(authorized):
    session, sandbox, ids = authorized
    conn = session.conn
    _, ref = _stored(conn, ids[0])[-1]
    key = bytes(ref)[-32:]
    import zlib

    z = conn.execute("SELECT z FROM raw_blobs WHERE key=?", (key,)).fetchone()[0]
    tampered = zlib.compress(zlib.decompress(z).replace(b"AUTORIZADO", b"AUTORIZADA", 1))
    with transaction(conn):
        conn.execute("UPDATE raw_blobs SET z=? WHERE key=?", (tampered, key))
    with pytest.raises(CorruptDatabaseError, match="SHA-256"):
        documents.events(conn, ids[0])
