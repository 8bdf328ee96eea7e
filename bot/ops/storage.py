"""Operations bookkeeping: the heartbeat the running bot writes and ``klasterbot health`` reads.

The heartbeat is operational state, not cluster data: its one-row table is created by the running bot's first
beat (``CREATE TABLE IF NOT EXISTS``) rather than by a numbered migration, so the schema version ``health``
compares stays the data's. Times are INTEGER epoch seconds (UTC).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel import sql
from bot.kernel.sql import Conn


@dataclass(frozen=True)
class Heartbeat:
    name: str
    started_at: int
    beat_at: int
    telegram_ok_at: int | None
    telegram_error: str | None
    pid: int
    version: str


_TABLE = """
CREATE TABLE IF NOT EXISTS ops_heartbeat (
    name            TEXT PRIMARY KEY,   -- the process role: 'run'
    started_at      BIGINT NOT NULL,    -- when this process started
    beat_at         BIGINT NOT NULL,    -- last beat: the event loop ran the job and the database took a write
    telegram_ok_at  BIGINT,             -- last successful Bot API call (getMe) of this process
    telegram_error  TEXT,               -- the last failure, cleared by the next success
    pid             BIGINT NOT NULL,
    version         TEXT NOT NULL
)
"""  # both engines' DDL (SQLite reads BIGINT as INTEGER); a one-row table needs no WITHOUT ROWID


def write_beat(
    conn: Conn,
    name: str,
    started_at: int,
    now: int,
    telegram_ok: bool,
    telegram_error: str | None,
    pid: int,
    version: str,
) -> None:
    """Record one beat; a failed Telegram call keeps this process's previous success time (that is what goes
    stale); a new process starts without one."""
    conn.execute(_TABLE)
    conn.execute(
        "INSERT INTO ops_heartbeat (name, started_at, beat_at, telegram_ok_at, telegram_error, pid, version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET started_at = excluded.started_at, beat_at = excluded.beat_at, "
        "telegram_ok_at = CASE WHEN ? THEN excluded.telegram_ok_at "
        "                      WHEN ops_heartbeat.started_at = excluded.started_at THEN ops_heartbeat.telegram_ok_at "
        "                      ELSE NULL END, "
        "telegram_error = excluded.telegram_error, pid = excluded.pid, version = excluded.version",
        (name, started_at, now, now if telegram_ok else None, telegram_error, pid, version, telegram_ok),
    )


def read_beat(conn: Conn, name: str) -> Heartbeat | None:
    """The heartbeat row, or None when the bot has never beaten on this database."""
    if not sql.table_exists(conn, "ops_heartbeat"):
        return None
    row = conn.execute(
        "SELECT name, started_at, beat_at, telegram_ok_at, telegram_error, pid, version FROM ops_heartbeat "
        "WHERE name = ?",
        (name,),
    ).fetchone()
    return None if row is None else Heartbeat(*tuple(row))


def schema_version(conn: Conn) -> int:
    """The SQLite file's schema version (``klasterbot health`` on an SQLite database)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])  # sqlite-only: health of the SQLite file


def last_processed_update(conn: Conn) -> int | None:
    """When the newest update was processed (information only: a quiet night is not a failure)."""
    row = conn.execute("SELECT MAX(processed_at) FROM processed_updates").fetchone()
    return None if row is None or row[0] is None else int(row[0])
