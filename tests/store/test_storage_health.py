"""Storage faults on real SQLite files: disk full, read-only, locked, corrupt, truncated; the
corrupt mark that stops writes; backups and restore without losing a committed document;
the data folder's permissions."""
from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import time
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from app.config import DataDir
from app.core.documents import SeriesKey, SignedDocument
from app.core.errors import (CorruptDatabaseError, OutputPathError, StorageFullError, StorageLockedError,
                             StorageReadOnlyError)
from app.store import backup, documents, health, restore, sequences
from app.store.db import connect, connect_readonly, transaction

SERIES = SeriesKey("01", "001", "001")


def fake_doc(seq: int) -> SignedDocument:
    now = datetime.now(timezone.utc)
    return SignedDocument(country="EC", kind="invoices", doc_code="01", key=f"{seq:049d}",
                          number=f"001-001-{seq:09d}", sequential=seq, series=SERIES, issued_at=now,
                          signed_at=now, total=Decimal("1.15"), currency="USD", buyer_id="9999999999999",
                          buyer_name="CONSUMIDOR FINAL", xml=b"<factura/>")


def add_doc(conn) -> str:
    with transaction(conn):
        seq = sequences.next_sequential(conn, "EC", "1", SERIES)
        doc = fake_doc(seq)
        doc_id = documents.insert(conn, doc, ambiente="1", sale_id=None)
        documents.add_event(conn, doc_id, "signed", "firmado")
    return doc.key


def keys(conn) -> set[str]:
    return {r[0] for r in conn.execute("SELECT key FROM documents")}


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "mostrador.db"
    conn = connect(path)
    stored = {add_doc(conn) for _ in range(3)}
    yield path, conn, stored
    conn.close()


def test_disk_full_is_a_spanish_storage_error_and_nothing_is_lost(db):
    path, conn, stored = db
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count={pages}")
    with pytest.raises(StorageFullError, match="El disco está lleno") as e:
        with transaction(conn):
            conn.execute("INSERT INTO settings(key, value) VALUES ('relleno', ?)", ('"' + "x" * 200_000 + '"',))
    assert e.value.as_dict()["code"] == "storage_full"
    assert isinstance(e.value, sqlite3.OperationalError)  # the worker's busy-retry still applies
    assert not conn.in_transaction and keys(conn) == stored


def test_read_only_database_is_a_spanish_storage_error(db):
    path, conn, stored = db
    ro = sqlite3.connect(path.as_uri() + "?mode=ro", uri=True, isolation_level=None)
    with pytest.raises(StorageReadOnlyError, match="solo lectura"):
        with transaction(ro):
            ro.execute("INSERT INTO settings(key, value) VALUES ('a', '1')")
    ro.close()
    assert keys(conn) == stored


HOLD_LOCK = """
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
c.execute("INSERT INTO settings(key, value) VALUES ('held', '1')")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
c.execute("ROLLBACK")
"""


@pytest.fixture
def locked(db):
    path = db[0]
    p = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path), "20"], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "locked"
    yield db
    p.kill()
    p.wait()


def test_readers_never_wait_for_the_write_lock(locked, monkeypatch):
    path, _, stored = locked
    t0 = time.monotonic()
    ro = connect_readonly(path)
    assert keys(ro) == stored
    ro.close()
    rw = connect(path)  # no migration pending: opening takes no lock
    assert keys(rw) == stored
    assert time.monotonic() - t0 < 2
    monkeypatch.setenv("MOSTRADOR_BUSY_TIMEOUT", "0.3")
    writer = connect(path)
    with pytest.raises(StorageLockedError, match="bloqueada por otro proceso"):
        with transaction(writer):
            pass
    writer.close()
    rw.close()


def _corrupt_table_pages(path, table: str) -> None:
    c = sqlite3.connect(path)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root = c.execute("SELECT rootpage FROM sqlite_master WHERE name=?", (table,)).fetchone()[0]
    size = c.execute("PRAGMA page_size").fetchone()[0]
    c.close()
    with open(path, "r+b") as f:
        f.seek((root - 1) * size)
        f.write(b"\xa5" * size)


