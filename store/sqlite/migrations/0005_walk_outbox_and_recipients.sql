-- Every outbox item and every recipient account of an organisation, in sort-key order:
-- walked page by page when data keys are re-wrapped under a new key-encryption key,
-- counted per key (`sigill keys list`), or checked before a key is retired.
CREATE INDEX outbox_by_key ON outbox (org_id, sort_key);
CREATE INDEX recipient_accounts_by_key ON recipient_accounts (org_id, sort_key);
