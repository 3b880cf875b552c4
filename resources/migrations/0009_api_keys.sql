-- 0009: the local API (issue #10): keys (stored only as a SHA-256 hash) and idempotency.
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,           -- the first characters, to recognise a key in lists
    tenant TEXT NOT NULL,           -- the tenant of FacturaSend paths
    company_ruc TEXT NOT NULL,      -- the company the key belongs to
    dialect TEXT,                   -- NULL: every dialect
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    last_used_at TEXT
);
-- One row per issued request: a retry (same body, same Idempotency-Key, or the client's own
-- document number) answers from here. Written in the sale's own transaction.
CREATE TABLE api_requests (
    id INTEGER PRIMARY KEY,
    key_hash TEXT NOT NULL,
    idem TEXT NOT NULL,             -- 'idem:<header>' | 'body:<sha256>' | 'num:<client number>'
    document_id INTEGER NOT NULL REFERENCES documents(id),
    created_at TEXT NOT NULL,
    UNIQUE (key_hash, idem)
);
CREATE INDEX api_requests_doc ON api_requests(document_id);
-- Webhook subscriptions of the local API (Dátil's POST /webhooks); the HMAC secret of each is
-- kept in the OS keyring (account webhook:<ruc>:<id>), never here. Deliveries are
-- integration_jobs of kind 'webhook' (app/integrations/webhooks.py).
CREATE TABLE api_webhooks (
    id INTEGER PRIMARY KEY,
    key_hash TEXT NOT NULL,
    dialect TEXT NOT NULL,
    event_name TEXT NOT NULL,
    url TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (key_hash, dialect, event_name, url)
);
