"""The PostgreSQL adapter (bot/kernel/pg_adapter.py): ``?`` placeholders, rows like sqlite3.Row, numeric results.

The translation is checked without a server; the rest runs on PostgreSQL only (KLASTER_TEST_ENGINE=postgresql)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.kernel.pg_adapter import PgConn, translate
from bot.kernel.sql import is_postgresql
from tests.support import engine


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT ? , ?", "SELECT %s , %s"),
        ("SELECT '?' || ?", "SELECT '?' || %s"),
        ("SELECT 'it''s ?', ?", "SELECT 'it''s ?', %s"),
        ('SELECT "odd?col" FROM t WHERE a = ?', 'SELECT "odd?col" FROM t WHERE a = %s'),
        ("SELECT x FROM t WHERE y LIKE '%' || ? || '%'", "SELECT x FROM t WHERE y LIKE '%%' || %s || '%%'"),
        ("SELECT 5 % 3, ?", "SELECT 5 %% 3, %s"),
        ("SELECT ? -- why?\n, ?", "SELECT %s -- why?\n, %s"),
        ("SELECT /* a? */ ?", "SELECT /* a? */ %s"),
        ("SELECT 1", "SELECT 1"),
    ],
)
def test_translate_turns_qmarks_outside_quotes_into_psycopg_placeholders(sql: str, expected: str) -> None:
    assert translate(sql) == expected


pg = pytest.mark.skipif(not engine.on_postgresql(), reason="needs KLASTER_TEST_ENGINE=postgresql")


@pytest.fixture
def conn() -> Iterator[PgConn]:
    url = engine.create_database(migrated=False)
    c = PgConn(url)
    try:
        yield c
    finally:
        c.close()
        engine.drop_database(url)


@pg
def test_rows_behave_like_sqlite_rows(conn: PgConn) -> None:
    assert is_postgresql(conn)
    conn.execute("CREATE TABLE t (k BIGINT PRIMARY KEY, v TEXT NOT NULL)")
    conn.executemany("INSERT INTO t (k, v) VALUES (?, ?)", [(1, "a%"), (2, "b?")])
    row = conn.execute("SELECT k, v FROM t WHERE v LIKE '%' || ? ORDER BY k", ("%",)).fetchone()
    assert row is not None
    assert (row[0], row["k"], row[1], row["v"]) == (1, 1, "a%", "a%")
    assert row.keys() == ["k", "v"]
    assert dict(row) == {"k": 1, "v": "a%"}
    assert tuple(row) == (1, "a%")
    assert [r["v"] for r in conn.execute("SELECT v FROM t ORDER BY k")] == ["a%", "b?"]
    with pytest.raises(IndexError):
        row["nope"]


@pg
def test_rowcount_and_numeric_results_as_sqlite_gives_them(conn: PgConn) -> None:
    conn.execute("CREATE TABLE t (k BIGINT PRIMARY KEY, q BIGINT NOT NULL)")
    conn.executemany("INSERT INTO t (k, q) VALUES (?, ?)", [(1, 10), (2, 5), (3, 1)])
    assert conn.execute("UPDATE t SET q = q + 1 WHERE k > ?", (1,)).rowcount == 2
    total, half = conn.execute("SELECT SUM(q), ROUND(AVG(q), 1) FROM t").fetchone()
    assert (total, type(total)) == (18, int)  # SUM over BIGINT is numeric on PostgreSQL: an int here, as on SQLite
    assert (half, type(half)) == (6.0, float)  # ROUND(…, 1): a float, as on SQLite
    assert conn.execute("SELECT k FROM t WHERE k = ?", (9,)).fetchone() is None


@pg
async def test_a_session_the_server_ended_is_replaced_before_the_next_use_case(db_path: str) -> None:
    from bot.kernel.db import Database

    database = Database(db_path)
    await database.open()
    try:
        await database.write(lambda c: c.execute("CREATE TABLE t (k BIGINT PRIMARY KEY)"))
        admin = PgConn(engine.admin_url())
        try:  # what a server restart or an administrator does to every session of the database
            name = db_path.rsplit("/", 1)[1]
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ?", (name,))
        finally:
            admin.close()
        await database.write(lambda c: c.execute("INSERT INTO t (k) VALUES (1)"))
        assert await database.read_heavy(lambda c: [r[0] for r in c.execute("SELECT k FROM t")]) == [1]
    finally:
        await database.close()
