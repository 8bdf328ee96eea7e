"""Issue #16: an announcement stores chat ids (each recipient's ``broadcast_deliveries`` row, the group's among
them, and the status message's chat); when the group becomes a supergroup (Telegram's ``migrate_to_chat_id``) they
follow it through the broadcast's ``CHAT_MIGRATION`` contribution."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from pathlib import Path

from bot.devtools.harness import Harness, running
from bot.features.broadcast import handlers as broadcast_handlers
from bot.features.broadcast import service as svc
from bot.kernel import outbox
from bot.kernel.clock import FakeClock
from tests.support.broadcast import announcements, preview, seed_representatives
from tests.support.db import q
from tests.support.people import ADMIN, GROUP_ID
from tests.support.world import group_api

NEW_ID = -1007770002


async def test_an_interrupted_announcement_resumes_at_the_groups_new_id(db_path: Path) -> None:
    clock = FakeClock()
    api = group_api(clock, kind="group")
    async with running(db_path, clock=clock, api=api) as h:
        await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
        reps = seed_representatives(db_path, 3)
        card = await preview(h)
        # confirmed, then the process died before the group's turn (as in test_broadcast_e2e)
        started = await h.runtime.db.write(partial(
            svc.start, broadcast_id=1, cluster_id=1, user_id=ADMIN.id, status_chat_id=ADMIN.id,
            status_message_id=card.result["message_id"], now=clock.timestamp(),
        ))  # fmt: skip
        assert started.ok and started.total == 4
        await h.sim.migrate(ADMIN, GROUP_ID, NEW_ID)
    assert q(db_path, "SELECT chat_id FROM broadcast_deliveries WHERE user_id IS NULL") == [(NEW_ID,)]
    api.clear()
    api.fail("sendMessage", "migrate", chat_id=GROUP_ID, times=99, arg=NEW_ID)  # the old id is dead at Telegram
    async with running(db_path, clock=clock, api=api) as h:
        await broadcast_handlers.drain(h.app)
    assert not [c for c in api.calls if c.chat_id == GROUP_ID], "a call went to the group's dead id"
    assert announcements(api.calls) == {NEW_ID: 1, **{rep: 1 for rep in reps}}
    assert q(db_path, "SELECT status, COUNT(*) FROM broadcast_deliveries GROUP BY status") == [("sent", 4)]
    assert "Pengumuman terkirim: 4/4" in api.message(ADMIN.id, card.result["message_id"]).text


async def test_a_group_migrated_during_its_send_is_reported_sent(h: Harness, db_path: Path) -> None:
    """Telegram reports the migration as the send's error: the delivery row moves to the new id while it is being
    sent, and its outcome is still recorded (not left 'sending', not reported undelivered)."""
    await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
    reps = seed_representatives(db_path, 2)
    h.api.fail("sendMessage", "migrate", chat_id=GROUP_ID, arg=NEW_ID)
    card = await preview(h)
    await h.sim.press(ADMIN, card, data=card.buttons[0][0]["callback_data"])
    await broadcast_handlers.drain(h.app)
    assert announcements(h.api.calls) == {NEW_ID: 1, **{rep: 1 for rep in reps}}
    assert q(db_path, "SELECT chat_id, status FROM broadcast_deliveries WHERE user_id IS NULL") == [(NEW_ID, "sent")]
    assert "Pengumuman terkirim: 3/3" in h.api.message(ADMIN.id, card.result["message_id"]).text


async def test_the_final_report_survives_a_5xx_storm_on_its_edit(db_path: Path) -> None:
    """Issue #13: the report is owed once the announcement is done, so it is an outbox row written with the
    'done' (retried after a 5xx storm, across a restart), not a direct edit that a storm loses for good."""
    clock = FakeClock()
    api = group_api(clock)
    async with running(db_path, clock=clock, api=api) as h:
        await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
        seed_representatives(db_path, 3)
        card = await preview(h)
        started = await h.runtime.db.write(partial(
            svc.start, broadcast_id=1, cluster_id=1, user_id=ADMIN.id, status_chat_id=ADMIN.id,
            status_message_id=card.result["message_id"], now=clock.timestamp(),
        ))  # fmt: skip
        assert started.ok
    api.fail("editMessageText", "server", chat_id=ADMIN.id, times=40)  # the status message's chat: 5xx for a while
    async with running(db_path, clock=clock, api=api) as h:
        await broadcast_handlers.drain(h.app)
        assert q(db_path, "SELECT status FROM broadcasts") == [("done",)]
    assert "Pengumuman terkirim" not in api.message(ADMIN.id, card.result["message_id"]).text
    api.failures.clear()  # Telegram is back
    clock.advance(timedelta(minutes=10))
    async with running(db_path, clock=clock, api=api) as h:
        await outbox.drain(h.app)
    assert "Pengumuman terkirim: 4/4" in api.message(ADMIN.id, card.result["message_id"]).text


async def test_a_deleted_status_message_is_posted_again_and_the_report_lands_there(h: Harness, db_path: Path) -> None:
    """The secretariat deleted the preview before pressing "Send" (an old button still works): the status line is
    posted again, remembered, and the final report edits that new message."""
    await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
    seed_representatives(db_path, 2)
    card = await preview(h)
    h.api.message(ADMIN.id, card.result["message_id"]).deleted = True
    await h.sim.press(ADMIN, card, data=card.buttons[0][0]["callback_data"])
    await broadcast_handlers.drain(h.app)
    [(chat_id, message_id)] = q(db_path, "SELECT status_chat_id, status_message_id FROM broadcasts")
    assert chat_id == ADMIN.id and message_id != card.result["message_id"]
    assert "Pengumuman terkirim: 3/3" in h.api.message(ADMIN.id, message_id).text
