"""Issue #15 item 8: the signed XML and the sale's request are stored compressed against a
preset dictionary and every reader gets the exact original back (SHA-256 checked on read).
Real signing with the demo companies' throwaway certificates, real SQLite files."""
from __future__ import annotations

import base64
import hashlib
import json
import random
import sqlite3

import pytest

from app.config import DataDir
from app.core.errors import CorruptDatabaseError
from app.pos import checkout
from app.pos.demo import create_demo_company, demo_sale
from app.store import backup, documents, packing, settings
from app.store.db import connect, transaction


def _issue(session, n: int, seed: int = 3) -> list:
    rng = random.Random(seed)
    company = session.company
    estab, point = company.establishments[0].code, company.establishments[0].points[0].code
    out = []
    for i in range(n):
        body, kind = demo_sale(company, rng, i + 1, estab=estab, point=point)
        out.append((checkout.issue(session, body, kind, source="test"), body))
    return out


def _stored(conn, table: str, column: str, row_id: int):
    return conn.execute(f"SELECT {column} AS stored FROM {table} WHERE id=?", (row_id,)).fetchone()[0]


@pytest.fixture(params=["EC", "PY"])
def session(request, tmp_path):
    s = create_demo_company(DataDir(tmp_path / "data"), request.param)
    yield s
    s.close()


def test_signed_xml_and_request_are_packed_and_read_back_exactly(session):
    conn = session.conn
    issued = _issue(session, 4)
    for result, body in issued:
        signed = result.document.xml
        stored = _stored(conn, "documents", "xml", result.document_id)
        assert packing.is_packed(stored)
        assert len(stored) < len(signed) / 4  # the shared dictionary carries the certificate
        row = documents.get(conn, result.document_id)
        assert bytes(row["xml"]) == signed and type(row["xml"]) is bytes
        assert documents.by_key(conn, result.document.key)["xml"] == signed
        assert dict(row)["xml"] == signed
        request = json.dumps(body, ensure_ascii=False, default=str)
        assert packing.is_packed(_stored(conn, "sales", "request_json", result.sale_id))
        got = conn.execute("SELECT request_json FROM sales WHERE id=?", (result.sale_id,)).fetchone()
        assert got["request_json"] == request and got[0] == request
    # one dictionary per purpose for one certificate, made of the first value
    purposes = [r[0] for r in conn.execute("SELECT purpose FROM store_dicts ORDER BY purpose")]
    assert purposes == ["request_json", "xml"]
    first = conn.execute("SELECT data FROM store_dicts WHERE purpose='xml'").fetchone()[0]
    assert first == issued[0][0].document.xml


def test_a_changed_byte_is_caught_on_read(session):
    conn = session.conn
    (result, _), = _issue(session, 1)
    stored = bytearray(_stored(conn, "documents", "xml", result.document_id))
    stored[-3] ^= 0x01  # inside the deflate stream
    with transaction(conn):
        conn.execute("UPDATE documents SET xml=? WHERE id=?", (bytes(stored), result.document_id))
    with pytest.raises(CorruptDatabaseError, match="SHA-256"):
        documents.get(conn, result.document_id)
    # the listing (no XML) still works: the damage stays with the one document
    assert [r["id"] for r in documents.listing(conn)] == [result.document_id]


def test_dictionaries_cannot_be_changed_or_deleted(session):
    conn = session.conn
    _issue(session, 1)
    with pytest.raises(sqlite3.DatabaseError, match="diccionario"):
        with transaction(conn):
            conn.execute("UPDATE store_dicts SET data=x'00'")
    with pytest.raises(sqlite3.DatabaseError, match="diccionario"):
        with transaction(conn):
            conn.execute("DELETE FROM store_dicts")


def test_a_missing_dictionary_is_a_clear_error(tmp_path):
    conn = connect(tmp_path / "m.db")
    with transaction(conn):
        packed = packing.pack(conn, "request_json", '{"a": 1}')
    other = connect(tmp_path / "other.db")  # a value moved to a database without its dictionary
    with pytest.raises(CorruptDatabaseError, match="diccionario"):
        packing.unpack(other, packed)
    assert packing.unpack(conn, packed) == '{"a": 1}'


def _xml(cert: str, n: int) -> bytes:
    body = "".join(f"<linea n='{i}'>{i * 7}</linea>" for i in range(n))
    return (f'<?xml version="1.0" encoding="UTF-8"?><doc>{body}<ds:Signature><ds:X509Certificate>{cert}'
            "</ds:X509Certificate></ds:Signature></doc>").encode()


def test_a_new_certificate_gets_a_new_dictionary_and_old_values_still_read(tmp_path):
    conn = connect(tmp_path / "c.db")
    rng = random.Random(5)
    old_cert = base64.b64encode(rng.randbytes(900)).decode()
    new_cert = base64.b64encode(rng.randbytes(900)).decode()
    values = [_xml(old_cert, 3), _xml(old_cert, 5), _xml(new_cert, 4), _xml(new_cert, 6)]
    with transaction(conn):
        packed = [packing.pack(conn, "xml", v) for v in values]
    keys = [p[len(packing.MAGIC) + 1:len(packing.MAGIC) + 9] for p in packed]
    assert keys[0] == keys[1] != keys[2] == keys[3]
    assert conn.execute("SELECT COUNT(*) FROM store_dicts WHERE purpose='xml'").fetchone()[0] == 2
    assert len(packed[3]) < 200 < len(packed[2]) + 400  # the renewal's documents share the new one
    fresh = connect(tmp_path / "c.db")  # another process: no cache, reads the dictionaries
    assert [packing.unpack(fresh, p) for p in packed] == values


