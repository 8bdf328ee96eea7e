"""SQL statements a piece of processing runs on the bot's two SQLite connections, counted by sqlite3's trace
callback (installed by a job on each connection's own thread). SQLite only: a ``sqlite_only`` test uses it."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from bot.kernel.db import Database

_LITERAL = re.compile(r"'(?:[^']|'')*'|-?\b\d+(?:\.\d+)?\b")
_SPACE = re.compile(r"\s+")


@dataclass
class Statements:
    """The statements seen, by text with the literals taken out. A trigger's program is traced again with its
    statement's text right after it: not counted as a statement of its own."""

    by_text: Counter[str] = field(default_factory=Counter)
    _last: str = ""

    def __call__(self, sql: str) -> None:
        if sql == self._last:
            return
        self._last = sql
        self.by_text[_SPACE.sub(" ", _LITERAL.sub("?", sql)).strip()] += 1

    @property
    def total(self) -> int:
        return sum(self.by_text.values())

    def __str__(self) -> str:
        return "\n".join(f"{n} {sql[:160]}" for sql, n in self.by_text.most_common())


async def settle(db: Database) -> None:
    """Let the background sender finish what the previous update left (not the next update's cost); bounded."""
    for _ in range(100):
        before = db.handoffs
        await asyncio.sleep(0.01)
        if db.handoffs == before:
            return


@asynccontextmanager
async def counting(db: Database) -> AsyncIterator[Statements]:
    """Count every statement the writer and the reader run inside the block."""
    seen = Statements()
    threads: list[Any] = [t for t in (db._writer, db._reader) if t is not None]
    for thread in threads:
        await thread.call(lambda conn: conn.set_trace_callback(seen))
    try:
        yield seen
    finally:
        for thread in threads:
            await thread.call(lambda conn: conn.set_trace_callback(None))
