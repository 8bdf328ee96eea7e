"""The outbox and the inbox through the real Application (issue #13): every message owed after a commit is a row
written in the change's transaction; 5xx, 429 and timeouts on each kind of send after a commit never make the
member read "tidak ada yang disimpan", never duplicate the change, and are retried (5xx, 429) or recorded
uncertain (a timed-out post); edits are coalesced; /status shows what is waiting, failed or uncertain."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from bot.app import process_inbox
from bot.devtools.harness import Harness, running
from bot.kernel import outbox
from tests.support.agenda import at, create, reminders, utc
from tests.support.db import q
from tests.support.needs import card_of
from tests.support.outbox import NOTHING_SAVED, later, texts
from tests.support.people import ADMIN, DONOR, GROUP_ID, MEMBER, OTHER
from tests.support.world import cluster_with_members


def _chats(h: Harness) -> None:
    """What the ``h`` fixture sets up, for tests that start (and restart) the Application themselves."""
    h.api.add_chat(GROUP_ID, "supergroup", "Klaster Logistik Kalsel")
    h.api.set_bot_rights(GROUP_ID)
    h.api.set_member(GROUP_ID, ADMIN.json(), "creator")
    for user in (MEMBER, OTHER):
        h.api.set_member(GROUP_ID, user.json(), "member")


# ---- the need card after /butuh -------------------------------------------------------------------------


async def test_need_card_5xx_storm_after_commit_is_retried_and_the_member_told_saved(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    h.api.fail("sendMessage", "server", chat_id=GROUP_ID, times=6)
    calls = await h.sim.send(MEMBER, text="/butuh 10 buah genset HSS")
    answers = texts(calls, MEMBER.id)
    assert any("Tersimpan sebagai K-0001" in a for a in answers) and not any(NOTHING_SAVED in a for a in answers)
    assert q(db_path, "SELECT COUNT(*) FROM needs") == [(1,)]
    assert q(db_path, "SELECT status, reason FROM outbox WHERE chat_id = ? AND text LIKE '%K-0001%'", GROUP_ID) == [
        ("pending", "Bad Gateway")
    ]
    calls = await later(h)
    assert len([t for t in texts(calls, GROUP_ID) if "K-0001" in t]) == 1
    assert q(db_path, "SELECT message_id IS NOT NULL FROM needs") == [(1,)]


async def test_need_card_429_after_commit_honours_retry_after(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    h.api.fail("sendMessage", "retry_after", chat_id=GROUP_ID, times=5, arg=7)
    calls = await h.sim.send(MEMBER, text="/butuh 10 buah genset HSS")
    assert not any(NOTHING_SAVED in a for a in texts(calls, MEMBER.id))
    assert h.slept[-3:] == [7.0, 7.0, 7.0]
    ((reason, due, created),) = q(
        db_path, "SELECT reason, next_at, created_at FROM outbox WHERE chat_id = ? AND text LIKE '%K-0001%'", GROUP_ID
    )
    assert reason == "429 retry after 7 s" and due > created
    await later(h)
    assert q(db_path, "SELECT status FROM outbox WHERE chat_id = ? AND text LIKE '%K-0001%'", GROUP_ID) == [("sent",)]
    assert q(db_path, "SELECT COUNT(*) FROM needs") == [(1,)]


async def test_need_card_timeout_is_uncertain_not_resent_and_listed_in_status(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    h.api.fail("sendMessage", "timeout", chat_id=GROUP_ID)
    calls = await h.sim.send(MEMBER, text="/butuh 10 buah genset HSS")
    assert any("Tersimpan sebagai K-0001" in a for a in texts(calls, MEMBER.id))
    assert not any(NOTHING_SAVED in a for a in texts(calls, MEMBER.id))
    assert q(db_path, "SELECT status FROM outbox WHERE chat_id = ? AND text LIKE '%K-0001%'", GROUP_ID) == [
        ("uncertain",)
    ]
    assert not texts(await later(h), GROUP_ID)  # never sent twice
    calls = await h.sim.send(ADMIN, text="/status")
    report = calls[-1].text
    assert "1 tidak pasti" in report and "timed out" in report, report


async def test_a_follow_up_that_fails_after_the_commit_never_says_nothing_saved(h: Harness, db_path: Path) -> None:
    """The matching notice to an offer's holder is refused (400) after the need was committed."""
    await cluster_with_members(h)
    await h.sim.send(DONOR, GROUP_ID, "/tawar 100 buah genset Bjm")
    h.api.fail("sendMessage", "bad_request", chat_id=DONOR.id, times=3)
    calls = await h.sim.send(MEMBER, text="/butuh 10 buah genset HSS")
    assert any("Tersimpan sebagai K-0001" in a for a in texts(calls, MEMBER.id))
    assert not any(NOTHING_SAVED in c.text for c in calls)
    assert q(db_path, "SELECT status FROM outbox WHERE chat_id = ?", DONOR.id)[-1] == ("failed",)


