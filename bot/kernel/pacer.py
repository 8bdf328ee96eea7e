"""One pacer per Application for every message the bot sends on its own (the outbox, announcements, digests):
Telegram's limits are about 30 messages a second overall and 20 a minute into one group; going over costs a
"retry after". The pacer spaces the start of each send; the clock's own sleep waits (the demo's clock advances).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

from bot.kernel.runtime import Runtime

PER_SECOND = 30
GROUP_PER_MINUTE = 20
PRIVATE_INTERVAL_S = 1.0
# A little slower than the limits: the Bot API counts when a request arrives, a few milliseconds after the
# pacer let it start, and those delays vary; a 31st message in one second costs a whole "retry after 1".
WINDOW_S = 1.02
GROUP_WINDOW_S = 60.0 * 1.02
MIN_GAP_SHARE = 0.5  # a late send may be followed by the next after half the usual gap, never closer


class _Slot:
    """A start time reserved for one chat; set to the actual start once the send goes."""

    __slots__ = ("at",)

    def __init__(self, at: float) -> None:
        self.at = at


class Pacer:
    """Start times for sends within the overall, per-group and per-private-chat limits.

    The overall limit is a sliding window over the last ``per_second`` start times (at most that many in any
    ``WINDOW_S`` seconds) plus a minimum gap, so a send that started a little late (the event loop woke late)
    is made up by the next one instead of stretching the whole fan-out, yet a second never holds a burst.
    A chat's own limit (20 a minute into a group, one a second into a private chat) is waited for *before*
    taking an overall slot, outside the lock: a full group never holds up the messages to everybody else.
    Time comes from the runtime's clock and sleep, so the fake clock of the tests makes pacing instant and a
    scaled clock makes the benchmark short.
    """

    def __init__(
        self,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        per_second: int = PER_SECOND,
        group_per_minute: int = GROUP_PER_MINUTE,
        private_interval: float = PRIVATE_INTERVAL_S,
    ) -> None:
        self.clock = clock
        self._sleep = sleep
        self.per_second = per_second
        self.min_gap = MIN_GAP_SHARE / per_second
        self.group_per_minute = group_per_minute
        self.private_interval = private_interval
        self._recent: deque[float] = deque(maxlen=per_second)
        self._hold_until = 0.0
        self._groups: dict[int, deque[_Slot]] = {}
        self._private: dict[int, _Slot] = {}
        self._lock: asyncio.Lock | None = None
        self.waited = 0.0

    def _reserve(self, chat_id: int, now: float) -> _Slot:
        """The chat's own earliest start, reserved at once (no await in between), so two sends to one chat
        queue behind each other."""
        if chat_id < 0:
            sent = self._groups.setdefault(chat_id, deque())
            while sent and sent[0].at <= now - GROUP_WINDOW_S:
                sent.popleft()
            at = now
            if len(sent) >= self.group_per_minute:
                at = max(at, sent[-self.group_per_minute].at + GROUP_WINDOW_S)
            slot = _Slot(at)
            sent.append(slot)
            return slot
        last = self._private.get(chat_id)
        slot = _Slot(max(now, last.at + self.private_interval) if last is not None else now)
        if len(self._private) > 10_000:  # keep memory bounded: old entries no longer constrain anything
            self._private = {c: s for c, s in self._private.items() if s.at > now - self.private_interval}
        self._private[chat_id] = slot
        return slot

    def ready_at(self, chat_id: int, now: float) -> float:
        """When the chat's own limit would let a send start, without reserving anything (the overall limit and a
        429 hold are shared by every chat, so they do not decide which chat goes first)."""
        if chat_id < 0:
            live = [s for s in self._groups.get(chat_id, ()) if s.at > now - GROUP_WINDOW_S]
            if len(live) >= self.group_per_minute:
                return max(now, live[-self.group_per_minute].at + GROUP_WINDOW_S)
            return now
        last = self._private.get(chat_id)
        return max(now, last.at + self.private_interval) if last is not None else now

    def _overall(self, now: float) -> float:
        at = max(now, self._hold_until)
        if self._recent:
            at = max(at, self._recent[-1] + self.min_gap)
            if len(self._recent) == self.per_second:
                at = max(at, self._recent[0] + WINDOW_S)
        return at

    async def acquire(self, chat_id: int) -> None:
        """Wait until a send to ``chat_id`` may start."""
        slot = self._reserve(chat_id, self.clock())
        now = self.clock()
        if slot.at > now:
            self.waited += slot.at - now
            await self._sleep(slot.at - now)
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            while True:
                now = self.clock()
                at = self._overall(now)
                if at <= now:
                    break
                self.waited += at - now
                await self._sleep(at - now)
            self._recent.append(now)
            slot.at = max(slot.at, now)

    def hold(self, seconds: float) -> None:
        """Telegram said "retry after": nobody starts a send before then."""
        self._hold_until = max(self._hold_until, self.clock() + seconds)


def shared_pacer(runtime: Runtime) -> Pacer:
    """One pacer per Application: every fan-out (announcements, digests, exports) shares the bot's limits."""
    pacer = runtime.pacer
    if pacer is None:
        pacer = Pacer(lambda: runtime.clock.now().timestamp(), lambda seconds: runtime.sleep(seconds))
        runtime.pacer = pacer
    return pacer


# ---- use cases (transaction bodies) ---------------------------------------------------------------
