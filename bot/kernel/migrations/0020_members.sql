-- The outbox owes unpins too (issue #13: the situation summary's previous card is unpinned through the outbox).
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt with the same columns and indexes.
CREATE TABLE outbox_new (
    id          INTEGER PRIMARY KEY,
    created_at  INTEGER NOT NULL,
    origin      TEXT NOT NULL DEFAULT '',
    method      TEXT NOT NULL CHECK (method IN ('send', 'edit', 'pin', 'unpin')),
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER,
    text        TEXT NOT NULL DEFAULT '',
    keyboard    TEXT,
    thread_id   INTEGER,
    notify      INTEGER NOT NULL DEFAULT 1,
    coalesce_key TEXT,
    on_sent     TEXT,
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
INSERT INTO outbox_new (id, created_at, origin, method, chat_id, message_id, text, keyboard, thread_id, notify,
    coalesce_key, on_sent, ref, version, status, attempts, next_at, reason, sent_message_id, finished_at)
    SELECT id, created_at, origin, method, chat_id, message_id, text, keyboard, thread_id, notify, coalesce_key,
    on_sent, ref, version, status, attempts, next_at, reason, sent_message_id, finished_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (next_at, id) WHERE status = 'pending';
CREATE INDEX outbox_chat ON outbox (chat_id, id) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_key ON outbox (coalesce_key) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_problems ON outbox (status, finished_at) WHERE status IN ('failed', 'uncertain');
