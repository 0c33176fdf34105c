-- Deleted cases stay in the table (the audit trail and case export refer to them) but are
-- never listed. The case list without a status filter says `status != 'deleted'` as a
-- literal, so SQLite serves it from these partial indexes, which hold no deleted case: a
-- mailbox with 100,000 deleted cases costs its first page no more than an empty one.
-- They replace the full indexes that served those listings before.

CREATE INDEX cases_live ON cases (org_id, mailbox, sort_key) WHERE status != 'deleted';
CREATE INDEX cases_live_by_assignee ON cases (org_id, mailbox, assignee_id, sort_key) WHERE status != 'deleted';

DROP INDEX cases_all;
DROP INDEX cases_by_assignee;
