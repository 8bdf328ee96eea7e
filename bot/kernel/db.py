"""The database connections: pragmas, migrations, and one thread hand-off per use case.

Every call into a database thread is a hop there and back (about 0.1 ms), while the SQL of a typical use case
costs tens of microseconds. So instead of awaiting statement by statement, a use case is a plain function
``fn(conn, ...)`` that runs *whole* on the connection's own thread inside one transaction: one hand-off, one
commit, and the caller only hears back after the commit. The threads are plain single-worker executors over the
standard ``sqlite3`` module (public APIs only; aiosqlite ran it through private calls): one for the writer, one
for a read-only connection that serves heavy reads without holding writes back (WAL readers do not block).

``Database("postgresql://…")`` runs the same shape on PostgreSQL (``db_postgres.py``, ``pg_adapter.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import queue
import re
import sqlite3
import threading
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from bot.kernel.sql import Conn, is_postgresql_url

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


def create_private(path: Path | str) -> None:
    """Create the file readable by its owner only (0600) unless it exists; SQLite gives its -wal and -shm files
    the database file's permissions, so the whole database stays private."""
    if str(path) == ":memory:":
        return
    if str(path).startswith(("postgresql:", "postgres:")):  # a URL, perhaps mangled by Path(): never a file name
        raise ValueError(f"{path} is a PostgreSQL URL, not a SQLite file (this code path is SQLite only)")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def migrations() -> list[tuple[int, str, str]]:
    """Numbered migrations shipped with the package, in order: (version, name, sql)."""
    found = []
    folder = resources.files("bot.kernel") / "migrations"
    for entry in folder.iterdir():
        match = _MIGRATION_RE.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions) or (versions and versions[0] != 1):
        raise RuntimeError(f"migrations must be numbered from 0001, each number once, found {versions}")
    return found


def apply_migrations(conn: sqlite3.Connection) -> list[int]:
    """Apply pending migrations, each in its own transaction; idempotent. Returns applied versions.

    Which migrations ran is recorded per version (``schema_migrations``), not only as the highest number in
    ``PRAGMA user_version``: branches add numbered migrations in parallel, so a database that already has
    0014 must still get a 0010 that arrives later. A database from before the table counts 1..user_version
    as applied (the history was contiguous then). ``user_version`` stays the highest applied version.
    """
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER)))"
    )
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
    known = migrations()
    if current and not done:
        earlier = [(v, name) for v, name, _ in known if v <= current]
        conn.executemany("INSERT OR IGNORE INTO schema_migrations (version, name) VALUES (?, ?)", earlier)
        done = {v for v, _ in earlier}
    applied = []
    for version, name, sql in known:
        if version in done:
            continue
        top = max(current, version)
        try:
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{sql}\n"
                f"INSERT INTO schema_migrations (version, name) VALUES ({int(version)}, '{name.replace(chr(39), '')}');\n"
                f"PRAGMA user_version = {top};\nCOMMIT;"
            )
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            log.exception("migration %s failed", name)
            raise
        current = top
        applied.append(version)
        log.info("applied migration %s", name)
    return applied


@dataclass
class UpdateClaim:
    """The update being processed in this task. The first write of its processing also records it in
    ``processed_updates`` (and removes it from the inbox) in the same transaction as its effects, so an update is
    either done with its effects or not done at all: a crash at any point gives exactly-once effects.

    ``armed`` is set by the pre-handler once it has looked the update up (a read). ``bookkeeping``, set there too,
    is what the update writes besides its effects (the user's and chat's rows): it runs with the claim, in the
    same transaction, so it costs no hand-off of its own."""

    update_id: int
    now: int
    armed: bool = False
    committed: bool = False  # a transaction carrying the claim (the update's effects) committed
    duplicate: bool = False
    in_flight: bool = False
    failed: bool = False  # its processing raised: not marked done, so a redelivery (or the inbox) tries again
    bookkeeping: Callable[[Any], None] | None = None


