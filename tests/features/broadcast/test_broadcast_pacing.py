"""The pacer keeps every fan-out within Telegram's limits: 30 messages per second overall, 20 per minute into one
group, about one per second into one private chat, and a "retry after" holds every sender."""

from __future__ import annotations

import asyncio
import time
from bisect import bisect_left

from bot.kernel.pacer import GROUP_WINDOW_S, MIN_GAP_SHARE, Pacer


class SimClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def max_in_window(times: list[float], window: float) -> int:
    ordered = sorted(times)
    return max(i - bisect_left(ordered, t - window + 1e-9) + 1 for i, t in enumerate(ordered))


async def test_overall_rate_is_thirty_per_second_and_no_faster() -> None:
    clock = SimClock()
    pacer = Pacer(lambda: clock.now, clock.sleep)
    times = []
    for chat_id in range(1, 301):
        await pacer.acquire(chat_id)
        times.append(clock.now)
    assert max_in_window(times, 1.0) == 30
    assert max_in_window(times, 0.2) <= 30 * 0.2 / MIN_GAP_SHARE + 1  # no burst: at most twice the mean rate
    elapsed = times[-1] - times[0]
    assert 270 / 30 <= elapsed <= 299 / 30 * 1.05  # the theoretical minimum, within a few per cent


async def test_twenty_per_minute_into_one_group_and_one_per_second_into_one_chat() -> None:
    clock = SimClock()
    pacer = Pacer(lambda: clock.now, clock.sleep)
    group = []
    for _ in range(45):
        await pacer.acquire(-100123)
        group.append(clock.now)
    assert max_in_window(group, 60.0) == 20
    assert group[20] - group[0] >= GROUP_WINDOW_S - 1e-6
    start = clock.now
    await pacer.acquire(42)
    await pacer.acquire(42)
    assert clock.now - start >= 1.0


class FastClock:
    """Real asyncio time running 120 times faster: concurrent sleepers overlap as they would in production
    (a clock that jumps forward on every sleep would serialise them)."""

    scale = 120.0

    def __init__(self) -> None:
        self._origin = time.perf_counter()

    @property
    def now(self) -> float:
        return 1_000.0 + (time.perf_counter() - self._origin) * self.scale

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds / self.scale)


async def test_a_full_group_does_not_hold_up_other_chats() -> None:
    clock = FastClock()
    pacer = Pacer(lambda: clock.now, clock.sleep)
    first_group = clock.now
    for _ in range(20):
        await pacer.acquire(-100123)
    started = clock.now
    times: list[tuple[int, float]] = []

    async def caller(chat_id: int) -> None:
        await pacer.acquire(chat_id)
        times.append((chat_id, clock.now))

    await asyncio.gather(caller(-100123), *(caller(i) for i in range(1, 31)))
    private = [t for chat_id, t in times if chat_id > 0]
    group_next = next(t for chat_id, t in times if chat_id < 0)
    assert max(private) < group_next  # thirty private messages went out while the group waited its minute
    assert max(private) - started < 30 and group_next - first_group >= 60


async def test_retry_after_holds_every_sender() -> None:
    clock = SimClock()
    pacer = Pacer(lambda: clock.now, clock.sleep)
    await pacer.acquire(1)
    pacer.hold(5)
    before = clock.now
    await pacer.acquire(2)
    assert clock.now - before >= 5


async def test_concurrent_callers_get_distinct_slots() -> None:
    clock = SimClock()
    pacer = Pacer(lambda: clock.now, clock.sleep)
    times: list[float] = []

    async def caller(chat_id: int) -> None:
        await pacer.acquire(chat_id)
        times.append(clock.now)

    await asyncio.gather(*(caller(i) for i in range(1, 91)))
    assert len(times) == 90 and max_in_window(times, 1.0) <= 30
