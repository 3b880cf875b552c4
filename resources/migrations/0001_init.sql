-- Mostrador schema v1. Money is TEXT holding a Decimal's exact string, never REAL.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL             -- JSON
);

-- One counter per (authority, ambiente, document type, establishment, point of sale).
CREATE TABLE sequences (
    country       TEXT NOT NULL,
    ambiente      TEXT NOT NULL,
    doc_code      TEXT NOT NULL,
    establishment TEXT NOT NULL,
    point         TEXT NOT NULL,
    last          INTEGER NOT NULL,
    PRIMARY KEY (country, ambiente, doc_code, establishment, point)
);

CREATE TABLE sales (
    id           INTEGER PRIMARY KEY,
    created_at   TEXT NOT NULL,     -- ISO 8601 with offset
    country      TEXT NOT NULL,
    source       TEXT NOT NULL,     -- 'pos' | 'cli' | 'api' | 'demo'
    total        TEXT NOT NULL,
    currency     TEXT NOT NULL,
    tendered     TEXT,
    change       TEXT,
    cashier      TEXT,
    request_json TEXT NOT NULL      -- the issue request exactly as received (for audit and reissue)
);

CREATE TABLE payments (
    sale_id INTEGER NOT NULL REFERENCES sales(id),
    n       INTEGER NOT NULL,
    method  TEXT NOT NULL,          -- authority code (EC formaPago / PY iTiPago)
    amount  TEXT NOT NULL,
    PRIMARY KEY (sale_id, n)
);

CREATE TABLE documents (
    id                   INTEGER PRIMARY KEY,
    sale_id              INTEGER REFERENCES sales(id),
    country              TEXT NOT NULL,
    kind                 TEXT NOT NULL,   -- 'invoices', 'credit-notes', ...
    doc_code             TEXT NOT NULL,
    key                  TEXT NOT NULL,   -- clave de acceso / CDC
    version              INTEGER NOT NULL DEFAULT 1,
    previous_id          INTEGER REFERENCES documents(id),
    number               TEXT NOT NULL,   -- 001-001-000000123
    ambiente             TEXT NOT NULL,
    establishment        TEXT NOT NULL,
    point                TEXT NOT NULL,
    sequential           INTEGER NOT NULL,
    issued_at            TEXT NOT NULL,
    signed_at            TEXT NOT NULL,
    total                TEXT NOT NULL,
    currency             TEXT NOT NULL,
    buyer_id             TEXT NOT NULL,
    buyer_name           TEXT NOT NULL,
    status               TEXT NOT NULL,   -- signed | sent | authorized | rejected | cancelled
    xml                  BLOB NOT NULL,   -- the signed bytes, immutable
    authorization_number TEXT,
    authorized_at        TEXT,
    last_messages        TEXT,            -- JSON list of the authority's last messages, verbatim
    updated_at           TEXT NOT NULL,
    UNIQUE (key, version),
    UNIQUE (country, ambiente, doc_code, establishment, point, sequential, version)
);
CREATE INDEX documents_status ON documents(status);
CREATE INDEX documents_issued ON documents(issued_at);

-- Every status change, with what the authority said, verbatim.
CREATE TABLE document_events (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    at          TEXT NOT NULL,
    status      TEXT NOT NULL,
    detail      TEXT NOT NULL,      -- Spanish summary or JSON of messages
    raw         BLOB                -- the authority's response bytes, when there was one
);
CREATE INDEX document_events_doc ON document_events(document_id);

-- Transactional outbox: written in the same transaction as the document.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    document_id     INTEGER NOT NULL REFERENCES documents(id),
    action          TEXT NOT NULL,   -- 'send' | 'poll'
    state           TEXT NOT NULL,   -- 'pending' | 'done'
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,   -- unix time
    lease_owner     TEXT,
    lease_until     REAL,
    last_error      TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_doc ON outbox(document_id);
