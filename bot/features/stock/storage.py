"""SQL for stock lines, their history, the running totals, /cari requests, file imports and stock pledges.

Sizing: the cluster picture must stay under 200 ms with 1,000,000 stock rows (bench/bench_stock.py). So:

* Triggers (migration 0005) keep running totals in the same transaction as every stock change: per
  organisation (``stock_totals``, ``stock_item_totals``: exact contributor counts), and from those the sums the
  picture reads (``stock_region_sums``, ``stock_category_sums``, ``stock_item_sums``: a few hundred rows at any
  stock size). The privacy flag is copied into them, so the privacy rule needs no join.
* "How many lines are stale / expire soon" sums per-day counts (``stock_days``) and counts only the two partial
  days at the edges through an index: exact, and independent of how many lines fall in the range.
* ``/cari`` and stock matching read one item of one cluster through the covering index ``stock_item``
  (``INDEXED BY``: without ANALYZE statistics the planner would pick ``stock_confirmed`` and visit the table).
* ``bulk_insert`` sets the per-row triggers aside and ``rebuild_totals`` recomputes the same figures in one pass;
  a property test checks that triggers and recomputation agree after any sequence of changes.

``EXPLAIN QUERY PLAN`` with 1,000,000 rows and 1,000 organisations (SQLite 3.40)::

    totals_by_category   SEARCH stock_category_sums USING PRIMARY KEY (cluster_id=?)
    totals_by_region     SEARCH stock_region_sums USING PRIMARY KEY (cluster_id=?)
    contributing_orgs    SEARCH o USING COVERING INDEX organizations_cluster (cluster_id=?)
                         CORRELATED SCALAR SUBQUERY 1
                         SEARCH t USING COVERING INDEX stock_totals_org (cluster_id=? AND organization_id=?)
    count_stale          SEARCH stock_days USING PRIMARY KEY (cluster_id=? AND kind=? AND day<?)
                         SEARCH stock USING COVERING INDEX stock_confirmed (cluster_id=? AND confirmed_at>? AND
                         confirmed_at<?)                       (one partial day)
    count_near_expiry    SEARCH stock_days USING PRIMARY KEY (cluster_id=? AND kind=? AND day>? AND day<?)
                         SEARCH stock USING COVERING INDEX stock_expiry (cluster_id=? AND expires_at>? AND
                         expires_at<?)                         (two partial days)
    holders (/cari)      SEARCH stock USING COVERING INDEX stock_item (cluster_id=? AND norm_item=?)
                         USE TEMP B-TREE FOR GROUP BY          (one item's holders: ~15,000 entries)
    item_sums            SEARCH stock_item_sums USING PRIMARY KEY (cluster_id=?)

Measured there: cluster_totals 5.9 ms, /cari 17 ms, the summary's stock sources 2.3 ms (medians of 7). Since the
published table (migration 0011, docs/privacy.md) /cari and the summary read that table instead; taking a
snapshot (hourly) reads ``current_holdings`` through ``stock_item``: 0.6-0.9 s at 200,000 rows.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


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


_LINE_COLUMNS = (
    "id, cluster_id, organization_id, item_key, item_name, norm_item, category, quantity, unit, region_code, "
    "location, expires_at, condition, confirmed_at, updated_at, district_code"
)


def _line(row: sqlite3.Row | None) -> StockLine | None:
    if row is None:
        return None
    return StockLine(
        row["id"], row["cluster_id"], row["organization_id"], row["item_key"], row["item_name"], row["norm_item"],
        row["category"], row["quantity"], row["unit"], row["region_code"], row["location"], row["expires_at"],
        row["condition"], row["confirmed_at"], row["updated_at"], row["district_code"],
    )  # fmt: skip


# ---- lines ----------------------------------------------------------------------------------------


def find_line(
    conn: sqlite3.Connection, org_id: int, norm_item: str, region_code: str, norm_location: str
) -> StockLine | None:
    return _line(conn.execute(
        f"SELECT {_LINE_COLUMNS} FROM stock WHERE organization_id = ? AND norm_item = ? AND region_code = ? "
        "AND norm_location = ?", (org_id, norm_item, region_code, norm_location),
    ).fetchone())  # fmt: skip


def upsert_line(
    conn: sqlite3.Connection, cluster_id: int, org_id: int, line: StockInput, user_id: int | None, now: int,
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
        "expiry_notified = CASE WHEN stock.expires_at IS excluded.expires_at THEN stock.expiry_notified ELSE 0 END, "
        "expires_at = excluded.expires_at, condition = excluded.condition, confirmed_at = excluded.confirmed_at, "
        "stale_notified = 0, source = excluded.source, updated_by = excluded.updated_by, "
        f"updated_at = excluded.updated_at, district_code = excluded.district_code RETURNING {_LINE_COLUMNS}",
        (cluster_id, org_id, line.item_key, line.item_name, line.norm_item, line.category, line.quantity, line.unit,
         line.region_code, line.location, line.norm_location, line.expires_at, line.condition, now, source, user_id,
         now, now, line.district_code),
    ).fetchone()  # fmt: skip
    result = _line(row)
    assert result is not None
    return result


def line_by_id(conn: sqlite3.Connection, stock_id: int) -> StockLine | None:
    return _line(conn.execute(f"SELECT {_LINE_COLUMNS} FROM stock WHERE id = ?", (stock_id,)).fetchone())


def lines_of_org(conn: sqlite3.Connection, org_id: int) -> list[StockLine]:
    rows = conn.execute(
        f"SELECT {_LINE_COLUMNS} FROM stock WHERE organization_id = ? ORDER BY category, item_name, region_code, "
        "location, id",
        (org_id,),
    )
    return [line for line in map(_line, rows) if line is not None]


def set_quantity(conn: sqlite3.Connection, stock_id: int, quantity: float, user_id: int | None, now: int) -> None:
    """A new figure is also a confirmation: the line is fresh again."""
    conn.execute(
        "UPDATE stock SET quantity = ?, confirmed_at = ?, stale_notified = 0, updated_by = ?, updated_at = ? "
        "WHERE id = ?",
        (quantity, now, user_id, now, stock_id),
    )


def delete_line(conn: sqlite3.Connection, stock_id: int) -> bool:
    return conn.execute("DELETE FROM stock WHERE id = ?", (stock_id,)).rowcount > 0


def confirm_lines(conn: sqlite3.Connection, stock_ids: Iterable[int], user_id: int | None, now: int) -> int:
    ids = list(stock_ids)
    if not ids:
        return 0
    marks = ",".join("?" * len(ids))
    return conn.execute(
        f"UPDATE stock SET confirmed_at = ?, stale_notified = 0, updated_by = ?, updated_at = ? WHERE id IN ({marks})",
        (now, user_id, now, *ids),
    ).rowcount


def add_history(
    conn: sqlite3.Connection, line: StockLine, action: str, previous: float | None, quantity: float,
    user_id: int | None, now: int,
) -> None:  # fmt: skip
    conn.execute(
        "INSERT INTO stock_history (stock_id, cluster_id, organization_id, item_key, item_name, region_code, "
        "location, action, previous, quantity, unit, expires_at, user_id, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (line.id, line.cluster_id, line.organization_id, line.item_key, line.item_name, line.region_code,
         line.location, action, previous, quantity, line.unit, line.expires_at, user_id, now),
    )  # fmt: skip


def history_of_line(conn: sqlite3.Connection, stock_id: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT action, previous, quantity, unit, user_id, at FROM stock_history WHERE stock_id = ? ORDER BY at, id",
        (stock_id,),
    ).fetchall()


# ---- totals (read the running totals, never the million rows) -------------------------------------


def totals_by_category(conn: sqlite3.Connection, cluster_id: int) -> list[sqlite3.Row]:
    """Per (category, unit): the trigger-kept sums (a few dozen rows), contributors counted once per organisation."""
    return conn.execute(
        "SELECT category, unit, quantity, lines, contributors, private_contributors, confirmed_sum "
        "FROM stock_category_sums WHERE cluster_id = ? AND contributors > 0",
        (cluster_id,),
    ).fetchall()


def totals_by_region(conn: sqlite3.Connection, cluster_id: int) -> list[sqlite3.Row]:
    """Per (kabupaten/kota, category, unit): the trigger-kept sums (at most regions × categories × units rows)."""
    return conn.execute(
        "SELECT region_code, category, unit, quantity, lines, contributors, private_contributors, confirmed_sum "
        "FROM stock_region_sums WHERE cluster_id = ? AND contributors > 0",
        (cluster_id,),
    ).fetchall()


def contributing_orgs(conn: sqlite3.Connection, cluster_id: int) -> int:
    """Organisations with at least one stock line: one index probe per organisation of the cluster."""
    return int(conn.execute(
        "SELECT COUNT(*) FROM organizations o WHERE o.cluster_id = ? AND EXISTS (SELECT 1 FROM stock_totals t "
        "INDEXED BY stock_totals_org WHERE t.cluster_id = o.cluster_id AND t.organization_id = o.id)",
        (cluster_id,),
    ).fetchone()[0])  # fmt: skip


_DAY = 86400


def _count_exact(conn: sqlite3.Connection, cluster_id: int, kind: str, lo: int, hi: int) -> int:
    column, index = ("confirmed_at", "stock_confirmed") if kind == "c" else ("expires_at", "stock_expiry")
    if lo >= hi:
        return 0
    return int(conn.execute(
        f"SELECT COUNT(*) FROM stock INDEXED BY {index} WHERE cluster_id = ? AND {column} >= ? AND {column} < ?",
        (cluster_id, lo, hi),
    ).fetchone()[0])  # fmt: skip


def _count_between(conn: sqlite3.Connection, cluster_id: int, kind: str, lo: int | None, hi: int) -> int:
    """Lines with lo <= column < hi (no lower bound when lo is None), exact: whole days summed from
    ``stock_days``, the partial days at the edges counted through the column's index."""
    hi_day = hi // _DAY
    lo_day = None if lo is None else -(-lo // _DAY)
    if lo is not None and lo_day is not None and lo_day >= hi_day:
        return _count_exact(conn, cluster_id, kind, lo, hi)
    sql = "SELECT COALESCE(SUM(lines), 0) FROM stock_days WHERE cluster_id = ? AND kind = ? AND day < ?"
    params: list[Any] = [cluster_id, kind, hi_day]
    if lo_day is not None:
        sql += " AND day >= ?"
        params.append(lo_day)
    total = int(conn.execute(sql, params).fetchone()[0]) + _count_exact(conn, cluster_id, kind, hi_day * _DAY, hi)
    if lo is not None and lo_day is not None:
        total += _count_exact(conn, cluster_id, kind, lo, lo_day * _DAY)
    return total


def count_stale(conn: sqlite3.Connection, cluster_id: int, cutoff: int) -> int:
    """Lines confirmed before ``cutoff``."""
    return _count_between(conn, cluster_id, "c", None, cutoff)


def count_near_expiry(conn: sqlite3.Connection, cluster_id: int, now: int, until: int) -> int:
    """Lines expiring after ``now`` and before ``until``."""
    return _count_between(conn, cluster_id, "e", now + 1, until)


def count_expired(conn: sqlite3.Connection, cluster_id: int, now: int) -> int:
    return _count_between(conn, cluster_id, "e", None, now + 1)


def item_sums(conn: sqlite3.Connection, cluster_id: int) -> list[sqlite3.Row]:
    """Per (item, unit): quantity and contributor counts of every current line (stale ones included)."""
    return conn.execute(
        "SELECT norm_item, unit, quantity, contributors, private_contributors FROM stock_item_sums "
        "WHERE cluster_id = ? AND contributors > 0",
        (cluster_id,),
    ).fetchall()


def cluster_lines(conn: sqlite3.Connection, cluster_id: int) -> int:
    """All stock lines of a cluster, from the per-day confirmation counts (a few hundred rows at most)."""
    row = conn.execute(
        "SELECT COALESCE(SUM(lines), 0) FROM stock_days WHERE cluster_id = ? AND kind = 'c'", (cluster_id,)
    ).fetchone()
    return int(row[0])


# ---- holders of one item (/cari, matching) --------------------------------------------------------


def holders(conn: sqlite3.Connection, cluster_id: int, norm_item: str, fresh_after: int, now: int) -> list[sqlite3.Row]:
    """Per (region, organisation, unit): current, non-stale, unexpired quantity of one item (covering index)."""
    return conn.execute(
        "SELECT region_code, organization_id, unit, SUM(quantity) AS quantity, MAX(confirmed_at) AS confirmed_at "
        "FROM stock INDEXED BY stock_item WHERE cluster_id = ? AND norm_item = ? AND quantity > 0 AND confirmed_at >= ? "
        "AND (expires_at IS NULL OR expires_at > ?) GROUP BY region_code, organization_id, unit",
        (cluster_id, norm_item, fresh_after, now),
    ).fetchall()


def holder_lines(
    conn: sqlite3.Connection, cluster_id: int, norm_item: str, fresh_after: int, now: int, exclude_org: int
) -> list[StockLine]:
    """The individual lines of one item (for pledging from a particular warehouse)."""
    rows = conn.execute(
        f"SELECT {_LINE_COLUMNS} FROM stock INDEXED BY stock_item WHERE cluster_id = ? AND norm_item = ? AND quantity > 0 "
        "AND confirmed_at >= ? AND (expires_at IS NULL OR expires_at > ?) AND organization_id != ?",
        (cluster_id, norm_item, fresh_after, now, exclude_org),
    )
    return [line for line in map(_line, rows) if line is not None]


def orgs_public(conn: sqlite3.Connection, org_ids: Iterable[int]) -> dict[int, tuple[str, bool]]:
    """org id → (label, stock_public) for a handful of organisations."""
    ids = sorted(set(org_ids))
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT id, name, short_name, stock_public FROM organizations WHERE id IN ({marks})", ids
    ).fetchall()
    return {r["id"]: (r["short_name"] or r["name"], bool(r["stock_public"])) for r in rows}


