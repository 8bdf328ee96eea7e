"""Announcements through the real Application: preview and confirmation, 300 representatives with blocked
chats and a 429 in the middle, progress edits, the report of who was not reached, and resuming after a crash."""

from __future__ import annotations

from collections import Counter
from functools import partial
from pathlib import Path

from bot.devtools.fakeapi import ApiCall
from bot.devtools.harness import Harness, running
from bot.features.broadcast import handlers as broadcast_handlers
from bot.features.broadcast import service as svc
from bot.features.broadcast.service import Outcome
from bot.kernel.clock import FakeClock
from tests.support.broadcast import FIRST_REP, TEXT, announcements, preview, seed_representatives
from tests.support.db import q
from tests.support.people import ADMIN, GROUP_ID, MEMBER
from tests.support.world import cluster_with_members, group_api


async def test_broadcast_to_300_with_blocked_chats_and_a_429(h: Harness, db_path: Path) -> None:
    await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
    reps = seed_representatives(db_path, 300)
    blocked = [reps[7], reps[70], reps[140], reps[210], reps[280]]
    for uid in blocked:
        h.api.fail("sendMessage", "forbidden", chat_id=uid, times=99)
    sent_so_far = 0

    def one_429_in_the_middle(call: ApiCall) -> None:
        nonlocal sent_so_far
        if call.method == "sendMessage" and call.error is None and (call.chat_id or 0) >= FIRST_REP:
            sent_so_far += 1
            if sent_so_far == 150:
                h.api.fail("sendMessage", "retry_after", arg=3)

    h.api.listeners.append(one_429_in_the_middle)
    card = await preview(h)
    assert "Pratinjau" in card.text and "300 perwakilan aktif" in card.text
    assert "&amp; kebutuhan &lt;terbaru&gt;" in card.text  # the secretariat's text is escaped
    assert card.button_texts() == ["✅ Kirim ke 301", "✖ Batal"]
    assert not announcements(h.api.calls)  # nothing before the confirmation
    started_at = h.clock.now()
    h.api.clear()
    await h.sim.press(ADMIN, card, text="✅ Kirim ke 301")
    await broadcast_handlers.drain(h.app)
    received = announcements(h.api.calls)
    assert received[GROUP_ID] == 1
    assert all(received[uid] == 1 for uid in reps if uid not in blocked)
    assert sum(received.values()) == 296 and not any(received[uid] for uid in blocked)
    attempts = Counter(c.chat_id for c in h.api.calls if c.method == "sendMessage")
    assert all(attempts[uid] == 1 for uid in blocked)  # a 403 is never retried
    retried = [c for c in h.api.calls if c.method == "sendMessage" and c.error and "retry after" in c.error]
    assert len(retried) == 1 and 3.0 in h.slept
    # paced: at most 30 a second (a first second's worth goes at once), plus the 429's three seconds
    assert (h.clock.now() - started_at).total_seconds() >= (301 - 30) / 30 + 3
    status = h.api.message(ADMIN.id, card.result["message_id"])
    edits = [c.text for c in h.api.calls if c.method == "editMessageText" and c.chat_id == ADMIN.id]
    progress = [int(t.split("terkirim ")[1].split("/")[0]) for t in edits if "Mengirim pengumuman… terkirim" in t]
    assert len(progress) >= 5 and progress == sorted(progress) and progress[0] == 0
    assert all(t.endswith("/301") for t in edits if "terkirim " in t and "Mengirim" in t)
    assert status.text.startswith("✅ Pengumuman terkirim: 296/301")
    assert "Memblokir bot atau tidak dapat dihubungi (5)" in status.text
    for uid in blocked:
        i = uid - FIRST_REP
        assert f"Relawan{i} Kalsel (@relawan{i}) — OR{i}" in status.text
    assert q(db_path, "SELECT status, COUNT(*) FROM broadcast_deliveries GROUP BY status ORDER BY status") == [
        ("blocked", 5), ("sent", 296),
    ]  # fmt: skip
    assert q(db_path, "SELECT COUNT(*) FROM users WHERE reachable = FALSE") == [(5,)]
    assert q(db_path, "SELECT status FROM broadcasts") == [("done",)]
    # the next announcement does not message the blocked again; they are listed straight away
    h.api.clear()
    card = await preview(h, "Pengumuman kedua.")
    assert "5 di antaranya sudah memblokir bot" in card.text
    await h.sim.press(ADMIN, card, data=card.buttons[0][0]["callback_data"])
    await broadcast_handlers.drain(h.app)
    assert not [c for c in h.api.calls if c.method == "sendMessage" and c.chat_id in blocked]
    assert sum(announcements(h.api.calls).values()) == 296


