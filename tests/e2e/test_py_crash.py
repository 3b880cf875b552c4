"""PY crash test: processes issuing and transmitting (sync sends and lotes in flight) are
SIGKILLed at random instants. After every kill the database is intact; at the end every
committed DE is approved exactly once by the simulated SIFEN, no CDC was ever resent while
pending (the sandbox would have blocked the RUC), and numbering has no gap or duplicate.
Regular suite: 15 kills. Long mode (`pytest -m long`): 300."""
from __future__ import annotations

import time
from collections import defaultdict
from contextlib import ExitStack

import keyring
import pytest
from crash_kills import run_kills

from app.config import DataDir
from app.pos.demo import create_demo_company
from app.pos.runtime import make_worker
from app.fiscal.py.sandbox import SifenSandbox
from app.store import documents, settings
from app.store.db import transaction
from app.fiscal.py.transport import SANDBOX_URL_KEY, sandbox_accepts



@pytest.fixture
def py_crash_setup(tmp_path, subprocess_env, monkeypatch):
    monkeypatch.setenv("MOSTRADOR_TEST_KEYRING_FILE", subprocess_env["MOSTRADOR_TEST_KEYRING_FILE"])
    from file_keyring import FileKeyring

    keyring.set_keyring(FileKeyring())
    data = DataDir(tmp_path / "data")
    session = create_demo_company(data, "PY")
    sandbox = SifenSandbox(accepted_rucs=sandbox_accepts(session.company), db_path=str(tmp_path / "sifen.db"),
                           lote_processing_seconds=0.3, block_seconds=3600)
    sandbox.start()
    with transaction(session.conn):
        settings.put(session.conn, SANDBOX_URL_KEY, sandbox.url)
        settings.put(session.conn, "sync.max_backoff_seconds", 0.5)
        settings.put(session.conn, "py.lote_first_poll_seconds", 0.4)
        settings.put(session.conn, "py.lote_poll_seconds", 0.3)
        settings.put(session.conn, "py.unknown_wait_seconds", 1.0)
        settings.put(session.conn, "py.not_queued_wait_seconds", 1.0)
    yield data, session, sandbox, subprocess_env
    sandbox.stop()
    session.close()


def _run_kills(data, env, kills: int, seed: int) -> set[str]:
    return run_kills(data, env, kills, seed, child_args=("400", "7"), wait=(0.5, 2.5))


def _check_everything(session, sandbox, committed: set[str]) -> int:
    conn = session.conn
    rows = conn.execute("SELECT * FROM documents").fetchall()
    assert committed <= {r["key"] for r in rows}
    by_series = defaultdict(list)
    for r in rows:
        by_series[(r["doc_code"], r["establishment"], r["point"])].append(r["sequential"])
    for series, seqs in by_series.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), series
    with ExitStack() as stack:
        worker = make_worker(session, stack)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            worker.run_once()
            if all(r["status"] == "authorized" for r in documents.listing(conn)):
                break
            time.sleep(0.1)
    assert sandbox.blocks == 0, "a CDC was resent while still pending at SIFEN"
    approved = sandbox.approved()
    for r in documents.listing(conn):
        assert r["status"] == "authorized", (r["number"], r["status"], r["last_messages"])
        assert r["key"] in approved
        log = sandbox.reception_log(r["key"])
        assert sum(1 for _, code in log if code == "0260") == 1, (r["key"], log)
    return len(rows)


def test_py_crash_15_kills(py_crash_setup):
    data, session, sandbox, env = py_crash_setup
    committed = _run_kills(data, env, kills=15, seed=1)
    n = _check_everything(session, sandbox, committed)
    states = dict(session.conn.execute("SELECT state, COUNT(*) FROM py_lotes GROUP BY state").fetchall())
    print(f"documentos {n}, lotes por estado {states}")
    assert n >= 15 and sum(states.values()) >= 1


@pytest.mark.long
def test_py_crash_300_kills(py_crash_setup):
    data, session, sandbox, env = py_crash_setup
    committed = _run_kills(data, env, kills=300, seed=2)
    _check_everything(session, sandbox, committed)
