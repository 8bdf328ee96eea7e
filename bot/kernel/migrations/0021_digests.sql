-- Digest runs (issue #13): a send that timed out may have reached the chat, and a run a crash left 'sending' may
-- have too; both are 'uncertain' (never sent again, like announcements), and every failed or uncertain run keeps
-- its reason. SQLite cannot change a CHECK constraint in place: the table is rebuilt with the same rows.
CREATE TABLE digest_runs_0021 (
    id          INTEGER PRIMARY KEY,
    cluster_id  INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    frequency   TEXT NOT NULL,
    slot        TEXT NOT NULL,              -- the slot's local date, YYYY-MM-DD
    chat_id     INTEGER NOT NULL,
    status      TEXT NOT NULL DEFAULT 'sending'
                CHECK (status IN ('sending', 'sent', 'empty', 'unreachable', 'failed', 'uncertain')),
    late        INTEGER NOT NULL DEFAULT 0,
    message_id  INTEGER,
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER,
    error       TEXT NOT NULL DEFAULT '',   -- why a run failed or is uncertain
    UNIQUE (cluster_id, frequency, slot, chat_id)
);
INSERT INTO digest_runs_0021 (id, cluster_id, frequency, slot, chat_id, status, late, message_id, created_at, sent_at)
    SELECT id, cluster_id, frequency, slot, chat_id, status, late, message_id, created_at, sent_at FROM digest_runs;
DROP TABLE digest_runs;
ALTER TABLE digest_runs_0021 RENAME TO digest_runs;
