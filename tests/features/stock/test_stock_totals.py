"""The running totals the cluster picture reads stay equal to a recomputation from the stock lines, whatever
sequence of reports, replacements, adjustments, removals, confirmations and privacy changes happened."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.features.stock import service as svc
from bot.features.stock import storage as repo
from bot.kernel.db import apply_migrations, open_sync

ITEMS = [("beras", "Beras", "pangan", "kg"), ("terpal", "Terpal", "hunian", "lembar"), (None, "Kapal", "", "unit")]
REGIONS = ["63.71", "63.72", "63.06"]
DAY = 86400
START = 1_756_000_000


@contextmanager
def database() -> Iterator[sqlite3.Connection]:
    conn = open_sync(":memory:")
    apply_migrations(conn)
    conn.execute("INSERT INTO clusters (id, chat_id, name, created_at) VALUES (1, -1, 'K', 0)")
    for org in (1, 2, 3):
        conn.execute("INSERT INTO organizations (id, cluster_id, name, norm_name, type, status, created_at) "
                     "VALUES (?, 1, ?, ?, 'ngo', 'approved', 0)", (org, f"Org {org}", f"org {org}"))  # fmt: skip
    try:
        yield conn
    finally:
        conn.close()


operation = st.one_of(
    st.tuples(st.just("report"), st.integers(1, 3), st.integers(0, 2), st.integers(0, 2), st.integers(0, 2),
              st.integers(0, 5000), st.one_of(st.none(), st.integers(-40, 400))),
    st.tuples(st.sampled_from(["add", "subtract", "empty", "remove", "confirm"]), st.integers(1, 3),
              st.integers(1, 12), st.integers(1, 900)),
    st.tuples(st.just("public"), st.integers(1, 3), st.booleans()),
    st.tuples(st.just("wait"), st.integers(0, 40)),
)  # fmt: skip


def _apply(conn: sqlite3.Connection, op: tuple[object, ...], now: int) -> None:
    conn.execute("BEGIN")
    kind = op[0]
    if kind == "report":
        _, org, item, region, place, amount, expiry = op
        key, name, category, unit = ITEMS[int(item)]  # type: ignore[call-overload]
        draft = svc.StockDraft(key, name, category, float(amount), unit, REGIONS[int(region)],  # type: ignore[call-overload]
                               f"Gudang {place}", now + int(expiry) * DAY if expiry is not None else None)  # type: ignore[call-overload]  # fmt: skip
        svc.report(conn, 1, int(org), None, [(1, draft)], now)  # type: ignore[call-overload]
    elif kind == "public":
        repo.set_stock_public(conn, int(op[1]), bool(op[2]))  # type: ignore[call-overload]
    elif kind != "wait":
        _, org, stock_id, amount = op
        svc.adjust(conn, int(org), int(stock_id), str(kind), float(amount), 7, now)  # type: ignore[call-overload]
    conn.execute("COMMIT")


def _recomputed(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return [
        tuple(row)
        for row in conn.execute(
            "SELECT s.cluster_id, s.category, s.unit, s.organization_id, s.region_code, o.stock_public = 0, "
            "ROUND(SUM(s.quantity), 6), COUNT(*), SUM(s.confirmed_at) FROM stock s "
            "JOIN organizations o ON o.id = s.organization_id GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"
        )
    ]


def _maintained(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return [
        tuple(row)
        for row in conn.execute(
            "SELECT cluster_id, category, unit, organization_id, region_code, private, ROUND(quantity, 6), lines, "
            "confirmed_sum FROM stock_totals ORDER BY 1, 2, 3, 4, 5"
        )
    ]


def _snapshot(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    """Every derived table, quantities rounded (the triggers add and subtract floats), zero-line days dropped."""
    out = {}
    for table in ("stock_totals", "stock_region_sums", "stock_category_sums", "stock_category_orgs",
                  "stock_item_totals", "stock_item_sums"):  # fmt: skip
        rows = conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4").fetchall()
        out[table] = [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows]
    out["stock_days"] = [tuple(r) for r in conn.execute("SELECT * FROM stock_days WHERE lines > 0 ORDER BY 1, 2, 3")]
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, max_size=40), st.integers(0, 80))
def test_running_totals_equal_a_recomputation(ops: list[tuple[object, ...]], probe_days: int) -> None:
    with database() as conn:
        now = START
        for op in ops:
            if op[0] == "wait":
                now += int(op[1]) * DAY // 2  # type: ignore[call-overload]
            _apply(conn, op, now)
        assert _maintained(conn) == _recomputed(conn)
        kept = _snapshot(conn)
        conn.execute("BEGIN")
        repo.rebuild_totals(conn, 1)
        conn.execute("COMMIT")
        assert _snapshot(conn) == kept  # triggers line by line == one recomputation
        assert [tuple(r) for r in conn.execute(
            "SELECT norm_item, unit, ROUND(quantity, 6), contributors, private_contributors FROM stock_item_sums "
            "ORDER BY 1, 2")] == [tuple(r) for r in conn.execute(
            "SELECT s.norm_item, s.unit, ROUND(SUM(s.quantity), 6), COUNT(DISTINCT s.organization_id), "
            "COUNT(DISTINCT CASE WHEN o.stock_public = 0 THEN s.organization_id END) FROM stock s "
            "JOIN organizations o ON o.id = s.organization_id GROUP BY 1, 2 ORDER BY 1, 2")]  # fmt: skip
        probe = START + probe_days * DAY + 3600
        assert repo.count_stale(conn, 1, probe) == conn.execute(
            "SELECT COUNT(*) FROM stock WHERE confirmed_at < ?", (probe,)).fetchone()[0]  # fmt: skip
        assert (
            repo.count_near_expiry(conn, 1, probe, probe + 30 * DAY)
            == conn.execute(
                "SELECT COUNT(*) FROM stock WHERE expires_at > ? AND expires_at < ?", (probe, probe + 30 * DAY)
            ).fetchone()[0]
        )
        assert repo.count_expired(conn, 1, probe) == conn.execute(
            "SELECT COUNT(*) FROM stock WHERE expires_at <= ?", (probe,)).fetchone()[0]  # fmt: skip
        totals = svc.cluster_totals(conn, 1, now)
        assert totals.lines == conn.execute("SELECT COUNT(*) FROM stock").fetchone()[0]
        for row in totals.by_region:
            private = conn.execute(
                "SELECT COUNT(DISTINCT s.organization_id) FROM stock s JOIN organizations o ON o.id = s.organization_id "
                "WHERE s.region_code = ? AND s.category = ? AND s.unit = ? AND o.stock_public = 0",
                (row.region_code, row.category, row.unit),
            ).fetchone()[0]
            assert (row.quantity is None) == (private == 1), row  # one private contributor is never exposed