# ---- the pledge card --------------------------------------------------------------------------------------


async def test_pledge_on_a_deleted_card_reposts_it_and_tells_the_owner(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 10 buah genset HSS")
    old = card_of(h)
    old.deleted = True  # someone deleted the card in the group
    await h.sim.send(OTHER, text="/start bantu_1")
    calls = await h.sim.send(OTHER, text="4")
    assert [t for t in texts(calls, OTHER.id) if "Tersimpan" in t] and not any(NOTHING_SAVED in c.text for c in calls)
    assert any("menjanjikan" in t for t in texts(calls, MEMBER.id))  # the owner is told
    new = card_of(h)
    assert new.message_id != old.message_id and "4/10" in new.text
    assert q(db_path, "SELECT COUNT(*) FROM pledges") == [(1,)]


async def test_card_edits_are_coalesced_last_state_wins(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 10 buah genset HSS")
    h.api.fail("editMessageText", "server", times=4)  # the first edit and its inline retries
    before = len(h.api.calls)
    for amount in ("2", "3"):
        await h.sim.send(OTHER, text="/start bantu_1")
        await h.sim.send(OTHER, text=amount)
    assert q(db_path, "SELECT COUNT(*) FROM outbox WHERE method = 'edit' AND text LIKE '%K-0001%'") == [
        (1,)
    ]  # one row: the last state
    await later(h)
    edits = [c for c in h.api.calls[before:] if c.method == "editMessageText" and c.error is None]
    assert len(edits) == 1 and "5/10" in edits[0].text
    assert "5/10" in card_of(h).text


# ---- stock report reply ---------------------------------------------------------------------------------


async def test_stock_report_reply_5xx_after_commit_is_retried_once_saved(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    h.api.fail("sendMessage", "server", chat_id=OTHER.id, times=5)
    calls = await h.sim.send(OTHER, text="/stok beras 2000 kg gudang Posko Banjarbaru")
    assert not any(NOTHING_SAVED in c.text for c in calls)
    assert q(db_path, "SELECT quantity FROM stock") == [(2000.0,)]
    calls = await later(h)
    assert [t for t in texts(calls, OTHER.id) if "Beras" in t and "2.000 kg" in t]
    assert q(db_path, "SELECT COUNT(*) FROM stock") == [(1,)]


async def test_stock_report_reply_timeout_is_uncertain(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    h.api.fail("sendMessage", "timeout", chat_id=OTHER.id)
    calls = await h.sim.send(OTHER, text="/stok beras 2000 kg gudang Posko Banjarbaru")
    assert not any(NOTHING_SAVED in c.text for c in calls)
    assert q(db_path, "SELECT status FROM outbox WHERE chat_id = ? AND text LIKE '%Beras%'", OTHER.id) == [
        ("uncertain",)
    ]
    assert q(db_path, "SELECT COUNT(*) FROM stock") == [(1,)]


# ---- reminders ------------------------------------------------------------------------------------------

LINE = "rapat | Rakor logistik Kalsel | Senin 25/8 09.00 | 1 jam | Aula BPBD Kalsel"


async def _event_with_attendees(h: Harness) -> None:
    await cluster_with_members(h)
    card = await create(h, LINE)
    for user in (MEMBER, OTHER, DONOR):
        await h.sim.press(user, card, data="ag:r:1:y")


async def test_one_timed_out_reminder_does_not_drop_the_others(h: Harness, db_path: Path) -> None:
    await _event_with_attendees(h)
    h.api.fail("sendMessage", "timeout", chat_id=MEMBER.id)
    calls = await at(h, utc(2025, 8, 24, 8, 0, 30))
    assert len(reminders(calls, GROUP_ID)) == 1
    assert len(reminders(calls, OTHER.id)) == 1 and len(reminders(calls, DONOR.id)) == 1
    assert q(db_path, "SELECT status, reason FROM outbox WHERE chat_id = ? AND text LIKE '%Pengingat%'",
             MEMBER.id) == [("uncertain", "timed out: Timed out")]  # fmt: skip
    assert q(db_path, "SELECT status FROM scheduled_jobs WHERE ref = 'event:1:1d16:00'") == [("done",)]


async def test_a_5xx_storm_on_the_group_reminder_drops_nothing(h: Harness, db_path: Path) -> None:
    await _event_with_attendees(h)
    h.api.fail("sendMessage", "server", chat_id=GROUP_ID, times=8)
    h.api.fail("sendMessage", "server", chat_id=OTHER.id, times=2)
    calls = await at(h, utc(2025, 8, 24, 8, 0, 30))
    assert not reminders(calls, GROUP_ID)
    assert all(len(reminders(calls, u.id)) == 1 for u in (MEMBER, OTHER, DONOR))
    calls = await later(h, 60)
    assert len(reminders(calls, GROUP_ID)) == 1
    assert q(db_path, "SELECT DISTINCT status FROM outbox WHERE text LIKE '%Pengingat%'") == [("sent",)]


# ---- after a restart --------------------------------------------------------------------------------------


async def test_pending_rows_are_retried_after_a_restart(db_path: Path) -> None:
    async with running(db_path) as h:
        _chats(h)
        await cluster_with_members(h)
        h.api.fail("sendMessage", "server", chat_id=GROUP_ID, times=4)
        await h.sim.send(MEMBER, text="/butuh 10 buah genset HSS")
        assert q(db_path, "SELECT status FROM outbox WHERE chat_id = ? AND text LIKE '%K-0001%'", GROUP_ID) == [
            ("pending",)
        ]
        clock = h.clock
    async with running(db_path, clock=clock) as h:  # the background sender starts with it
        await later(h, 5)
        calls = h.api.calls
        assert len([t for t in texts(calls, GROUP_ID) if "K-0001" in t]) == 1
        assert q(db_path, "SELECT message_id IS NOT NULL FROM needs") == [(1,)]


async def test_a_send_interrupted_by_a_crash_is_uncertain_after_restart(db_path: Path) -> None:
    async with running(db_path) as h:
        await h.runtime.db.write(
            lambda c: c.execute(
                "INSERT INTO outbox (created_at, method, chat_id, text, status) VALUES (0, 'send', 5, 'x', 'sending')"
            )
        )
    async with running(db_path) as h:
        assert q(db_path, "SELECT status, reason FROM outbox") == [
            ("uncertain", "interrupted by a restart while sending")
        ]
        assert not await outbox.drain(h.app)


# ---- inbox --------------------------------------------------------------------------------------------


def _raw(update_id: int, user: object, text: str) -> dict:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 1, "chat": {"id": user.id, "type": "private", "first_name": "x"},  # type: ignore[attr-defined]
        "from": user.json(), "text": text,  # type: ignore[attr-defined]
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]}}  # fmt: skip


async def test_updates_are_stored_before_confirmation_and_processed_first_after_a_restart(db_path: Path) -> None:
    async with running(db_path) as h:
        _chats(h)
        await cluster_with_members(h)
        h.api.push_update(_raw(900_001, MEMBER, "/butuh 10 buah genset HSS"))
        h.api.push_update(_raw(900_002, MEMBER, "/butuh 20 buah genset HSS"))
        got = await h.app.bot.get_updates(offset=0, timeout=0)  # as the updater does; not processed: a "crash"
        assert [u.update_id for u in got] == [900_001, 900_002]
        assert [u for (u,) in q(db_path, "SELECT update_id FROM inbox")] == [900_001, 900_002]
        await h.app.bot.get_updates(offset=900_003, timeout=0)  # Telegram now forgets them
        assert h.api.pending_updates() == []
        clock = h.clock
    async with running(db_path, clock=clock) as h:  # start-up queued them
        queued = [h.app.update_queue.get_nowait() for _ in range(h.app.update_queue.qsize())]
        assert [u.update_id for u in queued] == [900_001, 900_002]
        for update in queued:
            await h.app.process_update(update)
        assert q(db_path, "SELECT quantity FROM needs ORDER BY id") == [(10.0,), (20.0,)]
        assert q(db_path, "SELECT COUNT(*) FROM inbox") == [(0,)]
        assert await process_inbox(h.app) == 0


async def test_the_claim_commits_with_the_effect_and_a_redelivery_changes_nothing(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    raw = _raw(900_100, MEMBER, "/butuh 10 buah genset HSS")
    await h.sim.feed(json.loads(json.dumps(raw)))
    calls = await h.sim.feed(json.loads(json.dumps(raw)))
    assert calls == [] and q(db_path, "SELECT COUNT(*) FROM needs") == [(1,)]
    assert q(db_path, "SELECT COUNT(*) FROM processed_updates WHERE update_id = 900100") == [(1,)]


async def test_an_update_whose_effect_failed_is_not_marked_processed(h: Harness, db_path: Path) -> None:
    """The claim rides on the effect's transaction: a rolled-back effect leaves the update to be processed again."""
    await cluster_with_members(h)
    h.api.fail("sendMessage", "server", chat_id=GROUP_ID, times=1)

    def boom(conn: object, *args: object) -> None:
        raise RuntimeError("database is locked")

    original = outbox.repo.enqueue
    outbox.repo.enqueue = boom  # type: ignore[assignment]
    try:
        calls = await h.sim.feed(_raw(900_200, MEMBER, "/butuh 10 buah genset HSS"))
    finally:
        outbox.repo.enqueue = original  # type: ignore[assignment]
    assert any(NOTHING_SAVED in c.text for c in calls)  # true here: the transaction rolled back
    assert q(db_path, "SELECT COUNT(*) FROM needs") == [(0,)]
    assert q(db_path, "SELECT COUNT(*) FROM processed_updates WHERE update_id = 900200") == [(0,)]
    calls = await h.sim.feed(_raw(900_200, MEMBER, "/butuh 10 buah genset HSS"))  # Telegram's redelivery
    assert any("Tersimpan sebagai K-0001" in t for t in texts(calls, MEMBER.id))
    assert q(db_path, "SELECT COUNT(*) FROM needs") == [(1,)]


# ---- /status -------------------------------------------------------------------------------------------


async def test_status_lists_backlog_failures_and_unreachable_members(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 10 buah genset HSS")
    h.api.fail("sendMessage", "forbidden", chat_id=MEMBER.id)
    await h.sim.send(OTHER, text="/start bantu_1")
    await h.sim.send(OTHER, text="4")  # the owner's notice: 403
    calls = await h.sim.send(ADMIN, text="/status")
    report = calls[-1].text
    assert "Status bot" in report and "1 gagal" in report and "403" in report, report
    assert "Budi Santoso" in report.split("tidak dapat dihubungi")[1]
    assert "Hubungan terakhir yang berhasil dengan Telegram" in report
    calls = await h.sim.send(MEMBER, text="/status")
    assert "sekretariat" in calls[-1].text.lower() and "Status bot" not in calls[-1].text
    calls = await h.sim.send(ADMIN, GROUP_ID, "/status")
    assert "obrolan pribadi" in calls[-1].text


async def test_a_delivery_that_sent_everything_does_not_wake_the_background_sender(h: Harness, db_path: Path) -> None:
    """Issue #17 budgets: after an update whose rows were all delivered inline (the answer and the need's card),
    the background sender makes no (empty) claim of its own; a row left for it (a 5xx past the inline retries)
    still wakes it at once."""
    await cluster_with_members(h)
    await h.sim.send(MEMBER, text="/butuh 10 buah genset HSS")
    for _ in range(5):
        await asyncio.sleep(0.02)  # whatever the setup left running settles
    before = h.runtime.db.handoffs
    await h.sim.send(MEMBER, text="/butuh 20 lembar terpal Tapin")
    after_update = h.runtime.db.handoffs
    for _ in range(5):
        await asyncio.sleep(0.02)  # bounded: the sender's wake-up comes within one loop turn
    assert q(db_path, "SELECT COUNT(*) FROM outbox WHERE status NOT IN ('sent', 'superseded')") == [(0,)]
    assert h.runtime.db.handoffs == after_update, "the background sender claimed after a complete delivery"
    assert after_update - before >= 2
    h.api.fail("sendMessage", "server", chat_id=GROUP_ID, times=20)
    await h.sim.send(MEMBER, text="/butuh 30 buah tenda HSS")
    assert q(db_path, "SELECT status FROM outbox WHERE chat_id = ? AND text LIKE '%K-0003%'", GROUP_ID) == [("pending",)]
    woken = h.runtime.db.handoffs
    for _ in range(5):
        await asyncio.sleep(0.02)
    assert h.runtime.db.handoffs > woken, "a row left for the background sender did not wake it"


async def test_every_text_the_outbox_sends_or_edits_is_html_with_previews_off(h: Harness) -> None:
    """The outbox makes its sends and edits by name (``do_api_request``), outside the application's Defaults: each
    call must still say HTML (else members read ``<b>`` tags) and turn link previews off, and its buttons must be
    Telegram's ``inline_keyboard`` JSON with ``callback_data``."""
    await cluster_with_members(h)
    await h.sim.send(DONOR, text="/tawar 50 buah genset Banjarbaru")
    h.api.calls.clear()
    await h.sim.send(MEMBER, text="/butuh 10 buah genset HSS")  # the card with the match, the holder's notice
    ask = (await h.sim.send(OTHER, text="/start bantu_1"))[-1]
    await h.sim.press(OTHER, ask, text=ask.button_texts()[0])  # the pressed message and the card edited
    texts_sent = [c for c in h.api.calls if c.method in ("sendMessage", "editMessageText")]
    assert {c.method for c in texts_sent} == {"sendMessage", "editMessageText"}
    for call in texts_sent:
        assert call.params.get("parse_mode") == "HTML", call
        preview = call.params.get("link_preview_options")
        assert (json.loads(preview) if isinstance(preview, str) else preview) == {"is_disabled": True}, call
    markups = [c.params["reply_markup"] for c in texts_sent if c.params.get("reply_markup")]
    buttons = [json.loads(m) if isinstance(m, str) else m for m in markups]
    assert buttons and all(
        ("callback_data" in b or "url" in b) and b["text"] for markup in buttons for row in markup["inline_keyboard"]
        for b in row
    )