def set_stock_public(conn: sqlite3.Connection, org_id: int, public: bool) -> None:
    """The flag and its copy in the running totals change together."""
    row = conn.execute("UPDATE organizations SET stock_public = ? WHERE id = ? RETURNING cluster_id",
                       (int(public), org_id)).fetchone()  # fmt: skip
    if row is not None:
        for table in ("stock_totals", "stock_item_totals"):
            conn.execute(
                f"UPDATE {table} SET private = ? WHERE cluster_id = ? AND organization_id = ?",
                (int(not public), row[0], org_id),
            )


# ---- reminders ------------------------------------------------------------------------------------


def first_unreminded_confirmation(conn: sqlite3.Connection, org_id: int) -> int | None:
    row = conn.execute(
        "SELECT MIN(confirmed_at) FROM stock WHERE organization_id = ? AND stale_notified = 0 AND quantity > 0",
        (org_id,),
    ).fetchone()
    return row[0] if row else None


def first_unreminded_expiry(conn: sqlite3.Connection, org_id: int) -> int | None:
    row = conn.execute(
        "SELECT MIN(expires_at) FROM stock WHERE organization_id = ? AND expiry_notified = 0 AND quantity > 0 "
        "AND expires_at IS NOT NULL",
        (org_id,),
    ).fetchone()
    return row[0] if row else None


