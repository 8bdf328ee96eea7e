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
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial

from bot.features.broadcast import storage as repo
from bot.features.broadcast.models import Broadcast, Recipient, Undelivered
from bot.features.members import storage as members_repo
from bot.features.members.models import Cluster
from bot.kernel import storage as core_repo
from bot.kernel.db import Database
from bot.kernel.pacer import Pacer
from bot.kernel.sql import Conn

PROGRESS_EVERY_S = 2.0  # the status message is edited at most this often (and about twenty times per run)
MAX_ATTEMPTS = 3  # transient failures (429 after retries, network) before a recipient is given up as failed
CONCURRENCY = 8  # sends in flight: round trips overlap while the pacer keeps the start times apart
BATCH = 64
MAX_TEXT = 3500  # what the secretariat may type: the announcement frame and escaping must fit 4096
DRAFT_TTL_S = 24 * 3600


@dataclass(frozen=True)
class Draft:
    id: int
    recipients: int  # the group and every active representative
    unreachable: int  # representatives known to have blocked the bot (not sent again, listed)


def create_draft(conn: Conn, *, cluster_id: int, user_id: int, text: str, now: int) -> Draft:
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
    conn: Conn, *, broadcast_id: int, cluster_id: int, user_id: int, status_chat_id: int,
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


def load(conn: Conn, broadcast_id: int) -> tuple[Broadcast, Cluster] | None:
    """The announcement and its cluster (the sending task starts from them); None when either is gone."""
    broadcast = repo.broadcast_by_id(conn, broadcast_id)
    cluster = members_repo.cluster_by_id(conn, broadcast.cluster_id) if broadcast else None
    return (broadcast, cluster) if broadcast is not None and cluster is not None else None


def cancel(conn: Conn, *, broadcast_id: int, cluster_id: int, now: int) -> bool:
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


def record(conn: Conn, *, broadcast_id: int, recipient: Recipient, outcome: Outcome, now: int) -> None:
    status = outcome.status
    if status == "retry":
        status = "pending" if recipient.attempts < MAX_ATTEMPTS else "failed"
    # the group may have become a supergroup during its send (Telegram's error says so; its row moved with it)
    chat_id = core_repo.resolve_chat_id(conn, recipient.chat_id)
    repo.record_delivery(conn, broadcast_id, chat_id, status, outcome.message_id, outcome.error, now)


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


def report(conn: Conn, broadcast_id: int) -> Report:
    counts = repo.delivery_counts(conn, broadcast_id)
    return Report(broadcast_id, sum(counts.values()), counts.get("sent", 0), repo.undelivered(conn, broadcast_id))


def finish(conn: Conn, *, broadcast_id: int, now: int) -> Report:
    repo.set_broadcast_status(conn, broadcast_id, "sending", "done", now)
    return report(conn, broadcast_id)


def interrupted(conn: Conn, now: int) -> list[int]:
    return repo.interrupted_broadcasts(conn, now)


def next_batch(conn: Conn, *, broadcast_id: int, limit: int) -> tuple[list[Recipient], int, int]:
    """The next pending recipients in order, plus (sent so far, total) for the progress line."""
    recipients = repo.pending_deliveries(conn, broadcast_id, limit)
    counts = repo.delivery_counts(conn, broadcast_id)
    return recipients, counts.get("sent", 0), sum(counts.values())


def claim(conn: Conn, *, broadcast_id: int, chat_id: int, now: int) -> Recipient | None:
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
) -> None:
    """Send to every pending recipient (in order, ``concurrency`` in flight, paced), recording each outcome.

    Progress is reported about twenty times over the run, at most every ``PROGRESS_EVERY_S``; a resumed
    announcement continues from its recorded counts. The caller then ``finish``es it, with the final report it
    owes the secretariat in the same transaction (an outbox row).
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
            claimed = await db.write(partial(claim, broadcast_id=broadcast_id, chat_id=queue.popleft().chat_id, now=now()))
            if claimed is None:
                continue
            recipient: Recipient = claimed
            await pacer.acquire(recipient.chat_id)  # last before the call: the slot is when the request leaves
            try:
                outcome = await deliver(recipient.chat_id)
            except Exception as exc:  # a bug or an unexpected error must not stop the other recipients
                outcome = Outcome("failed", error=type(exc).__name__)
            await db.write(partial(record, broadcast_id=broadcast_id, recipient=recipient, outcome=outcome, now=now()))
            if outcome.status == "sent":
                sent += 1
                await report_progress()

    while True:
        batch, sent, total = await db.read(partial(next_batch, broadcast_id=broadcast_id, limit=BATCH))
        step = max(10, -(-total // 20))
        if reported < 0:
            reported = sent
        if not batch:
            break
        queue = deque(batch)
        await asyncio.gather(*(worker(queue) for _ in range(min(concurrency, len(batch)))))
