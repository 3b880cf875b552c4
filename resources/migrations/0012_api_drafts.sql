-- Drafts of the local API (FacturaSend's `?draft=true`): the dialect's bodies kept as sent,
-- validated but NOT numbered nor signed (numbering stays gap-free). Confirming issues them
-- through the normal path (document_ids then says which); rejecting deletes the row.
CREATE TABLE api_drafts (
    id            INTEGER PRIMARY KEY,
    key_hash      TEXT NOT NULL,
    dialect       TEXT NOT NULL,
    kind          TEXT NOT NULL,
    bodies_json   TEXT NOT NULL,    -- JSON array of the documents' bodies
    created_at    TEXT NOT NULL,
    confirmed_at  TEXT,
    document_ids  TEXT              -- JSON array, once confirmed
);
