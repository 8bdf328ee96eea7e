"""The SQLite connection: pragmas, migrations, and one worker hand-off per use case.

Every aiosqlite call is a hop to its worker thread and back (about 0.2 ms), while the SQL of a
typical use case costs tens of microseconds. So instead of awaiting statement by statement, a use
case is a plain function ``fn(conn, ...)`` that runs *whole* on aiosqlite's worker thread inside one
transaction: one hand-off, one commit, and the caller only hears back after the commit.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

log = logging.getLogger(__name__)
T = TypeVar("T")

_MIGRATION_RE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def _configure(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode survives process crashes (SIGKILL) without losing committed transactions;
    # only an OS crash/power loss could drop the last commits. FULL costs an fsync per commit.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=5000")
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.execute("PRAGMA cache_size=-16000")


def migrations() -> list[tuple[int, str, str]]:
    """Numbered migrations shipped with the package, in order: (version, name, sql)."""
    found = []
    folder = resources.files("bot.storage") / "migrations"
    for entry in folder.iterdir():
        match = _MIGRATION_RE.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if versions != list(range(1, len(versions) + 1)):
        raise RuntimeError(f"migrations must be numbered 0001.. without gaps, found {versions}")
    return found


def apply_migrations(conn: sqlite3.Connection) -> list[int]:
    """Apply pending migrations, each in its own transaction; idempotent. Returns applied versions."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    applied = []
    for version, name, sql in migrations():
        if version <= current:
            continue
        try:
            conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;")
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            log.exception("migration %s failed", name)
            raise
        applied.append(version)
        log.info("applied migration %s", name)
    return applied


@dataclass
class UpdateClaim:
    """The update being processed in this task. The first write of its processing also records it in
    ``processed_updates`` (and removes it from the inbox) in the same transaction as its effects, so an update is
    either done with its effects or not done at all: a crash at any point gives exactly-once effects.

    ``armed`` is set by the pre-handler once it has looked the update up (its own write never claims)."""

    update_id: int
    now: int
    armed: bool = False
    committed: bool = False  # a transaction carrying the claim (the update's effects) committed
    duplicate: bool = False
    in_flight: bool = False


current_claim: ContextVar[UpdateClaim | None] = ContextVar("current_claim", default=None)


class DuplicateUpdate(Exception):
    """The update was already processed (its effects committed earlier): this transaction was rolled back."""


def claim_update(conn: sqlite3.Connection, update_id: int, now: int) -> bool:
    """Record ``update_id`` as processed and drop it from the inbox; False if it already was."""
    claimed = conn.execute(
        "INSERT INTO processed_updates (update_id, processed_at) VALUES (?, ?) "
        "ON CONFLICT DO NOTHING RETURNING update_id",
        (update_id, now),
    ).fetchone()
    conn.execute("DELETE FROM inbox WHERE update_id = ?", (update_id,))
    return claimed is not None


def _run_write(
    conn: sqlite3.Connection, fn: Callable[..., T], args: tuple[Any, ...], claim: tuple[int, int] | None = None
) -> T:
    conn.execute("BEGIN IMMEDIATE")
    try:
        if claim is not None and not claim_update(conn, *claim):
            raise DuplicateUpdate(claim[0])
        result = fn(conn, *args)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


def _run_read(conn: sqlite3.Connection, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    # A deferred transaction gives several SELECTs one consistent snapshot.
    conn.execute("BEGIN")
    try:
        return fn(conn, *args)
    finally:
        conn.execute("ROLLBACK")


class Database:
    """Owns the aiosqlite connection; ``write``/``read`` run a use-case function on its thread."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._conn: aiosqlite.Connection | None = None
        self.handoffs = 0  # counted so benchmarks and tests can see awaits per update

    async def open(self) -> None:
        if self._conn is not None:
            return
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = await aiosqlite.connect(self.path, isolation_level=None, check_same_thread=False)
        await self._call(_configure)
        await self._call(apply_migrations)

    async def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        if self._conn is None:
            raise RuntimeError("database is not open")
        self.handoffs += 1
        conn = self._conn
        # aiosqlite's own worker executes the whole function: one thread hand-off per use case.
        return await conn._execute(lambda: fn(conn._conn, *args))

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(conn, *args)`` in one IMMEDIATE transaction; returns after COMMIT.

        While an update is processed (``current_claim``), its first write also claims it (see ``UpdateClaim``)."""
        claim = current_claim.get()
        if claim is None or not claim.armed or claim.committed or claim.in_flight or claim.duplicate:
            return await self._call(_run_write, fn, args)
        claim.in_flight = True
        try:
            result = await self._call(_run_write, fn, args, (claim.update_id, claim.now))
        except DuplicateUpdate:
            claim.duplicate = True
            raise
        finally:
            claim.in_flight = False
        claim.committed = True
        return result

    async def write_unclaimed(self, fn: Callable[..., T], *args: Any) -> T:
        """A write that is not the update's effect (the pre-handler's bookkeeping)."""
        return await self._call(_run_write, fn, args)

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(conn, *args)`` on one read snapshot."""
        return await self._call(_run_read, fn, args)

    async def backup(self, target: Path | str) -> None:
        """Online backup (SQLite backup API): consistent even while the bot keeps writing."""
        if self._conn is None:
            raise RuntimeError("database is not open")
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(str(target))
        try:
            await self._conn.backup(dest)
        finally:
            dest.close()


def open_sync(path: Path | str) -> sqlite3.Connection:
    """A plain connection for the CLI (migrate, backup, export) and benchmarks' bulk loading."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None)
    _configure(conn)
    return conn
