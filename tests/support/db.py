"""Reading and writing the test database directly, each on a connection of its own (SQLite file or PostgreSQL URL,
``?`` placeholders either way)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.kernel.sql import is_postgresql_url


def q(db_path: Path | str, sql: str, *params: object) -> list[tuple[object, ...]]:
    """Rows of one query on the test database, read on a connection of its own."""
    if is_postgresql_url(db_path):
        from bot.kernel.pg_adapter import PgConn

        pg = PgConn(str(db_path))
        try:
            return [tuple(row) for row in pg.execute(sql, params).fetchall()]
        finally:
            pg.close()
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def execute(db_path: Path | str, sql: str, *params: object) -> None:
    if is_postgresql_url(db_path):
        from bot.kernel.pg_adapter import PgConn

        pg = PgConn(str(db_path))
        try:
            pg.execute(sql, params)  # autocommit: committed at once
        finally:
            pg.close()
        return
    conn = sqlite3.connect(db_path)
    try:
        with conn:
            conn.execute(sql, params)
    finally:
        conn.close()