def stale_lines(conn: sqlite3.Connection, org_id: int, cutoff: int) -> list[StockLine]:
    rows = conn.execute(
        f"SELECT {_LINE_COLUMNS} FROM stock WHERE organization_id = ? AND stale_notified = 0 AND quantity > 0 "
        "AND confirmed_at <= ? ORDER BY confirmed_at, id",
        (org_id, cutoff),
    )
    return [line for line in map(_line, rows) if line is not None]


def expiring_lines(conn: sqlite3.Connection, org_id: int, until: int) -> list[StockLine]:
    rows = conn.execute(
        f"SELECT {_LINE_COLUMNS} FROM stock WHERE organization_id = ? AND expiry_notified = 0 AND quantity > 0 "
        "AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at, id",
        (org_id, until),
    )
    return [line for line in map(_line, rows) if line is not None]


def mark_notified(conn: sqlite3.Connection, column: str, stock_ids: Iterable[int]) -> None:
    if column not in ("stale_notified", "expiry_notified"):
        raise ValueError(column)
    ids = list(stock_ids)
    if ids:
        conn.execute(f"UPDATE stock SET {column} = 1 WHERE id IN ({','.join('?' * len(ids))})", ids)


def orgs_with_stock(conn: sqlite3.Connection, cluster_id: int) -> list[int]:
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT organization_id FROM stock_totals INDEXED BY stock_totals_org WHERE cluster_id = ?",
        (cluster_id,))]  # fmt: skip


