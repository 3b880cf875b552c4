-- The claim walks pending sends in document order and stops early (store/outbox.py):
-- documents are numbered and inserted in one transaction, so id order is numbering order.
CREATE INDEX outbox_pending_sends ON outbox(action, state, document_id);
-- The candidates of a claim, in document order without sorting the whole queue.
CREATE INDEX outbox_pending_order ON outbox(state, document_id, id);
