"""The summary's running totals (migration 0014): ``status_counts`` always equals a count over the rows.

The summary shows open and fulfilled needs and open offers from these totals instead of counting the history, so
every way a row changes (insert, status change, move between clusters, delete, a cluster's cascade) must keep
them equal to ``COUNT(*) … GROUP BY``; and a database from before 0014 gets them filled from its rows."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from bot.features.sitrep import storage as sitrep_repo
from bot.kernel import db as db_module
from bot.kernel.db import apply_migrations, open_sync

NOW = 1_756_000_000


def _setup(conn: sqlite3.Connection, clusters: int = 2) -> list[int]:
    ids = []
    for n in range(clusters):
        cid = conn.execute(
            "INSERT INTO clusters (chat_id, name, created_at) VALUES (?, ?, ?) RETURNING id", (-1000 - n, f"K{n}", NOW)
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO organizations (cluster_id, name, norm_name, type, status, created_at) "
            "VALUES (?, 'Org', 'org', 'ngo', 'approved', ?)",
            (cid, NOW),
        )
        ids.append(int(cid))
    return ids


def _org(conn: sqlite3.Connection, cluster_id: int) -> int:
    return int(conn.execute("SELECT id FROM organizations WHERE cluster_id = ?", (cluster_id,)).fetchone()[0])


def _insert_need(conn: sqlite3.Connection, cluster_id: int, number: int, status: str) -> None:
    conn.execute(
        "INSERT INTO needs (cluster_id, number, organization_id, created_by, item_key, item_name, category, quantity, "
        "unit, region_code, priority, status, created_at, updated_at) "
        "VALUES (?, ?, ?, 1, 'beras', 'Beras', 'pangan', 10, 'kg', '63.06', 2, ?, ?, ?)",
        (cluster_id, number, _org(conn, cluster_id), status, NOW, NOW),
    )


def _insert_offer(conn: sqlite3.Connection, cluster_id: int, number: int, status: str) -> None:
    conn.execute(
        "INSERT INTO offers (cluster_id, number, organization_id, created_by, item_key, item_name, category, "
        "quantity, unit, region_code, status, created_at, updated_at) "
        "VALUES (?, ?, ?, 1, 'beras', 'Beras', 'pangan', 10, 'kg', '63.06', ?, ?, ?)",
        (cluster_id, number, _org(conn, cluster_id), status, NOW, NOW),
    )


def _kept(conn: sqlite3.Connection) -> dict[tuple[int, str, str], int]:
    return {(r[0], r[1], r[2]): r[3] for r in conn.execute("SELECT * FROM status_counts") if r[3]}


def _counted(conn: sqlite3.Connection) -> dict[tuple[int, str, str], int]:
    out = {(r[0], "need", r[1]): r[2] for r in conn.execute(
        "SELECT cluster_id, status, COUNT(*) FROM needs GROUP BY 1, 2")}  # fmt: skip
    out.update({(r[0], "offer", r[1]): r[2] for r in conn.execute(
        "SELECT cluster_id, status, COUNT(*) FROM offers GROUP BY 1, 2")})  # fmt: skip
    return out


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    connection = open_sync(tmp_path / "counts.db")
    apply_migrations(connection)
    return connection


def test_running_totals_follow_every_change(conn: sqlite3.Connection) -> None:
    rng = random.Random(11)
    clusters = _setup(conn)
    need_status, offer_status = ("open", "fulfilled", "cancelled"), ("open", "taken", "withdrawn")
    number = 0
    for _ in range(400):
        op = rng.random()
        table, statuses = rng.choice((("needs", need_status), ("offers", offer_status)))
        ids = [r[0] for r in conn.execute(f"SELECT id FROM {table}")]
        if op < 0.4 or not ids:
            number += 1
            insert = _insert_need if table == "needs" else _insert_offer
            insert(conn, rng.choice(clusters), number, rng.choice(statuses))
        elif op < 0.75:
            conn.execute(f"UPDATE {table} SET status = ? WHERE id = ?", (rng.choice(statuses), rng.choice(ids)))
        elif op < 0.85:
            conn.execute(f"UPDATE {table} SET quantity = quantity + 1 WHERE id = ?", (rng.choice(ids),))
        else:
            conn.execute(f"DELETE FROM {table} WHERE id = ?", (rng.choice(ids),))
        assert _kept(conn) == _counted(conn)
    for cid in clusters:
        row = sitrep_repo.counts(conn, cid)
        assert row["open_needs"] == _counted(conn).get((cid, "need", "open"), 0)
        assert row["fulfilled_needs"] == _counted(conn).get((cid, "need", "fulfilled"), 0)
        assert row["open_offers"] == _counted(conn).get((cid, "offer", "open"), 0)


def test_a_cluster_without_needs_counts_zero(conn: sqlite3.Connection) -> None:
    (cid,) = _setup(conn, 1)
    row = sitrep_repo.counts(conn, cid)
    assert (row["open_needs"], row["fulfilled_needs"], row["open_offers"]) == (0, 0, 0)


def test_migration_fills_the_totals_from_existing_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    every = db_module.migrations()
    before = [m for m in every if m[0] < 14]
    conn = open_sync(tmp_path / "old.db")
    monkeypatch.setattr(db_module, "migrations", lambda: before)
    apply_migrations(conn)
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'status_counts'").fetchone() is None
    clusters = _setup(conn)
    for n, status in enumerate(("open", "open", "fulfilled", "cancelled", "open")):
        _insert_need(conn, clusters[n % 2], n + 1, status)
    _insert_offer(conn, clusters[0], 1, "open")
    _insert_offer(conn, clusters[0], 2, "taken")
    monkeypatch.setattr(db_module, "migrations", lambda: every)
    assert 14 in apply_migrations(conn)
    assert _kept(conn) == _counted(conn)
    _insert_need(conn, clusters[1], 9, "open")  # and keeps them from then on
    assert _kept(conn) == _counted(conn)


def test_summary_reads_open_items_from_the_partial_indexes(conn: sqlite3.Connection) -> None:
    """Each aggregate of the summary reads an index that holds open rows only (no full scan, no closed rows)."""
    (cid,) = _setup(conn, 1)
    plans = []
    for fn in (sitrep_repo.open_needs_by_region, sitrep_repo.coverage_by_category, sitrep_repo.needs_by_item):
        traced: list[str] = []
        conn.set_trace_callback(traced.append)
        fn(conn, cid)
        conn.set_trace_callback(None)
        plan = " ".join(str(tuple(r)) for r in conn.execute("EXPLAIN QUERY PLAN " + traced[-1]))
        plans.append(plan)
    assert "needs_open_region" in plans[0]
    assert "needs_open_category" in plans[1]
    assert "needs_open_item" in plans[2]
