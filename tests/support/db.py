"""Reading and writing the test database directly, each on a connection of its own (SQLite file or PostgreSQL URL,
``?`` placeholders either way)."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from bot.kernel.sql import Conn, is_postgresql_url


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


@contextlib.contextmanager
def connect(db_path: Path | str) -> Iterator[Conn]:
    """A connection of its own on the test database (SQLite file or PostgreSQL URL) for several statements in one
    transaction, committed when the block ends without an error."""
    if is_postgresql_url(db_path):
        from bot.kernel.pg_adapter import PgConn

        pg = PgConn(str(db_path))
        try:
            pg.execute("BEGIN")
            try:
                yield pg
            except BaseException:
                pg.execute("ROLLBACK")
                raise
            pg.execute("COMMIT")
        finally:
            pg.close()
        return
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row  # rows by name, as the engine's connections give them
    try:
        with conn:
            yield conn
    finally:
        conn.close()
