-- Parked sales (till round 2): a cart put aside to serve the next customer, recalled later.
-- The cart is stored as JSON (lines, buyer, pre-bill flag); money inside it as Decimal strings.
CREATE TABLE parked_sales (
    id            INTEGER PRIMARY KEY,
    establishment TEXT NOT NULL,
    point         TEXT NOT NULL,
    cashier       TEXT NOT NULL,
    parked_at     TEXT NOT NULL,
    label         TEXT NOT NULL DEFAULT '',
    total         TEXT NOT NULL,
    cart_json     TEXT NOT NULL
);
CREATE INDEX parked_sales_till ON parked_sales(establishment, point);
