"""What a use case sees of its database connection, whichever engine holds the data.

Storage functions take a ``Conn`` and write SQL with ``?`` placeholders in the subset both engines speak
(SQLite 3.35+ and PostgreSQL 15+): ``ON CONFLICT … DO …``, ``RETURNING``, ``COALESCE``, ``CASE``, ``lower()``,
integer epoch seconds for times. The SQLite engine hands them a ``sqlite3.Connection`` as is; the PostgreSQL
engine (``bot/kernel/db_postgres.py``) hands them a thin adapter with the same two methods that turns ``?`` into
psycopg's ``%s``. What differs between the engines is asked here, by name, never spelt in a feature:

- ``indexed_by(conn, name)``: SQLite's planner hint (``INDEXED BY``) where its planner chooses badly; nothing on
  PostgreSQL, whose planner has statistics.
- ``for_update(conn)``: a read that a write depends on (pledging against a need's remainder). On SQLite the
  writer's ``BEGIN IMMEDIATE`` already holds the database's one write lock for the whole use case; on PostgreSQL
  several connections and processes write at once, so the row is locked (``FOR UPDATE``).
- ``skip_locked(conn)``: a claim (due jobs, outbox rows) that another process may be making at the same moment:
  ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, nothing on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

SQLITE = "sqlite"
POSTGRESQL = "postgresql"


class Row(Protocol):
    """A result row: by position and by column name (``sqlite3.Row`` and the PostgreSQL adapter's rows)."""

    def __getitem__(self, key: Any, /) -> Any: ...

    def keys(self) -> list[str]: ...


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Conn(Protocol):
    """The connection a use case runs on, inside the transaction the kernel opened for it."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Cursor: ...


def is_postgresql_url(target: object) -> bool:
    """A ``KLASTER_DB`` value that names a PostgreSQL database (``postgresql://…`` or ``postgres://…``)."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def engine(conn: Conn) -> str:
    """``"postgresql"`` for the PostgreSQL adapter, ``"sqlite"`` for a ``sqlite3.Connection``."""
    return str(getattr(conn, "engine", SQLITE))


def is_postgresql(conn: Conn) -> bool:
    return engine(conn) == POSTGRESQL


def indexed_by(conn: Conn, index: str) -> str:
    """``INDEXED BY index`` on SQLite (the planner hint, placed after the table name), ``""`` on PostgreSQL."""
    return "" if is_postgresql(conn) else f"INDEXED BY {index}"


def for_update(conn: Conn) -> str:
    """`` FOR UPDATE`` on PostgreSQL (lock the rows read for the write that follows), ``""`` on SQLite."""
    return " FOR UPDATE" if is_postgresql(conn) else ""


def skip_locked(conn: Conn) -> str:
    """`` FOR UPDATE SKIP LOCKED`` on PostgreSQL (rows another process is claiming are left to it), else ``""``."""
    return " FOR UPDATE SKIP LOCKED" if is_postgresql(conn) else ""
