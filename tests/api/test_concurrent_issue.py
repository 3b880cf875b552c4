"""Many clients issuing at once over real HTTP (the group commit of app/pos/group_commit.py):
each gets its own document, numbers stay gapless, twins sharing an Idempotency-Key get one."""
from __future__ import annotations

import random
import threading
import uuid

import requests

from app.pos.demo import demo_sale


def test_concurrent_clients_get_gapless_numbers_and_twins_one_document(ec_api):
    company = ec_api.session.company
    est = company.establishments[0]
    bodies = [demo_sale(company, random.Random(i), i, estab=est.code, point=est.points[0].code)[0]
              for i in range(1, 13)]
    twin_key = uuid.uuid4().hex
    jobs = [(b, uuid.uuid4().hex) for b in bodies] + [(bodies[0], twin_key)] * 3
    answers: list = [None] * len(jobs)
    start = threading.Barrier(len(jobs))

    def client(i):
        body, idem = jobs[i]
        start.wait(timeout=30)
        r = requests.post(f"{ec_api.url}/datil/invoices/issue", json=body, timeout=60,
                          headers={"X-Key": ec_api.key, "Idempotency-Key": idem})
        answers[i] = (r.status_code, r.json())

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(a is not None and a[0] == 200 for a in answers), [a for a in answers if not a or a[0] != 200]
    ids = [a[1]["id"] for a in answers]
    twins = set(ids[12:])
    assert len(twins) == 1, "three retries with one Idempotency-Key: one document"
    assert len(set(ids[:12])) == 12 and not (twins & set(ids[:12]))
    seqs = sorted(int(a[1]["secuencial"]) for a in answers[:12]) + [int(answers[12][1]["secuencial"])]
    assert sorted(seqs) == list(range(1, 14)), "gapless: 13 documents numbered 1..13"
    assert ec_api.doc_count() == 13
    rows = ec_api.session.conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    assert rows == 13  # every document queued for the SRI in its own transaction
