-- Inbox and outbox (issue #13).
-- inbox: every update Telegram handed out, stored (raw JSON) before the next getUpdates confirms it. A row is
-- deleted in the same transaction that records the update in processed_updates (its effects' transaction), so
-- what is left here after a crash is exactly the updates still to process.
CREATE TABLE inbox (
    update_id   INTEGER PRIMARY KEY,
    payload     TEXT NOT NULL,
    received_at INTEGER NOT NULL
) WITHOUT ROWID;

-- outbox: every message the bot owes, written in the transaction of the change that causes it.
-- status: pending → sending (the Bot API call may be under way) → sent | failed (403/400, reason) |
-- uncertain (timed out, or interrupted by a crash, after the request may have reached Telegram: never resent)
-- | superseded (an edit replaced by a later state of the same message before it went out).
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    created_at  INTEGER NOT NULL,
    origin      TEXT NOT NULL DEFAULT '',          -- "update:<id>", "job:<id>", ...
    method      TEXT NOT NULL CHECK (method IN ('send', 'edit', 'pin')),
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER,                           -- edit / pin target
    text        TEXT NOT NULL DEFAULT '',
    keyboard    TEXT,                              -- JSON rows of {text, data | url}
    thread_id   INTEGER,
    notify      INTEGER NOT NULL DEFAULT 1,
    coalesce_key TEXT,                             -- edits (and the pending post) of one message share it
    on_sent     TEXT,                              -- what to record with the sent message id, e.g. "need.card"
    ref         INTEGER,
    version     INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'uncertain', 'superseded')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL DEFAULT 0,
    reason      TEXT,
    sent_message_id INTEGER,
    finished_at INTEGER
);
CREATE INDEX outbox_due ON outbox (next_at, id) WHERE status = 'pending';
CREATE INDEX outbox_chat ON outbox (chat_id, id) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_key ON outbox (coalesce_key) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_problems ON outbox (status, finished_at) WHERE status IN ('failed', 'uncertain');

-- Health for /status: the last Bot API call that succeeded.
CREATE TABLE telegram_health (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    last_ok_at INTEGER NOT NULL
);
