"""The central PostgreSQL store: registers, enrolment codes, what registers pushed, what they pull.

Every pushed row is keyed by (register id, local id) and written with ON CONFLICT: a batch sent
twice (a crash before the register moved its cursor, a cut connection) changes nothing. Each
batch is one PostgreSQL transaction. Conflict rules (docs/central.md):
  - catalogue, prices, users, settings: central wins (registers only pull them);
  - customers: merged by identification number (a register's new customer fills the fields the
    central record has empty; the central record's non-empty fields stay); a register's edit of
    an existing customer also fills empty fields, and its non-empty values that differ win (the
    last edit to arrive wins; an edit never empties a field);
  - a document's status: the authority's latest answer wins — the register that transmits the
    document reports each answer as a numbered event, and the central row keeps the status of
    the highest event number it has seen, whatever order batches arrive in.
"""
from __future__ import annotations

import hashlib
import json
import secrets
from contextlib import contextmanager
from decimal import Decimal
from typing import Iterator

from app.core import status as st
from app.core.errors import ConfigurationError, ValidationError

_PENDING = ", ".join(f"'{s.value}'" for s in sorted(st.PENDING))
_REJECTED = f"'{st.REJECTED.value}'"
_AUTHORIZED = f"'{st.AUTHORIZED.value}'"
_CANCELLED = f"'{st.CANCELLED.value}'"

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS registers (
    id           SERIAL PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    token_hash   TEXT,
    company_ruc  TEXT,
    company_name TEXT,
    country      TEXT,
    cert_not_after TIMESTAMPTZ,
    enrolled_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen    TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS enrolments (
    code_hash  TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    used_at    TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS sales (
    register_id INTEGER NOT NULL REFERENCES registers(id),
    local_id    BIGINT NOT NULL,
    created_at  TEXT NOT NULL,
    country     TEXT NOT NULL,
    source      TEXT NOT NULL,
    total       NUMERIC NOT NULL,
    currency    TEXT NOT NULL,
    cashier     TEXT,
    payments    JSONB NOT NULL DEFAULT '[]',
    PRIMARY KEY (register_id, local_id)
);
CREATE TABLE IF NOT EXISTS documents (
    register_id   INTEGER NOT NULL REFERENCES registers(id),
    local_id      BIGINT NOT NULL,
    sale_id       BIGINT,
    country       TEXT NOT NULL,
    kind          TEXT NOT NULL,
    doc_code      TEXT NOT NULL,
    key           TEXT NOT NULL,
    version       INTEGER NOT NULL,
    number        TEXT NOT NULL,
    ambiente      TEXT NOT NULL,
    establishment TEXT NOT NULL,
    point         TEXT NOT NULL,
    sequential    BIGINT NOT NULL,
    issued_at     TEXT NOT NULL,
    total         NUMERIC NOT NULL,
    currency      TEXT NOT NULL,
    buyer_id      TEXT NOT NULL,
    buyer_name    TEXT NOT NULL,
    xml           BYTEA NOT NULL,
    xml_sha256    TEXT NOT NULL,
    status        TEXT NOT NULL,
    status_event  BIGINT NOT NULL DEFAULT 0,
    authorization_number TEXT,
    authorized_at TEXT,
    last_messages TEXT,
    PRIMARY KEY (register_id, local_id)
);
CREATE INDEX IF NOT EXISTS documents_key ON documents(key);
CREATE INDEX IF NOT EXISTS documents_status ON documents(status);
CREATE TABLE IF NOT EXISTS document_taxes (
    register_id  INTEGER NOT NULL,
    local_id     BIGINT NOT NULL,
    tax_category TEXT NOT NULL,
    label        TEXT NOT NULL,
    rate         NUMERIC NOT NULL,
    base         NUMERIC NOT NULL,
    tax          NUMERIC NOT NULL,
    PRIMARY KEY (register_id, local_id, tax_category, rate),
    FOREIGN KEY (register_id, local_id) REFERENCES documents(register_id, local_id)
);
CREATE TABLE IF NOT EXISTS mall_deliveries (
    register_id INTEGER NOT NULL,
    local_id    BIGINT NOT NULL,
    mode        TEXT NOT NULL,
    status      TEXT NOT NULL,
    answer      TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (register_id, local_id),
    FOREIGN KEY (register_id, local_id) REFERENCES documents(register_id, local_id)
);
CREATE TABLE IF NOT EXISTS document_events (
    register_id INTEGER NOT NULL REFERENCES registers(id),
    local_id    BIGINT NOT NULL,
    document_id BIGINT NOT NULL,
    at          TEXT NOT NULL,
    status      TEXT NOT NULL,
    detail      TEXT NOT NULL,
    PRIMARY KEY (register_id, local_id)
);
CREATE TABLE IF NOT EXISTS shifts (
    register_id   INTEGER NOT NULL REFERENCES registers(id),
    local_id      BIGINT NOT NULL,
    establishment TEXT NOT NULL,
    point         TEXT NOT NULL,
    cashier       TEXT NOT NULL,
    opened_at     TEXT NOT NULL,
    opening_float NUMERIC NOT NULL,
    closed_at     TEXT,
    closed_by     TEXT,
    report_json   TEXT,
    PRIMARY KEY (register_id, local_id)
);
CREATE TABLE IF NOT EXISTS cash_movements (
    register_id INTEGER NOT NULL REFERENCES registers(id),
    local_id    BIGINT NOT NULL,
    shift_id    BIGINT NOT NULL,
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    amount      NUMERIC NOT NULL,
    reason      TEXT NOT NULL,
    user_name   TEXT NOT NULL,
    PRIMARY KEY (register_id, local_id)
);
CREATE SEQUENCE IF NOT EXISTS master_revision;
CREATE TABLE IF NOT EXISTS products (
    code               TEXT PRIMARY KEY,
    barcode            TEXT,
    name               TEXT NOT NULL,
    price              TEXT NOT NULL,
    price_includes_tax BOOLEAN NOT NULL DEFAULT TRUE,
    tax_category       TEXT NOT NULL,
    active             BOOLEAN NOT NULL DEFAULT TRUE,
    revision           BIGINT NOT NULL DEFAULT nextval('master_revision')
);
CREATE TABLE IF NOT EXISTS customers (
    identification TEXT PRIMARY KEY,
    id_type        TEXT NOT NULL,
    name           TEXT NOT NULL,
    email          TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    address        TEXT NOT NULL DEFAULT '',
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    revision       BIGINT NOT NULL DEFAULT nextval('master_revision')
);
CREATE TABLE IF NOT EXISTS users (
    name     TEXT PRIMARY KEY,
    role     TEXT NOT NULL,
    pin_hash TEXT NOT NULL,
    active   BOOLEAN NOT NULL DEFAULT TRUE,
    revision BIGINT NOT NULL DEFAULT nextval('master_revision')
);
CREATE TABLE IF NOT EXISTS settings (
    key      TEXT PRIMARY KEY,
    value    JSONB NOT NULL,
    revision BIGINT NOT NULL DEFAULT nextval('master_revision')
);
-- added after the first release: a global id of each document (the central API's `id`), the
-- sale's request (what the dialects answer with), the tax backfill's mark, the API keys
-- (each ALTER only when its column is missing: an ALTER takes the table's exclusive lock even
-- when there is nothing to do, and every command and server start runs this schema)
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                   AND table_name = 'documents' AND column_name = 'id') THEN
        ALTER TABLE documents ADD COLUMN id BIGSERIAL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                   AND table_name = 'documents' AND column_name = 'taxes_read') THEN
        ALTER TABLE documents ADD COLUMN taxes_read BOOLEAN NOT NULL DEFAULT FALSE;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                   AND table_name = 'sales' AND column_name = 'request_json') THEN
        ALTER TABLE sales ADD COLUMN request_json TEXT;
    END IF;
