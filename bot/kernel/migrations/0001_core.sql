-- Core: processed updates (idempotency), chats, users, clusters, persisted dialogs, audit log.
-- Times are INTEGER epoch seconds (UTC); chat ids are Telegram's.

CREATE TABLE processed_updates (
    update_id    INTEGER PRIMARY KEY,
    processed_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE chats (
    chat_id    INTEGER PRIMARY KEY,
    type       TEXT NOT NULL,
    title      TEXT,
    locale     TEXT,
    status     TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'removed', 'unreachable')),
    updated_at INTEGER NOT NULL
);

CREATE TABLE users (
    user_id    INTEGER PRIMARY KEY,
    first_name TEXT NOT NULL DEFAULT '',
    last_name  TEXT,
    username   TEXT,
    locale     TEXT,
    reachable  INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL
);
CREATE INDEX users_username ON users (lower(username));

CREATE TABLE clusters (
    id         INTEGER PRIMARY KEY,
    chat_id    INTEGER NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    area       TEXT NOT NULL DEFAULT '',
    province   TEXT NOT NULL DEFAULT '63',
    timezone   TEXT NOT NULL DEFAULT 'Asia/Makassar',
    locale     TEXT NOT NULL DEFAULT 'id',
    is_exercise INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER,
    created_at INTEGER NOT NULL
);

CREATE TABLE chat_migrations (
    old_chat_id INTEGER NOT NULL,
    new_chat_id INTEGER NOT NULL,
    migrated_at INTEGER NOT NULL,
    PRIMARY KEY (old_chat_id, new_chat_id)
) WITHOUT ROWID;

-- A guided conversation's state, so a restart mid-way loses nothing.
CREATE TABLE dialogs (
    chat_id    INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    step       TEXT NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}',
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (chat_id, user_id)
) WITHOUT ROWID;

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    cluster_id INTEGER REFERENCES clusters (id) ON DELETE CASCADE,
    actor_id   INTEGER,
    action     TEXT NOT NULL,
    subject    TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '{}',
    at         INTEGER NOT NULL
);
CREATE INDEX audit_log_cluster ON audit_log (cluster_id, at);
