-- SIFEN receptor events (conformidad, disconformidad, desconocimiento, notificación): the shop is
-- the RECEIVER of another issuer's DE, known only by its CDC, so these events cannot hang on one
-- of our documents (outbox.document_id is NOT NULL and joined to documents). Each row is its own
-- queue entry: status, schedule and lease live here; the SIFEN protocol of the worker sends them.
-- The rEve Id sent to SIFEN is 9000000000 + id, so it never equals a py_events id.

CREATE TABLE py_receptor_events (
    id              INTEGER PRIMARY KEY,
    cdc             TEXT NOT NULL,           -- the other issuer's DE
    kind            TEXT NOT NULL,           -- conformidad | disconformidad | desconocimiento | notificacion
    status          TEXT NOT NULL,           -- signed | registered | rejected
    reason          TEXT NOT NULL,
    xml             BLOB NOT NULL,           -- the signed rEnviEventoDe, immutable
    messages        TEXT,                    -- SIFEN's answer, verbatim (JSON)
    protocol        TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,           -- unix time
    lease_owner     TEXT,
    lease_until     REAL,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX py_receptor_events_due ON py_receptor_events(status, next_attempt_at);
CREATE INDEX py_receptor_events_cdc ON py_receptor_events(cdc);
