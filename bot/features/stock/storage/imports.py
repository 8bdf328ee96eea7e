"""Pending file imports (valid rows parked until the sender decides)."""

from __future__ import annotations

import json
from typing import Any

from bot.kernel.sql import Conn, Row

# ---- imports --------------------------------------------------------------------------------------


def create_import(
    conn: Conn, cluster_id: int, user_id: int, file_name: str, rows: list[dict[str, Any]],
    error_rows: int, now: int,
) -> int:  # fmt: skip
    row = conn.execute(
        "INSERT INTO stock_imports (cluster_id, user_id, file_name, rows, valid_rows, error_rows, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (cluster_id, user_id, file_name, json.dumps(rows, ensure_ascii=False), len(rows), error_rows, now),
    ).fetchone()
    return int(row[0])


def import_by_id(conn: Conn, import_id: int) -> Row | None:
    row: Row | None = conn.execute("SELECT * FROM stock_imports WHERE id = ?", (import_id,)).fetchone()
    return row


def decide_import(conn: Conn, import_id: int, status: str, now: int) -> bool:
    return (
        conn.execute(
            "UPDATE stock_imports SET status = ?, decided_at = ? WHERE id = ? AND status = 'pending'",
            (status, now, import_id),
        ).rowcount
        > 0
    )
