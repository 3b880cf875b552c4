-- 0014: FacturaSend's recibo (Paraguay, the local API's `recibo/create`): FacturaSend's own signed
-- XML, approved when issued and never sent to SIFEN, so it stays out of `documents`, the outbox
-- and the status machine (app/fiscal/py/recibos.py). Numbered per establecimiento/punto without
-- gaps: the number is taken in the same transaction that inserts the row.
CREATE TABLE py_recibos (
    id            INTEGER PRIMARY KEY,
    cdc           TEXT NOT NULL UNIQUE,     -- 44 digits, starts with 55
    establishment TEXT NOT NULL,            -- '001'
    point         TEXT NOT NULL,            -- '001'
    number        INTEGER NOT NULL,
    issued_at     TEXT NOT NULL,            -- `fecha` as sent (Paraguay local time, no zone)
    currency      TEXT NOT NULL,
    total         TEXT NOT NULL,            -- Decimal as text
    request_json  TEXT NOT NULL,            -- the body as received
    xml           BLOB NOT NULL,            -- signed
    created_at    TEXT NOT NULL,            -- UTC
    cancelled_at  TEXT,                     -- NULL: approved; set by recibo/evento/cancelacion
    cancel_reason TEXT,
    UNIQUE (establishment, point, number)
);
-- Idempotency of recibo/create: one row per token ('idem:<header>' | 'body:<sha256>' |
-- 'num:<est>-<punto>-<numero>'), written in the recibo's own transaction.
CREATE TABLE py_recibo_requests (
    scope      TEXT NOT NULL,               -- the API tenant (one per key)
    idem       TEXT NOT NULL,
    recibo_id  INTEGER NOT NULL REFERENCES py_recibos(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (scope, idem)
);
