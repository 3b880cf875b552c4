-- SIFEN (Paraguay): lotes in flight, and events (cancelación, inutilización) with their own status.
-- A lote row is written BEFORE the lote is posted (state 'sending'): after a crash the worker
-- knows those CDCs may be pending at SIFEN and queries them instead of resending (REFERENCE §0.6).

CREATE TABLE py_lotes (
    id           INTEGER PRIMARY KEY,
    ambiente     TEXT NOT NULL,
    doc_code     TEXT NOT NULL,              -- one document type per lote
    state        TEXT NOT NULL,              -- sending | queued | done | unknown | not_queued
    protocol     TEXT,                       -- dProtConsLote (up to 28 digits: TEXT, never REAL)
    sent_at      REAL NOT NULL,              -- unix time the lote was posted
    next_poll_at REAL,
    polls        INTEGER NOT NULL DEFAULT 0,
    last_code    TEXT,
    last_message TEXT
);
CREATE INDEX py_lotes_state ON py_lotes(state);

CREATE TABLE py_lote_items (
    lote_id     INTEGER NOT NULL REFERENCES py_lotes(id),
    document_id INTEGER NOT NULL REFERENCES documents(id),
    PRIMARY KEY (lote_id, document_id)
);
CREATE INDEX py_lote_items_doc ON py_lote_items(document_id);

CREATE TABLE py_events (
    id          INTEGER PRIMARY KEY,         -- also the rEve Id sent to SIFEN
    document_id INTEGER NOT NULL REFERENCES documents(id),
    kind        TEXT NOT NULL,               -- cancelacion | inutilizacion | nominacion
    status      TEXT NOT NULL,               -- signed | registered | rejected
    reason      TEXT NOT NULL,
    xml         BLOB NOT NULL,               -- the signed rEnviEventoDe, immutable
    messages    TEXT,                        -- SIFEN's answer, verbatim (JSON)
    protocol    TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX py_events_doc ON py_events(document_id);
