"""Operations bookkeeping: the heartbeat the running bot writes and ``klasterbot health`` reads."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class Heartbeat:
    name: str
    started_at: int
    beat_at: int
    telegram_ok_at: int | None
    telegram_error: str | None
    pid: int
    version: str


def write_beat(
    conn: sqlite3.Connection,
    name: str,
    started_at: int,
    now: int,
    telegram_ok: bool,
    telegram_error: str | None,
    pid: int,
    version: str,
) -> None:
    """Record one beat; a failed Telegram call keeps the previous success time (that is what goes stale)."""
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


def read_beat(conn: sqlite3.Connection, name: str) -> Heartbeat | None:
    row = conn.execute(
        "SELECT name, started_at, beat_at, telegram_ok_at, telegram_error, pid, version FROM ops_heartbeat "
        "WHERE name = ?",
        (name,),
    ).fetchone()
    return None if row is None else Heartbeat(*tuple(row))


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def last_processed_update(conn: sqlite3.Connection) -> int | None:
    """When the newest update was processed (information only: a quiet night is not a failure)."""
    row = conn.execute("SELECT MAX(processed_at) FROM processed_updates").fetchone()
    return None if row is None or row[0] is None else int(row[0])
