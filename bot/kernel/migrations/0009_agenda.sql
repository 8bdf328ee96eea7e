-- Agenda (forum berbagi, pelatihan, rapat koordinasi, simulasi/gladi), its speakers, RSVPs and feedback, and
-- the cluster work plan (rencana kerja). Number 0006 was reserved for this but shipped empty, so databases past
-- version 6 could never receive it there; the schema comes here instead (IF NOT EXISTS throughout). Reminders, recurring occurrences, speaker requests, feedback questions
-- and deadline checks are scheduled_jobs rows (migration 0003) with kinds agenda.* and work.*.
-- Per-cluster reminder offsets are cluster_settings (key agenda_reminders, e.g. "1d16:00,1h").

-- A recurring event: each occurrence is an events row; the next one is created when the current one ends.
CREATE TABLE IF NOT EXISTS event_series (
    id          INTEGER PRIMARY KEY,
    cluster_id  INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    rule        TEXT NOT NULL,            -- weekly | biweekly | monthly:<nth>:<weekday> (see bot/features/agenda/domain.py)
    active      INTEGER NOT NULL DEFAULT 1,
    created_by  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    stopped_at  INTEGER
);

CREATE TABLE IF NOT EXISTS events (
    id            INTEGER PRIMARY KEY,
    cluster_id    INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    number        INTEGER NOT NULL,        -- per cluster: A-0007
    type          TEXT NOT NULL CHECK (type IN ('forum', 'training', 'meeting', 'exercise')),
    title         TEXT NOT NULL,
    starts_at     INTEGER NOT NULL,        -- epoch seconds UTC
    duration_min  INTEGER NOT NULL CHECK (duration_min > 0),
    place         TEXT NOT NULL DEFAULT '', -- a room or an online link, as typed
    description   TEXT NOT NULL DEFAULT '',
    materials     TEXT NOT NULL DEFAULT '', -- the speaker's link or note
    series_id     INTEGER REFERENCES event_series (id) ON DELETE SET NULL,
    occurrence_at INTEGER NOT NULL,        -- the series slot (an edit moves starts_at, never the series)
    status        TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    cancel_reason TEXT NOT NULL DEFAULT '',
    chat_id       INTEGER,                 -- the announcement card, edited in place
    message_id    INTEGER,
    sequence      INTEGER NOT NULL DEFAULT 0,  -- iCalendar SEQUENCE: bumped by every edit
    created_by    INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (cluster_id, number)
);
CREATE INDEX IF NOT EXISTS events_upcoming ON events (cluster_id, status, starts_at);
-- One occurrence per series slot, whatever replays happen around the "next occurrence" job.
CREATE UNIQUE INDEX IF NOT EXISTS events_series_slot ON events (series_id, occurrence_at) WHERE series_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS event_speakers (
    event_id        INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'asked', 'confirmed', 'declined')),
    answered_by     INTEGER,
    answered_at     INTEGER,
    PRIMARY KEY (event_id, organization_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS event_rsvps (
    event_id        INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL,
    organization_id INTEGER,                -- the organisation they represented when answering, if any
    answer          TEXT NOT NULL CHECK (answer IN ('yes', 'maybe', 'no')),
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (event_id, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS event_rsvps_answer ON event_rsvps (event_id, answer);

-- A row is written when the feedback question is sent (so only those asked can answer), then filled in.
CREATE TABLE IF NOT EXISTS event_feedback (
    event_id    INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    attended    INTEGER,                    -- NULL until answered
    rating      INTEGER CHECK (rating BETWEEN 1 AND 5),
    comment     TEXT NOT NULL DEFAULT '',
    asked_at    INTEGER NOT NULL,
    answered_at INTEGER,
    PRIMARY KEY (event_id, user_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS work_items (
    id                 INTEGER PRIMARY KEY,
    cluster_id         INTEGER NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    number             INTEGER NOT NULL,   -- per cluster: R-0003
    title              TEXT NOT NULL,
    organization_id    INTEGER NOT NULL REFERENCES organizations (id),
    deadline_at        INTEGER NOT NULL,   -- epoch seconds; with precision 'day' the local midnight of that day
    deadline_precision TEXT NOT NULL DEFAULT 'day' CHECK (deadline_precision IN ('day', 'minute')),
    status             TEXT NOT NULL DEFAULT 'not_started'
                       CHECK (status IN ('not_started', 'in_progress', 'done', 'on_hold')),
    overdue_flagged_at INTEGER,
    created_by         INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    done_at            INTEGER,
    UNIQUE (cluster_id, number)
);
CREATE INDEX IF NOT EXISTS work_items_cluster ON work_items (cluster_id, status, deadline_at);
CREATE INDEX IF NOT EXISTS work_items_org ON work_items (organization_id, status);

-- Progress notes and status changes of a work item (who, when, from what to what).
CREATE TABLE IF NOT EXISTS work_notes (
    id           INTEGER PRIMARY KEY,
    work_item_id INTEGER NOT NULL REFERENCES work_items (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    from_status  TEXT,
    to_status    TEXT,
    note         TEXT NOT NULL DEFAULT '',
    at           INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS work_notes_item ON work_notes (work_item_id, at);
