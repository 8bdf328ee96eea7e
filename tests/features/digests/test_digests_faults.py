"""Issue #13: a digest owes its messages as outbox rows written in the slot's own transaction (the claim's), so a
5xx, a 429 or a crash after the claim still delivers each digest once; a timeout is 'uncertain' (never resent); a
403 is 'failed' with the reason. Before, a digest that failed after the in-call retries was only recorded, and a
claim a crash interrupted was never sent."""

from __future__ import annotations

from pathlib import Path

from bot.devtools.harness import Harness, running
from bot.features.digests import handlers as digest_handlers
from bot.kernel import jobs_storage as jobs_repo
from bot.kernel import outbox_storage as outbox_repo
from bot.kernel.clock import FakeClock
from bot.kernel.scheduling import PreparedClaimTx
from bot.kernel.sql import Conn
from tests.support.agenda import at, utc
from tests.support.db import q
from tests.support.digests import digests
from tests.support.outbox import later
from tests.support.people import ADMIN, GROUP_ID, MEMBER
from tests.support.world import cluster_with_members, group_api

DUE = utc(2025, 8, 21, 23, 0, 30)  # Friday's 07.00 WITA digest


async def _subscribed(h: Harness) -> None:
    """The group and one subscriber; nothing posted, so the digests are the only sends of the slot."""
    await cluster_with_members(h)
    await h.sim.send(MEMBER, text="/langganan harian")
    await digest_handlers.ensure_slots(h.app)


async def test_a_5xx_storm_on_the_group_digest_is_retried_and_delivered_once(h: Harness, db_path: Path) -> None:
    await _subscribed(h)
    h.api.fail("sendMessage", "server", chat_id=GROUP_ID, times=6)  # past the inline retries (and the old 3)
    calls = await at(h, DUE)
    assert len(digests(calls, MEMBER.id)) == 1  # the subscriber is not held up by the group
    assert not digests(calls, GROUP_ID)
    calls = await later(h)
    assert len(digests(calls, GROUP_ID)) == 1
    assert len(digests(h.api.calls, GROUP_ID)) == 1 and len(digests(h.api.calls, MEMBER.id)) == 1
    assert q(db_path, "SELECT chat_id, status FROM digest_runs ORDER BY id") == [
        (GROUP_ID, "empty"), (MEMBER.id, "empty"),
    ]  # fmt: skip


async def test_a_429_with_retry_after_is_honoured_and_the_digest_delivered_once(h: Harness, db_path: Path) -> None:
    await _subscribed(h)
    h.api.fail("sendMessage", "retry_after", chat_id=MEMBER.id, arg=7, times=5)
    await at(h, DUE)
    await later(h)
    attempts = [c for c in h.api.calls if c.method == "sendMessage" and c.chat_id == MEMBER.id and "Ringkasan" in c.text]
    assert [c.error is None for c in attempts] == [False] * 5 + [True]
    assert h.slept and max(h.slept) >= 7  # the retry waited Telegram's retry_after
    assert q(db_path, "SELECT status FROM digest_runs WHERE chat_id = ?", MEMBER.id) == [("empty",)]


async def test_a_blocked_subscriber_is_failed_with_the_reason(h: Harness, db_path: Path) -> None:
    await _subscribed(h)
    h.api.fail("sendMessage", "forbidden", chat_id=MEMBER.id)
    calls = await at(h, DUE)
    assert len(digests(calls, GROUP_ID)) == 1
    [(status, error)] = q(db_path, "SELECT status, error FROM digest_runs WHERE chat_id = ?", MEMBER.id)
    assert status == "failed" and error.startswith("403")
    assert q(db_path, "SELECT reachable FROM users WHERE user_id = ?", MEMBER.id) == [(0,)]
    assert not digests(await later(h), MEMBER.id)  # never sent again


async def test_a_crash_after_the_slots_commit_delivers_its_digests_after_the_restart(db_path: Path) -> None:
    """The slot's transaction committed (runs claimed, rows owed) and the process died before any send: after the
    restart the outbox sends each digest once; the slot is not run again."""
    clock = FakeClock()
    api = group_api(clock)
    async with running(db_path, clock=clock, api=api) as h:
        await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
        await digest_handlers.ensure_slots(h.app)
        clock.set(DUE)
        [job] = await h.runtime.db.write(jobs_repo.claim_due, clock.timestamp())
        handler = h.runtime.job_handlers[job.kind]
        assert isinstance(handler, PreparedClaimTx)
        # the slot's transaction alone, not followed by its delivery: what a crash right after the commit leaves
        body = await handler.prepare(h.app, job, clock.timestamp(), False)

        def tx(conn: Conn) -> None:
            (status, note), outs = body(conn, job, clock.timestamp(), False)
            jobs_repo.finish(conn, job.id, status, clock.timestamp(), note)
            outbox_repo.enqueue(conn, outs, clock.timestamp())

        await h.runtime.db.write(tx)
    async with running(db_path, clock=clock, api=api) as h:
        await later(h, 5)
        assert len(digests(api.calls, GROUP_ID)) == 1
    async with running(db_path, clock=clock, api=api) as h:
        await later(h, 5)
    assert len(digests(api.calls, GROUP_ID)) == 1
    assert q(db_path, "SELECT status FROM digest_runs") == [("empty",)]
    assert q(db_path, "SELECT status FROM scheduled_jobs WHERE ref = 'digest:daily:1:2025-08-22'") == [("done",)]


async def test_weekly_charts_in_a_5xx_storm_are_retried_and_delivered_once(h: Harness, db_path: Path) -> None:
    """The charts are photo rows after the text (bot/kernel/outbox_files.py): retried like it, and sent once."""
    await cluster_with_members(h)
    await h.sim.send(ADMIN, GROUP_ID, "/ringkasan jadwal mingguan kamis 10.00")
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 paket sembako HSS mendesak")
    h.api.fail("sendPhoto", "server", chat_id=GROUP_ID, times=6)
    await at(h, utc(2025, 8, 21, 2, 0, 30))  # Thu 10.00 WITA
    await later(h)
    photos = [c for c in h.api.calls if c.method == "sendPhoto" and c.chat_id == GROUP_ID and c.error is None]
    assert len(photos) == 1 and "per kategori barang" in photos[0].text  # the needs chart (no stock: no second)
    assert len(digests(h.api.calls, GROUP_ID, "Ringkasan mingguan")) == 1
    assert q(db_path, "SELECT COUNT(*) FROM outbox_files") == [(0,)]
