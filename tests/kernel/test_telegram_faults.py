"""Telegram faults: 429 storms, 5xx, timeouts, a group migrated mid-conversation, removal and re-adding."""

from __future__ import annotations

from pathlib import Path

from bot.devtools.harness import Harness
from tests.support.db import q
from tests.support.people import ADMIN, GROUP_ID, MEMBER, OTHER
from tests.support.world import cluster_with_members


async def test_429_storm_is_waited_out_and_sends_once(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    h.api.fail("sendMessage", "retry_after", chat_id=GROUP_ID, times=3, arg=5)
    calls = await h.sim.send(MEMBER, text="/butuh 500 paket sembako HSS mendesak")
    cards = [c for c in calls if c.method == "sendMessage" and c.chat_id == GROUP_ID and "K-0001" in c.text]
    assert [c.error is None for c in cards] == [False, False, False, True]
    assert h.slept[-3:] == [5.0, 5.0, 5.0]
    assert q(db_path, "SELECT message_id IS NOT NULL FROM needs") == [(1,)]


async def test_server_errors_are_retried_with_backoff(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    h.api.fail("sendMessage", "server", chat_id=GROUP_ID, times=2)
    calls = await h.sim.send(MEMBER, text="/butuh 10 buah genset HSS")
    cards = [c for c in calls if c.method == "sendMessage" and c.chat_id == GROUP_ID]
    assert [c.error is None for c in cards] == [False, False, True]
    assert h.slept[-2:] == [1, 2]


async def test_a_timed_out_send_is_not_repeated(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    h.api.fail("sendMessage", "timeout", chat_id=GROUP_ID)
    calls = await h.sim.send(MEMBER, text="/butuh 10 buah genset HSS")
    cards = [c for c in calls if c.method == "sendMessage" and c.chat_id == GROUP_ID and "K-0001" in c.text]
    assert len(cards) == 1  # maybe delivered, maybe not: never sent twice
    assert q(db_path, "SELECT COUNT(*) FROM needs") == [(1,)]  # the need itself was saved before the send


async def test_a_timed_out_edit_is_retried(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 10 buah genset HSS")
    h.api.fail("editMessageText", "timeout")
    await h.sim.send(OTHER, text="/start bantu_1")  # another organisation pledges (not the need's own)
    calls = await h.sim.send(OTHER, text="4")
    edits = [c for c in calls if c.method == "editMessageText"]
    assert len(edits) == 2 and edits[-1].error is None and "4/10" in edits[-1].text


async def test_group_migrated_mid_conversation(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, text="/butuh")
    await h.sim.send(MEMBER, text="terpal")
    new_id = -1009999000
    await h.sim.migrate(ADMIN, GROUP_ID, new_id)
    await h.sim.send(MEMBER, text="100 lembar")
    await h.sim.send(MEMBER, text="HSS")
    calls = await h.sim.press(MEMBER, h.api.last(MEMBER.id), data="nf:prio:1")
    calls = await h.sim.press(MEMBER, calls[-1], data="nf:when:-")
    calls = await h.sim.press(MEMBER, calls[-1], data="nf:people:-")
    calls = await h.sim.press(MEMBER, calls[-1], data="nf:ok")
    assert any(c.chat_id == new_id and "K-0001" in c.text for c in calls)
    assert q(db_path, "SELECT chat_id FROM clusters") == [(new_id,)]
    assert q(db_path, "SELECT chat_id FROM needs") == [(new_id,)]


async def test_migration_reported_by_the_error_moves_cards_too(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 10 buah genset HSS")
    new_id = -1008887
    h.api.fail("sendMessage", "migrate", chat_id=GROUP_ID, arg=new_id)
    calls = await h.sim.send(MEMBER, text="/butuh 20 buah genset HST")
    assert any(c.chat_id == new_id and "K-0002" in c.text and c.error is None for c in calls)
    assert q(db_path, "SELECT DISTINCT chat_id FROM needs") == [(new_id,)]


async def test_bot_removed_and_readded(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.member_update(ADMIN, GROUP_ID, "administrator", "kicked", bot=True)
    assert q(db_path, f"SELECT status FROM chats WHERE chat_id = {GROUP_ID}") == [("removed",)]
    await h.sim.member_update(ADMIN, GROUP_ID, "left", "administrator", bot=True)
    assert q(db_path, f"SELECT status FROM chats WHERE chat_id = {GROUP_ID}") == [("active",)]
    calls = await h.sim.send(MEMBER, GROUP_ID, "/kebutuhan")
    assert calls[-1].error is None  # the cluster and its data are intact
    assert q(db_path, "SELECT COUNT(*) FROM clusters") == [(1,)]
