"""Telegram faults after a commit in the members and sitrep features (issue #13): the handover's code message and
its notices, the registration dialog's questions, and the pinned situation summary (post, pin, edit) are outbox
rows of the change's transaction. A 5xx storm or a 429 is retried later, a timed-out post is recorded uncertain and
never repeated; the person never reads "tidak ada yang disimpan" for a change that was committed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.devtools.harness import Harness
from bot.kernel import scheduling
from tests.support.db import q
from tests.support.outbox import NOTHING_SAVED, later, texts
from tests.support.people import ADMIN, COLLEAGUE, GROUP_ID, MEMBER
from tests.support.world import approve_last, cluster_with_members, register_one_line, setup_cluster


async def _pmi(h: Harness) -> None:
    await setup_cluster(h)
    await register_one_line(h, MEMBER, "Palang Merah Indonesia Kalsel | PMI Kalsel | ngo | Bjm | Kepala Gudang")
    await approve_last(h)


def _code(text: str) -> str:
    return text.split("<code>")[1].split("</code>")[0]


# ---- handover -----------------------------------------------------------------------------------------------


async def test_handover_code_5xx_storm_after_commit_is_delivered_later(h: Harness, db_path: Path) -> None:
    await _pmi(h)
    h.api.fail("sendMessage", "server", chat_id=MEMBER.id, times=6)
    calls = await h.sim.send(MEMBER, text="/serahterima")
    assert not any(NOTHING_SAVED in c.text for c in calls)
    assert q(db_path, "SELECT status, code IS NOT NULL FROM handovers") == [("offered", 1)]
    codes = [t for t in texts(await later(h), MEMBER.id) if "ST-" in t]
    assert len(codes) == 1  # delivered once, after the storm
    calls = await h.sim.send(COLLEAGUE, text=f"/terima {_code(codes[0])}")
    assert any("Tersimpan" in t for t in texts(calls, COLLEAGUE.id))


async def test_handover_code_asked_in_the_group_goes_private_through_the_outbox(h: Harness, db_path: Path) -> None:
    await _pmi(h)
    h.api.fail("sendMessage", "retry_after", chat_id=MEMBER.id, times=5, arg=7)
    calls = await h.sim.send(MEMBER, GROUP_ID, "/serahterima")
    assert not any(NOTHING_SAVED in c.text for c in calls)
    assert not any("ST-" in c.text for c in calls if c.chat_id == GROUP_ID)  # the code is a secret
    assert any("obrolan pribadi" in t for t in texts(calls, GROUP_ID))
    assert len([t for t in texts(await later(h), MEMBER.id) if "ST-" in t]) == 1
    assert q(db_path, "SELECT status FROM handovers") == [("offered",)]  # not revoked: it is on its way


async def test_handover_answer_timeout_still_tells_the_predecessor(h: Harness, db_path: Path) -> None:
    await _pmi(h)
    calls = await h.sim.send(MEMBER, text="/serahterima")
    code = _code(calls[-1].text)
    h.api.fail("sendMessage", "timeout", chat_id=COLLEAGUE.id)
    calls = await h.sim.send(COLLEAGUE, text=f"/terima {code}")
    assert not any(NOTHING_SAVED in c.text for c in calls)
    assert q(db_path, "SELECT status FROM handovers") == [("accepted",)]
    told = [t for t in texts(calls, MEMBER.id) if "Anda menyerahkan" in t or "PMI" in t]
    assert len(told) == 1, texts(calls, MEMBER.id)  # the predecessor is told although the successor's answer hung
    assert q(db_path, "SELECT status FROM outbox WHERE chat_id = ? ORDER BY id DESC LIMIT 1", COLLEAGUE.id) == [
        ("uncertain",)
    ]
    assert not texts(await later(h), COLLEAGUE.id)  # a timed-out answer is never sent twice


async def test_handover_predecessor_notice_429_is_retried_once(h: Harness, db_path: Path) -> None:
    await _pmi(h)
    calls = await h.sim.send(MEMBER, text="/serahterima")
    code = _code(calls[-1].text)
    h.api.fail("sendMessage", "retry_after", chat_id=MEMBER.id, times=5, arg=7)
    calls = await h.sim.send(COLLEAGUE, text=f"/terima {code}")
    assert any("Tersimpan" in t for t in texts(calls, COLLEAGUE.id))
    assert not any(NOTHING_SAVED in c.text for c in calls)
    notices = texts(calls, MEMBER.id) + texts(await later(h), MEMBER.id)
    assert len(notices) == 1 and "Dimas" in notices[0]


async def test_named_handover_decline_5xx_after_commit_still_reaches_both(h: Harness, db_path: Path) -> None:
    await _pmi(h)
    await h.sim.send(COLLEAGUE, GROUP_ID, "/bantuan")  # the bot learns the colleague's username
    offer = (await h.sim.send(MEMBER, GROUP_ID, "/serahterima @dimas_pmi"))[-1]
    h.api.fail("editMessageText", "server", chat_id=GROUP_ID, times=6)
    h.api.fail("sendMessage", "server", chat_id=MEMBER.id, times=6)
    calls = await h.sim.press(COLLEAGUE, offer, text="✖ Tolak")
    assert not any(NOTHING_SAVED in c.text for c in calls)
    assert q(db_path, "SELECT status FROM handovers") == [("rejected",)]
    calls = await later(h)
    assert len(texts(calls, MEMBER.id)) == 1
    assert [c.error for c in calls if c.method == "editMessageText"][-1:] == [None]


# ---- registration's questions --------------------------------------------------------------------------------


async def test_registration_question_5xx_after_the_step_is_saved_is_asked_later(h: Harness, db_path: Path) -> None:
    await setup_cluster(h)
    await h.sim.send(MEMBER, text="/daftar")
    h.api.fail("sendMessage", "server", chat_id=MEMBER.id, times=6)
    calls = await h.sim.send(MEMBER, text="Yayasan Peduli Banua")
    assert not any(NOTHING_SAVED in c.text for c in calls)
    assert q(db_path, "SELECT kind, step FROM dialogs WHERE user_id = ?", MEMBER.id) == [("register", "short")]
    questions = [t for t in texts(await later(h), MEMBER.id) if "2/5" in t]
    assert len(questions) == 1


async def test_registration_question_timeout_is_uncertain_and_not_repeated(h: Harness, db_path: Path) -> None:
    await setup_cluster(h)
    await h.sim.send(MEMBER, text="/daftar")
    h.api.fail("sendMessage", "timeout", chat_id=MEMBER.id)
    calls = await h.sim.send(MEMBER, text="Yayasan Peduli Banua")
    assert not any(NOTHING_SAVED in c.text for c in calls)
    assert q(db_path, "SELECT step FROM dialogs WHERE user_id = ?", MEMBER.id) == [("short",)]
    assert q(db_path, "SELECT status FROM outbox WHERE chat_id = ? ORDER BY id DESC LIMIT 1", MEMBER.id) == [
        ("uncertain",)
    ]
    assert not texts(await later(h), MEMBER.id)
    calls = await h.sim.send(MEMBER, text="YPB")  # the dialog goes on where it was saved
    assert any("3/5" in t for t in texts(calls, MEMBER.id))


# ---- the pinned situation summary ---------------------------------------------------------------------------


async def test_sitrep_card_5xx_storm_is_posted_and_pinned_later(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    h.api.fail("sendMessage", "server", chat_id=GROUP_ID, times=6)
    calls = await h.sim.send(ADMIN, GROUP_ID, "/lapsit")
    assert not any(NOTHING_SAVED in c.text for c in calls)
    calls = await later(h)
    cards = [c for c in calls if c.method == "sendMessage" and c.chat_id == GROUP_ID and c.error is None]
    assert len(cards) == 1 and "LAPORAN SITUASI" in cards[0].text
    message_id = cards[0].result["message_id"]
    assert h.api.pins[GROUP_ID][-1] == message_id
    assert q(db_path, "SELECT message_id FROM sitrep_state") == [(message_id,)]


async def test_sitrep_pin_429_is_retried(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    h.api.fail("pinChatMessage", "retry_after", chat_id=GROUP_ID, times=5, arg=7)
    calls = await h.sim.send(ADMIN, GROUP_ID, "/lapsit")
    assert not any(NOTHING_SAVED in c.text for c in calls)
    card = next(c for c in calls if c.method == "sendMessage" and "LAPORAN SITUASI" in c.text and c.error is None)
    await later(h)
    assert h.api.pins[GROUP_ID][-1] == card.result["message_id"]
    assert q(db_path, "SELECT message_id FROM sitrep_state") == [(card.result["message_id"],)]


async def test_sitrep_edit_timeouts_are_retried(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(ADMIN, GROUP_ID, "/lapsit")
    message_id = h.api.pins[GROUP_ID][-1]
    h.clock.advance(timedelta(minutes=5))
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 7 buah genset HSS")
    h.api.fail("editMessageText", "timeout", chat_id=GROUP_ID, times=6)
    h.clock.advance(timedelta(minutes=2))
    await scheduling.run_due(h.app)
    await later(h)
    assert "<b>Kebutuhan terbuka</b>: 1" in h.api.message(GROUP_ID, message_id).text
    assert h.api.pins[GROUP_ID][-1] == message_id  # edited in place, not reposted


# ---- the cluster's group --------------------------------------------------------------------------------------


async def test_setup_answer_5xx_storm_after_the_cluster_is_stored_is_sent_later(h: Harness, db_path: Path) -> None:
    h.api.fail("sendMessage", "server", chat_id=GROUP_ID, times=6)
    calls = await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
    assert not any(NOTHING_SAVED in c.text for c in calls)
    assert q(db_path, "SELECT name FROM clusters") == [("Klaster Logistik Kalsel",)]
    answers = [t for t in texts(await later(h), GROUP_ID) if "Klaster Logistik Kalsel" in t]
    assert len(answers) == 1


async def test_departure_notice_timeout_is_uncertain_and_the_member_stays_inactive(h: Harness, db_path: Path) -> None:
    await _pmi(h)
    h.api.fail("sendMessage", "timeout", chat_id=GROUP_ID)
    calls = await h.sim.member_update(MEMBER, GROUP_ID, "member", "left")
    assert not any(NOTHING_SAVED in c.text for c in calls)
    assert q(db_path, "SELECT status FROM members") == [("inactive",)]
    assert q(db_path, "SELECT status FROM outbox WHERE chat_id = ? ORDER BY id DESC LIMIT 1", GROUP_ID) == [
        ("uncertain",)
    ]
    assert not texts(await later(h), GROUP_ID)  # never told twice


async def test_registration_cancel_edit_5xx_storm_is_retried(h: Harness, db_path: Path) -> None:
    await setup_cluster(h)
    await register_one_line(h, MEMBER, "")
    for answer in ("Yayasan Peduli Banua", "YPB"):
        await h.sim.send(MEMBER, text=answer)
    await h.sim.press(MEMBER, h.api.last(MEMBER.id), data="reg:type:ngo")
    await h.sim.press(MEMBER, h.api.last(MEMBER.id), data="reg:reg:63.71")
    confirm = (await h.sim.send(MEMBER, text="Kepala Gudang"))[-1]
    h.api.fail("editMessageText", "server", chat_id=MEMBER.id, times=6)
    calls = await h.sim.press(MEMBER, confirm, data="reg:x")
    assert not any(NOTHING_SAVED in c.text for c in calls if "Dibatalkan" not in c.text)
    assert q(db_path, "SELECT COUNT(*) FROM dialogs WHERE user_id = ?", MEMBER.id) == [(0,)]
    edits = [c for c in await later(h) if c.method == "editMessageText" and c.error is None]
    assert len(edits) == 1 and "Dibatalkan" in edits[0].text