def test_corruption_in_the_middle_is_found_at_start_up_and_stops_writes(db):
    path, conn, stored = db
    conn.close()
    _corrupt_table_pages(path, "document_events")
    health._checked.clear()
    conn = connect(path)  # the start-up quick check finds it and marks the database
    assert health.marked(path)
    with pytest.raises(CorruptDatabaseError, match="dañada.*mostrador restore"):
        add_doc(conn)
    assert keys(conn) == stored  # what is readable stays readable (for salvage)
    conn.close()


def test_truncated_file_is_corrupt(db):
    path, conn, stored = db
    conn.close()
    c = sqlite3.connect(path)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) // 2)
    health._checked.clear()
    with pytest.raises(CorruptDatabaseError):
        conn = connect(path)
        add_doc(conn)
    assert health.marked(path)


def test_garbage_file_is_corrupt(tmp_path):
    path = tmp_path / "mostrador.db"
    path.write_bytes(b"esto no es una base de datos" * 200)
    with pytest.raises(CorruptDatabaseError, match="dañada"):
        connect(path)


def test_backup_while_writing_then_restore_loses_no_committed_document(db, tmp_path):
    path, conn, stored = db
    copy = backup.make(path)
    assert copy.parent == backup.folder(path) and stat.S_IMODE(copy.stat().st_mode) == 0o600
    later = {add_doc(conn) for _ in range(2)}  # signed after the backup
    conn.close()
    _corrupt_table_pages(path, "document_events")
    health._checked.clear()
    connect(path).close()
    assert health.marked(path)
    report = restore.restore(path)
    assert report["recovered"].get("documents") == 2 and report["damaged_copy"]
    assert not health.marked(path)
    conn = connect(path)
    assert keys(conn) == stored | later  # the backup's and the salvaged ones
    # the numbering continues after the last number used, never reuses one
    with transaction(conn):
        assert sequences.next_sequential(conn, "EC", "1", SERIES) == 6
    conn.close()
    assert backup.integrity_problems(path) == []


def test_restore_refuses_a_sound_database_without_force(db):
    path, conn, stored = db
    backup.make(path)
    with pytest.raises(OutputPathError, match="--force"):
        restore.restore(path)
    assert keys(conn) == stored


def test_daily_backup_runs_once_and_prunes(db, monkeypatch):
    path, conn, _ = db
    backup._last_look.clear()
    for f in backup.backups(path):
        f.unlink()
    t = backup.maybe_daily(path)
    assert t is not None
    t.join(10)
    [first] = backup.backups(path)
    old = first.with_name("mostrador-20000101-000000.db")
    first.rename(old)
    os.utime(old, (time.time() - 30 * 86400,) * 2)
    backup._last_look.clear()
    backup.maybe_daily(path).join(10)
    assert len(backup.backups(path)) == 1 and not old.exists()  # older than 14 days: pruned
    assert backup.maybe_daily(path) is None  # looked already this hour


def test_a_marked_database_is_never_backed_up(db):
    path, _, _ = db
    health.mark_corrupt(path, "prueba")
    with pytest.raises(CorruptDatabaseError):
        backup.make(path)
    health.clear_mark(path)


def test_data_folder_is_private(tmp_path):
    data = DataDir(tmp_path / "data").ensure()
    (data.certs / "x.p12").write_bytes(b"p12")
    os.chmod(data.root, 0o755)
    conn = connect(data.db_path)
    conn.execute("PRAGMA user_version").fetchone()
    data.ensure()
    assert stat.S_IMODE(data.root.stat().st_mode) == 0o700
    assert stat.S_IMODE(data.certs.stat().st_mode) == 0o700
    for f in [data.db_path, data.certs / "x.p12", data.db_path.with_name("mostrador.db-wal")]:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    conn.close()