def test_a_rolled_back_dictionary_is_written_again_with_the_next_value(tmp_path):
    conn = connect(tmp_path / "r.db")
    with pytest.raises(RuntimeError):
        with transaction(conn):
            packing.pack(conn, "request_json", '{"primera": true}')
            raise RuntimeError("venta anulada antes del commit")
    assert conn.execute("SELECT COUNT(*) FROM store_dicts").fetchone()[0] == 0
    with transaction(conn):
        packed = packing.pack(conn, "request_json", '{"segunda": true}')
    fresh = connect(tmp_path / "r.db")
    assert packing.unpack(fresh, packed) == '{"segunda": true}'


def test_rows_written_before_0013_are_packed_in_batches_without_losing_a_byte(session):
    conn = session.conn
    issued = _issue(session, 5)
    originals = {}
    with transaction(conn):  # rows as a database before migration 0013 holds them
        for result, _ in issued:
            doc = documents.get(conn, result.document_id)
            req = conn.execute("SELECT request_json FROM sales WHERE id=?", (result.sale_id,)).fetchone()[0]
            originals[result.document_id] = (result.sale_id, bytes(doc["xml"]), req)
            conn.execute("UPDATE documents SET xml=? WHERE id=?", (bytes(doc["xml"]), result.document_id))
            conn.execute("UPDATE sales SET request_json=? WHERE id=?", (req, result.sale_id))
        for mark in ("store.signed_compact", "store.request_compact"):
            settings.put(conn, mark + "_upto", max(originals) if "signed" in mark else
                         max(s for s, _, _ in originals.values()))
            settings.put(conn, mark + "_from", 0)
    assert not any(packing.is_packed(_stored(conn, "documents", "xml", d)) for d in originals)
    assert documents.get(conn, issued[0][0].document_id)["xml"] == originals[issued[0][0].document_id][1]
    rounds = 0
    while documents.compact_events(conn, limit=2):
        rounds += 1
    assert rounds >= 3 and documents.compact_events(conn) == 0
    for doc_id, (sale_id, xml, req) in originals.items():
        assert packing.is_packed(_stored(conn, "documents", "xml", doc_id))
        assert packing.is_packed(_stored(conn, "sales", "request_json", sale_id))
        assert documents.get(conn, doc_id)["xml"] == xml
        assert conn.execute("SELECT request_json FROM sales WHERE id=?", (sale_id,)).fetchone()[0] == req


def test_backup_and_central_push_carry_the_original_bytes(session, tmp_path):
    from app.central import replica

    conn = session.conn
    issued = _issue(session, 2)
    copy = backup.make(session.data.db_path, tmp_path / "copia.db")
    restored = connect(copy)
    pushed = {r["id"]: r for r in replica._rows_documents(conn, 0, 10)}
    sales = {r["id"]: r for r in replica._rows_sales(conn, 0, 10)}
    for result, body in issued:
        signed = result.document.xml
        assert documents.get(restored, result.document_id)["xml"] == signed
        assert base64.b64decode(pushed[result.document_id]["xml"]) == signed
        assert pushed[result.document_id]["xml_sha256"] == hashlib.sha256(signed).hexdigest()
        assert json.loads(sales[result.sale_id]["request_json"]) == json.loads(
            json.dumps(body, ensure_ascii=False, default=str))


def test_a_backup_after_the_conversion_weighs_what_the_data_does(session, tmp_path):
    conn = session.conn
    _issue(session, 30)
    with transaction(conn):  # as before 0013: unpacked rows, then packed by the worker's batches
        for r in conn.execute("SELECT id, xml FROM documents").fetchall():
            conn.execute("UPDATE documents SET xml=? WHERE id=?", (bytes(r["xml"]), r["id"]))
        for r in conn.execute("SELECT id, request_json FROM sales").fetchall():
            conn.execute("UPDATE sales SET request_json=? WHERE id=?", (r["request_json"], r["id"]))
        for mark, table in (("store.signed_compact", "documents"), ("store.request_compact", "sales")):
            settings.put(conn, mark + "_upto", conn.execute(f"SELECT MAX(id) FROM {table}").fetchone()[0])
            settings.put(conn, mark + "_from", 0)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    unpacked = session.data.db_path.stat().st_size
    while documents.compact_events(conn):
        pass
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    live = session.data.db_path.stat().st_size
    copy = backup.make(session.data.db_path, tmp_path / "copia.db")
    assert live == unpacked  # the live file keeps its pages (reused by new documents)
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    assert free * 10 > conn.execute("PRAGMA page_count").fetchone()[0]  # the case this is about
    check = sqlite3.connect(copy)
    assert check.execute("PRAGMA freelist_count").fetchone()[0] == 0
    assert copy.stat().st_size < live * 0.9
    assert documents.get(connect(copy), 1)["xml"] == documents.get(conn, 1)["xml"]