# ---- forwarded /cari requests ---------------------------------------------------------------------


def create_request(
    conn: sqlite3.Connection, cluster_id: int, user_id: int, org_id: int | None, norm_item: str, item_name: str,
    region_code: str, now: int,
) -> int:  # fmt: skip
    row = conn.execute(
        "INSERT INTO stock_requests (cluster_id, user_id, organization_id, norm_item, item_name, region_code, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (cluster_id, user_id, org_id, norm_item, item_name, region_code, now),
    ).fetchone()
    return int(row[0])


def mark_forwarded(conn: sqlite3.Connection, request_id: int, org_ids: Iterable[int], now: int) -> bool:
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


def request_by_id(conn: sqlite3.Connection, request_id: int) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute("SELECT * FROM stock_requests WHERE id = ?", (request_id,)).fetchone()
    return row


def answer_request(conn: sqlite3.Connection, request_id: int, org_id: int, user_id: int, answer: str, now: int) -> bool:
    """Compare-and-set: only an organisation that was asked, and only once."""
    return (
        conn.execute(
            "UPDATE stock_request_answers SET answer = ?, user_id = ?, answered_at = ? "
            "WHERE request_id = ? AND organization_id = ? AND answer = 'asked'",
            (answer, user_id, now, request_id, org_id),
        ).rowcount
        > 0
    )


