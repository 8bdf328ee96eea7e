"""The PostgreSQL connection as a use case sees it: ``sql.Conn`` over psycopg 3.

Storage functions write ``?`` placeholders (sqlite3's qmark style); psycopg wants ``%s`` and reads every ``%`` in
the query text as the start of a placeholder, string literals included. ``translate`` turns the one into the
other once per SQL text (cached): ``?`` outside string literals, quoted identifiers and comments becomes ``%s``,
and every literal ``%`` becomes ``%%``. Rows behave like ``sqlite3.Row``: by position and by column name,
``keys()``, ``dict(row)``, iteration over the values. ``numeric`` results (``SUM`` over BIGINT, ``ROUND``) come back
as ``int`` when whole and ``float`` otherwise, which is what SQLite gives the same SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.adapt import Loader
from psycopg.rows import RowMaker

from bot.kernel.sql import POSTGRESQL


@lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """``?`` → ``%s`` outside quotes and comments, ``%`` → ``%%`` everywhere (psycopg parses the whole text)."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"":  # a string literal or a quoted identifier; a doubled quote stays inside it
            j = i + 1
            while j < n:
                if sql[j] == ch:
                    if j + 1 < n and sql[j + 1] == ch:
                        j += 2
                        continue
                    break
                j += 1
            out.append(sql[i : j + 1].replace("%", "%%"))
            i = j + 1
        elif ch == "-" and sql.startswith("--", i):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            out.append(sql[i:j].replace("%", "%%"))
            i = j
        elif ch == "/" and sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(sql[i:j].replace("%", "%%"))
            i = j
        elif ch == "?":
            out.append("%s")
            i += 1
        elif ch == "%":
            out.append("%%")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


class PgRow:
    """A result row like ``sqlite3.Row``: ``row[0]``, ``row["name"]``, ``row.keys()``, ``dict(row)``, ``tuple(row)``."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: Sequence[Any], index: dict[str, int]) -> None:
        self._values = values
        self._index = index

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            try:
                return self._values[self._index[key]]
            except KeyError:
                raise IndexError(f"no such column: {key}") from None
        return self._values[key]

    def keys(self) -> list[str]:
        return list(self._index)

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PgRow):
            return tuple(self._values) == tuple(other._values) and self._index == other._index
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self._values))

    def __repr__(self) -> str:
        return f"PgRow({dict(zip(self._index, self._values, strict=True))!r})"


def row_factory(cursor: Any) -> RowMaker[PgRow]:
    description = cursor.description or ()
    index: dict[str, int] = {}
    for position, column in enumerate(description):
        index.setdefault(column.name, position)  # a repeated column name: the first one wins, as in sqlite3.Row

    def make(values: Sequence[Any]) -> PgRow:
        return PgRow(values, index)

    return make


class _NumericLoader(Loader):
    """``numeric`` → ``int`` without a scale (``SUM`` over integers), else ``float`` (``ROUND(x, 1)``, ``AVG``): what
    SQLite's INTEGER and REAL give the same SQL, never ``Decimal``."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode("ascii")
        if "." in text or "e" in text or "N" in text:  # a scale, an exponent, NaN
            return float(Decimal(text))
        return int(text)


class PgConn:
    """``sql.Conn`` on a psycopg connection in autocommit mode: the kernel (``db_postgres``) opens and ends the
    transactions with explicit ``BEGIN``/``COMMIT``, as it does on SQLite."""

    engine = POSTGRESQL

    def __init__(self, url: str, *, read_only: bool = False) -> None:
        self.url = url
        self.read_only = read_only
        self.raw = _connect(url, read_only=read_only)
        # Run on every new session after the first (``reconnect_if_broken``): what a session holds, such as the
        # instance's shared advisory lock (``db_postgres.hold_instance_lock``), ends with the old session.
        self.on_reconnect: Callable[[psycopg.Connection[Any]], None] | None = None

    def reconnect_if_broken(self) -> None:
        """After the server restarted or the connection dropped (between transactions): a fresh session."""
        if self.raw.closed or self.raw.broken:
            self.raw = _connect(self.url, read_only=self.read_only)
            if self.on_reconnect is not None:
                self.on_reconnect(self.raw)

    def execute(self, sql: str, parameters: Any = (), /) -> psycopg.Cursor[Any]:
        return self.raw.execute(translate(sql), tuple(parameters))

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> psycopg.Cursor[Any]:
        cursor = self.raw.cursor()
        cursor.executemany(translate(sql), [tuple(p) for p in parameters])
        return cursor

    def close(self) -> None:
        self.raw.close()


def _connect(url: str, *, read_only: bool) -> psycopg.Connection[PgRow]:
    raw = psycopg.connect(url, autocommit=True, row_factory=row_factory)
    raw.adapters.register_loader("numeric", _NumericLoader)
    try:
        raw.execute("SET TIME ZONE 'UTC'")
        if read_only:  # psycopg's own read_only does not reach autocommit sessions; the server setting does
            raw.execute("SET default_transaction_read_only = on")
    except BaseException:
        raw.close()
        raise
    return raw
