"""Dátil's webhooks: a real local receiver, down first and then back; signed, deduplicable."""
from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from app.core import status as st
from app.integrations import jobs, webhooks, wiring
from app.pos.runtime import make_worker
from test_datil import body_of, headers


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Receiver:
    def __init__(self, port: int):
        self.got: list[tuple[dict, bytes]] = []
        outer = self

        class H(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.got.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), H)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def test_receipt_issued_reaches_a_receiver_that_was_down(ec_api, monkeypatch):
    # nothing installed by hand: the generic worker wiring (what the GUI and `mostrador sync`
    # build with make_worker) must bring the webhook listener and handler with it
    from app.store import documents

    monkeypatch.setattr(documents, "STATUS_LISTENERS", [])
    monkeypatch.setattr(jobs, "_REGISTRY", {})
    port = free_port()
    sub = requests.post(f"{ec_api.url}/datil/webhooks", headers=headers(ec_api), timeout=10,
                        json={"event_name": "receipt-issued", "webhook_url": f"http://127.0.0.1:{port}/hook"}).json()
    assert sub["id"] and len(sub["secret"]) == 64
    bad = requests.post(f"{ec_api.url}/datil/webhooks", headers=headers(ec_api), timeout=10,
                        json={"event_name": "otro", "webhook_url": "ftp://x"})
    assert bad.status_code == 400 and bad.json()["errores"][0]["campo"] == "event_name"
    issued = requests.post(f"{ec_api.url}/datil/invoices/issue", json=body_of("invoices", ec_api.session.company),
                           headers=headers(ec_api), timeout=30).json()
    conn = ec_api.session.conn
    with ExitStack() as stack:
        worker = make_worker(ec_api.session, stack)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            worker.run_once()
            job = jobs.by_key(conn, webhooks.KIND, f"evt_{issued['id']}_{st.AUTHORIZED}_{sub['id']}")
            if job is not None and job.attempts >= 1:
                break
            time.sleep(0.05)
        assert job is not None and job.status == jobs.PENDING and job.attempts >= 1  # receiver down: retried later
        receiver = Receiver(port)
        try:
            jobs.retry_now(conn, job.id)
            deadline = time.monotonic() + 30
            while not receiver.got and time.monotonic() < deadline:
                worker.run_once()
                time.sleep(0.05)
        finally:
            receiver.stop()
    assert len(receiver.got) == 1
    h, body = receiver.got[0]
    expected = "sha256=" + hmac.new(sub["secret"].encode(), h["x-mostrador-timestamp"].encode() + b"." + body,
                                    hashlib.sha256).hexdigest()
    assert hmac.compare_digest(h["x-mostrador-signature"], expected)
    assert h["x-mostrador-event"] == "receipt-issued" and h["x-mostrador-event-id"] == job.key
    obj = json.loads(body)
    assert obj["clave_acceso"] == issued["clave_acceso"] and obj["estado"] == "AUTORIZADO"
    assert jobs.get(conn, job.id).status == jobs.DONE


def test_issue_error_is_queued_with_the_verdict_and_delivered(ec_api):
    from app.store import documents
    from app.store.db import transaction

    wiring.install()  # what every worker's wiring does (no worker runs here)
    receiver = Receiver(0)
    port = receiver.server.server_address[1]
    try:
        for event in ("issue-error", "receipt-issued"):
            requests.post(f"{ec_api.url}/datil/webhooks", headers=headers(ec_api), timeout=10,
                          json={"event_name": event, "webhook_url": f"http://127.0.0.1:{port}/{event}"})
        issued = requests.post(f"{ec_api.url}/datil/invoices/issue", json=body_of("invoices", ec_api.session.company),
                               headers=headers(ec_api), timeout=30).json()
        conn = ec_api.session.conn
        with transaction(conn):  # the SRI's verdict as the worker records it: the job rides the same transaction
            documents.set_status(conn, int(issued["id"]), st.REJECTED,
                                 messages=[{"identificador": "35", "mensaje": "ARCHIVO NO CUMPLE ESTRUCTURA XML"}])
        queued = jobs.for_document(conn, int(issued["id"]), webhooks.KIND)
        assert [j.payload["event"] for j in queued] == ["issue-error"]  # not receipt-issued
        assert jobs.run_due(conn) == 1
        (h, body), = receiver.got
        assert h["x-mostrador-event"] == "issue-error"
        obj = json.loads(body)
        assert obj["estado"] == "NO AUTORIZADO" and obj["autorizacion"]["mensajes"][0]["identificador"] == "35"
    finally:
        receiver.stop()