END $$;
CREATE UNIQUE INDEX IF NOT EXISTS documents_id ON documents(id);
CREATE INDEX IF NOT EXISTS documents_taxes_unread ON documents(register_id, local_id) WHERE NOT taxes_read;
CREATE INDEX IF NOT EXISTS document_events_document ON document_events(register_id, document_id);
CREATE TABLE IF NOT EXISTS api_keys (
    id           SERIAL PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    key_hash     TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    tenant       TEXT NOT NULL,
    company_ruc  TEXT NOT NULL,
    dialect      TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at   TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ
);
CREATE OR REPLACE VIEW v_documents AS
    SELECT r.name AS register, d.key, d.number, d.kind, d.country, d.establishment, d.point,
           d.status, d.xml_sha256, d.total, d.currency, d.issued_at, r.company_ruc
    FROM documents d JOIN registers r ON r.id = d.register_id;
CREATE OR REPLACE VIEW v_sales_by_day AS
    SELECT r.company_ruc, d.establishment AS shop, r.name AS register, left(d.issued_at, 10) AS day,
           d.currency, count(*) AS documents, sum(d.total) AS total
    FROM documents d JOIN registers r ON r.id = d.register_id
    WHERE d.status <> {_REJECTED}
    GROUP BY 1, 2, 3, 4, 5;
