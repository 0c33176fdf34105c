-- Recipient accounts across organisations: which organisations hold an account under a keyed digest of an
-- address or a personal number (sign-in looks here before it knows the organisation), and the throttles
-- that count failed tries of a secret. Both live in the directory scope and are read by id only.

CREATE TABLE account_index (
    org_id   TEXT NOT NULL,            -- always 'directory'
    id       TEXT NOT NULL,
    version  INTEGER NOT NULL,
    sort_key TEXT NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);

CREATE TABLE throttles (
    org_id   TEXT NOT NULL,            -- always 'directory'
    id       TEXT NOT NULL,
    version  INTEGER NOT NULL,
    sort_key TEXT NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);
