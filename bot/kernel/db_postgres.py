"""The PostgreSQL engine behind ``Database`` (``KLASTER_DB=postgresql://…``): the same two connections on their
own threads, the same one-hand-off-per-use-case shape as SQLite (``db.py``), over psycopg 3.

Isolation: every ``write`` is one READ COMMITTED transaction on the process's single writer connection. Within a
process the writes are therefore serialized exactly as on SQLite; between processes (several bot instances on one
database) the read-then-write use cases lock what they read (``sql.for_update``, ``sql.skip_locked`` for claims)
instead of relying on SQLite's one database-wide write lock. No write is retried by the kernel: a use case may
change the Python objects it was handed or depend on the clock, so re-running it is not known to be safe. A
deadlock or a lost connection fails that update's processing (``UpdateClaim.failed``), and the inbox processes the
update again, from scratch, which *is* safe: its claim and its effects were rolled back together.

Reads (``read`` on the writer, ``read_heavy`` on the reader, whose session is read-only) run in one REPEATABLE
READ transaction each, rolled back at the end, so the several SELECTs of a read use case see one snapshot, as
SQLite's deferred transaction gives them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import psycopg

from bot.kernel.db import Transaction, run_write_in
from bot.kernel.pg_adapter import PgConn
from bot.kernel.pg_migrations import apply_migrations_pg

log = logging.getLogger(__name__)
T = TypeVar("T")


def connect_writer(url: str) -> PgConn:
    conn = PgConn(url)
    try:
        applied = apply_migrations_pg(conn.raw)
        if applied:
            log.info("applied PostgreSQL migrations %s", applied)
    except BaseException:
        conn.close()
        raise
    return conn


# The instance lock (docs/scale.md, "Several instances"): every running bot holds it shared on its writer's session;
# start-up recovery (rows a crash left in flight) runs only in an instance that got it exclusively first, i.e. when
# no other instance is alive, since another one's in-flight rows are not a crash's leftovers. The bytes of
# "klinstnc" as a signed 64-bit int; pg_migrations' key is another.
INSTANCE_LOCK_KEY = 0x6B6C696E73746E63


def _hold_shared(raw: psycopg.Connection[Any]) -> None:
    """Blocks while an instance that started alone is still recovering (it holds the key exclusively)."""
    raw.execute("SELECT pg_advisory_lock_shared(%s)", (INSTANCE_LOCK_KEY,))


def begin_instance(conn: PgConn) -> bool:
    """At start-up, between transactions: True when no other instance is running (the key is then held
    exclusively until ``end_recovery``), False when one is (the key is then held shared, taken after any
    recovery in progress ended). Every later session of this connection takes the shared lock again."""
    row = conn.raw.execute("SELECT pg_try_advisory_lock(%s)", (INSTANCE_LOCK_KEY,)).fetchone()
    sole = bool(row and row[0])
    if not sole:
        _hold_shared(conn.raw)
    conn.on_reconnect = _hold_shared
    return sole


def end_recovery(conn: PgConn, sole: bool) -> None:
    """Recovery done: hold the key shared like every running instance, and let the others start."""
    if sole:
        _hold_shared(conn.raw)  # the session holds it exclusively too: no conflict with itself
        conn.raw.execute("SELECT pg_advisory_unlock(%s)", (INSTANCE_LOCK_KEY,))


def connect_reader(url: str) -> PgConn:
    return PgConn(url, read_only=True)


def _begin(conn: PgConn, sql: str) -> None:
    """Open the use case's transaction. A session the server ended since the last use case (a restart, an idle
    timeout, an administrator's ``pg_terminate_backend``) shows up here, before anything ran: a new one is opened."""
    conn.reconnect_if_broken()
    try:
        conn.raw.execute(sql)
    except psycopg.OperationalError:
        if not conn.raw.broken:
            raise
        log.warning("PostgreSQL session lost; reconnecting")
        conn.reconnect_if_broken()
        conn.raw.execute(sql)


# The same write as SQLite's (``db.run_write_in``): READ COMMITTED, a lost session reopened at BEGIN.
PG_TX = Transaction(begin=lambda conn: _begin(conn, "BEGIN"), commit=lambda conn: conn.raw.execute("COMMIT"),
                    abandon=lambda conn: _rollback(conn))  # fmt: skip
run_write = partial(run_write_in, PG_TX)


def run_read(conn: PgConn, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    _begin(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ")  # the reader's session is read-only besides
    try:
        return fn(conn, *args)
    finally:
        _rollback(conn)


def _rollback(conn: PgConn) -> None:
    if conn.raw.broken or conn.raw.closed:
        return  # the server ended the session: nothing to roll back, the next call reconnects
    conn.raw.execute("ROLLBACK")
