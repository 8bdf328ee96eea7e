"""Reading and writing the test database directly, each on a connection of its own."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def q(db_path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    """Rows of one query on the test database, read on a connection of its own."""
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def execute(db_path: Path, sql: str, *params: object) -> None:
    conn = sqlite3.connect(db_path)
    try:
        with conn:
            conn.execute(sql, params)
    finally:
        conn.close()
