"""Every injectable fault, alone and mixed: every document ends authorized exactly once."""
from __future__ import annotations

import random
import time
from contextlib import ExitStack

import pytest

from app.pos import checkout
from app.fiscal.ec.demo import demo_invoice
from app.pos.runtime import make_worker
from app.store import documents

FAULTS = ["delay", "reset", "http500", "http503", "html", "malformed", "processing", "error50", "lost_response"]


def issue_some(session, n: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    return [checkout.issue(session, demo_invoice(session.company, rng, i + 1), "invoices").document_id
            for i in range(n)]


def drain(session, ids, seconds=60.0):
    with ExitStack() as stack:
        worker = make_worker(session, stack)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            worker.run_once()
            st = [documents.get(session.conn, i)["status"] for i in ids]
            if all(s == "authorized" for s in st):
                return worker
            time.sleep(0.02)
    return worker


def assert_all_authorized_once(session, sandbox, ids):
    for i in ids:
        row = documents.get(session.conn, i)
        assert row["status"] == "authorized", (row["number"], row["status"], row["last_messages"])
        assert len([a for a in sandbox.authorizations(row["key"]) if a.estado == "AUTORIZADO"]) == 1
        assert sandbox.received_count(row["key"]) == 1


@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_alone(ec_shop, fault):
    session, sandbox = ec_shop
    ids = issue_some(session, 4, seed=hash(fault) % 1000)
    kwargs = {"seconds": 0.3} if fault == "delay" else {}
    sandbox.faults.inject(fault, count=2, **kwargs)
    worker = drain(session, ids)
    assert_all_authorized_once(session, sandbox, ids)
    # the fault really happened and was survived
    assert not sandbox.faults.active()
    if fault in ("reset", "http500", "http503", "html", "malformed", "lost_response"):
        assert worker.stats.transport_errors >= 1


def test_faults_mixed(ec_shop):
    session, sandbox = ec_shop
    ids = issue_some(session, 25, seed=7)
    sandbox.faults.reseed(42)
    for fault in FAULTS:
        kw = {"seconds": 0.05} if fault == "delay" else {}
        sandbox.faults.inject(fault, count=None, probability=0.08, **kw)
    worker = drain(session, ids, seconds=120)
    sandbox.faults.clear()
    worker = drain(session, ids, seconds=30)
    assert_all_authorized_once(session, sandbox, ids)


def test_offline_then_back(ec_shop):
    """The authority unreachable: documents stay queued, then go out in order."""
    session, sandbox = ec_shop
    ids = issue_some(session, 5, seed=3)
    import socket

    from app.fiscal.ec.transport import SANDBOX_URL_KEY
    from app.store import settings
    from app.store.db import transaction

    with socket.socket() as s:  # a loopback port where nobody listens
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    with transaction(session.conn):
        settings.put(session.conn, SANDBOX_URL_KEY, dead)
    with ExitStack() as stack:
        worker = make_worker(session, stack)
        worker.run_once()
        assert worker.stats.transport_errors >= 1
    assert all(documents.get(session.conn, i)["status"] == "signed" for i in ids)
    with transaction(session.conn):
        settings.put(session.conn, SANDBOX_URL_KEY, sandbox.url)
    drain(session, ids)
    assert_all_authorized_once(session, sandbox, ids)
