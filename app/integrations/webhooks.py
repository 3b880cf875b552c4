"""Outbound webhooks of the local API (Dátil's `receipt-issued` / `issue-error`): integration
jobs (app/integrations/jobs.py), queued in the same transaction as the authority's verdict,
delivered at least once with backoff until the receiver answers 2xx, never on a sale's path.

Each delivery is signed: `X-Mostrador-Signature: sha256=<hex HMAC-SHA256 over
"<timestamp>.<body>">` with the subscription's secret (kept in the OS keyring), beside
`X-Mostrador-Timestamp` (unix seconds) and `X-Mostrador-Event-Id` (the same on every retry of
one event: receivers deduplicate by it). The body is the dialect's own object of the document
(its `webhook_body`).

Wired, with the other integrations, by app/integrations/wiring.install (every worker built by
app.pos.runtime.make_worker: the GUI, `mostrador sync`, `mostrador serve`)."""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
import time
from datetime import datetime, timezone

import requests

from app.core import status as st
from app.core.errors import ValidationError
from app.fiscal import registry, signing
from app.integrations import jobs
from app.store import documents, settings

KIND = "webhook"
EVENTS = {st.AUTHORIZED: "receipt-issued", st.REJECTED: "issue-error"}
TIMEOUT = 5.0


def _account(ruc: str, sub_id: int) -> str:
    return f"webhook:{ruc}:{sub_id}"


def subscribe(conn: sqlite3.Connection, *, key_hash: str, dialect: str, event_name: str, url: str) -> dict:
    """A subscription (or the existing one for the same key, event and URL): {id, event_name,
    webhook_url, secret}; the secret signs every delivery."""
    if event_name not in EVENTS.values():
        raise ValidationError(f"Evento desconocido: use {' o '.join(EVENTS.values())}", field="event_name")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")) or len(url) > 2000:
        raise ValidationError("Indique una URL http:// o https://", field="webhook_url")
    conn.execute("INSERT OR IGNORE INTO api_webhooks(key_hash, dialect, event_name, url, created_at) VALUES (?,?,?,?,?)",
                 (key_hash, dialect, event_name, url, datetime.now(timezone.utc).isoformat()))
    sub_id = conn.execute("SELECT id FROM api_webhooks WHERE key_hash=? AND dialect=? AND event_name=? AND url=?",
                          (key_hash, dialect, event_name, url)).fetchone()[0]
    ruc = settings.load_company(conn).ruc
    secret = signing.load_secret(_account(ruc, sub_id))
    if not secret:
        secret = secrets.token_hex(32)
        signing.store_secret(_account(ruc, sub_id), secret)
    return {"id": str(sub_id), "event_name": event_name, "webhook_url": url, "secret": secret}


def on_status(conn: sqlite3.Connection, doc_id: int, status: str) -> None:
    """`store.documents` listener: queues a delivery per subscription of the dialect the
    document was issued through (`sales.source` = 'api:<dialect>')."""
    event = EVENTS.get(status)
    if event is None:
        return
    row = conn.execute("SELECT s.source FROM documents d JOIN sales s ON s.id = d.sale_id WHERE d.id=?",
                       (doc_id,)).fetchone()
    if row is None or not (row[0] or "").startswith("api:"):
        return
    dialect = row[0][4:]
    for (sub_id,) in conn.execute("SELECT id FROM api_webhooks WHERE dialect=? AND event_name=?", (dialect, event)):
        event_id = f"evt_{doc_id}_{status}_{sub_id}"
        jobs.enqueue(conn, KIND, event_id, {"subscription": sub_id, "event": event, "event_id": event_id,
                                            "dialect": dialect}, document_id=doc_id)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def deliver(conn: sqlite3.Connection, job: jobs.Job) -> jobs.Result:
    p = job.payload
    sub = conn.execute("SELECT url FROM api_webhooks WHERE id=?", (p["subscription"],)).fetchone()
    if sub is None:
        return jobs.permanent("La suscripción ya no existe")
    doc = dict(documents.get(conn, job.document_id))
    req = conn.execute("SELECT request_json FROM sales WHERE id=?", (doc["sale_id"],)).fetchone()
    company = settings.load_company(conn)
    dialect = registry.country(doc["country"]).api().dialects.get(p["dialect"])
    if dialect is None or not hasattr(dialect, "webhook_body"):
        return jobs.permanent(f"El dialecto {p['dialect']} no envía notificaciones")
    body = json.dumps(dialect.webhook_body(doc, json.loads(req[0]) if req else {}, company, p["event"]),
                      ensure_ascii=False, default=str).encode("utf-8")
    secret = signing.load_secret(_account(company.ruc, p["subscription"])) or ""
    ts = str(int(time.time()))
    headers = {"Content-Type": "application/json; charset=utf-8", "X-Mostrador-Event": p["event"],
               "X-Mostrador-Event-Id": p["event_id"], "X-Mostrador-Timestamp": ts,
               "X-Mostrador-Signature": sign(secret, ts, body)}
    try:
        r = requests.post(sub[0], data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False)
    except requests.RequestException as exc:
        return jobs.retry(f"Receptor inalcanzable: {exc.__class__.__name__}")
    if 200 <= r.status_code < 300:
        return jobs.done({"http": r.status_code})
    return jobs.retry(f"El receptor respondió HTTP {r.status_code}")

