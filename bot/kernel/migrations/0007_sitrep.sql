-- The pinned situation summary: which message is pinned per cluster, and every published version.

CREATE TABLE sitrep_state (
    cluster_id   INTEGER PRIMARY KEY REFERENCES clusters (id) ON DELETE CASCADE,
    chat_id      INTEGER NOT NULL,
    message_id   INTEGER NOT NULL,
    text_hash    TEXT NOT NULL DEFAULT '',
    pinned_at    INTEGER NOT NULL,
    edited_at    INTEGER NOT NULL
);

CREATE TABLE sitrep_versions (
    id           INTEGER PRIMARY KEY,
    cluster_id   INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('pin', 'edit', 'repost', 'frozen')),
    text         TEXT NOT NULL,
    message_id   INTEGER,
    published_by INTEGER,
    published_at INTEGER NOT NULL
);
CREATE INDEX sitrep_versions_cluster ON sitrep_versions (cluster_id, published_at);
