"""The link between a pledge made from stock and the stock line it came from."""

from __future__ import annotations

from bot.kernel.sql import Conn, Row

# ---- pledges made from stock ----------------------------------------------------------------------


def link_pledge(conn: Conn, pledge_id: int, stock_id: int, org_id: int, now: int) -> None:
    conn.execute(
        "INSERT INTO stock_pledges (pledge_id, stock_id, organization_id, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        (pledge_id, stock_id, org_id, now),
    )


def stock_pledge(conn: Conn, pledge_id: int) -> Row | None:
    row: Row | None = conn.execute("SELECT * FROM stock_pledges WHERE pledge_id = ?", (pledge_id,)).fetchone()
    return row


def set_stock_pledge_status(
    conn: Conn, pledge_id: int, from_status: str, to_status: str, now: int
) -> bool:
    return (
        conn.execute(
            "UPDATE stock_pledges SET status = ?, decided_at = ? WHERE pledge_id = ? AND status = ?",
            (to_status, now, pledge_id, from_status),
        ).rowcount
        > 0
    )
