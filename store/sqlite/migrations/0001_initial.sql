-- Every record table has the same spine: the organisation (org_id), the record's
-- id, an integer version for optimistic concurrency, the sort key that orders
-- its listings, the record as JSON (body), and one column per value a query
-- filters on. Every index starts with org_id, because every query names it.
-- Indexes end with sort_key, so a newest-first page is an index walk that stops
-- after `limit` rows, whatever the size of the mailbox (and a look-up by e-mail
-- does not tempt the planner into walking the sort_key index instead).

CREATE TABLE organisations (
    org_id   TEXT NOT NULL,            -- always 'directory': the directory is one scope
    id       TEXT NOT NULL,
    version  INTEGER NOT NULL,
    sort_key TEXT NOT NULL,
    body     TEXT NOT NULL,
    domain   TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX organisations_by_domain ON organisations (org_id, domain, sort_key);

CREATE TABLE organisations_entra_tenant_ids (
    org_id TEXT NOT NULL,
    value  TEXT NOT NULL,
    id     TEXT NOT NULL,
    PRIMARY KEY (org_id, value, id)
);

CREATE TABLE staff_users (
    org_id          TEXT NOT NULL,
    id              TEXT NOT NULL,
    version         INTEGER NOT NULL,
    sort_key        TEXT NOT NULL,
    body            TEXT NOT NULL,
    email           TEXT NOT NULL,
    entra_tenant_id TEXT NOT NULL,
    entra_object_id TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX staff_users_by_email ON staff_users (org_id, email, sort_key);
CREATE INDEX staff_users_by_entra ON staff_users (org_id, entra_tenant_id, entra_object_id, sort_key);
CREATE INDEX staff_users_by_key ON staff_users (org_id, sort_key);

CREATE TABLE recipient_accounts (
    org_id   TEXT NOT NULL,
    id       TEXT NOT NULL,
    version  INTEGER NOT NULL,
    sort_key TEXT NOT NULL,
    body     TEXT NOT NULL,
    email    TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX recipient_accounts_by_email ON recipient_accounts (org_id, email, sort_key);

CREATE TABLE mailboxes (
    org_id   TEXT NOT NULL,
    id       TEXT NOT NULL,
    version  INTEGER NOT NULL,
    sort_key TEXT NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);

-- A mailbox's members, one row each, so "the mailboxes of member X" is an index look-up.
CREATE TABLE mailboxes_member_ids (
    org_id TEXT NOT NULL,
    value  TEXT NOT NULL,
    id     TEXT NOT NULL,
    PRIMARY KEY (org_id, value, id)
);

CREATE TABLE messages (
    org_id         TEXT NOT NULL,
    id             TEXT NOT NULL,
    version        INTEGER NOT NULL,
    sort_key       TEXT NOT NULL,
    body           TEXT NOT NULL,
    sender_mailbox TEXT NOT NULL,
    has_links      INTEGER NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX messages_sent ON messages (org_id, sender_mailbox, sort_key);
CREATE INDEX messages_links ON messages (org_id, sender_mailbox, has_links, sort_key);

CREATE TABLE deliveries (
    org_id            TEXT NOT NULL,
    id                TEXT NOT NULL,
    version           INTEGER NOT NULL,
    sort_key          TEXT NOT NULL,
    body              TEXT NOT NULL,
    message_id        TEXT NOT NULL,
    recipient_mailbox TEXT,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX deliveries_by_message ON deliveries (org_id, message_id, sort_key);
CREATE INDEX deliveries_inbox ON deliveries (org_id, recipient_mailbox, sort_key);

CREATE TABLE cases (
    org_id      TEXT NOT NULL,
    id          TEXT NOT NULL,
    version     INTEGER NOT NULL,
    sort_key    TEXT NOT NULL,
    body        TEXT NOT NULL,
    mailbox     TEXT NOT NULL,
    status      TEXT NOT NULL,
    assignee_id TEXT,
    PRIMARY KEY (org_id, id)
);
-- One index per filter combination of the case list, each ending in sort_key.
CREATE INDEX cases_all ON cases (org_id, mailbox, sort_key);
CREATE INDEX cases_by_status ON cases (org_id, mailbox, status, sort_key);
CREATE INDEX cases_by_assignee ON cases (org_id, mailbox, assignee_id, sort_key);
CREATE INDEX cases_by_assignee_status ON cases (org_id, mailbox, assignee_id, status, sort_key);

CREATE TABLE outbox (
    org_id   TEXT NOT NULL,
    id       TEXT NOT NULL,
    version  INTEGER NOT NULL,
    sort_key TEXT NOT NULL,            -- the due time first: "due now" is a key range
    body     TEXT NOT NULL,
    status   TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX outbox_due ON outbox (org_id, status, sort_key);

CREATE TABLE challenges (
    org_id   TEXT NOT NULL,
    id       TEXT NOT NULL,
    version  INTEGER NOT NULL,
    sort_key TEXT NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);

-- The audit chain: entries keyed by their zero-padded sequence number, and one
-- head row per organisation holding the last (seq, hash).
CREATE TABLE audit_events (
    org_id   TEXT NOT NULL,
    id       TEXT NOT NULL,
    version  INTEGER NOT NULL,
    sort_key TEXT NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX audit_events_by_key ON audit_events (org_id, sort_key);

CREATE TABLE audit_heads (
    org_id   TEXT NOT NULL,
    id       TEXT NOT NULL,
    version  INTEGER NOT NULL,
    sort_key TEXT NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);
