"""Issue #15: printing never waits for another process's write lock. The "printed" mark (which
makes the next print a copy) is written at once when it can be, else by a background thread as
soon as the other writer is done; it is never lost."""
from __future__ import annotations

import random
import subprocess
import sys
import threading

import pytest

from app.config import DataDir
from app.pos import checkout, printing
from app.pos.demo import create_demo_company, demo_sale
from app.store import documents

HOLD = """
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
c.execute("INSERT INTO settings(key, value) VALUES ('held', '1')")
print("locked", flush=True)
sys.stdin.readline()
c.execute("COMMIT")
"""


@pytest.fixture
def shop(tmp_path):
    session = create_demo_company(DataDir(tmp_path / "data"), "EC")
    company = session.company
    body, kind = demo_sale(company, random.Random(2), 1, estab=company.establishments[0].code,
                           point=company.establishments[0].points[0].code)
    result = checkout.issue(session, body, kind, source="test")
    yield session, result
    session.close()


def test_a_print_while_another_process_writes_returns_and_is_recorded_later(shop):
    session, result = shop
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(session.data.db_path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        pdf = printing.ticket_pdf(session, result.key)  # returns although the lock is held
        assert pdf.startswith(b"%PDF")
        assert printing.times_printed(session.conn, result.document_id) == 0  # not yet: still locked
        waiting = [t for t in threading.enumerate()
                   if t.name == f"mostrador-event-{result.document_id}"]
        assert waiting and waiting[0].is_alive()
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(timeout=30) == 0
        waiting[0].join(timeout=60)
        assert not waiting[0].is_alive()
    finally:
        if holder.poll() is None:
            holder.kill()
    assert printing.times_printed(session.conn, result.document_id) == 1


def test_with_the_lock_free_the_mark_is_written_at_once(shop):
    session, result = shop
    assert documents.add_event_nowait(session.conn, result.document_id, "printed", "ticket") is None
    assert printing.times_printed(session.conn, result.document_id) == 1
    # the connection keeps its normal busy timeout afterwards
    assert session.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
