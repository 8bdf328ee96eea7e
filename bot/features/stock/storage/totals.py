"""The running totals the triggers keep (never the million rows), bulk loading and rebuilding them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from bot.kernel import sql
from bot.kernel.sql import Conn, Row

# ---- totals (read the running totals, never the million rows) -------------------------------------


def totals_by_category(conn: Conn, cluster_id: int) -> list[Row]:
    """Per (category, unit): the trigger-kept sums (a few dozen rows), contributors counted once per organisation."""
    return conn.execute(
        "SELECT category, unit, quantity, lines, contributors, private_contributors, confirmed_sum "
        "FROM stock_category_sums WHERE cluster_id = ? AND contributors > 0",
        (cluster_id,),
    ).fetchall()


def totals_by_region(conn: Conn, cluster_id: int) -> list[Row]:
    """Per (kabupaten/kota, category, unit): the trigger-kept sums (at most regions × categories × units rows)."""
    return conn.execute(
        "SELECT region_code, category, unit, quantity, lines, contributors, private_contributors, confirmed_sum "
        "FROM stock_region_sums WHERE cluster_id = ? AND contributors > 0",
        (cluster_id,),
    ).fetchall()


def contributing_orgs(conn: Conn, cluster_id: int) -> int:
    """Organisations with at least one stock line: one index probe per organisation of the cluster."""
    return int(conn.execute(
        "SELECT COUNT(*) FROM organizations o WHERE o.cluster_id = ? AND EXISTS (SELECT 1 FROM stock_totals t "
        f"{sql.indexed_by(conn, 'stock_totals_org')} WHERE t.cluster_id = o.cluster_id AND t.organization_id = o.id)",
        (cluster_id,),
    ).fetchone()[0])  # fmt: skip


_DAY = 86400


def _count_exact(conn: Conn, cluster_id: int, kind: str, lo: int, hi: int) -> int:
    column, index = ("confirmed_at", "stock_confirmed") if kind == "c" else ("expires_at", "stock_expiry")
    if lo >= hi:
        return 0
    return int(conn.execute(
        f"SELECT COUNT(*) FROM stock {sql.indexed_by(conn, index)} WHERE cluster_id = ? AND {column} >= ? "
        f"AND {column} < ?",
        (cluster_id, lo, hi),
    ).fetchone()[0])  # fmt: skip


def _count_between(conn: Conn, cluster_id: int, kind: str, lo: int | None, hi: int) -> int:
    """Lines with lo <= column < hi (no lower bound when lo is None), exact: whole days summed from
    ``stock_days``, the partial days at the edges counted through the column's index."""
    hi_day = hi // _DAY
    lo_day = None if lo is None else -(-lo // _DAY)
    if lo is not None and lo_day is not None and lo_day >= hi_day:
        return _count_exact(conn, cluster_id, kind, lo, hi)
    query = "SELECT COALESCE(SUM(lines), 0) FROM stock_days WHERE cluster_id = ? AND kind = ? AND day < ?"
    params: list[Any] = [cluster_id, kind, hi_day]
    if lo_day is not None:
        query += " AND day >= ?"
        params.append(lo_day)
    total = int(conn.execute(query, params).fetchone()[0]) + _count_exact(conn, cluster_id, kind, hi_day * _DAY, hi)
    if lo is not None and lo_day is not None:
        total += _count_exact(conn, cluster_id, kind, lo, lo_day * _DAY)
    return total


def count_stale(conn: Conn, cluster_id: int, cutoff: int) -> int:
    """Lines confirmed before ``cutoff``."""
    return _count_between(conn, cluster_id, "c", None, cutoff)


def count_near_expiry(conn: Conn, cluster_id: int, now: int, until: int) -> int:
    """Lines expiring after ``now`` and before ``until``."""
    return _count_between(conn, cluster_id, "e", now + 1, until)


def count_expired(conn: Conn, cluster_id: int, now: int) -> int:
    return _count_between(conn, cluster_id, "e", None, now + 1)


def item_sums(conn: Conn, cluster_id: int) -> list[Row]:
    """Per (item, unit): quantity and contributor counts of every current line (stale ones included)."""
    return conn.execute(
        "SELECT norm_item, unit, quantity, contributors, private_contributors FROM stock_item_sums "
        "WHERE cluster_id = ? AND contributors > 0",
        (cluster_id,),
    ).fetchall()


def cluster_lines(conn: Conn, cluster_id: int) -> int:
    """All stock lines of a cluster, from the per-day confirmation counts (a few hundred rows at most)."""
    row = conn.execute(
        "SELECT COALESCE(SUM(lines), 0) FROM stock_days WHERE cluster_id = ? AND kind = 'c'", (cluster_id,)
    ).fetchone()
    return int(row[0])


# ---- bulk loading (benchmarks) and rebuilding the running totals ----------------------------------

_DERIVED = ("stock_totals", "stock_region_sums", "stock_category_sums", "stock_category_orgs", "stock_days",
            "stock_item_totals", "stock_item_sums")  # fmt: skip
# ``private`` in the running totals is a 0/1 count (it is summed into private_contributors), not a flag.
_PRIVATE = "CASE WHEN o.stock_public THEN 0 ELSE 1 END"
_REBUILD = (
    "INSERT INTO stock_totals (cluster_id, category, unit, organization_id, region_code, private, quantity, lines, "
    f"confirmed_sum) SELECT s.cluster_id, s.category, s.unit, s.organization_id, s.region_code, {_PRIVATE}, "
    "SUM(s.quantity), COUNT(*), SUM(s.confirmed_at) FROM stock s JOIN organizations o ON o.id = s.organization_id "
    "WHERE s.cluster_id = ? GROUP BY s.cluster_id, s.category, s.unit, s.organization_id, s.region_code, "
    "o.stock_public",
    "INSERT INTO stock_region_sums (cluster_id, region_code, category, unit, quantity, lines, confirmed_sum, "
    "contributors, private_contributors) SELECT cluster_id, region_code, category, unit, SUM(quantity), SUM(lines), "
    "SUM(confirmed_sum), COUNT(*), SUM(private) FROM stock_totals WHERE cluster_id = ? "
    "GROUP BY cluster_id, region_code, category, unit",
    "INSERT INTO stock_category_orgs (cluster_id, category, unit, organization_id, regions, private) "
    "SELECT cluster_id, category, unit, organization_id, COUNT(*), MAX(private) FROM stock_totals "
    "WHERE cluster_id = ? GROUP BY cluster_id, category, unit, organization_id",
    "INSERT INTO stock_category_sums (cluster_id, category, unit, quantity, lines, confirmed_sum, contributors, "
    "private_contributors) SELECT t.cluster_id, t.category, t.unit, SUM(t.quantity), SUM(t.lines), "
    "SUM(t.confirmed_sum), (SELECT COUNT(*) FROM stock_category_orgs g WHERE g.cluster_id = t.cluster_id "
    "AND g.category = t.category AND g.unit = t.unit), (SELECT SUM(private) FROM stock_category_orgs g "
    "WHERE g.cluster_id = t.cluster_id AND g.category = t.category AND g.unit = t.unit) FROM stock_totals t "
    "WHERE t.cluster_id = ? GROUP BY t.cluster_id, t.category, t.unit",
    "INSERT INTO stock_days (cluster_id, kind, day, lines) SELECT cluster_id, 'c', confirmed_at / 86400, COUNT(*) "
    "FROM stock WHERE cluster_id = ? GROUP BY cluster_id, confirmed_at / 86400",
    "INSERT INTO stock_days (cluster_id, kind, day, lines) SELECT cluster_id, 'e', expires_at / 86400, COUNT(*) "
    "FROM stock WHERE cluster_id = ? AND expires_at IS NOT NULL GROUP BY cluster_id, expires_at / 86400",
    "INSERT INTO stock_item_totals (cluster_id, norm_item, unit, organization_id, private, quantity, lines) "
    f"SELECT s.cluster_id, s.norm_item, s.unit, s.organization_id, {_PRIVATE}, SUM(s.quantity), COUNT(*) "
    "FROM stock s JOIN organizations o ON o.id = s.organization_id WHERE s.cluster_id = ? "
    "GROUP BY s.cluster_id, s.norm_item, s.unit, s.organization_id, o.stock_public",
    "INSERT INTO stock_item_sums (cluster_id, norm_item, unit, quantity, contributors, private_contributors) "
    "SELECT cluster_id, norm_item, unit, SUM(quantity), COUNT(*), SUM(private) FROM stock_item_totals "
    "WHERE cluster_id = ? GROUP BY cluster_id, norm_item, unit",
)
_TRIGGER_TABLES = ("stock", "stock_totals", "stock_item_totals", "stock_category_orgs")


@contextmanager
def _triggers_set_aside(conn: Conn) -> Iterator[None]:
    """Set the running-total triggers aside for a bulk operation and put them back. DDL is transactional on both
    engines: inside the caller's transaction, a failure restores them with everything else. SQLite has no way to
    disable a trigger, so they are dropped and created again from their stored SQL; PostgreSQL disables them."""
    if sql.is_postgresql(conn):
        for table in _TRIGGER_TABLES:
            conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        yield
        for table in _TRIGGER_TABLES:
            conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        return
    marks = ",".join("?" * len(_TRIGGER_TABLES))
    triggers = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({marks})",
        _TRIGGER_TABLES,
    ).fetchall()
    for trigger in triggers:
        conn.execute(f'DROP TRIGGER "{trigger[0]}"')
    yield
    for trigger in triggers:
        conn.execute(trigger[1])


def _rebuild(conn: Conn, cluster_id: int) -> None:
    for table in _DERIVED:
        conn.execute(f"DELETE FROM {table} WHERE cluster_id = ?", (cluster_id,))
    for statement in _REBUILD:
        conn.execute(statement, (cluster_id,))


def rebuild_totals(conn: Conn, cluster_id: int) -> None:
    """Recompute every running total of a cluster from its stock lines (bulk loads; repair). The triggers keep
    the same figures line by line; a property test checks that both agree."""
    with _triggers_set_aside(conn):
        _rebuild(conn, cluster_id)


def bulk_insert(conn: Conn, cluster_id: int, rows: Iterable[tuple[Any, ...]], now: int) -> None:
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


def explain(conn: Conn, query: str, params: tuple[Any, ...]) -> list[str]:
    """The plan's lines, for the comment at the top of this module and the benchmark's report: SQLite's
    ``EXPLAIN QUERY PLAN`` details, PostgreSQL's ``EXPLAIN`` text."""
    if sql.is_postgresql(conn):
        return [str(row[0]) for row in conn.execute("EXPLAIN " + query, params)]
    return [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + query, params)]