current_claim: ContextVar[UpdateClaim | None] = ContextVar("current_claim", default=None)


class DuplicateUpdate(Exception):
    """The update was already processed (its effects committed earlier): this transaction was rolled back."""


def claim_update(conn: Conn, update_id: int, now: int) -> bool:
    """Record ``update_id`` as processed and drop it from the inbox; False if it already was."""
    claimed = conn.execute(
        "INSERT INTO processed_updates (update_id, processed_at) VALUES (?, ?) "
        "ON CONFLICT DO NOTHING RETURNING update_id",
        (update_id, now),
    ).fetchone()
    conn.execute("DELETE FROM inbox WHERE update_id = ?", (update_id,))
    return claimed is not None


Deferred = list[tuple[Callable[..., Any], tuple[Any, ...]]]


def run_deferred(conn: Conn, deferred: Deferred) -> None:
    """Work an earlier caller left for the next transaction (``Database.defer``), each in a savepoint of its own:
    one that fails is logged and skipped, it never takes the transaction that carries it down."""
    for fn, args in deferred:
        conn.execute("SAVEPOINT deferred")
        try:
            fn(conn, *args)
        except Exception:
            conn.execute("ROLLBACK TO SAVEPOINT deferred")
            log.exception("deferred work %s failed", getattr(fn, "__name__", fn))
        conn.execute("RELEASE SAVEPOINT deferred")


@dataclass(frozen=True)
class Transaction:
    """How an engine opens, commits and abandons a write transaction (the rest of a write is the same SQL)."""

    begin: Callable[[Any], None]
    commit: Callable[[Any], None]
    abandon: Callable[[Any], None]  # roll back whatever is open; nothing if the session is gone


def run_write_in(
    tx: Transaction,
    conn: Any,
    fn: Callable[..., T],
    args: tuple[Any, ...],
    claim: tuple[int, int, Callable[[Any], None] | None] | None = None,
    deferred: Deferred | None = None,
) -> T:
    """One write transaction: the deferred work first (it commits even when ``fn`` fails: a savepoint keeps the two
    apart), then the update's claim and bookkeeping, then ``fn``."""
    tx.begin(conn)
    try:
        if deferred:
            run_deferred(conn, deferred)
            conn.execute("SAVEPOINT work")
        try:
            if claim is not None:
                if not claim_update(conn, claim[0], claim[1]):
                    raise DuplicateUpdate(claim[0])
                if claim[2] is not None:
                    claim[2](conn)
            result = fn(conn, *args)
        except BaseException:
            if not deferred:
                raise
            conn.execute("ROLLBACK TO SAVEPOINT work")
            tx.commit(conn)  # the deferred work stands; the use case's part is undone
            deferred.clear()  # carried: the caller must not hand it on again
            raise
        if deferred:
            conn.execute("RELEASE SAVEPOINT work")
    except BaseException:
        tx.abandon(conn)
        raise
    tx.commit(conn)
    if deferred:
        deferred.clear()
    return result


