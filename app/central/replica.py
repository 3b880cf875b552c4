"""The register side of central replication: push what this register committed, pull the central
master data. Runs in the background worker after the commit (`Replicator.run_pass`), never on the
path of a sale; with the central server unreachable it backs off and the till does not notice.

Pushes walk each local table by id above a cursor (`central_cursors`), in batches; a cursor moves
only after the central store committed the batch, so a crash or a cut connection re-sends it and
the central store ignores what it already holds. Pulls ask for master rows above the last central
revision seen and apply them with that revision in one SQLite transaction (central wins).
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import sqlite3
import time
from datetime import datetime, timezone

from app.central.tls import PinnedClient
from app.core import backoff
from app.core.errors import TransportError
from app.store import settings
from app.store.db import transaction

log = logging.getLogger("mostrador.central")

URL_KEY = "central.url"
NAME_KEY = "central.register_name"
LAST_SYNC_KEY = "central.last_sync"  # when a pass last completed (ISO, UTC); local only
TOKEN_ACCOUNT = "central-register-token"
BATCH_ENV = "MOSTRADOR_CENTRAL_BATCH"  # rows per push request (default 500)
INTERVAL_ENV = "MOSTRADOR_CENTRAL_INTERVAL"  # least seconds between two background passes (default 2)
LOCAL_ONLY_SETTINGS = ("company",)       # never overwritten by a pull (plus every central.* key)


def batch_size() -> int:
    try:
        return max(1, int(os.environ.get(BATCH_ENV, "500")))
    except ValueError:
        return 500


def interval() -> float:
    try:
        return max(0.0, float(os.environ.get(INTERVAL_ENV, "2")))
    except ValueError:
        return 2.0


def get_cursor(conn: sqlite3.Connection, name: str) -> int:
    row = conn.execute("SELECT value FROM central_cursors WHERE name=?", (name,)).fetchone()
    return int(row[0]) if row else 0


def set_cursor(conn: sqlite3.Connection, name: str, value: int) -> None:
    conn.execute("INSERT INTO central_cursors(name, value) VALUES (?, ?) "
                 "ON CONFLICT(name) DO UPDATE SET value=excluded.value", (name, value))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


# -- what each table pushes ----------------------------------------------------------------------
def _rows_sales(conn, after, limit):
    rows = [dict(r) for r in conn.execute(
        "SELECT id, created_at, country, source, total, currency, cashier, request_json FROM sales WHERE id > ? "
        "ORDER BY id LIMIT ?", (after, limit))]
    for r in rows:
        r["payments"] = [dict(p) for p in conn.execute(
            "SELECT n, method, amount FROM payments WHERE sale_id=? ORDER BY n", (r["id"],))]
    return rows


_STATUS_EVENT = "(SELECT COALESCE(max(e.id), 0) FROM document_events e WHERE e.document_id = d.id)"


def _rows_documents(conn, after, limit):
    from app.fiscal.home_amounts import HomeAmounts

    rows = []
    home = HomeAmounts(conn)
    for r in conn.execute(
            "SELECT d.id, d.sale_id, d.country, d.kind, d.doc_code, d.key, d.version, d.number, d.ambiente, "
            "d.establishment, d.point, d.sequential, d.issued_at, d.total, d.currency, d.buyer_id, "
            "d.buyer_name, d.status, d.xml, d.authorization_number, d.authorized_at, d.last_messages, "
            f"{_STATUS_EVENT} AS status_event FROM documents d WHERE d.id > ? ORDER BY d.id LIMIT ?",
            (after, limit)):
        r = dict(r)
        xml = bytes(r.pop("xml"))
        r["xml"] = base64.b64encode(xml).decode()
        r["xml_sha256"] = hashlib.sha256(xml).hexdigest()
        r["taxes"] = document_taxes(conn, r["sale_id"], r["country"], doc=r, home=home)
        rows.append(r)
    return rows


def document_taxes(conn, sale_id, country: str, *, doc=None, home=None) -> list[dict]:
    """The document's taxes per rate, as its country's till rules read its sale back
    (`issued_lines`), in the till's currency and each sum rounded like the local reports (a
    document in another currency, `doc` with its id/total/currency, converted at its own rate
    by `home`, an app.fiscal.home_amounts.HomeAmounts); [] when the sale's request cannot be
    read (the document still replicates)."""
    from app.core.errors import ConfigurationError
    from app.fiscal import registry

    row = conn.execute("SELECT request_json FROM sales WHERE id=?", (sale_id,)).fetchone() if sale_id else None
    if row is None or not row[0]:
        return []
    try:
        rules = registry.country(country).till()
        lines = rules.issued_lines(json.loads(row[0]))
    except (ValueError, KeyError, TypeError, ArithmeticError, ConfigurationError):
        return []
    scale = 1
    if doc is not None and home is not None and doc["currency"] and doc["currency"] != rules.money.code:
        from app.fiscal.home_amounts import line_scale

        try:  # as app/pos/reports.py: the lines scaled to the document's total in the till's currency
            scale = line_scale(home.home(doc["total"], doc["id"], country, doc["currency"]), lines)
        except (ConfigurationError, ValueError, ArithmeticError):
            return []
    sums: dict[tuple[str, str], list] = {}
    for ln in lines:
        g = sums.setdefault((ln.tax_category, str(ln.rate)), [ln.base * 0, ln.tax * 0])
        g[0] += ln.base * scale
        g[1] += ln.tax * scale
    return [{"tax_category": cat, "label": rules.tax_short_label(cat), "rate": rate,
             "base": str(rules.money.round(base)), "tax": str(rules.money.round(tax))}
            for (cat, rate), (base, tax) in sorted(sums.items())]


def _rows_document_events(conn, after, limit):
    return [dict(r) for r in conn.execute(
        "SELECT e.id, e.document_id, e.at, e.status, e.detail, d.status AS doc_status, "
        f"{_STATUS_EVENT} AS status_event, "
        "d.authorization_number, d.authorized_at, d.last_messages "
        "FROM document_events e JOIN documents d ON d.id = e.document_id "
        "WHERE e.id > ? ORDER BY e.id LIMIT ?", (after, limit))]


def _rows_shifts(conn, after, limit):
    return [dict(r) for r in conn.execute(
        "SELECT id, establishment, point, cashier, opened_at, opening_float, closed_at, closed_by, report_json "
        "FROM shifts WHERE id > ? ORDER BY id LIMIT ?", (after, limit))]


def _rows_cash_movements(conn, after, limit):
    return [dict(r) for r in conn.execute(
        "SELECT id, shift_id, at, kind, amount, reason, user_name FROM cash_movements WHERE id > ? "
        "ORDER BY id LIMIT ?", (after, limit))]


def _rows_customers(conn, after, limit):
    return [dict(r) for r in conn.execute(
        "SELECT id, id_type, identification, name, email, phone, address FROM customers WHERE id > ? "
        "ORDER BY id LIMIT ?", (after, limit))]


def _rows_customer_edits(conn, after, limit):
    # the customer as it is now (an edit queued twice sends the same values twice: harmless)
    return [dict(r) for r in conn.execute(
        "SELECT e.seq AS id, c.id_type, c.identification, c.name, c.email, c.phone, c.address "
        "FROM central_customer_edits e JOIN customers c ON c.id = e.customer_id WHERE e.seq > ? "
        "ORDER BY e.seq LIMIT ?", (after, limit))]


PUSHERS = {"sales": _rows_sales, "documents": _rows_documents, "document_events": _rows_document_events,
           "shifts": _rows_shifts, "cash_movements": _rows_cash_movements, "customers": _rows_customers,
           "customer_edits": _rows_customer_edits}
# the local table behind each pushed one, and its ordering column (for `pending`)
_LOCAL = {"customer_edits": ("central_customer_edits", "seq")}


def _next_cursor(table: str, rows: list[dict]) -> int:
    if table == "shifts":  # an open shift is pushed again until it is closed (its close is news)
        still_open = [r["id"] for r in rows if not r.get("closed_at")]
        if still_open:
            return min(still_open) - 1
    return rows[-1]["id"]


# -- what a pull applies ---------------------------------------------------------------------------
def apply_pull(conn: sqlite3.Connection, page: dict) -> int:
    """Applies one page of central master data (central wins) and its revision, atomically."""
    now = _now()
    n = 0
    with transaction(conn):
        edits_before = conn.execute("SELECT COALESCE(max(seq), 0) FROM central_customer_edits").fetchone()[0]
        for p in page.get("products", []):
            barcode = p.get("barcode") or None
            if barcode:  # the central catalogue owns this barcode now
                conn.execute("UPDATE products SET barcode=NULL WHERE barcode=? AND code<>?", (barcode, p["code"]))
            conn.execute(
                "INSERT INTO products(code, barcode, name, price, price_includes_tax, tax_category, active, "
                "updated_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(code) DO UPDATE SET barcode=excluded.barcode, "
                "name=excluded.name, price=excluded.price, price_includes_tax=excluded.price_includes_tax, "
                "tax_category=excluded.tax_category, active=excluded.active, updated_at=excluded.updated_at",
                (p["code"], barcode, p["name"], p["price"], int(bool(p["price_includes_tax"])),
                 p["tax_category"], int(bool(p["active"])), now))
            n += 1
        for c in page.get("customers", []):
            conn.execute(
                "INSERT INTO customers(id_type, identification, name, email, phone, address, active, updated_at) "
                "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(identification) DO UPDATE SET id_type=excluded.id_type, "
                "name=excluded.name, email=excluded.email, phone=excluded.phone, address=excluded.address, "
                "active=excluded.active, updated_at=excluded.updated_at",
                (c["id_type"], c["identification"], c["name"], c["email"], c["phone"], c["address"],
                 int(bool(c["active"])), now))
            n += 1
        # the pull's own writes to customers are not this register's edits
        conn.execute("DELETE FROM central_customer_edits WHERE seq > ?", (edits_before,))
        for u in page.get("users", []):
            conn.execute(
                "INSERT INTO users(name, role, pin_hash, active, created_at) VALUES (?,?,?,?,?) "
                "ON CONFLICT(name) DO UPDATE SET role=excluded.role, pin_hash=excluded.pin_hash, "
                "active=excluded.active", (u["name"], u["role"], u["pin_hash"], int(bool(u["active"])), now))
            n += 1
        for s in page.get("settings", []):
            if s["key"] in LOCAL_ONLY_SETTINGS or s["key"].startswith("central."):
                continue
            settings.put(conn, s["key"], s["value"])
            n += 1
        set_cursor(conn, "pull", int(page["revision"]))
    return n


class Replicator:
    """One register's replication state; `run_pass(conn)` is the worker's hook."""

    def __init__(self, url: str, token: str, *, info: dict | None = None, timeout: float = 10.0,
                 max_backoff: float = 60.0, min_interval: float | None = None):
        self.client = PinnedClient(url, token, timeout=timeout)
        # at most one pass every `min_interval` seconds: at a busy till, one pass carries several
        # sales, and the pass's short write (its cursors) rarely meets a sale's transaction
        self.min_interval = min_interval if min_interval is not None else interval()
        self.last_pass = float("-inf")
        self.info = info  # company and certificate facts for the central views, sent once
        self.max_backoff = max_backoff
        self.failures = 0
        self.next_try = 0.0
        self.last_error: str | None = None
        self.last_noted = float("-inf")

    def run_pass(self, conn: sqlite3.Connection, *, force: bool = False) -> int:
        """Pushes everything new, then pulls. Returns rows moved; never raises on the network."""
        now = time.monotonic()
        if not force and (now < self.next_try or now - self.last_pass < self.min_interval):
            return 0
        self.last_pass = now
        try:
            moved = self.sync(conn)
        except TransportError as exc:
            self.failures += 1
            self.last_error = str(exc)
            self.next_try = time.monotonic() + backoff.delay(self.failures, base=1.0, cap=self.max_backoff)
            log.warning("replicación central pendiente: %s", exc)
            return 0
        self.failures, self.last_error, self.next_try = 0, None, 0.0
        return moved

    def sync(self, conn: sqlite3.Connection) -> int:
        """One full push and pull; raises TransportError when the central server cannot be reached."""
        if self.info is not None:
            self.client.call("POST", "/v1/hello", self.info)
            self.info = None
        moved = self.push(conn) + self.pull(conn)
        now = time.monotonic()
        if moved or now - self.last_noted > 60:  # an idle till does not write every pass
            with transaction(conn):
                settings.put(conn, LAST_SYNC_KEY, _now())
            self.last_noted = now
        return moved

    def push(self, conn: sqlite3.Connection) -> int:
        moved, limit = 0, batch_size()
        for table, rows_of in PUSHERS.items():
            while True:
                cursor = get_cursor(conn, f"push:{table}")
                rows = rows_of(conn, cursor, limit)
                if not rows:
                    break
                self.client.call("POST", "/v1/push", {"table": table, "rows": rows})
                nxt = _next_cursor(table, rows)
                if nxt != cursor:
                    with transaction(conn):
                        set_cursor(conn, f"push:{table}", nxt)
                        if table == "customer_edits":  # pushed edits are not needed any more
                            conn.execute("DELETE FROM central_customer_edits WHERE seq <= ?", (nxt,))
                moved += len(rows)
                if len(rows) < limit or nxt == cursor:
                    break
        return moved

    def pull(self, conn: sqlite3.Connection) -> int:
        moved = 0
        while True:
            page = self.client.call("POST", "/v1/pull", {"since": get_cursor(conn, "pull")})
            moved += apply_pull(conn, page)
            if not page.get("more"):
                return moved

    def pending(self, conn: sqlite3.Connection) -> dict:
        return pending(conn)


def pending(conn: sqlite3.Connection) -> dict:
    """Rows not yet pushed, per table (for status displays and `central sync`)."""
    out = {}
    for t in PUSHERS:
        local, col = _LOCAL.get(t, (t, "id"))
        out[t] = conn.execute(f"SELECT count(*) FROM {local} WHERE {col} > ?",
                              (get_cursor(conn, f"push:{t}"),)).fetchone()[0]
    return out


def joined(conn: sqlite3.Connection) -> str | None:
    """The central URL this register is joined to, or None."""
    return settings.get(conn, URL_KEY)


def token_account(name: str) -> str:
    """The keyring entry of a register's token (one per register name: two data folders on one
    machine may be two registers)."""
    return f"{TOKEN_ACCOUNT}:{name}"


def token(conn: sqlite3.Connection) -> str:
    from app.fiscal.signing import load_secret

    return load_secret(token_account(settings.get(conn, NAME_KEY) or "")) or ""


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str)
