"""Crash test: processes issuing and syncing are SIGKILLed at random instants.

After every kill the database must be intact; at the end every committed document is
authorized exactly once by the sandbox, and the numbering has no gap and no duplicate.
Regular suite: 30 kills. Long mode (`pytest -m long`): 1 000 kills.
"""
from __future__ import annotations

import time
from collections import defaultdict

import keyring
import pytest
from crash_kills import run_kills

from app.config import DataDir
from app.pos.demo import create_demo_company
from app.fiscal.ec.transport import SANDBOX_URL_KEY, sandbox_accepts
from app.pos.runtime import make_worker
from app.fiscal.ec.sandbox import SriSandbox
from app.store import documents, settings
from app.store.db import transaction



@pytest.fixture
def crash_setup(tmp_path, subprocess_env, monkeypatch):
    # the parent and its children share the test file keyring (outside the data dir)
    monkeypatch.setenv("MOSTRADOR_TEST_KEYRING_FILE", subprocess_env["MOSTRADOR_TEST_KEYRING_FILE"])
    from file_keyring import FileKeyring

    keyring.set_keyring(FileKeyring())
    data = DataDir(tmp_path / "data")
    session = create_demo_company(data, "EC")
    sandbox = SriSandbox(accepted=sandbox_accepts(session.company), db_path=str(tmp_path / "sri.db"))
    sandbox.start()
    with transaction(session.conn):
        settings.put(session.conn, SANDBOX_URL_KEY, sandbox.url)
        settings.put(session.conn, "sync.max_backoff_seconds", 0.5)
    yield data, session, sandbox, subprocess_env
    sandbox.stop()
    session.close()


def _run_kills(data, env, kills: int, seed: int) -> set[str]:
    return run_kills(data, env, kills, seed, child_args=(), wait=(0.4, 2.5))


def _check_everything(session, sandbox, committed: set[str]) -> int:
    conn = session.conn
    rows = conn.execute("SELECT * FROM documents").fetchall()
    stored = {r["key"] for r in rows}
    # a document reported committed by a child is stored (nothing committed is lost)
    assert committed <= stored
    # numbering: per series exactly 1..N, and the counter agrees
    by_series = defaultdict(list)
    for r in rows:
        by_series[(r["doc_code"], r["establishment"], r["point"])].append(r["sequential"])
    for (code, estab, point), seqs in by_series.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), (code, estab, point)
        last = conn.execute("SELECT last FROM sequences WHERE doc_code=? AND establishment=? AND point=?",
                            (code, estab, point)).fetchone()[0]
        assert last == len(seqs)
    # drain what is left, then: every document authorized, exactly once at the sandbox
    from contextlib import ExitStack

    def unfinished() -> int:
        return conn.execute("SELECT COUNT(*) FROM documents WHERE status <> 'authorized'").fetchone()[0]

    with ExitStack() as stack:
        worker = make_worker(session, stack)
        # the backlog left by the kills drains at ≥ 100 documents/s; give it ample room
        deadline = time.monotonic() + 120 + unfinished() / 20
        while time.monotonic() < deadline:
            worker.run_once()
            if unfinished() == 0:
                break
            time.sleep(0.1)
    for r in documents.listing(conn):
        assert r["status"] == "authorized", (r["number"], r["status"], r["last_messages"])
        auths = [a for a in sandbox.authorizations(r["key"]) if a.estado == "AUTORIZADO"]
        assert len(auths) == 1, r["key"]
        assert sandbox.received_count(r["key"]) == 1, r["key"]
    return len(rows)


def test_crash_30_kills(crash_setup):
    data, session, sandbox, env = crash_setup
    committed = _run_kills(data, env, kills=30, seed=1)
    n = _check_everything(session, sandbox, committed)
    assert n >= 30  # the children did commit work between kills


@pytest.mark.long
@pytest.mark.timeout(4 * 3600)  # ~1 000 × (start + random wait) — far above the suite's default
def test_crash_1000_kills(crash_setup):
    data, session, sandbox, env = crash_setup
    committed = _run_kills(data, env, kills=1000, seed=2)
    _check_everything(session, sandbox, committed)
