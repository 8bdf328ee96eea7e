"""Issue #16: the digests store the group's chat id (one ``digest_runs`` row per slot and chat, the guard that no
slot reaches a chat twice); when the group becomes a supergroup (Telegram's ``migrate_to_chat_id``) those rows
follow it through the digests' ``CHAT_MIGRATION`` contribution. And issue #13's per-run states: a timeout or a
crash between claim and record is 'uncertain', with its reason."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from bot.devtools.harness import Harness, running
from bot.features.digests import handlers as digest_handlers
from bot.features.digests import service as digests_svc
from bot.kernel import jobs_storage as jobs_repo
from bot.kernel.clock import FakeClock
from tests.support.agenda import at, utc
from tests.support.db import q
from tests.support.digests import digests
from tests.support.outbox import later
from tests.support.people import ADMIN, GROUP_ID, MEMBER
from tests.support.world import cluster_with_members, group_api

NEW_ID = -1007770001


async def test_a_slot_that_reached_the_group_is_not_sent_again_after_it_became_a_supergroup(
    h: Harness, db_path: Path
) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 paket sembako HSS mendesak")
    await digest_handlers.ensure_slots(h.app)
    calls = await at(h, utc(2025, 8, 21, 23, 0, 30))  # Friday's 07.00 WITA digest
    assert len(digests(calls, GROUP_ID)) == 1
    await h.sim.migrate(ADMIN, GROUP_ID, NEW_ID)
    # the same slot comes round again (re-armed for a later time, as a slot moving forward is): the run recorded
    # for the group is the guard, under the group's new id too
    ref = "digest:daily:1:2025-08-22"
    await h.runtime.db.write(jobs_repo.schedule, "digest.daily", ref, int(utc(2025, 8, 21, 23, 5).timestamp()), 1)
    calls = await at(h, utc(2025, 8, 21, 23, 5, 30))
    assert not digests(calls, NEW_ID) and not digests(calls, GROUP_ID)
    assert q(db_path, "SELECT chat_id, status FROM digest_runs") == [(NEW_ID, "sent")]


async def test_a_group_migrated_mid_send_keeps_its_one_run_under_the_new_id(h: Harness, db_path: Path) -> None:
    """Telegram reports the migration as the send's error: the send is repeated at the new id and the run that was
    claimed under the old id is recorded (the one-line digest: 'empty'), under the new id."""
    await cluster_with_members(h)  # no need posted: the digest's send is the slot's first call to the group
    await digest_handlers.ensure_slots(h.app)
    h.api.fail("sendMessage", "migrate", chat_id=GROUP_ID, arg=NEW_ID)
    calls = await at(h, utc(2025, 8, 21, 23, 0, 30))
    assert [c.chat_id for c in calls if c.method == "sendMessage"] == [GROUP_ID, NEW_ID]
    assert len(digests(calls, NEW_ID)) == 1
    assert q(db_path, "SELECT chat_id, status FROM digest_runs") == [(NEW_ID, "empty")]
    # and the slot comes round again: nothing more
    ref = "digest:daily:1:2025-08-22"
    await h.runtime.db.write(jobs_repo.schedule, "digest.daily", ref, int(utc(2025, 8, 21, 23, 5).timestamp()), 1)
    assert not digests(await at(h, utc(2025, 8, 21, 23, 5, 30)), NEW_ID)


async def test_a_timed_out_digest_is_uncertain_with_its_reason(h: Harness, db_path: Path) -> None:
    """Issue #13: a send that timed out may have reached the group: recorded 'uncertain' (never sent again), with
    the reason, not 'failed'."""
    await cluster_with_members(h)
    await digest_handlers.ensure_slots(h.app)
    h.api.fail("sendMessage", "timeout", chat_id=GROUP_ID)
    await at(h, utc(2025, 8, 21, 23, 0, 30))
    [(status, error)] = q(db_path, "SELECT status, error FROM digest_runs")
    assert status == "uncertain" and error.startswith("timed out")
    # the digest's outbox row says the same (/status lists it), and it is never sent again
    assert q(db_path, "SELECT status FROM outbox WHERE coalesce_key LIKE 'digest.run:%'") == [("uncertain",)]
    assert len(digests(await later(h), GROUP_ID)) == 0


async def test_a_run_a_crash_left_sending_is_uncertain_after_the_restart(db_path: Path) -> None:
    """Issue #13: claimed, then the process died before the send was recorded: after the restart the run is
    'uncertain' (it may have arrived), not 'sending' for ever; the next slot still goes out."""
    clock = FakeClock()
    api = group_api(clock)
    async with running(db_path, clock=clock, api=api) as h:
        await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
        await digest_handlers.ensure_slots(h.app)
        clock.set(utc(2025, 8, 21, 23, 0, 30))
        [job] = await h.runtime.db.write(jobs_repo.claim_due, clock.timestamp())
        plan = await h.runtime.db.write(partial(digests_svc.open_slot, job=job, now=clock.timestamp(), late=False))
        assert plan.group_run is not None  # the group's run is claimed; the send never happens
    async with running(db_path, clock=clock, api=api) as h:
        assert q(db_path, "SELECT status, error FROM digest_runs") == [("uncertain", "interrupted")]
        calls = await at(h, utc(2025, 8, 22, 23, 0, 30))
        assert len(digests(calls, GROUP_ID)) == 1
    assert q(db_path, "SELECT slot, status FROM digest_runs ORDER BY id") == [
        ("2025-08-22", "uncertain"), ("2025-08-23", "empty"),
    ]  # fmt: skip
