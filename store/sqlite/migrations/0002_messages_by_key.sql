-- Every message of an organisation, newest first: walked page by page when
-- data keys are re-wrapped under a new key-encryption key.
CREATE INDEX messages_by_key ON messages (org_id, sort_key);
