"""The storage kernel (bot/kernel/db.py): one writer thread, a read-only reader thread, the update claim.

These drive ``Database`` directly: its contract is what every use case relies on (one transaction per write,
rolled back whole on error; one snapshot per read; the claim recorded with the first write; heavy reads on a
connection of their own that cannot write and does not hold writes back). On both engines: ``db_path`` is a
PostgreSQL URL under KLASTER_TEST_ENGINE=postgresql."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.kernel.db import (
    CHECKPOINT_EVERY,
    WRITER_AUTOCHECKPOINT_PAGES,
    Database,
    DuplicateUpdate,
    UpdateClaim,
    current_claim,
)
from tests.support.engine import database_errors

WAIT_S = 10.0  # a bound for waits across threads, never a timing assertion


@pytest.fixture
async def db(db_path: Path | str) -> AsyncIterator[Database]:
    database = Database(db_path)
    await database.open()
    await database.write(lambda c: c.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)"))
    yield database
    await database.close()


def _insert(conn: sqlite3.Connection, k: int, v: str) -> int:
    conn.execute("INSERT INTO t (k, v) VALUES (?, ?)", (k, v))
    return k


def _all(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    return [(r["k"], r["v"]) for r in conn.execute("SELECT k, v FROM t ORDER BY k")]


async def test_write_commits_and_returns_the_use_cases_result(db: Database) -> None:
    assert await db.write(_insert, 1, "a") == 1
    assert await db.read(_all) == [(1, "a")]
    assert await db.read_heavy(_all) == [(1, "a")]  # the reader sees every write that returned before


async def test_write_rolls_back_whole_on_error(db: Database) -> None:
    def half_then_fail(conn: sqlite3.Connection) -> None:
        _insert(conn, 1, "a")
        _insert(conn, 2, "b")
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        await db.write(half_then_fail)
    assert await db.read(_all) == []
    # The connection is usable afterwards (no transaction left open).
    await db.write(_insert, 3, "c")
    assert await db.read(_all) == [(3, "c")]


async def test_read_is_one_snapshot_and_writes_nothing(db: Database) -> None:
    await db.write(_insert, 1, "a")

    def sneaky(conn: sqlite3.Connection) -> int:
        _insert(conn, 2, "b")  # the writer's connection can, but a read is rolled back
        return len(_all(conn))

    assert await db.read(sneaky) == 2
    assert await db.read(_all) == [(1, "a")]


async def test_read_heavy_runs_on_a_read_only_connection(db: Database) -> None:
    with pytest.raises(database_errors(), match=r"readonly|read-only|query_only"):
        await db.read_heavy(_insert, 1, "a")
    assert await db.read(_all) == []


async def test_heavy_read_does_not_hold_a_write_back(db: Database) -> None:
    """A heavy read that waits until a write has committed: it can only finish if the write ran meanwhile on the
    other thread. Its snapshot, taken before, does not see the write."""
    await db.write(_insert, 1, "a")
    started, written = threading.Event(), threading.Event()

    def heavy(conn: sqlite3.Connection) -> tuple[list[tuple[int, str]], bool]:
        before = _all(conn)  # the snapshot starts with the first read
        started.set()
        waited = written.wait(WAIT_S)
        return before + _all(conn), waited

    reading = asyncio.create_task(db.read_heavy(heavy))
    assert await asyncio.to_thread(started.wait, WAIT_S)
    await asyncio.wait_for(db.write(_insert, 2, "b"), WAIT_S)  # would wait behind the read on one thread
    written.set()
    rows, waited = await asyncio.wait_for(reading, WAIT_S)
    assert waited, "the write did not complete while the heavy read was running"
    assert rows == [(1, "a"), (1, "a")]  # one snapshot: the concurrent write is not seen inside it
    assert await db.read_heavy(_all) == [(1, "a"), (2, "b")]


@pytest.mark.sqlite_only
async def test_memory_database_runs_heavy_reads_on_the_writer() -> None:
    database = Database(":memory:")
    await database.open()
    try:
        await database.write(lambda c: c.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)"))
        await database.write(_insert, 1, "a")
        assert await database.read_heavy(_all) == [(1, "a")]
    finally:
        await database.close()


async def test_close_and_reopen_keeps_the_data(db_path: Path | str) -> None:
    database = Database(db_path)
    await database.open()
    await database.open()  # idempotent
    await database.write(lambda c: c.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)"))
    await database.write(_insert, 1, "a")
    await database.close()
    assert not database.is_open
    with pytest.raises(RuntimeError, match="not open"):
        await database.read(_all)
    with pytest.raises(RuntimeError, match="not open"):
        await database.read_heavy(_all)
    await database.close()  # closing twice is harmless
    await database.open()
    try:
        assert database.is_open
        assert await database.read_heavy(_all) == [(1, "a")]
    finally:
        await database.close()


@pytest.mark.sqlite_only
async def test_backup_is_a_consistent_copy(db: Database, tmp_path: Path) -> None:
    await db.write(_insert, 1, "a")
    target = tmp_path / "copy.db"
    await db.backup(target)
    await db.write(_insert, 2, "b")
    conn = sqlite3.connect(target)
    try:
        assert conn.execute("SELECT k, v FROM t").fetchall() == [(1, "a")]
    finally:
        conn.close()
    assert target.stat().st_mode & 0o077 == 0


async def test_first_write_of_an_update_claims_it_once(db: Database) -> None:
    claim = UpdateClaim(update_id=42, now=1_700_000_000, armed=True)
    token = current_claim.set(claim)
    try:
        await db.write(_insert, 1, "a")
        assert claim.committed and not claim.duplicate
        await db.write(_insert, 2, "b")  # later writes of the same update do not claim again
    finally:
        current_claim.reset(token)
    rows = await db.read(lambda c: c.execute("SELECT update_id FROM processed_updates").fetchall())
    assert [r[0] for r in rows] == [42]

    again = UpdateClaim(update_id=42, now=1_700_000_001, armed=True)
    token = current_claim.set(again)
    try:
        with pytest.raises(DuplicateUpdate):
            await db.write(_insert, 3, "c")
        assert again.duplicate and not again.committed
        await db.write(_insert, 4, "d")  # once known as a duplicate, writes run unclaimed
    finally:
        current_claim.reset(token)
    assert [k for k, _ in await db.read(_all)] == [1, 2, 4]  # the duplicate's effect was rolled back


async def test_a_failed_claimed_write_leaves_the_update_unclaimed(db: Database) -> None:
    claim = UpdateClaim(update_id=7, now=1_700_000_000, armed=True)
    token = current_claim.set(claim)

    def fail(conn: sqlite3.Connection) -> None:
        raise ValueError("boom")

    try:
        with pytest.raises(ValueError):
            await db.write(fail)
        assert not claim.committed and not claim.in_flight
        await db.write_unclaimed(_insert, 1, "a")  # bookkeeping never claims
        assert not claim.committed
        await db.write(_insert, 2, "b")
        assert claim.committed
    finally:
        current_claim.reset(token)
    rows = await db.read(lambda c: c.execute("SELECT update_id FROM processed_updates").fetchall())
    assert [r[0] for r in rows] == [7]


async def test_an_unarmed_claim_does_not_claim(db: Database) -> None:
    token = current_claim.set(UpdateClaim(update_id=9, now=1_700_000_000))
    try:
        await db.write(_insert, 1, "a")
    finally:
        current_claim.reset(token)
    assert await db.read(lambda c: c.execute("SELECT COUNT(*) FROM processed_updates").fetchone()[0]) == 0


async def test_handoffs_are_counted_per_call(db: Database) -> None:
    before = db.handoffs
    await db.write(_insert, 1, "a")
    await db.read(_all)
    await db.read_heavy(_all)
    assert db.handoffs - before == 3


async def test_two_databases_on_one_store_claim_an_update_once(db: Database, db_path: Path | str) -> None:
    """Two ``Database`` objects on one database (two bot processes, or a webhook retry reaching another instance):
    while the first holds its claimed transaction open, the second's claim of the same update waits for it and
    then finds the update processed, so its effects are rolled back: one effect, on either engine."""
    other = Database(db_path)
    await other.open()
    inside, release = threading.Event(), threading.Event()

    def slow_insert(conn: sqlite3.Connection, k: int) -> int:
        _insert(conn, k, "first")
        inside.set()
        assert release.wait(WAIT_S)
        return k

    async def claimed(database: Database, fn: object, *args: object) -> UpdateClaim:
        claim = UpdateClaim(update_id=77, now=1_700_000_000, armed=True)
        token = current_claim.set(claim)
        try:
            await database.write(fn, *args)  # type: ignore[arg-type]
        except DuplicateUpdate:
            pass
        finally:
            current_claim.reset(token)
        return claim

    try:
        first = asyncio.create_task(claimed(db, slow_insert, 1))
        assert await asyncio.to_thread(inside.wait, WAIT_S)
        second = asyncio.create_task(claimed(other, _insert, 2, "second"))
        await asyncio.sleep(0)
        release.set()
        a, b = await asyncio.wait_for(asyncio.gather(first, second), WAIT_S)
    finally:
        release.set()
        await other.close()
    assert (a.committed, b.committed, b.duplicate) == (True, False, True)
    assert await db.read(_all) == [(1, "first")]


@pytest.mark.sqlite_only
async def test_the_wal_is_checkpointed_off_the_writer_and_stays_bounded(tmp_path: Path) -> None:
    """SQLite's automatic checkpoint ran inside the commit that crossed ~1,000 WAL pages, on the writer thread (that
    write took 15-25 ms: the writes' p99). The writer's now only bounds a WAL that writes without a pause never let
    the checkpointer finish; the checkpointer's own connection copies the WAL back every CHECKPOINT_EVERY writes, so
    with the pauses a bot's writes have the WAL stays small, and what was written is in the database file."""
    path = tmp_path / "wal.db"
    db = Database(path)
    await db.open()
    try:
        limit = await db.read(lambda c: c.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
        assert limit == WRITER_AUTOCHECKPOINT_PAGES
        await db.write(lambda c: c.execute("CREATE TABLE blobs (k INTEGER PRIMARY KEY, v BLOB NOT NULL)"))
        for k in range(1_000):  # each write ~5 pages of 4 KiB: ~19 MB of WAL if nobody checkpointed
            await db.write(lambda c, k=k: c.execute("INSERT INTO blobs VALUES (?, ?)", (k, bytes(4096))))
            if k % CHECKPOINT_EVERY == CHECKPOINT_EVERY - 1:
                await db.checkpoint()  # a pause: the checkpoint started by the last writes finishes
        assert db.checkpoints >= 1_000 // CHECKPOINT_EVERY
        wal = Path(f"{path}-wal")
        assert wal.stat().st_size < 6_000_000, wal.stat().st_size  # about two rounds of CHECKPOINT_EVERY writes
    finally:
        await db.close()
    copy = tmp_path / "copy.db"  # the database file alone (no WAL) holds every row after the close's checkpoint
    copy.write_bytes(path.read_bytes())
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT COUNT(*) FROM blobs").fetchone() == (1_000,)
