"""The integrations outbox: dedup, retry, permanent failure, leases, the 'maybe sent' mark."""
from __future__ import annotations

import os

from app.integrations import jobs
from app.store.db import connect, transaction

NOW = 1_000_000.0


def db(tmp_path):
    return connect(tmp_path / "m.db")


def test_enqueue_twice_is_a_no_op_inside_a_transaction(tmp_path):
    conn = db(tmp_path)
    with transaction(conn):
        first = jobs.enqueue(conn, "email", "doc:1", {"to": "a@b.ec"}, at=NOW)
        again = jobs.enqueue(conn, "email", "doc:1", {"to": "other@b.ec"}, at=NOW)
    assert first is not None and again is None
    view = jobs.by_key(conn, "email", "doc:1")
    assert view.payload == {"to": "a@b.ec"} and view.status == jobs.PENDING


def test_done_retry_and_permanent(tmp_path):
    conn = db(tmp_path)
    calls = []

    def flaky(c, job):
        calls.append(job.attempts)
        if job.attempts == 0:
            return jobs.retry("servidor caído", after=30)
        return jobs.done({"id": "x"})

    def refused(c, job):
        return jobs.permanent("El servidor rechazó el destinatario")

    jobs.enqueue(conn, "a", "1", at=NOW)
    jobs.enqueue(conn, "b", "1", at=NOW)
    handlers = {"a": flaky, "b": refused}
    assert jobs.run_due(conn, handlers, NOW) == 2
    a, b = jobs.by_key(conn, "a", "1"), jobs.by_key(conn, "b", "1")
    assert a.status == jobs.PENDING and a.last_error == "servidor caído" and a.next_attempt_at == NOW + 30
    assert b.status == jobs.FAILED and "rechazó" in b.last_error and b.status_es == "falló"
    assert jobs.run_due(conn, handlers, NOW + 10) == 0  # not due yet; the failed one never again
    assert jobs.run_due(conn, handlers, NOW + 31) == 1
    a = jobs.by_key(conn, "a", "1")
    assert a.status == jobs.DONE and a.result == {"id": "x"} and a.attempts == 2 and not a.attempting
    assert calls == [0, 1]


def test_a_handler_bug_is_retried_not_lost(tmp_path):
    conn = db(tmp_path)
    jobs.enqueue(conn, "a", "1", at=NOW)
    jobs.run_due(conn, {"a": lambda c, j: 1 / 0}, NOW)
    v = jobs.by_key(conn, "a", "1")
    assert v.status == jobs.PENDING and "ZeroDivisionError" in v.last_error and v.attempts == 1


def test_apply_writes_with_the_result(tmp_path):
    conn = db(tmp_path)
    jobs.enqueue(conn, "a", "1", at=NOW)
    jobs.run_due(conn, {"a": lambda c, j: jobs.done(apply=lambda cc: jobs.enqueue(cc, "a", "2", at=NOW + 5))}, NOW)
    assert jobs.by_key(conn, "a", "2").status == jobs.PENDING


def _crash_mid_call(conn, kind):
    """What a process that died during the network call leaves: the committed claim."""
    dead = f"{jobs._outbox.HOST}:{2 ** 22 + 12345}:dead"
    jobs.enqueue(conn, kind, "1", at=NOW)
    conn.execute("UPDATE integration_jobs SET lease_owner=?, lease_until=?, attempting_at=?",
                 (dead, NOW + 300, NOW))


def test_a_crash_mid_call_is_held_as_maybe_sent(tmp_path):
    conn = db(tmp_path)
    _crash_mid_call(conn, "email")
    sent = []
    assert jobs.run_due(conn, {"email": lambda c, j: sent.append(j) or jobs.done()}, NOW + 1) == 0
    v = jobs.by_key(conn, "email", "1")
    assert sent == [] and v.status == jobs.UNCERTAIN and v.status_es == "posiblemente enviado"


def test_a_crash_mid_call_is_retried_when_the_receiver_deduplicates(tmp_path):
    conn = db(tmp_path)
    _crash_mid_call(conn, "hook")
    h = jobs.Handler(lambda c, j: jobs.done(), on_uncertain="retry")
    assert jobs.run_due(conn, {"hook": h}, NOW + 1) == 1
    assert jobs.by_key(conn, "hook", "1").status == jobs.DONE


def test_a_live_lease_is_respected(tmp_path):
    conn = db(tmp_path)
    jobs.enqueue(conn, "a", "1", at=NOW)
    live = f"{jobs._outbox.HOST}:{os.getpid()}:other"
    conn.execute("UPDATE integration_jobs SET lease_owner=?, lease_until=?", (live, NOW + 300))
    assert jobs.run_due(conn, {"a": lambda c, j: jobs.done()}, NOW) == 0
    assert jobs.run_due(conn, {"a": lambda c, j: jobs.done()}, NOW + 301) == 1


def test_the_worker_runs_extra_work_each_pass(tmp_path):
    from app.sync.worker import Worker

    conn = db(tmp_path)
    jobs.enqueue(conn, "a", "1")
    w = Worker(conn, {}, extra_work=[jobs.extra_work({"a": lambda c, j: jobs.done()})])
    assert w.run_once() == 1
    assert jobs.by_key(conn, "a", "1").status == jobs.DONE


def test_a_failing_listener_never_blocks_the_authorization_record(tmp_path, monkeypatch):
    """The e-mail listener breaks (a bug): the status change is recorded all the same."""
    from app.integrations import mail, wiring
    from app.store import documents

    conn = db(tmp_path)
    conn.execute("INSERT INTO documents(country, kind, doc_code, key, version, number, ambiente, establishment, "
                 "point, sequential, issued_at, signed_at, total, currency, buyer_id, buyer_name, status, xml, updated_at) "
                 "VALUES ('EC','invoices','01','k',1,'001-001-1','1','001','001',1,'x','x','1','USD','0','b',"
                 "'signed',x'00','x')")
    monkeypatch.setattr(documents, "STATUS_LISTENERS", [])
    wiring.install()
    monkeypatch.setattr(mail, "buyer_email", lambda conn, row: 1 / 0)
    conn.execute("UPDATE documents SET sale_id=NULL")
    with transaction(conn):
        documents.set_status(conn, 1, "authorized", authorization_number="k")
    assert documents.get(conn, 1)["status"] == "authorized"
    assert jobs.listing(conn) == []
