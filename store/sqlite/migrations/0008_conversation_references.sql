-- Where the Teams bot reaches each staff user unasked (proactive notices): one row per staff user, kept
-- from the user's last turn with the bot, read by id only. Bot Service's and Teams' ids, no message content.

CREATE TABLE conversation_references (
    org_id   TEXT NOT NULL,
    id       TEXT NOT NULL,            -- the staff user's id
    version  INTEGER NOT NULL,
    sort_key TEXT NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
);