CREATE OR REPLACE VIEW v_taxes_by_day AS
    SELECT r.company_ruc, d.establishment AS shop, r.name AS register, left(d.issued_at, 10) AS day,
           d.currency, d.kind, t.tax_category, t.label, t.rate, count(*) AS documents,
           sum(t.base) AS base, sum(t.tax) AS tax
    FROM document_taxes t
    JOIN documents d ON d.register_id = t.register_id AND d.local_id = t.local_id
    JOIN registers r ON r.id = d.register_id
    WHERE d.status NOT IN ({_REJECTED}, {_CANCELLED})
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;
CREATE OR REPLACE VIEW v_pending_rejected AS
    SELECT r.name AS register, d.key, d.number, d.status, d.issued_at, d.last_messages
    FROM documents d JOIN registers r ON r.id = d.register_id
    WHERE d.status IN ({_PENDING}, {_REJECTED});
CREATE OR REPLACE VIEW v_certificates AS
    SELECT company_ruc, max(company_name) AS company_name, min(cert_not_after) AS cert_not_after,
           array_agg(name ORDER BY name) AS registers
    FROM registers WHERE company_ruc IS NOT NULL GROUP BY company_ruc;
"""

# What a register pushes, table by table, in this order (a document after its sale).
PUSH_TABLES = ("sales", "documents", "document_events", "shifts", "cash_movements", "customers",
               "customer_edits")
PULL_TABLES = ("products", "customers", "users", "settings")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class CentralStore:
    """One psycopg connection to the central database (not shared between threads)."""

    def __init__(self, dsn: str):
        import psycopg

        self.dsn = dsn
        try:
            self.conn = psycopg.connect(dsn, connect_timeout=10, autocommit=True)
        except psycopg.Error as exc:
            raise ConfigurationError(f"No se pudo conectar con la base central PostgreSQL: "
                                     f"{str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}") from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @contextmanager
    def tx(self) -> Iterator:
        with self.conn.transaction():
            yield self.conn

    SCHEMA_LOCK_TIMEOUT = "30s"

    def create_schema(self) -> None:
        """Creates or brings up to date the tables and views. Its DDL waits at most
        SCHEMA_LOCK_TIMEOUT for a lock (a view's, held by a long report or a session left idle
        in a transaction), then fails with a Spanish ConfigurationError rather than waiting,
        and queueing every other query of that table behind it, without end."""
        import psycopg

        try:
            with self.tx() as c:
                c.execute(f"SET LOCAL lock_timeout = '{self.SCHEMA_LOCK_TIMEOUT}'")
                c.execute("SELECT pg_advisory_xact_lock(1407)")  # two servers starting at once
                c.execute(SCHEMA)
        except psycopg.errors.LockNotAvailable:
            raise ConfigurationError("La base central está ocupada: otra sesión retiene sus tablas desde hace más "
                                     f"de {self.SCHEMA_LOCK_TIMEOUT}; reintente en un momento") from None

    # -- enrolment --------------------------------------------------------------------------
    def new_enrolment(self, name: str) -> str:
        name = name.strip()
        if not name or len(name) > 80:
            raise ValidationError("El nombre de la caja debe tener entre 1 y 80 caracteres", field="NAME")
        code = secrets.token_urlsafe(18)
        with self.tx() as c:
            if c.execute("SELECT 1 FROM registers WHERE name=%s AND token_hash IS NOT NULL",
                         (name,)).fetchone():
                raise ValidationError(f"Ya hay una caja unida con el nombre {name!r}", field="NAME")
            c.execute("INSERT INTO enrolments(code_hash, name) VALUES (%s, %s)", (_hash(code), name))
        return code

    def redeem(self, code: str) -> tuple[int, str, str]:
        """Exchanges a one-time code for (register id, name, token). The code dies here."""
        token = secrets.token_urlsafe(32)
        with self.tx() as c:
            row = c.execute("UPDATE enrolments SET used_at=now() WHERE code_hash=%s AND used_at IS NULL "
                            "RETURNING name", (_hash(code),)).fetchone()
            if row is None:
                raise PermissionError("El código de unión no es válido o ya se usó")
            name = row[0]
            rid = c.execute("INSERT INTO registers(name, token_hash) VALUES (%s, %s) "
                            "ON CONFLICT (name) DO UPDATE SET token_hash=excluded.token_hash RETURNING id",
                            (name, _hash(token))).fetchone()[0]
        return rid, name, token

    def register_for(self, token: str) -> int:
        row = self.conn.execute("UPDATE registers SET last_seen=now() WHERE token_hash=%s RETURNING id",
                                (_hash(token),)).fetchone()
        self.conn.commit()
        if row is None:
            raise PermissionError("Credencial de caja no válida")
        return row[0]

    # -- push -------------------------------------------------------------------------------
    def describe(self, rid: int, info: dict) -> None:
        with self.tx() as c:
            c.execute("UPDATE registers SET company_ruc=%s, company_name=%s, country=%s, cert_not_after=%s "
                      "WHERE id=%s", (info.get("company_ruc"), info.get("company_name"),
                                      info.get("country"), info.get("cert_not_after"), rid))

    def ingest(self, rid: int, table: str, rows: list[dict]) -> int:
        """One batch of one table, in one transaction (statements pipelined). Returns how many
        rows were new."""
        if table not in PUSH_TABLES:
            raise ValidationError(f"Tabla desconocida: {table}", field="table")
        if not rows:
            return 0
        sql, params, after = getattr(self, f"_ingest_{table}")(rid, rows)
        with self.tx() as c, c.cursor() as cur:
            cur.executemany(sql, params)
            new = max(cur.rowcount, 0)
            for more_sql, more_params in (after or []):
                if more_params:
                    cur.executemany(more_sql, more_params)
        return new

    @staticmethod
    def _ingest_sales(rid, rows):
        return ("INSERT INTO sales(register_id, local_id, created_at, country, source, total, currency, cashier, "
                "payments, request_json) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                [(rid, r["id"], r["created_at"], r["country"], r["source"], Decimal(r["total"]), r["currency"],
                  r.get("cashier"), json.dumps(r.get("payments", [])), r.get("request_json")) for r in rows], None)

    @staticmethod
    def _ingest_documents(rid, rows):
        import base64

        params = []
        for r in rows:
            xml = base64.b64decode(r["xml"])
            digest = hashlib.sha256(xml).hexdigest()
            if digest != r["xml_sha256"]:
                raise ValidationError(f"Los bytes firmados de {r['key']} llegaron alterados", field="xml")
            params.append((rid, r["id"], r.get("sale_id"), r["country"], r["kind"], r["doc_code"], r["key"],
                           r["version"], r["number"], r["ambiente"], r["establishment"], r["point"],
                           r["sequential"], r["issued_at"], Decimal(r["total"]), r["currency"], r["buyer_id"],
                           r["buyer_name"], xml, digest, r["status"], bool(r.get("taxes"))))
        # a document that came without its taxes is left for the backfill (app/central/taxes.py)
        sql = ("INSERT INTO documents(register_id, local_id, sale_id, country, kind, doc_code, key, version, "
               "number, ambiente, establishment, point, sequential, issued_at, total, currency, buyer_id, "
               "buyer_name, xml, xml_sha256, status, taxes_read) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,"
               "%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING")
        taxes = ("INSERT INTO document_taxes(register_id, local_id, tax_category, label, rate, base, tax) "
                 "VALUES (%s,%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                 [(rid, r["id"], str(t["tax_category"]), str(t.get("label") or t["tax_category"]),
                   Decimal(str(t["rate"])), Decimal(str(t["base"])), Decimal(str(t["tax"])))
                  for r in rows for t in (r.get("taxes") or [])])
        return sql, params, [CentralStore._status_updates(rid, rows), taxes]

    @staticmethod
    def _ingest_document_events(rid, rows):
        sql = ("INSERT INTO document_events(register_id, local_id, document_id, at, status, detail) "
               "VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING")
        params = [(rid, r["id"], r["document_id"], r["at"], r["status"], r["detail"]) for r in rows]
        statuses = [{"id": r["document_id"], "status": r["doc_status"], "status_event": r.get("status_event", r["id"]),
                     "authorization_number": r.get("authorization_number"), "authorized_at": r.get("authorized_at"),
                     "last_messages": r.get("last_messages")} for r in rows if "doc_status" in r]
        return sql, params, [CentralStore._status_updates(rid, statuses)]

    @staticmethod
    def _status_updates(rid, rows):
        # the authority's latest answer wins: keep the status of the highest event number
        return ("UPDATE documents SET status=%s, status_event=%s, "
                "authorization_number=COALESCE(%s, authorization_number), "
                "authorized_at=COALESCE(%s, authorized_at), last_messages=COALESCE(%s, last_messages) "
                "WHERE register_id=%s AND local_id=%s AND status_event < %s",
                [(r["status"], r.get("status_event", 0), r.get("authorization_number"), r.get("authorized_at"),
                  r.get("last_messages"), rid, r["id"], r.get("status_event", 0)) for r in rows])

    @staticmethod
    def _ingest_shifts(rid, rows):
        return ("INSERT INTO shifts(register_id, local_id, establishment, point, cashier, opened_at, opening_float, "
                "closed_at, closed_by, report_json) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) "
                "ON CONFLICT (register_id, local_id) DO UPDATE SET closed_at=excluded.closed_at, "
                "closed_by=excluded.closed_by, report_json=excluded.report_json WHERE shifts.closed_at IS NULL",
                [(rid, r["id"], r["establishment"], r["point"], r["cashier"], r["opened_at"],
                  Decimal(r["opening_float"]), r.get("closed_at"), r.get("closed_by"), r.get("report_json"))
                 for r in rows], None)

    @staticmethod
    def _ingest_cash_movements(rid, rows):
        return ("INSERT INTO cash_movements(register_id, local_id, shift_id, at, kind, amount, reason, user_name) "
                "VALUES (%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                [(rid, r["id"], r["shift_id"], r["at"], r["kind"], Decimal(r["amount"]), r["reason"], r["user_name"])
                 for r in rows], None)

    @staticmethod
    def _ingest_customers(rid, rows):
        # merged by identification number: fill what the central record has empty
        return ("INSERT INTO customers(identification, id_type, name, email, phone, address) "
                "VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT (identification) DO UPDATE SET "
                "email=CASE WHEN customers.email='' THEN excluded.email ELSE customers.email END, "
                "phone=CASE WHEN customers.phone='' THEN excluded.phone ELSE customers.phone END, "
                "address=CASE WHEN customers.address='' THEN excluded.address ELSE customers.address END, "
                "revision=nextval('master_revision') "
                "WHERE (customers.email='' AND excluded.email<>'') OR (customers.phone='' AND excluded.phone<>'') "
                "OR (customers.address='' AND excluded.address<>'')",
                [(r["identification"], r["id_type"], r["name"], r.get("email", ""), r.get("phone", ""),
                  r.get("address", "")) for r in rows], None)

    @staticmethod
    def _ingest_customer_edits(rid, rows):
        # a register edited a customer: merged by identification number; a non-empty value that
        # differs from the central one replaces it (the last edit to reach the central store
        # wins); an empty value never erases a central one; the id type stays the central one
        fields = ("name", "email", "phone", "address")
        sets = ", ".join(f"{f}=CASE WHEN excluded.{f}<>'' THEN excluded.{f} ELSE customers.{f} END" for f in fields)
        changed = " OR ".join(f"(excluded.{f}<>'' AND excluded.{f}<>customers.{f})" for f in fields)
        return (f"INSERT INTO customers(identification, id_type, name, email, phone, address) "
                f"VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT (identification) DO UPDATE SET {sets}, "
                f"revision=nextval('master_revision') WHERE {changed}",
                [(r["identification"], r["id_type"], r["name"], r.get("email") or "", r.get("phone") or "",
                  r.get("address") or "") for r in rows], None)

    # -- central master data (central wins) ----------------------------------------------------
    def put_products(self, rows: list[dict]) -> None:
        with self.tx() as c:
            for r in rows:
                c.execute(
                    "INSERT INTO products(code, barcode, name, price, price_includes_tax, tax_category, active) "
                    "VALUES (%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (code) DO UPDATE SET barcode=excluded.barcode, "
                    "name=excluded.name, price=excluded.price, price_includes_tax=excluded.price_includes_tax, "
                    "tax_category=excluded.tax_category, active=excluded.active, "
                    "revision=nextval('master_revision')",
                    (r["code"], r.get("barcode") or None, r["name"], str(Decimal(str(r["price"]))),
                     bool(r.get("price_includes_tax", True)), str(r["tax_category"]), bool(r.get("active", True))))

    def put_setting(self, key: str, value) -> None:
        with self.tx() as c:
            c.execute("INSERT INTO settings(key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE "
                      "SET value=excluded.value, revision=nextval('master_revision')", (key, json.dumps(value)))

    def put_user(self, name: str, role: str, pin_hash: str, active: bool = True) -> None:
        with self.tx() as c:
            c.execute("INSERT INTO users(name, role, pin_hash, active) VALUES (%s,%s,%s,%s) ON CONFLICT (name) "
                      "DO UPDATE SET role=excluded.role, pin_hash=excluded.pin_hash, active=excluded.active, "
                      "revision=nextval('master_revision')", (name, role, pin_hash, active))

    def changes_since(self, revision: int, limit: int = 2000) -> dict:
        """Master rows changed after `revision`, oldest first, and the revision to ask from next."""
        out: dict = {t: [] for t in PULL_TABLES}
        queries = {
            "products": "SELECT code, barcode, name, price, price_includes_tax, tax_category, active, revision "
                        "FROM products",
            "customers": "SELECT identification, id_type, name, email, phone, address, active, revision "
                         "FROM customers",
            "users": "SELECT name, role, pin_hash, active, revision FROM users",
            "settings": "SELECT key, value, revision FROM settings",
        }
        last = revision
        rows = []
        for table, sql in queries.items():
            cur = self.conn.execute(sql + " WHERE revision > %s ORDER BY revision LIMIT %s", (revision, limit))
            names = [d.name for d in cur.description]
            rows += [(table, dict(zip(names, r))) for r in cur.fetchall()]
        self.conn.commit()
        rows.sort(key=lambda tr: tr[1]["revision"])
        rows = rows[:limit]
        for table, r in rows:
            last = max(last, r.pop("revision"))
            out[table].append(r)
        out["revision"] = last
        out["more"] = len(rows) >= limit
        return out

    # -- views ------------------------------------------------------------------------------
    def documents(self) -> list[dict]:
        cur = self.conn.execute("SELECT register, key, number, kind, status, xml_sha256, total, currency, "
                                "issued_at FROM v_documents ORDER BY register, key")
        names = [d.name for d in cur.description]
        out = [dict(zip(names, r)) for r in cur.fetchall()]
        self.conn.commit()
        for d in out:
            d["total"] = str(d["total"])
        return out

    def report(self) -> dict:
        def rows(sql):
            cur = self.conn.execute(sql)
            names = [d.name for d in cur.description]
            return [{k: (str(v) if isinstance(v, Decimal) else v.isoformat() if hasattr(v, "isoformat") else v)
                     for k, v in zip(names, r)} for r in cur.fetchall()]

        out = {"sales_by_day": rows("SELECT * FROM v_sales_by_day ORDER BY day, company_ruc, shop, register"),
               "taxes_by_day": rows("SELECT * FROM v_taxes_by_day ORDER BY day, company_ruc, shop, register, "
                                    "kind, rate, tax_category"),
               "pending_rejected": rows("SELECT register, key, number, status, issued_at FROM v_pending_rejected "
                                        "ORDER BY register, key"),
               "certificates": rows("SELECT * FROM v_certificates ORDER BY company_ruc")}
        self.conn.commit()
        return out
