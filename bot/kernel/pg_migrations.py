"""PostgreSQL migrations: ``bot/kernel/migrations_pg/NNNN_name.sql``, the twins of the SQLite ones.

The two folders hold the same numbers and names and produce the same schema (tables, columns, keys, indexes,
foreign keys, triggers), each in its engine's own SQL; ``tests/kernel/test_schema_parity.py`` migrates a fresh
database of each engine and compares them (docs/design-notes.md, "Two migration folders").

``apply_migrations_pg(conn)`` is the runner for a psycopg 3 connection, like ``bot.kernel.db.apply_migrations``
for SQLite: what ran is recorded per version in ``schema_migrations (version, name, applied_at)``, each file runs
in its own transaction together with its row there, and a transaction-level advisory lock serialises runners, so
two processes starting at once against one database migrate it once (the second waits, then finds the versions
recorded and skips them). Idempotent: a second call applies nothing and returns ``[]``.
"""

from __future__ import annotations

import logging
import re
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

FOLDER = "migrations_pg"
_MIGRATION_RE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# pg_advisory_xact_lock key held by every migration transaction: the bytes of "klaster!" as a signed 64-bit int.
LOCK_KEY = int.from_bytes(b"klaster!", "big", signed=True)

# The columns that are BOOLEAN on PostgreSQL where SQLite keeps INTEGER 0/1 (listed in 0001_core.sql's header).
# Shared SQL writes TRUE/FALSE literals and binds Python bools for them; the parity test checks this set against
# the migrated catalogue, so a new flag column must be added here too.
BOOLEAN_COLUMNS: frozenset[tuple[str, str]] = frozenset({
    ("users", "reachable"),
    ("clusters", "is_exercise"),
    ("organizations", "stock_public"),
    ("organizations", "stock_secretariat"),
    ("needs", "is_exercise"),
    ("offers", "is_exercise"),
    ("stock", "stale_notified"),
    ("stock", "expiry_notified"),
    ("digest_subscriptions", "active"),
    ("digest_runs", "late"),
    ("event_series", "active"),
    ("event_feedback", "attended"),
    ("outbox", "notify"),
    ("published_stock", "complete"),
    ("published_stock_basis", "closed"),
    ("published_stock_basis", "gone"),
})

_SCHEMA_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
    "applied_at BIGINT NOT NULL DEFAULT (extract(epoch from now())::bigint))"
)


def migrations_pg() -> list[tuple[int, str, str]]:
    """The PostgreSQL migrations shipped with the package, in order: (version, file name, sql)."""
    found = []
    for entry in (resources.files("bot.kernel") / FOLDER).iterdir():
        match = _MIGRATION_RE.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions) or (versions and versions[0] != 1):
        raise RuntimeError(f"PostgreSQL migrations must be numbered from 0001, each number once, found {versions}")
    return found


def _has_statements(sql: str) -> bool:
    """False for a file of comments only (0006, reserved and empty): an empty query string is not sent."""
    return any(line.strip() and not line.strip().startswith("--") for line in sql.splitlines())


def apply_migrations_pg(conn: psycopg.Connection[Any]) -> list[int]:
    """Apply the pending PostgreSQL migrations, each in its own transaction; returns the versions applied.

    ``conn`` must be idle (no transaction open): each migration commits on its own, so a failing one leaves the
    earlier ones applied and itself not at all (PostgreSQL's DDL is transactional), and the error propagates."""
    from psycopg import pq  # the driver is needed only when PostgreSQL is used

    if conn.info.transaction_status != pq.TransactionStatus.IDLE:
        raise RuntimeError("apply_migrations_pg needs a connection with no transaction open")
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        conn.execute(_SCHEMA_TABLE)
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
    applied = []
    for version, name, sql in migrations_pg():
        if version in done:
            continue
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            # Another process may have applied it while this one waited for the lock.
            if conn.execute("SELECT 1 FROM schema_migrations WHERE version = %s", (version,)).fetchone():
                continue
            if _has_statements(sql):
                conn.execute(sql.encode("utf-8"))  # no parameters: the simple protocol runs the whole file
            conn.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)", (version, name))
        applied.append(version)
        log.info("applied PostgreSQL migration %s", name)
    return applied


def current_version_pg(conn: psycopg.Connection[Any]) -> int:
    """The highest applied version (0 before any), the PostgreSQL counterpart of SQLite's ``user_version``."""
    exists = conn.execute("SELECT to_regclass('schema_migrations')").fetchone()
    if exists is None or exists[0] is None:
        return 0
    row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
    return int(row[0]) if row else 0
