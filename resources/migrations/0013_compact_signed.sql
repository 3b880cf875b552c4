-- 0013: the signed XML (documents.xml) and the sale's request (sales.request_json) stored
-- compressed, losslessly (issue #15, disk per document; app/store/packing.py says how).
-- store_dicts holds the preset deflate dictionaries the packed values refer to by key (the
-- first 8 bytes of the SHA-256 of `data`): written once, in the transaction of the first value
-- that uses it, and never changed nor deleted, or the values packed with it could not be read.
-- Trigger bodies stay on one line: the migration runner splits statements at a ';' ending a line.
CREATE TABLE store_dicts (
    key     BLOB PRIMARY KEY,     -- sha256(data)[:8]
    purpose TEXT NOT NULL,        -- 'xml' | 'request_json'
    made_at TEXT NOT NULL,        -- the newest of a purpose is used for new values
    data    BLOB NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER store_dicts_immutable BEFORE UPDATE ON store_dicts
BEGIN SELECT RAISE(ABORT, 'Un diccionario de compresión no se puede modificar'); END;
CREATE TRIGGER store_dicts_undeletable BEFORE DELETE ON store_dicts
BEGIN SELECT RAISE(ABORT, 'Un diccionario de compresión no se puede borrar'); END;
-- Rows written before this migration read as they are and are packed in short batches by the
-- worker (packing.compact), up to the ids recorded here.
INSERT OR REPLACE INTO settings(key, value)
    SELECT 'store.signed_compact_upto', CAST(COALESCE(MAX(id), 0) AS TEXT) FROM documents;
INSERT OR REPLACE INTO settings(key, value) VALUES ('store.signed_compact_from', '0');
INSERT OR REPLACE INTO settings(key, value)
    SELECT 'store.request_compact_upto', CAST(COALESCE(MAX(id), 0) AS TEXT) FROM sales;
INSERT OR REPLACE INTO settings(key, value) VALUES ('store.request_compact_from', '0');