# ---- imports --------------------------------------------------------------------------------------


def create_import(
    conn: sqlite3.Connection, cluster_id: int, user_id: int, file_name: str, rows: list[dict[str, Any]],
    error_rows: int, now: int,
) -> int:  # fmt: skip
    row = conn.execute(
        "INSERT INTO stock_imports (cluster_id, user_id, file_name, rows, valid_rows, error_rows, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (cluster_id, user_id, file_name, json.dumps(rows, ensure_ascii=False), len(rows), error_rows, now),
    ).fetchone()
    return int(row[0])


def import_by_id(conn: sqlite3.Connection, import_id: int) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute("SELECT * FROM stock_imports WHERE id = ?", (import_id,)).fetchone()
    return row


def decide_import(conn: sqlite3.Connection, import_id: int, status: str, now: int) -> bool:
    return (
        conn.execute(
            "UPDATE stock_imports SET status = ?, decided_at = ? WHERE id = ? AND status = 'pending'",
            (status, now, import_id),
        ).rowcount
        > 0
    )


# ---- pledges made from stock ----------------------------------------------------------------------


def link_pledge(conn: sqlite3.Connection, pledge_id: int, stock_id: int, org_id: int, now: int) -> None:
    conn.execute(
        "INSERT INTO stock_pledges (pledge_id, stock_id, organization_id, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        (pledge_id, stock_id, org_id, now),
    )


def stock_pledge(conn: sqlite3.Connection, pledge_id: int) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute("SELECT * FROM stock_pledges WHERE pledge_id = ?", (pledge_id,)).fetchone()
    return row


def set_stock_pledge_status(
    conn: sqlite3.Connection, pledge_id: int, from_status: str, to_status: str, now: int
) -> bool:
    return (
        conn.execute(
            "UPDATE stock_pledges SET status = ?, decided_at = ? WHERE pledge_id = ? AND status = ?",
            (to_status, now, pledge_id, from_status),
        ).rowcount
        > 0
    )


# ---- bulk loading (benchmarks) and rebuilding the running totals ----------------------------------

_DERIVED = ("stock_totals", "stock_region_sums", "stock_category_sums", "stock_category_orgs", "stock_days",
            "stock_item_totals", "stock_item_sums")  # fmt: skip
