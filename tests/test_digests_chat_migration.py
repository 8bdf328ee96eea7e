"""Issue #16: the digests store the group's chat id (one ``digest_runs`` row per slot and chat, the guard that no
slot reaches a chat twice); when the group becomes a supergroup (Telegram's ``migrate_to_chat_id``) those rows
follow it through the digests' ``CHAT_MIGRATION`` contribution."""

from __future__ import annotations

from pathlib import Path

from bot.devtools.harness import Harness
from bot.features.digests import handlers as digest_handlers
from bot.kernel import jobs_storage as jobs_repo
from tests.conftest import ADMIN, GROUP_ID, MEMBER
from tests.test_digests_e2e import at, digests, utc
from tests.test_needs_e2e import cluster_with_members, q

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
