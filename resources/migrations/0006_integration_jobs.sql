-- Outbox for work beyond the authority (e-mail, mall report, webhooks): app/integrations/jobs.py.
-- One row per request, deduplicated by (kind, dedup_key); `attempting_at` is set in its own
-- committed transaction before a network call, so a crash leaves a "maybe sent" mark.
CREATE TABLE integration_jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    dedup_key TEXT NOT NULL,
    document_id INTEGER REFERENCES documents(id),
    payload TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    lease_owner TEXT,
    lease_until REAL,
    attempting_at REAL,
    last_error TEXT,
    result TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    UNIQUE (kind, dedup_key)
);
CREATE INDEX integration_jobs_due ON integration_jobs(status, next_attempt_at);
CREATE INDEX integration_jobs_doc ON integration_jobs(document_id, kind);
-- What each mall received, per establishment and document (app/integrations/mall.py):
-- 'delivered' (the SFTP file renamed into place, or the portal's Ok) or 'error' (the portal's
-- business error, kept verbatim); a document recorded here is never reported again.
CREATE TABLE mall_deliveries (
    id INTEGER PRIMARY KEY,
    estab TEXT NOT NULL,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    mode TEXT NOT NULL,
    status TEXT NOT NULL,
    answer TEXT,
    at REAL NOT NULL,
    UNIQUE (estab, document_id)
);
CREATE TABLE mall_runs (
    id INTEGER PRIMARY KEY,
    estab TEXT NOT NULL,
    mode TEXT NOT NULL,
    day TEXT NOT NULL,
    started_at REAL NOT NULL,
    finished_at REAL,
    delivered INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    error TEXT
);
