-- Digests (ringkasan berkala), members' digest subscriptions, announcements (pengumuman) and their delivery.
-- The digest slots themselves are scheduled_jobs rows (kinds digest.daily / digest.weekly, migration 0003);
-- their times per cluster are cluster_settings (digest_daily, digest_weekly).

-- A member's private digest: daily or weekly, optionally only some kabupaten/kota and item categories.
CREATE TABLE digest_subscriptions (
    id           INTEGER PRIMARY KEY,
    cluster_id   INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    frequency    TEXT NOT NULL CHECK (frequency IN ('daily', 'weekly')),
    region_codes TEXT NOT NULL DEFAULT '',  -- comma-separated Kemendagri codes; '' = every kabupaten/kota
    categories   TEXT NOT NULL DEFAULT '',  -- comma-separated catalogue category keys; '' = every category
    active       INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (cluster_id, user_id, frequency)
);
CREATE INDEX digest_subscriptions_slot ON digest_subscriptions (cluster_id, frequency, active);

-- One row per digest slot and recipient, written before the send: a slot reaches a chat at most once,
-- whatever restarts or replays happen around its due time.
CREATE TABLE digest_runs (
    id          INTEGER PRIMARY KEY,
    cluster_id  INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    frequency   TEXT NOT NULL,
    slot        TEXT NOT NULL,              -- the slot's local date, YYYY-MM-DD
    chat_id     INTEGER NOT NULL,
    status      TEXT NOT NULL DEFAULT 'sending'
                CHECK (status IN ('sending', 'sent', 'empty', 'unreachable', 'failed')),
    late        INTEGER NOT NULL DEFAULT 0,
    message_id  INTEGER,
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER,
    UNIQUE (cluster_id, frequency, slot, chat_id)
);

-- An announcement by the secretariat: a draft until confirmed after the preview, then sent once per recipient.
CREATE TABLE broadcasts (
    id                INTEGER PRIMARY KEY,
    cluster_id        INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    created_by        INTEGER NOT NULL,
    text              TEXT NOT NULL,          -- as typed; escaped when rendered
    status            TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sending', 'done', 'cancelled')),
    status_chat_id    INTEGER,                -- the preview message, edited into the progress "terkirim 120/340"
    status_message_id INTEGER,
    total             INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    started_at        INTEGER,
    finished_at       INTEGER
);
CREATE INDEX broadcasts_status ON broadcasts (status);

-- Per recipient: claimed ('sending') before the Bot API call, so a crash never sends to the same chat twice
-- (a claim left by a crash becomes 'uncertain'); 'blocked' chats (403) are listed for the secretariat.
CREATE TABLE broadcast_deliveries (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    chat_id      INTEGER NOT NULL,
    user_id      INTEGER,                    -- NULL for the cluster group
    seq          INTEGER NOT NULL,           -- sending order: the group first
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'sending', 'sent', 'blocked', 'failed', 'uncertain')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    message_id   INTEGER,
    error        TEXT NOT NULL DEFAULT '',
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (broadcast_id, chat_id)
) WITHOUT ROWID;
CREATE INDEX broadcast_deliveries_queue ON broadcast_deliveries (broadcast_id, status, seq);
