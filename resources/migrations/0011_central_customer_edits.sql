-- Central replication (app/central/replica.py): a register's edits to an existing customer.
-- New customers are pushed by their id (cursor 'push:customers'); an edit of name, e-mail, phone
-- or address on a register joined to a central store is queued here and pushed by `seq`
-- (cursor 'push:customer_edits'); the central store merges it by identification number.
-- A pull's own writes are removed in the pull's transaction (they are not edits).
CREATE TABLE central_customer_edits (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL
);
CREATE TRIGGER central_customer_edited AFTER UPDATE OF name, email, phone, address ON customers
WHEN EXISTS (SELECT 1 FROM settings WHERE key = 'central.url')
 AND (OLD.name IS NOT NEW.name OR OLD.email IS NOT NEW.email OR OLD.phone IS NOT NEW.phone
      OR OLD.address IS NOT NEW.address)
BEGIN INSERT INTO central_customer_edits(customer_id) VALUES (NEW.id); END;