_REBUILD = (
    "INSERT INTO stock_totals (cluster_id, category, unit, organization_id, region_code, private, quantity, lines, "
    "confirmed_sum) SELECT s.cluster_id, s.category, s.unit, s.organization_id, s.region_code, o.stock_public = 0, "
    "SUM(s.quantity), COUNT(*), SUM(s.confirmed_at) FROM stock s JOIN organizations o ON o.id = s.organization_id "
    "WHERE s.cluster_id = :c GROUP BY s.category, s.unit, s.organization_id, s.region_code",
    "INSERT INTO stock_region_sums (cluster_id, region_code, category, unit, quantity, lines, confirmed_sum, "
    "contributors, private_contributors) SELECT cluster_id, region_code, category, unit, SUM(quantity), SUM(lines), "
    "SUM(confirmed_sum), COUNT(*), SUM(private) FROM stock_totals WHERE cluster_id = :c "
    "GROUP BY region_code, category, unit",
    "INSERT INTO stock_category_orgs (cluster_id, category, unit, organization_id, regions, private) "
    "SELECT cluster_id, category, unit, organization_id, COUNT(*), MAX(private) FROM stock_totals "
    "WHERE cluster_id = :c GROUP BY category, unit, organization_id",
    "INSERT INTO stock_category_sums (cluster_id, category, unit, quantity, lines, confirmed_sum, contributors, "
    "private_contributors) SELECT t.cluster_id, t.category, t.unit, SUM(t.quantity), SUM(t.lines), "
    "SUM(t.confirmed_sum), (SELECT COUNT(*) FROM stock_category_orgs g WHERE g.cluster_id = t.cluster_id "
    "AND g.category = t.category AND g.unit = t.unit), (SELECT SUM(private) FROM stock_category_orgs g "
    "WHERE g.cluster_id = t.cluster_id AND g.category = t.category AND g.unit = t.unit) FROM stock_totals t "
    "WHERE t.cluster_id = :c GROUP BY t.category, t.unit",
    "INSERT INTO stock_days (cluster_id, kind, day, lines) SELECT cluster_id, 'c', confirmed_at / 86400, COUNT(*) "
    "FROM stock WHERE cluster_id = :c GROUP BY confirmed_at / 86400",
    "INSERT INTO stock_days (cluster_id, kind, day, lines) SELECT cluster_id, 'e', expires_at / 86400, COUNT(*) "
    "FROM stock WHERE cluster_id = :c AND expires_at IS NOT NULL GROUP BY expires_at / 86400",
    "INSERT INTO stock_item_totals (cluster_id, norm_item, unit, organization_id, private, quantity, lines) "
    "SELECT s.cluster_id, s.norm_item, s.unit, s.organization_id, o.stock_public = 0, SUM(s.quantity), COUNT(*) "
    "FROM stock s JOIN organizations o ON o.id = s.organization_id WHERE s.cluster_id = :c "
    "GROUP BY s.norm_item, s.unit, s.organization_id",
    "INSERT INTO stock_item_sums (cluster_id, norm_item, unit, quantity, contributors, private_contributors) "
    "SELECT cluster_id, norm_item, unit, SUM(quantity), COUNT(*), SUM(private) FROM stock_item_totals "
    "WHERE cluster_id = :c GROUP BY norm_item, unit",
)


@contextmanager
def _triggers_set_aside(conn: sqlite3.Connection) -> Iterator[None]:
    """Drop the running-total triggers for a bulk operation and put them back (DDL is transactional in SQLite:
    inside the caller's transaction, a failure restores them with everything else)."""
    tables = ("stock", "stock_totals", "stock_item_totals", "stock_category_orgs")
    triggers = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({','.join('?' * len(tables))})",
        tables,
    ).fetchall()
    for trigger in triggers:
        conn.execute(f'DROP TRIGGER "{trigger[0]}"')
    yield
    for trigger in triggers:
        conn.execute(trigger[1])


def _rebuild(conn: sqlite3.Connection, cluster_id: int) -> None:
    for table in _DERIVED:
        conn.execute(f"DELETE FROM {table} WHERE cluster_id = ?", (cluster_id,))
    for sql in _REBUILD:
        conn.execute(sql, {"c": cluster_id})


