"""Operations bookkeeping: the heartbeat the running bot writes and ``klasterbot health`` reads.

The heartbeat is operational state, not cluster data: its one-row table is created by the running bot's first
beat (``CREATE TABLE IF NOT EXISTS``) rather than by a numbered migration, so the schema version ``health``
compares stays the data's. Times are INTEGER epoch seconds (UTC; BIGINT on PostgreSQL). The same SQL serves both
engines; what differs (the table's DDL, how a table's existence and the schema version are asked) is chosen by
``is_postgresql``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.sql import Conn, is_postgresql


@dataclass(frozen=True)
class Heartbeat:
    name: str
    started_at: int
    beat_at: int
    telegram_ok_at: int | None
    telegram_error: str | None
    pid: int
    version: str


# pg_advisory_xact_lock key serialising the heartbeat table's creation (several instances on PostgreSQL).
HEARTBEAT_DDL_LOCK = 0x6B6C737472686274  # "klstrhbt"

_TABLE_SQLITE = """
CREATE TABLE IF NOT EXISTS ops_heartbeat (
    name            TEXT PRIMARY KEY,   -- the process role: 'run'
    started_at      INTEGER NOT NULL,   -- when this process started
    beat_at         INTEGER NOT NULL,   -- last beat: the event loop ran the job and the database took a write
    telegram_ok_at  INTEGER,            -- last successful Bot API call (getMe) of this process
    telegram_error  TEXT,               -- the last failure, cleared by the next success
    pid             INTEGER NOT NULL,
    version         TEXT NOT NULL
) WITHOUT ROWID
"""

_TABLE_POSTGRESQL = """
CREATE TABLE IF NOT EXISTS ops_heartbeat (
    name            TEXT PRIMARY KEY,
    started_at      BIGINT NOT NULL,
    beat_at         BIGINT NOT NULL,
    telegram_ok_at  BIGINT,
    telegram_error  TEXT,
    pid             BIGINT NOT NULL,
    version         TEXT NOT NULL
)
"""


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
    if is_postgresql(conn):
        if not _has_table(conn, "ops_heartbeat"):
            # Two instances' first beats at once: PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against a
            # concurrent one (a unique violation on the catalogue), so the creators take turns.
            conn.execute("SELECT pg_advisory_xact_lock(?)", (HEARTBEAT_DDL_LOCK,))
            conn.execute(_TABLE_POSTGRESQL)
    else:
        conn.execute(_TABLE_SQLITE)
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
    if not _has_table(conn, "ops_heartbeat"):
        return None
    row = conn.execute(
        "SELECT name, started_at, beat_at, telegram_ok_at, telegram_error, pid, version FROM ops_heartbeat "
        "WHERE name = ?",
        (name,),
    ).fetchone()
    return None if row is None else Heartbeat(*tuple(row))


def _has_table(conn: Conn, name: str) -> bool:
    if is_postgresql(conn):
        return conn.execute("SELECT to_regclass(?) IS NOT NULL", (name,)).fetchone()[0] is True
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def schema_version(conn: Conn) -> int:
    if is_postgresql(conn):
        # PostgreSQL has no user_version: bot/kernel/pg_migrations.py records the applied migrations in a table.
        if not _has_table(conn, "schema_migrations"):
            return 0
        row = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
        return 0 if row is None or row[0] is None else int(row[0])
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def last_processed_update(conn: Conn) -> int | None:
    """When the newest update was processed (information only: a quiet night is not a failure)."""
    row = conn.execute("SELECT MAX(processed_at) FROM processed_updates").fetchone()
    return None if row is None or row[0] is None else int(row[0])
