"""Announcements (pengumuman) to the group and every active representative, within Telegram's limits.

Telegram allows about 30 messages per second overall, 20 per minute into one group and about one per second
into one private chat; beyond that it answers 429 (RetryAfter) and, under sustained overload, slows the bot
down. Production also has PTB's AIORateLimiter, but tests and benchmarks run without it, and a fan-out of
hundreds of messages should not lean on retries anyway: ``Pacer`` hands out start times within the limits
(shared by every fan-out of one Application, so a digest and an announcement at once still stay under them),
and a 429 that happens anyway holds every sender for the time Telegram asks.

Crash safety: each recipient is a ``broadcast_deliveries`` row claimed ('sending') when its turn comes, before
its Bot API call, and recorded after it (two hand-offs per message: nothing at 30 messages a second). A crash
leaves at most the ``CONCURRENCY`` in-flight claims; on restart they become 'uncertain' (possibly delivered,
never sent twice) and the rest of the announcement continues. A blocked chat (403) is recorded
once and listed for the secretariat; transient failures go back to the queue a bounded number of times.

Nothing here knows Telegram: the handler passes ``deliver`` (one send, mapped to an ``Outcome``) and
``progress`` (edits the status message).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.features.digests import storage as repo
from bot.features.digests.storage import Broadcast, Recipient, Undelivered
from bot.features.members import storage as members_repo
from bot.kernel import storage as core_repo
from bot.kernel.db import Database
from bot.kernel.runtime import Runtime

PER_SECOND = 30
GROUP_PER_MINUTE = 20
PRIVATE_INTERVAL_S = 1.0
# A little slower than the limits: the Bot API counts when a request arrives, a few milliseconds after the
# pacer let it start, and those delays vary; a 31st message in one second costs a whole "retry after 1".
WINDOW_S = 1.02
GROUP_WINDOW_S = 60.0 * 1.02
MIN_GAP_SHARE = 0.5  # a late send may be followed by the next after half the usual gap, never closer
PROGRESS_EVERY_S = 2.0  # the status message is edited at most this often (and about twenty times per run)
MAX_ATTEMPTS = 3  # transient failures (429 after retries, network) before a recipient is given up as failed
CONCURRENCY = 8  # sends in flight: round trips overlap while the pacer keeps the start times apart
BATCH = 64
MAX_TEXT = 3500  # what the secretariat may type: the announcement frame and escaping must fit 4096
DRAFT_TTL_S = 24 * 3600


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
    pacer = runtime.extras.get("pacer")
    if pacer is None:
        pacer = Pacer(lambda: runtime.clock.now().timestamp(), lambda seconds: runtime.sleep(seconds))
        runtime.extras["pacer"] = pacer
    return pacer


# ---- use cases (transaction bodies) ---------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    id: int
    recipients: int  # the group and every active representative
    unreachable: int  # representatives known to have blocked the bot (not sent again, listed)


def create_draft(conn: sqlite3.Connection, cluster_id: int, user_id: int, text: str, now: int) -> Draft:
    reps = repo.representatives(conn, cluster_id)
    total = 1 + len(reps)
    broadcast_id = repo.create_broadcast(conn, cluster_id, user_id, text, total, now)
    core_repo.audit(conn, cluster_id, user_id, "broadcast.draft", f"broadcast:{broadcast_id}", now)
    return Draft(broadcast_id, total, sum(1 for _, reachable in reps if not reachable))


@dataclass(frozen=True)
class Started:
    ok: bool
    reason: str = ""  # not_found | other_cluster | already | expired
    broadcast: Broadcast | None = None
    total: int = 0


def start(
    conn: sqlite3.Connection, broadcast_id: int, cluster_id: int, user_id: int, status_chat_id: int,
    status_message_id: int, now: int,
) -> Started:  # fmt: skip
    """Confirmed after the preview: draft → sending (compare-and-set), recipients fixed in sending order."""
    broadcast = repo.broadcast_by_id(conn, broadcast_id)
    if broadcast is None:
        return Started(False, "not_found")
    if broadcast.cluster_id != cluster_id:
        return Started(False, "other_cluster")
    if broadcast.status == "draft" and broadcast.created_at < now - DRAFT_TTL_S:
        return Started(False, "expired", broadcast)
    if not repo.set_broadcast_status(conn, broadcast_id, "draft", "sending", now):
        return Started(False, "already", broadcast)
    cluster = members_repo.cluster_by_id(conn, cluster_id)
    assert cluster is not None
    recipients: list[tuple[int, int | None, str]] = [
        (core_repo.resolve_chat_id(conn, cluster.chat_id), None, "pending")
    ]
    for rep_id, reachable in repo.representatives(conn, cluster_id):
        recipients.append((rep_id, rep_id, "pending" if reachable else "blocked"))
    repo.add_deliveries(conn, broadcast_id, recipients, now)
    repo.set_status_message(conn, broadcast_id, status_chat_id, status_message_id, len(recipients))
    core_repo.audit(conn, cluster_id, user_id, "broadcast.send", f"broadcast:{broadcast_id}", now,
                    recipients=len(recipients))  # fmt: skip
    return Started(True, "", repo.broadcast_by_id(conn, broadcast_id), len(recipients))


def cancel(conn: sqlite3.Connection, broadcast_id: int, cluster_id: int, now: int) -> bool:
    broadcast = repo.broadcast_by_id(conn, broadcast_id)
    if broadcast is None or broadcast.cluster_id != cluster_id:
        return False
    return repo.set_broadcast_status(conn, broadcast_id, "draft", "cancelled", now)


@dataclass(frozen=True)
class Outcome:
    """What one send did: sent | blocked (403: never retried) | failed (a permanent error) | uncertain (timed
    out: maybe delivered, so not repeated) | retry (transient: back to the queue)."""

    status: str
    message_id: int | None = None
    error: str = ""


def record(conn: sqlite3.Connection, broadcast_id: int, recipient: Recipient, outcome: Outcome, now: int) -> None:
    status = outcome.status
    if status == "retry":
        status = "pending" if recipient.attempts < MAX_ATTEMPTS else "failed"
    repo.record_delivery(conn, broadcast_id, recipient.chat_id, status, outcome.message_id, outcome.error, now)


@dataclass
class Report:
    broadcast_id: int
    total: int
    sent: int
    undelivered: list[Undelivered] = field(default_factory=list)

    @property
    def blocked(self) -> list[Undelivered]:
        return [u for u in self.undelivered if u.status == "blocked"]

    @property
    def failed(self) -> list[Undelivered]:
        return [u for u in self.undelivered if u.status != "blocked"]


def report(conn: sqlite3.Connection, broadcast_id: int) -> Report:
    counts = repo.delivery_counts(conn, broadcast_id)
    return Report(broadcast_id, sum(counts.values()), counts.get("sent", 0), repo.undelivered(conn, broadcast_id))


def finish(conn: sqlite3.Connection, broadcast_id: int, now: int) -> Report:
    repo.set_broadcast_status(conn, broadcast_id, "sending", "done", now)
    return report(conn, broadcast_id)


def interrupted(conn: sqlite3.Connection, now: int) -> list[int]:
    return repo.interrupted_broadcasts(conn, now)


def next_batch(conn: sqlite3.Connection, broadcast_id: int, limit: int) -> tuple[list[Recipient], int, int]:
    """The next pending recipients in order, plus (sent so far, total) for the progress line."""
    recipients = repo.pending_deliveries(conn, broadcast_id, limit)
    counts = repo.delivery_counts(conn, broadcast_id)
    return recipients, counts.get("sent", 0), sum(counts.values())


def claim(conn: sqlite3.Connection, broadcast_id: int, chat_id: int, now: int) -> Recipient | None:
    return repo.claim_delivery(conn, broadcast_id, chat_id, now)


# ---- the sending loop -----------------------------------------------------------------------------


Deliver = Callable[[int], Awaitable[Outcome]]
Progress = Callable[[int, int], Awaitable[None]]


async def run(
    db: Database,
    broadcast_id: int,
    deliver: Deliver,
    progress: Progress,
    pacer: Pacer,
    now: Callable[[], int],
    concurrency: int = CONCURRENCY,
) -> Report:
    """Send to every pending recipient (in order, ``concurrency`` in flight, paced), recording each outcome.

    Progress is reported about twenty times over the run, at most every ``PROGRESS_EVERY_S`` (the handler shows
    the final report); a resumed announcement continues from its recorded counts.
    """
    sent = 0
    total = 0
    reported = -1
    step = 1
    progress_lock = asyncio.Lock()

    last_progress = pacer.clock()

    async def report_progress() -> None:
        nonlocal reported, last_progress
        if sent - reported < step or progress_lock.locked() or pacer.clock() - last_progress < PROGRESS_EVERY_S:
            return
        async with progress_lock:
            reported, last_progress = sent, pacer.clock()
            await progress(sent, total)

    async def worker(queue: deque[Recipient]) -> None:
        nonlocal sent
        while queue:
            claimed = await db.write(claim, broadcast_id, queue.popleft().chat_id, now())
            if claimed is None:
                continue
            recipient: Recipient = claimed
            await pacer.acquire(recipient.chat_id)  # last before the call: the slot is when the request leaves
            try:
                outcome = await deliver(recipient.chat_id)
            except Exception as exc:  # a bug or an unexpected error must not stop the other recipients
                outcome = Outcome("failed", error=type(exc).__name__)
            await db.write(record, broadcast_id, recipient, outcome, now())
            if outcome.status == "sent":
                sent += 1
                await report_progress()

    while True:
        batch, sent, total = await db.read(next_batch, broadcast_id, BATCH)
        step = max(10, -(-total // 20))
        if reported < 0:
            reported = sent
        if not batch:
            break
        queue = deque(batch)
        await asyncio.gather(*(worker(queue) for _ in range(min(concurrency, len(batch)))))
    result: Report = await db.write(finish, broadcast_id, now())
    return result
