-- 0008: the authority's raw answers stored once and compressed (issue #15, disk per document).
-- document_events.raw now holds a 73-byte reference written by app.store.documents.pack_raw:
-- a magic, the SHA-256 of the original bytes (checked on every read), where the document's
-- own signed XML was cut out of the answer (an answer that embeds our comprobante; put back on
-- read from documents.xml) and the key of the zlib-compressed rest in raw_blobs (one row per
-- distinct answer: a SIFEN lote answer is shared by every document of the lote).
-- Rows written before this migration stay readable as they are and are converted in short
-- batches by the worker (documents.compact_events), up to the id recorded here.
CREATE TABLE raw_blobs (
    key BLOB PRIMARY KEY,   -- SHA-256 of the stored payload
    z   BLOB NOT NULL       -- zlib of the payload
) WITHOUT ROWID;
INSERT OR REPLACE INTO settings(key, value)
    SELECT 'store.raw_compact_upto', CAST(COALESCE(MAX(id), 0) AS TEXT) FROM document_events;
INSERT OR REPLACE INTO settings(key, value) VALUES ('store.raw_compact_from', '0');
