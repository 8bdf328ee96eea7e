"""Time source. Production reads the system clock; tests and the demo move a fake one by hand,
so scheduled work can be driven deterministically through the same code path."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Current time, timezone-aware in UTC."""
        ...

    def timestamp(self) -> int:
        """Current time as whole epoch seconds (what the database stores)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def timestamp(self) -> int:
        return int(time.time())

    async def sleep(self, seconds: float) -> None:
        """Waiting takes real time."""
        await asyncio.sleep(seconds)


class FakeClock:
    """A clock that only moves when told to; ``advance`` is how the demo's ``:time +2h`` works."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = (start or datetime(2025, 8, 21, 1, 0, tzinfo=UTC)).astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def timestamp(self) -> int:
        return int(self._now.timestamp())

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when.astimezone(UTC)

    async def sleep(self, seconds: float) -> None:
        """Waiting moves this clock instead of the wall clock: a send pacer or a retry backoff that waits
        for a slot gets it at once, and the demo's clock shows the time that passed. Yields once so other
        tasks run, as a real sleep would."""
        if seconds > 0:
            self._now += timedelta(seconds=seconds)
        await asyncio.sleep(0)