def rebuild_totals(conn: sqlite3.Connection, cluster_id: int) -> None:
    """Recompute every running total of a cluster from its stock lines (bulk loads; repair). The triggers keep
    the same figures line by line; a property test checks that both agree."""
    with _triggers_set_aside(conn):
        _rebuild(conn, cluster_id)


def bulk_insert(conn: sqlite3.Connection, cluster_id: int, rows: Iterable[tuple[Any, ...]], now: int) -> None:
    """executemany of (organization_id, item_key, item_name, norm_item, category, quantity, unit, region_code,
    location, norm_location, expires_at, confirmed_at) inside the caller's transaction. The per-row triggers are
    set aside for the load and the running totals rebuilt once at the end: the same result, many times faster."""
    with _triggers_set_aside(conn):
        conn.executemany(
            "INSERT INTO stock (cluster_id, organization_id, item_key, item_name, norm_item, category, quantity, "
            "unit, region_code, location, norm_location, expires_at, confirmed_at, created_at, updated_at) "
            f"VALUES ({int(cluster_id)}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {int(now)}, {int(now)})",
            rows,
        )
        _rebuild(conn, cluster_id)


def explain(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> list[str]:
    """EXPLAIN QUERY PLAN details, for the comment at the top of this module and the benchmark's report."""
    return [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]


# ---- the published table (statistical disclosure control, migration 0011) ------------------------


def current_holdings(conn: sqlite3.Connection, cluster_id: int, fresh_after: int, now: int) -> list[sqlite3.Row]:
    """Per (item, kabupaten/kota, organisation, unit): current, non-stale, unexpired quantity. Read in the order
    of the covering index ``stock_item`` (no table access, no sort): 0.24 s at 200,000 rows."""
    return conn.execute(
        "SELECT norm_item, region_code, organization_id, unit, SUM(quantity) AS quantity FROM stock "
        "INDEXED BY stock_item WHERE cluster_id = ? AND quantity > 0 AND confirmed_at >= ? "
        "AND (expires_at IS NULL OR expires_at > ?) GROUP BY norm_item, region_code, organization_id, unit",
        (cluster_id, fresh_after, now),
    ).fetchall()


def free_text_items(conn: sqlite3.Connection, cluster_id: int) -> list[sqlite3.Row]:
    """Category and name of the items typed outside the catalogue (norm_item "~…"): an index range."""
    return conn.execute(
        "SELECT norm_item, MIN(category) AS category, MIN(item_name) AS item_name FROM stock INDEXED BY stock_item "
        "WHERE cluster_id = ? AND norm_item >= '~' AND norm_item < char(127) GROUP BY norm_item",
        (cluster_id,),
    ).fetchall()


def basis(conn: sqlite3.Connection, cluster_id: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT category, unit, organization_id, norm_item, region_code, quantity, closed, data_at, gone "
        "FROM published_stock_basis "
        "WHERE cluster_id = ?",
        (cluster_id,),
    ).fetchall()


def replace_basis(
    conn: sqlite3.Connection, cluster_id: int, category: str, unit: str,
    rows: Iterable[tuple[int, str, str, float, bool]], data_at: int,
    gone: Iterable[tuple[int, str, str, float]] = (),
) -> None:  # fmt: skip
    """The table's new basis: its current holdings, and (``gone``) holdings that left it, with the figure that
    was last part of a published version."""
    conn.execute("DELETE FROM published_stock_basis WHERE cluster_id = ? AND category = ? AND unit = ?",
                 (cluster_id, category, unit))  # fmt: skip
    conn.executemany(
        "INSERT INTO published_stock_basis (cluster_id, category, unit, organization_id, norm_item, region_code, "
        "quantity, closed, data_at, gone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(cluster_id, category, unit, org, item, region, q, int(c), data_at, 0) for org, item, region, q, c in rows]
        + [(cluster_id, category, unit, org, item, region, q, 0, data_at, 1) for org, item, region, q in gone],
    )


def latest_snapshot(conn: sqlite3.Connection, cluster_id: int) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM published_stock_snapshots WHERE cluster_id = ? ORDER BY snapshot DESC LIMIT 1", (cluster_id,)
    ).fetchone()
    return row


