"""Issue #13: every scheduled job is one ``claim_tx`` transaction (its changes, the messages it owes as outbox rows
and its status), so a crash after the claim runs it again once after the restart (before: recorded 'interrupted'
and never sent), and a crash after its commit leaves its rows pending for the outbox. None lost, none twice."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.devtools.fakeapi import FakeBotApi
from bot.devtools.harness import Harness, running
from bot.kernel import jobs_storage as jobs_repo
from bot.kernel.clock import FakeClock
from bot.kernel.scheduling import ClaimTx, PreparedClaimTx
from tests.support.db import q
from tests.support.outbox import later, texts
from tests.support.people import ADMIN, GROUP_ID, MEMBER
from tests.support.world import cluster_with_members, group_api


def test_every_registered_job_is_one_transaction(h: Harness) -> None:
    direct = [kind for kind, handler in h.runtime.job_handlers.items()
              if not isinstance(handler, ClaimTx | PreparedClaimTx)]  # fmt: skip
    assert direct == []


def _api(clock: FakeClock) -> FakeBotApi:
    api = group_api(clock)
    api.set_member(GROUP_ID, MEMBER.json(), "member")
    return api


async def _claim_and_die(h: Harness, kind: str) -> None:
    """Claim what is due (as ``run_due`` does first) and stop before running it: a crash right after the claim."""
    claimed = await h.runtime.db.write(jobs_repo.claim_due, h.clock.timestamp())
    assert kind in [job.kind for job in claimed]


async def test_an_escalation_claimed_before_a_crash_is_sent_once_after_the_restart(db_path: Path) -> None:
    clock = FakeClock()
    api = _api(clock)
    async with running(db_path, clock=clock, api=api) as h:
        await cluster_with_members(h)
        await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 paket sembako HSS mendesak")
        clock.advance(timedelta(hours=2, minutes=1))
        await _claim_and_die(h, "need.escalate")
    async with running(db_path, clock=clock, api=api) as h:
        await later(h, 5)
    async with running(db_path, clock=clock, api=api) as h:  # and once more: nothing again
        await later(h, 5)
    escalations = [t for t in texts(api.calls, GROUP_ID) if "⚠️" in t and "K-0001" in t]
    assert len(escalations) == 1
    assert len([t for t in texts(api.calls, ADMIN.id) if "⚠️" in t and "K-0001" in t]) == 1
    assert q(db_path, "SELECT status FROM scheduled_jobs WHERE kind = 'need.escalate'") == [("done",)]


async def test_a_stock_reminder_claimed_before_a_crash_is_sent_once_after_the_restart(db_path: Path) -> None:
    clock = FakeClock()
    api = _api(clock)
    async with running(db_path, clock=clock, api=api) as h:
        await cluster_with_members(h)
        await h.sim.send(MEMBER, text="/stok\nberas 1.000 kg Bjm\nsusu 10 dus Bjm kadaluarsa 15/10/2025")
        clock.advance(timedelta(days=25, hours=15))  # 15 Oct (end of day, WITA) is 30 days away
        await _claim_and_die(h, "stock.expiry")
    async with running(db_path, clock=clock, api=api) as h:
        await later(h, 5)
    async with running(db_path, clock=clock, api=api) as h:
        await later(h, 5)
    reminders = [t for t in texts(api.calls, MEMBER.id) if "⏳ Kedaluwarsa dalam 30 hari" in t]
    assert len(reminders) == 1 and "Susu — 10 dus" in reminders[0]
    # the hourly publication claimed with it ran again too: its chain goes on (a pending next snapshot)
    assert q(db_path, "SELECT COUNT(*) FROM scheduled_jobs WHERE kind = 'stock.expiry' AND status = 'interrupted'") \
        == [(0,)]  # fmt: skip
    assert q(db_path, "SELECT COUNT(*) FROM scheduled_jobs WHERE kind = 'stock.publish' AND status = 'interrupted'") \
        == [(0,)]  # fmt: skip
