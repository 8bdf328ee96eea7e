-- Scheduled work: every reminder, recurring occurrence, digest slot and escalation is a row with
-- its due time. The job queue is only a cache rebuilt from these rows at start.

CREATE TABLE scheduled_jobs (
    id          INTEGER PRIMARY KEY,
    cluster_id  INTEGER REFERENCES clusters (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,            -- e.g. event.reminder, digest.daily, need.escalate
    ref         TEXT NOT NULL,            -- what it is about, unique per kind (e.g. "event:12:-3600")
    due_at      INTEGER NOT NULL,         -- epoch seconds UTC
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'claimed', 'done', 'missed', 'cancelled', 'interrupted')),
    payload     TEXT NOT NULL DEFAULT '{}',
    claimed_at  INTEGER,
    done_at     INTEGER,
    note        TEXT NOT NULL DEFAULT '',
    UNIQUE (kind, ref)
);
CREATE INDEX scheduled_jobs_due ON scheduled_jobs (status, due_at);