def published_rows(conn: sqlite3.Connection, cluster_id: int, snapshot: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT category, unit, level, norm_item, item_key, item_name, region_code, quantity, contributors, complete, "
        "data_at FROM published_stock WHERE cluster_id = ? AND snapshot = ?",
        (cluster_id, snapshot),
    ).fetchall()


def save_snapshot(
    conn: sqlite3.Connection, cluster_id: int, snapshot: int, now: int, meta: dict[str, Any],
    rows: Iterable[tuple[Any, ...]],
) -> None:  # fmt: skip
    """The new snapshot and its rows; earlier snapshots' rows go (their times stay in the snapshot list)."""
    conn.execute(
        "INSERT INTO published_stock_snapshots (cluster_id, snapshot, published_at, organizations, lines, stale_lines, "
        "near_expiry_lines, expired_lines, mean_age_days, stale_days, expiry_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?)",
        (cluster_id, snapshot, now, meta["organizations"], meta["lines"], meta["stale_lines"],
         meta["near_expiry_lines"], meta["expired_lines"], meta["mean_age_days"], meta["stale_days"],
         meta["expiry_days"]),
    )  # fmt: skip
    conn.execute("DELETE FROM published_stock WHERE cluster_id = ? AND snapshot < ?", (cluster_id, snapshot))
    conn.executemany(
        "INSERT INTO published_stock (cluster_id, snapshot, category, unit, level, norm_item, item_key, item_name, "
        "region_code, quantity, contributors, complete, data_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(cluster_id, snapshot, *row) for row in rows],
    )


def secretariat_flags(conn: sqlite3.Connection, org_ids: Iterable[int]) -> dict[int, tuple[str, bool]]:
    """org id → (label, whether the secretariat may see its figures)."""
    ids = sorted(set(org_ids))
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT id, name, short_name, stock_secretariat FROM organizations WHERE id IN ({marks})", ids
    ).fetchall()
    return {r["id"]: (r["short_name"] or r["name"], bool(r["stock_secretariat"])) for r in rows}


def set_stock_secretariat(conn: sqlite3.Connection, org_id: int, allowed: bool) -> None:
    conn.execute("UPDATE organizations SET stock_secretariat = ? WHERE id = ?", (int(allowed), org_id))


def own_holdings(conn: sqlite3.Connection, org_id: int, norm_items: Iterable[str], now: int) -> list[sqlite3.Row]:
    """The organisation's own unexpired lines of some items (shown to it as "your stock")."""
    items = sorted(set(norm_items))
    if not items:
        return []
    marks = ",".join("?" * len(items))
    return conn.execute(
        f"SELECT norm_item, item_key, item_name, region_code, unit, SUM(quantity) AS quantity FROM stock "
        f"WHERE organization_id = ? AND norm_item IN ({marks}) AND quantity > 0 AND (expires_at IS NULL OR "
        "expires_at > ?) GROUP BY norm_item, region_code, unit ORDER BY norm_item, region_code",
        (org_id, *items, now),
    ).fetchall()


def holders_by_org(
    conn: sqlite3.Connection, cluster_id: int, norm_items: Iterable[str], fresh_after: int, now: int
) -> list[sqlite3.Row]:
    """Per (item, organisation, kabupaten/kota, unit): for the secretariat's per-organisation view."""
    items = sorted(set(norm_items))
    if not items:
        return []
    marks = ",".join("?" * len(items))
    return conn.execute(
        f"SELECT norm_item, organization_id, region_code, unit, SUM(quantity) AS quantity, MAX(confirmed_at) AS "
        f"confirmed_at FROM stock WHERE cluster_id = ? AND norm_item IN ({marks}) AND quantity > 0 AND "
        "confirmed_at >= ? AND (expires_at IS NULL OR expires_at > ?) GROUP BY norm_item, organization_id, "
        "region_code, unit",
        (cluster_id, *items, fresh_after, now),
    ).fetchall()


def closed_orgs(conn: sqlite3.Connection, cluster_id: int) -> list[int]:
    """Organisations that do not let the secretariat see their figures."""
    return [r[0] for r in conn.execute(
        "SELECT id FROM organizations WHERE cluster_id = ? AND stock_secretariat = 0", (cluster_id,))]  # fmt: skip
