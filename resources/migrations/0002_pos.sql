-- Point-of-sale tables: catalog, customers, users, shifts and cash, audit log.
-- Money is TEXT holding a Decimal's exact string, never REAL.
-- Trigger bodies stay on one line: the migration runner splits statements at a ';' ending a line.

CREATE TABLE products (
    id                 INTEGER PRIMARY KEY,
    code               TEXT NOT NULL UNIQUE,      -- codigo_principal
    barcode            TEXT,                      -- EAN/UPC as the scanner types it
    name               TEXT NOT NULL,
    price              TEXT NOT NULL,             -- as the owner typed it
    price_includes_tax INTEGER NOT NULL DEFAULT 1,
    tax_category       TEXT NOT NULL,             -- EC codigo_porcentaje: 4, 0, 5, 10, 6, 7
    active             INTEGER NOT NULL DEFAULT 1,
    updated_at         TEXT NOT NULL
);
CREATE UNIQUE INDEX products_barcode ON products(barcode) WHERE barcode IS NOT NULL AND barcode <> '';
CREATE INDEX products_name ON products(name);

CREATE TABLE customers (
    id              INTEGER PRIMARY KEY,
    id_type         TEXT NOT NULL,                -- EC tipo_identificacion 04/05/06/08
    identification  TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    email           TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    address         TEXT NOT NULL DEFAULT '',
    active          INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL
);
CREATE INDEX customers_name ON customers(name);

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL,                    -- cajero | supervisor | administrador
    pin_hash    TEXT NOT NULL,                    -- scrypt$n$r$p$salt_hex$hash_hex
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL
);

-- A shift (turno de caja). Closed shifts are immutable (triggers below).
CREATE TABLE shifts (
    id            INTEGER PRIMARY KEY,            -- the shift number
    establishment TEXT NOT NULL,
    point         TEXT NOT NULL,
    cashier       TEXT NOT NULL,
    opened_at     TEXT NOT NULL,
    opening_float TEXT NOT NULL,
    closed_at     TEXT,
    closed_by     TEXT,
    counted_json  TEXT,                           -- denominations and per-method counts
    report_json   TEXT                            -- the Z report as computed at closing
);
CREATE UNIQUE INDEX shifts_one_open ON shifts(establishment, point) WHERE closed_at IS NULL;

CREATE TABLE cash_movements (
    id        INTEGER PRIMARY KEY,
    shift_id  INTEGER NOT NULL REFERENCES shifts(id),
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL,                      -- 'in' | 'out'
    amount    TEXT NOT NULL,
    reason    TEXT NOT NULL,
    user_name TEXT NOT NULL
);

CREATE TRIGGER shifts_closed_immutable BEFORE UPDATE ON shifts
WHEN OLD.closed_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'El turno está cerrado y no se puede modificar'); END;

CREATE TRIGGER shifts_closed_undeletable BEFORE DELETE ON shifts
WHEN OLD.closed_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'El turno está cerrado y no se puede borrar'); END;

CREATE TRIGGER cash_movements_closed_shift BEFORE INSERT ON cash_movements
WHEN (SELECT closed_at FROM shifts WHERE id = NEW.shift_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'El turno está cerrado: no admite movimientos de caja'); END;

-- Who did what that needed attention: supervisor approvals, deletions after a pre-bill, shift closes.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,                    -- the user who did it
    approved_by TEXT,                             -- the supervisor whose PIN authorised it
    action      TEXT NOT NULL,
    detail      TEXT NOT NULL                     -- JSON
);

CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'El registro de auditoría no se puede modificar'); END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'El registro de auditoría no se puede borrar'); END;