def _sqlite_abandon(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")


# SQLite: IMMEDIATE takes the database's one write lock for the whole use case.
SQLITE_TX = Transaction(
    begin=lambda conn: conn.execute("BEGIN IMMEDIATE"), commit=lambda conn: conn.execute("COMMIT"),
    abandon=_sqlite_abandon,
)  # fmt: skip
_run_write = partial(run_write_in, SQLITE_TX)


def _run_read(conn: sqlite3.Connection, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    # A deferred transaction gives several SELECTs one consistent snapshot.
    conn.execute("BEGIN")
    try:
        return fn(conn, *args)
    finally:
        conn.execute("ROLLBACK")


class _Thread:
    """One sqlite3 connection that lives on one dedicated thread: calls run there one after another, in order, so the
    connection is never shared between threads. A call is a job on a queue and an asyncio future settled from the
    thread (``call_soon_threadsafe``): the whole hand-off, standard library only."""

    def __init__(self, name: str) -> None:
        self._jobs: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._conn: Any = None
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    @classmethod
    async def start(cls, name: str, connect: Callable[[], Any]) -> _Thread:
        thread = cls(name)
        try:
            thread._conn = await thread.call(lambda _none: connect())
        except BaseException:
            thread._jobs.put(None)
            raise
        return thread

    def _serve(self) -> None:
        while (job := self._jobs.get()) is not None:
            loop, future, fn, args = job
            outcome: tuple[Any, BaseException | None]
            try:
                outcome = (fn(self._conn, *args), None)
            except BaseException as error:
                outcome = (None, error)
            with contextlib.suppress(RuntimeError):  # the caller's loop is closed: nobody is waiting any more
                loop.call_soon_threadsafe(_settle, future, *outcome)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((loop, future, fn, args))
        return await future

    async def close(self) -> None:
        try:
            await self.call(_close)
        finally:
            self._jobs.put(None)


def _close(conn: Any) -> None:
    conn.close()


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


# Write transactions between two checkpoints of the WAL into the database file (SQLite's own automatic checkpoint
# runs inside the commit that crosses ~1,000 WAL pages, on the writer: that commit took 15-25 ms instead of ~1, the
# writes' p99). The checkpointer's own connection and thread run it instead, PASSIVE: writers go on meanwhile.
CHECKPOINT_EVERY = 100
# The WAL restarts from its beginning only at a write that finds it wholly copied back; under writes without a
# pause a background checkpoint never quite catches up, so the writer keeps SQLite's own checkpoint as a bound,
# at ten times its default (pages of 4 KiB: ~40 MB of WAL).
WRITER_AUTOCHECKPOINT_PAGES = 10_000


def _connect_writer(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        _configure(conn)
        apply_migrations(conn)
        if path != ":memory:":
            conn.execute(f"PRAGMA wal_autocheckpoint={WRITER_AUTOCHECKPOINT_PAGES}")  # the checkpointer does it first
    except BaseException:
        conn.close()
        raise
    return conn


def _connect_checkpointer(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


def _checkpoint(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """Copy what the WAL holds into the database file as far as no reader needs it (``PRAGMA wal_checkpoint``)."""
    busy, logged, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return int(busy), int(logged), int(copied)


def _connect_reader(path: str) -> sqlite3.Connection:
    """Read-only (``mode=ro``, and ``query_only`` besides): in WAL mode it reads its own snapshot while the writer
    commits, so a heavy read never holds a write back."""
    conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None)
    conn.row_factory = sqlite3.Row
    for pragma in ("query_only=ON", "busy_timeout=5000", "temp_store=MEMORY", "cache_size=-16000"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


class Database:
    """Owns two connections, each on a thread of its own: the writer (``write``, ``read``) and a read-only reader
    for heavy reads (``read_heavy``: summaries, totals, search, exports, digests). An in-memory database cannot be
    opened twice, so there ``read_heavy`` runs on the writer's thread.

    ``path`` is a SQLite file (or ``:memory:``) or a ``postgresql://`` URL (``engine`` says which)."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self.engine = "postgresql" if is_postgresql_url(self.path) else "sqlite"
        self._writer: _Thread | None = None
        self._reader: _Thread | None = None
        self._checkpointer: _Thread | None = None  # SQLite file only: the WAL's checkpoints, off the writer
        self._checkpointing: asyncio.Future[None] | None = None
        self._writes_since_checkpoint = 0
        self.checkpoints = 0  # checkpoints run by the checkpointer (tests)
        self._run_write: Callable[..., Any] = _run_write
        self._run_read: Callable[..., Any] = _run_read
        self.handoffs = 0  # counted so benchmarks and tests can see awaits per update
        self.flushes = 0  # hand-offs that carried only deferred work (``flush``)
        self._deferred: Deferred = []
        # False when another bot instance was running on the database at this one's start (PostgreSQL only,
        # ``begin_instance``): then rows in flight are that one's, not a crash's, and start-up recovery is skipped.
        self.sole_instance = True
        self._recovering = False

    async def open(self) -> None:
        if self._writer is not None:
            return
        if self.engine == "postgresql":
            await self._open_postgresql()
            return
        create_private(self.path)
        writer = await _Thread.start("db-writer", partial(_connect_writer, self.path))
        reader = writer
        if self.path != ":memory:":
            try:
                reader = await _Thread.start("db-reader", partial(_connect_reader, self.path))
                self._checkpointer = await _Thread.start("db-checkpoint", partial(_connect_checkpointer, self.path))
            except BaseException:
                if reader is not writer:
                    await reader.close()
                await writer.close()
                raise
        self._writer, self._reader = writer, reader

    async def _open_postgresql(self) -> None:
        from bot.kernel import db_postgres  # psycopg is imported only by a PostgreSQL deployment

        writer = await _Thread.start("db-writer", partial(db_postgres.connect_writer, self.path))
        try:
            reader = await _Thread.start("db-reader", partial(db_postgres.connect_reader, self.path))
        except BaseException:
            await writer.close()
            raise
        self._run_write, self._run_read = db_postgres.run_write, db_postgres.run_read
        self._writer, self._reader = writer, reader

    async def begin_instance(self) -> bool:
        """A bot instance starts on this database: is it the only one? (SQLite: always; one writer process.)
        On PostgreSQL the others wait to start until ``end_recovery``."""
        if self.engine == "postgresql" and self._writer is not None and not self._recovering:
            from bot.kernel import db_postgres

            self.sole_instance = await self._writer.call(db_postgres.begin_instance)
            self._recovering = True
        return self.sole_instance

    async def end_recovery(self) -> None:
        """Start-up recovery is over: other instances may start (PostgreSQL)."""
        if self._recovering and self._writer is not None:
            from bot.kernel import db_postgres

            await self._writer.call(db_postgres.end_recovery, self.sole_instance)
        self._recovering = False

    async def close(self) -> None:
        self._recovering = False  # the session ends, and its advisory locks with it
        if self._writer is not None:
            try:
                await self.flush()
            except Exception:
                log.exception("could not write the deferred work at close")
        writer, reader = self._writer, self._reader
        self._writer = self._reader = None
        if self._checkpointing is not None:
            await asyncio.wait([self._checkpointing])
        if self._checkpointer is not None:
            checkpointer, self._checkpointer = self._checkpointer, None
            await checkpointer.close()
        if reader is not None and reader is not writer:
            await reader.close()
        if writer is not None:
            await writer.close()

    @property
    def is_open(self) -> bool:
        return self._writer is not None

    async def _call(self, fn: Callable[..., T], *args: Any, heavy: bool = False) -> T:
        thread = self._reader if heavy else self._writer
        if thread is None:
            raise RuntimeError("database is not open")
        self.handoffs += 1
        # The whole function runs on the connection's thread: one thread hand-off per use case.
        return await thread.call(fn, *args)

    def defer(self, fn: Callable[..., Any], *args: Any) -> None:
        """Leave ``fn(conn, *args)`` to the next write transaction, whatever it is (the outbox's record of what was
        sent rides on the next use case or the next window's claim): no hand-off of its own. Until then it is not
        durable: use it only for what a crash may lose safely (the outbox's outcomes: a row left 'sending' becomes
        'uncertain' at the restart, never resent). ``flush`` writes it now."""
        self._deferred.append((fn, args))

    @property
    def deferred(self) -> int:
        """How many pieces of deferred work wait for the next write."""
        return len(self._deferred)

    async def flush(self) -> bool:
        """Write the deferred work in a transaction of its own, if there is any (idle time, shutdown)."""
        if not self._deferred:
            return False
        self.flushes += 1
        await self._write(nothing, (), None)
        return True

    async def _write(self, fn: Callable[..., T], args: tuple[Any, ...], claim: tuple[Any, ...] | None) -> T:
        carried, self._deferred = self._deferred, []
        try:
            result = await self._call(self._run_write, fn, args, claim, carried)
        finally:
            if carried:  # not committed (the transaction failed as a whole): the next write carries it again
                self._deferred[:0] = carried
        self._writes_since_checkpoint += 1
        if self._writes_since_checkpoint >= CHECKPOINT_EVERY and self._checkpointer is not None:
            self._start_checkpoint()
        return result

    def _start_checkpoint(self) -> None:
        """One checkpoint at a time, on the checkpointer's thread; nobody waits for it (``close`` does)."""
        if self._checkpointing is not None or self._checkpointer is None:
            return
        self._writes_since_checkpoint = 0
        self._checkpointing = asyncio.ensure_future(self._run_checkpoint(self._checkpointer))

    async def _run_checkpoint(self, checkpointer: _Thread) -> None:
        try:
            busy, logged, copied = await checkpointer.call(_checkpoint)
            self.checkpoints += 1
            if busy:
                log.debug("checkpoint: %d of %d WAL pages copied, a reader holds the rest", copied, logged)
        except Exception:
            log.exception("WAL checkpoint failed (the next one tries again)")
        finally:
            self._checkpointing = None

    async def checkpoint(self) -> None:
        """Run a checkpoint now and wait for it (tests, operations): after the one under way, if any, a fresh one
        that sees every write made so far."""
        if self._checkpointing is not None:
            await asyncio.wait([self._checkpointing])
        self._start_checkpoint()
        if self._checkpointing is not None:
            await asyncio.wait([self._checkpointing])

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(conn, *args)`` in one IMMEDIATE transaction; returns after COMMIT.

        While an update is processed (``current_claim``), its first write also claims it (see ``UpdateClaim``).
        Deferred work (``defer``) goes first, in the same transaction."""
        claim = current_claim.get()
        if claim is None or not claim.armed or claim.committed or claim.in_flight or claim.duplicate:
            return await self._write(fn, args, None)
        claim.in_flight = True
        try:
            result = await self._write(fn, args, (claim.update_id, claim.now, claim.bookkeeping))
        except DuplicateUpdate:
            claim.duplicate = True
            raise
        finally:
            claim.in_flight = False
        claim.committed = True
        return result

    async def write_unclaimed(self, fn: Callable[..., T], *args: Any) -> T:
        """A write that is not the update's effect (bookkeeping, the outbox's own state)."""
        return await self._write(fn, args, None)

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(conn, *args)`` on one read snapshot (on the writer's thread: cheap lookups)."""
        return await self._call(self._run_read, fn, args)

    async def read_heavy(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(conn, *args)`` on one read snapshot of the read-only connection, on its own thread: writes go on
        meanwhile. It sees every write that returned before it was called."""
        return await self._call(self._run_read, fn, args, heavy=True)

    async def backup(self, target: Path | str) -> None:
        """Online backup (SQLite backup API): consistent even while the bot keeps writing."""
        if self._writer is None:
            raise RuntimeError("database is not open")
        if self.engine != "sqlite":
            raise RuntimeError("the online backup copies a SQLite file; back PostgreSQL up with pg_dump")
        create_private(target)
        dest = sqlite3.connect(str(target))
        try:
            await self._writer.call(_backup_to, dest)
        finally:
            dest.close()


def nothing(conn: Any) -> None:
    """A use case that writes nothing: ``write(nothing)`` commits only the claim, bookkeeping and deferred work."""
    return None


def _backup_to(conn: sqlite3.Connection, dest: sqlite3.Connection) -> None:
    conn.backup(dest)


def open_sync(path: Path | str) -> sqlite3.Connection:
    """A plain connection for the CLI (migrate, backup, export) and benchmarks' bulk loading."""
    create_private(path)
    conn = sqlite3.connect(str(path), isolation_level=None)
    _configure(conn)
    return conn
