"""Stock lines (one per organisation, item, kabupaten/kota and place), their history, and the reminders' reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.kernel import sql
from bot.kernel.sql import Conn, Row


@dataclass(frozen=True)
class StockInput:
    """One line as it will be stored (quantity already in the base unit)."""

    item_key: str | None
    item_name: str
    norm_item: str
    category: str
    quantity: float
    unit: str
    region_code: str
    location: str
    norm_location: str
    expires_at: int | None
    condition: str
    district_code: str | None = None  # kecamatan (adm3); part of norm_location when given


@dataclass(frozen=True)
class StockLine:
    id: int
    cluster_id: int
    organization_id: int
    item_key: str | None
    item_name: str
    norm_item: str
    category: str
    quantity: float
    unit: str
    region_code: str
    location: str
    expires_at: int | None
    condition: str
    confirmed_at: int
    updated_at: int
    district_code: str | None = None  # kecamatan (adm3): shown to the line's own organisation, never pooled


LINE_COLUMNS = (
    "id, cluster_id, organization_id, item_key, item_name, norm_item, category, quantity, unit, region_code, "
    "location, expires_at, condition, confirmed_at, updated_at, district_code"
)


def line_of(row: Row | None) -> StockLine | None:
    if row is None:
        return None
    return StockLine(
        row["id"], row["cluster_id"], row["organization_id"], row["item_key"], row["item_name"], row["norm_item"],
        row["category"], row["quantity"], row["unit"], row["region_code"], row["location"], row["expires_at"],
        row["condition"], row["confirmed_at"], row["updated_at"], row["district_code"],
    )  # fmt: skip


# ---- lines ----------------------------------------------------------------------------------------


def find_line(
    conn: Conn, org_id: int, norm_item: str, region_code: str, norm_location: str
) -> StockLine | None:
    return line_of(conn.execute(
        f"SELECT {LINE_COLUMNS} FROM stock WHERE organization_id = ? AND norm_item = ? AND region_code = ? "
        "AND norm_location = ?", (org_id, norm_item, region_code, norm_location),
    ).fetchone())  # fmt: skip


def upsert_line(
    conn: Conn, cluster_id: int, org_id: int, line: StockInput, user_id: int | None, now: int,
    source: str = "chat",
) -> StockLine:  # fmt: skip
    """Insert, or replace the figure of the same (organisation, item, region, location); confirmation resets."""
    row = conn.execute(
        "INSERT INTO stock (cluster_id, organization_id, item_key, item_name, norm_item, category, quantity, unit, "
        "region_code, location, norm_location, expires_at, condition, confirmed_at, source, updated_by, created_at, "
        "updated_at, district_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (organization_id, norm_item, region_code, norm_location) DO UPDATE SET "
        "item_key = excluded.item_key, item_name = excluded.item_name, category = excluded.category, "
        "quantity = excluded.quantity, unit = excluded.unit, location = excluded.location, "
        "expiry_notified = CASE WHEN stock.expires_at IS NOT DISTINCT FROM excluded.expires_at THEN stock.expiry_notified "
        "ELSE FALSE END, "
        "expires_at = excluded.expires_at, condition = excluded.condition, confirmed_at = excluded.confirmed_at, "
        "stale_notified = FALSE, source = excluded.source, updated_by = excluded.updated_by, "
        f"updated_at = excluded.updated_at, district_code = excluded.district_code RETURNING {LINE_COLUMNS}",
        (cluster_id, org_id, line.item_key, line.item_name, line.norm_item, line.category, line.quantity, line.unit,
         line.region_code, line.location, line.norm_location, line.expires_at, line.condition, now, source, user_id,
         now, now, line.district_code),
    ).fetchone()  # fmt: skip
    result = line_of(row)
    assert result is not None
    return result


def line_by_id(conn: Conn, stock_id: int) -> StockLine | None:
    return line_of(conn.execute(f"SELECT {LINE_COLUMNS} FROM stock WHERE id = ?", (stock_id,)).fetchone())


def lines_of_org(conn: Conn, org_id: int) -> list[StockLine]:
    rows = conn.execute(
        f"SELECT {LINE_COLUMNS} FROM stock WHERE organization_id = ? ORDER BY category, item_name, region_code, "
        "location, id",
        (org_id,),
    )
    return [line for line in map(line_of, rows) if line is not None]


def set_quantity(conn: Conn, stock_id: int, quantity: float, user_id: int | None, now: int) -> None:
    """A new figure is also a confirmation: the line is fresh again."""
    conn.execute(
        "UPDATE stock SET quantity = ?, confirmed_at = ?, stale_notified = FALSE, updated_by = ?, updated_at = ? "
        "WHERE id = ?",
        (quantity, now, user_id, now, stock_id),
    )


def delete_line(conn: Conn, stock_id: int) -> bool:
    return conn.execute("DELETE FROM stock WHERE id = ?", (stock_id,)).rowcount > 0


def confirm_lines(conn: Conn, stock_ids: Iterable[int], user_id: int | None, now: int) -> int:
    ids = list(stock_ids)
    if not ids:
        return 0
    marks = ",".join("?" * len(ids))
    return conn.execute(
        f"UPDATE stock SET confirmed_at = ?, stale_notified = FALSE, updated_by = ?, updated_at = ? WHERE id IN ({marks})",
        (now, user_id, now, *ids),
    ).rowcount


def add_history(
    conn: Conn, line: StockLine, action: str, previous: float | None, quantity: float,
    user_id: int | None, now: int,
) -> None:  # fmt: skip
    conn.execute(
        "INSERT INTO stock_history (stock_id, cluster_id, organization_id, item_key, item_name, region_code, "
        "location, action, previous, quantity, unit, expires_at, user_id, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (line.id, line.cluster_id, line.organization_id, line.item_key, line.item_name, line.region_code,
         line.location, action, previous, quantity, line.unit, line.expires_at, user_id, now),
    )  # fmt: skip


def history_of_line(conn: Conn, stock_id: int) -> list[Row]:
    return conn.execute(
        "SELECT action, previous, quantity, unit, user_id, at FROM stock_history WHERE stock_id = ? ORDER BY at, id",
        (stock_id,),
    ).fetchall()


# ---- reminders ------------------------------------------------------------------------------------


def first_unreminded_confirmation(conn: Conn, org_id: int) -> int | None:
    row = conn.execute(
        "SELECT MIN(confirmed_at) FROM stock WHERE organization_id = ? AND stale_notified = FALSE AND quantity > 0",
        (org_id,),
    ).fetchone()
    return row[0] if row else None


def first_unreminded_expiry(conn: Conn, org_id: int) -> int | None:
    row = conn.execute(
        "SELECT MIN(expires_at) FROM stock WHERE organization_id = ? AND expiry_notified = FALSE AND quantity > 0 "
        "AND expires_at IS NOT NULL",
        (org_id,),
    ).fetchone()
    return row[0] if row else None


def stale_lines(conn: Conn, org_id: int, cutoff: int) -> list[StockLine]:
    rows = conn.execute(
        f"SELECT {LINE_COLUMNS} FROM stock WHERE organization_id = ? AND stale_notified = FALSE AND quantity > 0 "
        "AND confirmed_at <= ? ORDER BY confirmed_at, id",
        (org_id, cutoff),
    )
    return [line for line in map(line_of, rows) if line is not None]


def expiring_lines(conn: Conn, org_id: int, until: int) -> list[StockLine]:
    rows = conn.execute(
        f"SELECT {LINE_COLUMNS} FROM stock WHERE organization_id = ? AND expiry_notified = FALSE AND quantity > 0 "
        "AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at, id",
        (org_id, until),
    )
    return [line for line in map(line_of, rows) if line is not None]


def mark_notified(conn: Conn, column: str, stock_ids: Iterable[int]) -> None:
    if column not in ("stale_notified", "expiry_notified"):
        raise ValueError(column)
    ids = list(stock_ids)
    if ids:
        conn.execute(f"UPDATE stock SET {column} = TRUE WHERE id IN ({','.join('?' * len(ids))})", ids)


def orgs_with_stock(conn: Conn, cluster_id: int) -> list[int]:
    return [r[0] for r in conn.execute(
        f"SELECT DISTINCT organization_id FROM stock_totals {sql.indexed_by(conn, 'stock_totals_org')} "
        "WHERE cluster_id = ?",
        (cluster_id,))]  # fmt: skip
