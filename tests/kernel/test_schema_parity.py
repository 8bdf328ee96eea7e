"""The two migration folders produce the same schema (docs/design-notes.md, "Two migration folders").

Without PostgreSQL only the folder check runs (every migration comes in both folders, with the same name); the
rest migrates a fresh SQLite and a fresh PostgreSQL database and compares their catalogues, then runs the same
stock and need changes through SQL on both and compares the rows the triggers keep. Run it with
``python -m tests.support.pgserver -- .venv/bin/python -m pytest -q tests/kernel/test_schema_parity.py``.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import uuid
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest

from bot.kernel.db import apply_migrations
from bot.kernel.pg_migrations import BOOLEAN_COLUMNS, apply_migrations_pg
from tests.support.pgserver import ENV
from tests.support.schema_catalog import pg_schema, sqlite_schema

NO_PG = f"PostgreSQL half skipped: {ENV} is not set (run under `python -m tests.support.pgserver -- ...`)"


def _files(folder: str) -> set[str]:
    return {e.name for e in (resources.files("bot.kernel") / folder).iterdir() if re.match(r"^\d{4}_.*\.sql$", e.name)}


def test_every_migration_comes_in_both_folders() -> None:
    sqlite_files, pg_files = _files("migrations"), _files("migrations_pg")
    assert sqlite_files, "no SQLite migrations found"
    assert sorted(sqlite_files - pg_files) == [], "SQLite migrations without their PostgreSQL twin (migrations_pg/)"
    assert sorted(pg_files - sqlite_files) == [], "PostgreSQL migrations without their SQLite twin (migrations/)"


def test_postgresql_migrations_speak_postgresql() -> None:
    sqlite_only = re.compile(
        r"WITHOUT ROWID|COLLATE\s+NOCASE|strftime|INTEGER\s+PRIMARY\s+KEY|AUTOINCREMENT|\bREAL\b|INSERT OR|PRAGMA",
        re.IGNORECASE,
    )
    for name in sorted(_files("migrations_pg")):
        sql = (resources.files("bot.kernel") / "migrations_pg" / name).read_text(encoding="utf-8")
        code = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
        assert not sqlite_only.findall(code), f"{name}: SQLite-only SQL {sqlite_only.findall(code)}"


# ---- the two fresh databases -------------------------------------------------------------------------------


@pytest.fixture
def sqlite_db() -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    apply_migrations(conn)
    yield conn
    conn.close()


@pytest.fixture
def pg_db() -> Iterator[Any]:
    admin_url = os.environ.get(ENV)
    if not admin_url:
        pytest.skip(NO_PG)
    import psycopg

    name = f"parity_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(admin_url.rsplit("/", 1)[0] + f"/{name}") as conn:
            assert apply_migrations_pg(conn)
            yield conn
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---- the catalogues ----------------------------------------------------------------------------------------


def test_same_tables_columns_keys_indexes_foreign_keys_and_triggers(sqlite_db: sqlite3.Connection, pg_db: Any) -> None:
    lite, pg = sqlite_schema(sqlite_db), pg_schema(pg_db)
    assert sorted(lite) == sorted(pg), "tables differ"
    for table in sorted(lite):
        a, b = lite[table], pg[table]
        for part in ("columns", "primary_key", "unique", "indexes", "foreign_keys", "checks", "triggers"):
            assert a[part] == b[part], f"{table}.{part}: SQLite {a[part]!r} != PostgreSQL {b[part]!r}"


def test_boolean_columns_are_the_declared_ones(sqlite_db: sqlite3.Connection, pg_db: Any) -> None:
    found = {
        (t, c) for t, c in pg_db.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type = 'boolean'"
        )
    }
    assert found == BOOLEAN_COLUMNS
    for table, column in sorted(BOOLEAN_COLUMNS):  # SQLite keeps them INTEGER 0/1
        types = {r[1]: r[2] for r in sqlite_db.execute(f"PRAGMA table_info({table})")}
        assert types[column] == "INTEGER", (table, column)


def test_migrating_again_applies_nothing(pg_db: Any) -> None:
    assert apply_migrations_pg(pg_db) == []
    rows = pg_db.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()
    assert [name for _, name in rows] == sorted(_files("migrations_pg"))


# ---- the triggers: the same changes give the same running totals ----------------------------------------------

TRIGGER_TABLES = {
    "stock_totals": "cluster_id, category, unit, organization_id, region_code",
    "stock_region_sums": "cluster_id, region_code, category, unit",
    "stock_category_sums": "cluster_id, category, unit",
    "stock_category_orgs": "cluster_id, category, unit, organization_id",
    "stock_days": "cluster_id, kind, day",
    "stock_item_totals": "cluster_id, norm_item, unit, organization_id",
    "stock_item_sums": "cluster_id, norm_item, unit",
    "status_counts": "cluster_id, kind, status",
}


class Both:
    """The same statement (``?`` placeholders) on the SQLite and the PostgreSQL database, one transaction each."""

    def __init__(self, lite: sqlite3.Connection, pg: Any) -> None:
        self.lite, self.pg = lite, pg

    def run(self, sql: str, *params: Any) -> None:
        self.lite.execute("BEGIN")
        self.lite.execute(sql, params)
        self.lite.execute("COMMIT")
        with self.pg.transaction():
            self.pg.execute(sql.replace("?", "%s"), params)

    def rows(self, table: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        sql = f"SELECT * FROM {table} ORDER BY {TRIGGER_TABLES.get(table, 'id')}"
        norm = _normalise
        return [norm(r) for r in self.lite.execute(sql)], [norm(r) for r in self.pg.execute(sql)]

    def assert_same(self, when: str) -> None:
        for table in TRIGGER_TABLES:
            lite, pg = self.rows(table)
            assert lite == pg, f"{table} after {when}"


def _normalise(row: Any) -> tuple[Any, ...]:
    return tuple(round(v, 6) if isinstance(v, float) else int(v) if isinstance(v, bool) else v for v in row)


DAY = 86400
T0 = 1_780_000_000
ITEMS = [("beras", "pangan", "kg"), ("air", "air", "l"), ("terpal", "shelter", "buah"), ("~selimut", "", "buah")]
REGIONS = ["63.01", "63.03", "", "63.71"]


def _seed(both: Both) -> None:
    for cluster in (1, 2):
        both.run("INSERT INTO clusters (id, chat_id, name, created_at) VALUES (?, ?, ?, ?)",
                 cluster, -1000 - cluster, f"Klaster {cluster}", T0)
    for org in range(1, 7):
        both.run(
            "INSERT INTO organizations (id, cluster_id, name, norm_name, type, status, stock_public, created_at) "
            "VALUES (?, ?, ?, ?, 'ngo', 'approved', ?, ?)",
            org, 1 + org % 2, f"Org {org}", f"org {org}", org % 3 == 0, T0,
        )


def _org_cluster(org: int) -> int:
    return 1 + org % 2


def _insert_stock(both: Both, rng: random.Random, line_id: int) -> None:
    org = rng.randint(1, 6)
    item, category, unit = rng.choice(ITEMS)
    expires = rng.choice([None, T0 + rng.randint(0, 60) * DAY])
    both.run(
        "INSERT INTO stock (id, cluster_id, organization_id, item_key, item_name, norm_item, category, quantity, unit, "
        "region_code, location, norm_location, expires_at, confirmed_at, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        line_id, _org_cluster(org), org, None if item.startswith("~") else item, item.strip("~"), item, category,
        rng.randint(0, 400) / 2, unit, rng.choice(REGIONS), f"gudang {line_id}", f"gudang {line_id}", expires,
        T0 - rng.randint(0, 40) * DAY - rng.randint(0, DAY), T0, T0,
    )


def _change_stock(both: Both, rng: random.Random, ids: list[int]) -> None:
    line = rng.choice(ids)
    kind = rng.randrange(8)
    if kind == 0:
        both.run("UPDATE stock SET quantity = ?, updated_at = ? WHERE id = ?", rng.randint(0, 400) / 2, T0, line)
    elif kind == 1:
        both.run("UPDATE stock SET confirmed_at = ? WHERE id = ?", T0 + rng.randint(-3, 3) * DAY // 2, line)
    elif kind == 2:
        both.run("UPDATE stock SET expires_at = ? WHERE id = ?", rng.choice([None, T0 + rng.randint(0, 9) * DAY]), line)
    elif kind == 3:
        both.run("UPDATE stock SET region_code = ? WHERE id = ?", rng.choice(REGIONS), line)
    elif kind == 4:
        item, category, unit = rng.choice(ITEMS)
        both.run("UPDATE stock SET norm_item = ?, category = ?, unit = ? WHERE id = ?", item, category, unit, line)
    elif kind == 5:  # another organisation takes the line over (its cluster with it)
        org = rng.randint(1, 6)
        both.run("UPDATE stock SET organization_id = ?, cluster_id = ?, location = ?, norm_location = ? WHERE id = ?",
                 org, _org_cluster(org), f"alih {line}", f"alih {line}", line)
    elif kind == 6:  # "still correct" for every line of one organisation: one statement, several rows
        both.run("UPDATE stock SET confirmed_at = ?, stale_notified = ? WHERE organization_id = ?",
                 T0 + rng.randint(0, 5) * DAY, False, rng.randint(1, 6))
    else:
        both.run("DELETE FROM stock WHERE id = ?", line)
        ids.remove(line)


def _set_public(both: Both, org: int, public: bool) -> None:
    """bot.features.stock.storage.search.set_stock_public: the flag and its copies in the running totals."""
    both.run("UPDATE organizations SET stock_public = ? WHERE id = ?", public, org)
    for table in ("stock_totals", "stock_item_totals"):
        both.run(f"UPDATE {table} SET private = ? WHERE cluster_id = ? AND organization_id = ?",
                 int(not public), _org_cluster(org), org)


def test_stock_triggers_keep_the_same_running_totals(sqlite_db: sqlite3.Connection, pg_db: Any) -> None:
    both = Both(sqlite_db, pg_db)
    _seed(both)
    rng = random.Random(18)
    ids: list[int] = []
    for step in range(400):
        if len(ids) < 5 or rng.random() < 0.35:
            ids.append(step + 1)
            _insert_stock(both, rng, step + 1)
        elif rng.random() < 0.05:
            _set_public(both, rng.randint(1, 6), rng.random() < 0.5)
        else:
            _change_stock(both, rng, ids)
        if step % 50 == 49:
            both.assert_same(f"step {step}")
    both.run("DELETE FROM stock WHERE organization_id IN (?, ?)", 1, 2)  # several rows, several groups at once
    both.assert_same("deleting two organisations' lines")
    lite, _ = both.rows("stock_totals")
    assert len(lite) > 10, "the run should leave a real picture to compare"
    both.run("DELETE FROM stock")
    both.assert_same("deleting every line")
    assert both.rows("stock_region_sums") == ([], [])  # nothing left over once the last line went


def test_status_count_triggers_agree(sqlite_db: sqlite3.Connection, pg_db: Any) -> None:
    both = Both(sqlite_db, pg_db)
    _seed(both)
    rng = random.Random(17)
    for n in range(1, 41):
        both.run(
            "INSERT INTO needs (id, cluster_id, number, organization_id, created_by, item_name, quantity, unit, "
            "is_exercise, created_at, updated_at) VALUES (?, ?, ?, ?, 1, 'beras', 10, 'kg', ?, ?, ?)",
            n, 1 + n % 2, n, 2 - n % 2, False, T0, T0,
        )
        both.run(
            "INSERT INTO offers (id, cluster_id, number, organization_id, created_by, item_name, quantity, unit, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, 1, 'air', 5, 'l', ?, ?)",
            n, 1 + n % 2, n, 2 - n % 2, T0, T0,
        )
    for _ in range(80):
        table, statuses = rng.choice([("needs", ("open", "fulfilled", "cancelled")),
                                      ("offers", ("open", "taken", "withdrawn"))])
        both.run(f"UPDATE {table} SET status = ?, updated_at = ? WHERE id = ?",
                 rng.choice(statuses), T0, rng.randint(1, 40))
    both.run("UPDATE needs SET status = 'cancelled' WHERE cluster_id = 1")
    both.run("DELETE FROM offers WHERE MOD(id, 3) = 0")
    both.assert_same("need and offer status changes")
    lite, _ = both.rows("status_counts")
    assert sum(r[3] for r in lite if r[1] == "need") == 40


def test_two_processes_starting_at_once_migrate_once() -> None:
    """Two runners on one fresh database at the same moment: each version is applied by exactly one of them."""
    admin_url = os.environ.get(ENV)
    if not admin_url:
        pytest.skip(NO_PG)
    import threading

    import psycopg

    name = f"parity_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    start = threading.Barrier(2)
    results: list[list[int] | BaseException] = []

    def runner() -> None:
        try:
            with psycopg.connect(url) as conn:
                start.wait()
                results.append(apply_migrations_pg(conn))
        except BaseException as error:  # reported below, in the test's thread
            results.append(error)

    try:
        threads = [threading.Thread(target=runner) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        errors = [r for r in results if isinstance(r, BaseException)]
        assert not errors, errors
        first, second = (r for r in results if not isinstance(r, BaseException))
        assert set(first).isdisjoint(second)
        assert sorted([*first, *second]) == sorted(int(f[:4]) for f in _files("migrations_pg"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