async def test_preview_cancel_and_a_second_tap(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    card = await preview(h)
    calls = await h.sim.press(ADMIN, card, text="✖ Batal")
    assert any(c.method == "editMessageText" and "Dibatalkan" in c.text for c in calls)
    assert not announcements(h.api.calls)
    calls = await h.sim.press(
        ADMIN, card, data=card.buttons[0][0]["callback_data"]
    )  # the send button of a cancelled draft
    assert any(c.method == "answerCallbackQuery" and "sudah dikirim atau dibatalkan" in str(c.params.get("text"))
               for c in calls)  # fmt: skip
    card = await preview(h)
    send = card.buttons[0][0]["callback_data"]
    await h.sim.press(ADMIN, card, data=send)
    calls = await h.sim.press(ADMIN, card, data=send)  # a quick second tap
    await broadcast_handlers.drain(h.app)
    assert any(c.method == "answerCallbackQuery" and "sudah dikirim" in str(c.params.get("text")) for c in calls)
    received = announcements(h.api.calls)
    assert set(received.values()) == {1} and len(received) == 4  # the group and three representatives, once each


async def test_only_the_secretariat_announces_and_only_in_private(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(MEMBER, text=f"/umumkan {TEXT}")
    assert "sekretariat" in calls[-1].text.lower()
    calls = await h.sim.send(ADMIN, GROUP_ID, f"/umumkan {TEXT}")
    assert "obrolan pribadi" in calls[-1].text
    calls = await h.sim.send(ADMIN, text="/umumkan")
    assert "/umumkan Rapat koordinasi" in calls[-1].text
    calls = await h.sim.send(ADMIN, text="/umumkan " + "panjang " * 600)
    assert "terlalu panjang" in calls[-1].text
    card = await preview(h)
    calls = await h.sim.press(MEMBER, card, data=card.buttons[0][0]["callback_data"])
    assert any(c.method == "answerCallbackQuery" and "sekretariat" in str(c.params.get("text")).lower() for c in calls)
    assert q(db_path, "SELECT status FROM broadcasts") == [("draft",)]
    assert not announcements(h.api.calls)


async def test_an_interrupted_announcement_continues_after_a_restart(db_path: Path) -> None:
    clock = FakeClock()
    api = group_api(clock)
    async with running(db_path, clock=clock, api=api) as h:
        await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
        reps = seed_representatives(db_path, 40)
        card = await preview(h)
        db, now = h.runtime.db, clock.timestamp()
        started = await db.write(partial(svc.start, broadcast_id=1, cluster_id=1, user_id=ADMIN.id, status_chat_id=ADMIN.id,
                                         status_message_id=card.result["message_id"], now=now))  # fmt: skip
        assert started.ok and started.total == 41
        # the crashed process had sent to the group and nine representatives, and one send was in flight
        batch, _, _ = await db.read(partial(svc.next_batch, broadcast_id=1, limit=11))
        for recipient in batch:
            claimed = await db.write(partial(svc.claim, broadcast_id=1, chat_id=recipient.chat_id, now=now))
            if recipient is not batch[-1]:
                await db.write(partial(svc.record, broadcast_id=1, recipient=claimed, outcome=Outcome("sent", 1), now=now))
        in_flight = batch[-1].chat_id
    api.clear()
    async with running(db_path, clock=clock, api=api) as h:
        await broadcast_handlers.drain(h.app)
    received = announcements(api.calls)
    assert set(received) == set(reps[10:]) and set(received.values()) == {1}  # only those never tried
    assert in_flight == reps[9] and not received[in_flight]
    assert q(db_path, "SELECT status, COUNT(*) FROM broadcast_deliveries GROUP BY status ORDER BY status") == [
        ("sent", 40), ("uncertain", 1),
    ]  # fmt: skip
    status = api.message(ADMIN.id, card.result["message_id"])
    assert "Pengumuman terkirim: 40/41" in status.text and "mungkin sudah terkirim" in status.text


async def test_transient_failures_are_retried_a_bounded_number_of_times(h: Harness, db_path: Path) -> None:
    await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
    reps = seed_representatives(db_path, 3)
    h.api.fail("sendMessage", "server", chat_id=reps[0], times=2)  # 502 twice: retried inside the call
    h.api.fail("sendMessage", "server", chat_id=reps[1], times=99)  # never comes back
    h.api.fail("sendMessage", "bad_request", chat_id=reps[2], arg="Bad Request: chat not found")
    card = await preview(h)
    await h.sim.press(ADMIN, card, data=card.buttons[0][0]["callback_data"])
    await broadcast_handlers.drain(h.app)
    received = announcements(h.api.calls)
    assert received == Counter({GROUP_ID: 1, reps[0]: 1})
    attempts = Counter(c.chat_id for c in h.api.calls if c.method == "sendMessage")
    assert attempts[reps[1]] == svc.MAX_ATTEMPTS * 4  # three rounds of one call and three retries, then failed
    assert attempts[reps[2]] == 1
    status = h.api.message(ADMIN.id, card.result["message_id"]).text
    assert "Tidak terkirim (2)" in status and "Chat not found" in status and "Bad Gateway" in status
