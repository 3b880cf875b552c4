-- Central replication (app/central/replica.py): how far this register has pushed each of its
-- tables to the central PostgreSQL store, and how far it has pulled the central catalogue.
-- A cursor moves only after the central store committed the batch: a crash or a cut connection
-- re-sends the batch, and the central store ignores what it already holds (register, local id).
CREATE TABLE central_cursors (
    name  TEXT PRIMARY KEY,          -- 'push:documents', 'pull', ...
    value INTEGER NOT NULL
);
