"""Holders of one item (/cari, matching) and forwarded /cari requests."""

from __future__ import annotations

from collections.abc import Iterable

from bot.features.stock.storage.lines import LINE_COLUMNS, StockLine, line_of
from bot.kernel import sql
from bot.kernel.sql import Conn, Row

# ---- holders of one item (/cari, matching) --------------------------------------------------------


def holders(conn: Conn, cluster_id: int, norm_item: str, fresh_after: int, now: int) -> list[Row]:
    """Per (region, organisation, unit): current, non-stale, unexpired quantity of one item (covering index)."""
    return conn.execute(
        "SELECT region_code, organization_id, unit, SUM(quantity) AS quantity, MAX(confirmed_at) AS confirmed_at "
        f"FROM stock {sql.indexed_by(conn, 'stock_item')} WHERE cluster_id = ? AND norm_item = ? AND quantity > 0 AND confirmed_at >= ? "
        "AND (expires_at IS NULL OR expires_at > ?) GROUP BY region_code, organization_id, unit",
        (cluster_id, norm_item, fresh_after, now),
    ).fetchall()


def holder_lines(
    conn: Conn, cluster_id: int, norm_item: str, fresh_after: int, now: int, exclude_org: int
) -> list[StockLine]:
    """The individual lines of one item (for pledging from a particular warehouse)."""
    rows = conn.execute(
        f"SELECT {LINE_COLUMNS} FROM stock {sql.indexed_by(conn, 'stock_item')} WHERE cluster_id = ? AND norm_item = ? AND quantity > 0 "
        "AND confirmed_at >= ? AND (expires_at IS NULL OR expires_at > ?) AND organization_id != ?",
        (cluster_id, norm_item, fresh_after, now, exclude_org),
    )
    return [line for line in map(line_of, rows) if line is not None]


def orgs_public(conn: Conn, org_ids: Iterable[int]) -> dict[int, tuple[str, bool]]:
    """org id → (label, stock_public) for a handful of organisations."""
    ids = sorted(set(org_ids))
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT id, name, short_name, stock_public FROM organizations WHERE id IN ({marks})", ids
    ).fetchall()
    return {r["id"]: (r["short_name"] or r["name"], bool(r["stock_public"])) for r in rows}


def set_stock_public(conn: Conn, org_id: int, public: bool) -> None:
    """The flag and its copy in the running totals change together."""
    row = conn.execute("UPDATE organizations SET stock_public = ? WHERE id = ? RETURNING cluster_id",
                       (bool(public), org_id)).fetchone()  # fmt: skip
    if row is not None:
        for table in ("stock_totals", "stock_item_totals"):
            conn.execute(
                f"UPDATE {table} SET private = ? WHERE cluster_id = ? AND organization_id = ?",  # a 0/1 count
                (int(not public), row[0], org_id),
            )


# ---- forwarded /cari requests ---------------------------------------------------------------------


def create_request(
    conn: Conn, cluster_id: int, user_id: int, org_id: int | None, norm_item: str, item_name: str,
    region_code: str, now: int,
) -> int:  # fmt: skip
    row = conn.execute(
        "INSERT INTO stock_requests (cluster_id, user_id, organization_id, norm_item, item_name, region_code, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (cluster_id, user_id, org_id, norm_item, item_name, region_code, now),
    ).fetchone()
    return int(row[0])


def mark_forwarded(conn: Conn, request_id: int, org_ids: Iterable[int], now: int) -> bool:
    """Once per request (a second tap or a replayed update forwards nothing)."""
    if not conn.execute(
        "UPDATE stock_requests SET forwarded_at = ? WHERE id = ? AND forwarded_at IS NULL", (now, request_id)
    ).rowcount:
        return False
    conn.executemany(
        "INSERT INTO stock_request_answers (request_id, organization_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [(request_id, org) for org in org_ids],
    )
    return True


def request_by_id(conn: Conn, request_id: int) -> Row | None:
    row: Row | None = conn.execute("SELECT * FROM stock_requests WHERE id = ?", (request_id,)).fetchone()
    return row


def answer_request(conn: Conn, request_id: int, org_id: int, user_id: int, answer: str, now: int) -> bool:
    """Compare-and-set: only an organisation that was asked, and only once."""
    return (
        conn.execute(
            "UPDATE stock_request_answers SET answer = ?, user_id = ?, answered_at = ? "
            "WHERE request_id = ? AND organization_id = ? AND answer = 'asked'",
            (answer, user_id, now, request_id, org_id),
        ).rowcount
        > 0
    )
