-- Operations: the running bot's heartbeat, read by `klasterbot health` (docs/deploy.md, "Health").
-- One row per process role (only 'run' today). Times are INTEGER epoch seconds (UTC).
CREATE TABLE IF NOT EXISTS ops_heartbeat (
    name            TEXT PRIMARY KEY,
    started_at      INTEGER NOT NULL,   -- when this process started
    beat_at         INTEGER NOT NULL,   -- last beat: the event loop ran the job and the database took a write
    telegram_ok_at  INTEGER,            -- last successful Bot API call (getMe) from the beat
    telegram_error  TEXT,               -- the last failure, cleared by the next success
    pid             INTEGER NOT NULL,
    version         TEXT NOT NULL
) WITHOUT ROWID;
