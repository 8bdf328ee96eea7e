"""Issue #17 budgets for the needs feature, through the real Application: database hand-offs and Bot API calls
per update (counts, not timings) for /butuh with a matching offer and for a pledge press."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable
from pathlib import Path

from telegram import Update

from bot.devtools.fakeapi import ApiCall
from bot.devtools.harness import Harness
from bot.devtools.sim import SimUser
from tests.support.db import q
from tests.support.people import DONOR, GROUP_ID, MEMBER, OTHER
from tests.support.world import cluster_with_members, member

# An update that writes and sends costs two hand-offs: the pre-handler's one read (the update looked up, who and
# where, the actor, the read gate's owner question) and the use case's transaction, which also claims the update,
# refreshes the user's and chat's rows, writes its outbox rows with the first of each chat claimed, and carries
# the previous delivery's record of what was sent (``Database.defer``). The needs feature's own share is the
# transaction: every read the use case needs is inside it.
KERNEL_FLOOR = 2


async def settle(h: Harness) -> None:
    """Let the background sender finish the wake-up the previous update left (its empty claim is not this
    update's cost); bounded."""
    for _ in range(100):
        before = h.runtime.db.handoffs
        await asyncio.sleep(0.01)
        if h.runtime.db.handoffs == before:
            return


async def counted(h: Harness, send: Awaitable[list[ApiCall]]) -> tuple[int, list[ApiCall]]:
    """Hand-offs and Bot API calls of one update. The simulator writes the delivery's deferred outcomes right
    after the update (``Database.flush``, so a test can read them); in production they ride on the next
    transaction, so that flush is not this update's cost (``test_the_next_update_carries_the_record`` shows it)."""
    await settle(h)
    before, flushes = h.runtime.db.handoffs, h.runtime.db.flushes
    calls = await send
    assert h.runtime.db.flushes - flushes <= 1
    return h.runtime.db.handoffs - before - (h.runtime.db.flushes - flushes), calls


def methods(calls: list[ApiCall]) -> list[str]:
    return [c.method for c in calls]


async def test_butuh_with_a_matching_offer_costs_no_handoff_beyond_the_kernels_and_no_separate_match_list(
    h: Harness, db_path: Path
) -> None:
    await cluster_with_members(h)
    await h.sim.send(DONOR, text="/tawar 100 buah genset Banjarmasin")
    handoffs, calls = await counted(h, h.sim.send(MEMBER, text="/butuh 20 buah genset HSS"))
    group = [c for c in calls if c.chat_id == GROUP_ID]
    # the card carries the match list: one message to the group, the holder's notice, the answer
    assert len(group) == 1 and "K-0001" in group[0].text and "T-0001" in group[0].text
    assert [c.chat_id for c in calls if c.method == "sendMessage"].count(DONOR.id) == 1
    assert len(calls) == 3, methods(calls)
    assert handoffs == KERNEL_FLOOR, handoffs
    handoffs, calls = await counted(h, h.sim.send(OTHER, GROUP_ID, "/butuh 30 buah genset HST"))
    assert len(calls) == 2, methods(calls)  # the card (with the matches) and the holder's notice
    assert handoffs == KERNEL_FLOOR, handoffs
    assert q(db_path, "SELECT COUNT(*) FROM needs") == [(2,)]


async def test_pledge_press_costs_no_handoff_beyond_the_kernels_and_one_answer_one_edit(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 paket sembako HSS")
    calls = await h.sim.send(OTHER, text="/start bantu_1")
    ask = calls[-1]
    handoffs, calls = await counted(h, h.sim.press(OTHER, ask, text=ask.button_texts()[0]))
    assert q(db_path, "SELECT quantity, status FROM pledges") == [(500.0, "pledged")]
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    pressed = [c for c in calls if c.chat_id == OTHER.id]
    assert len(answers) == 1
    # the pressed message itself says it is saved (and its amount buttons become the pledge's buttons)
    assert [c.method for c in pressed] == ["editMessageText"] and "Tersimpan" in pressed[0].text
    assert any(c.chat_id == MEMBER.id and c.method == "sendMessage" for c in calls)  # the owner is told
    assert any(c.chat_id == GROUP_ID and c.method == "editMessageText" for c in calls)  # the card
    assert len(calls) == 4, methods(calls)
    assert handoffs == KERNEL_FLOOR, handoffs


async def test_several_needs_in_one_line_are_one_transaction(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    handoffs, calls = await counted(h, h.sim.send(MEMBER, text="/butuh 100 lbr terpal + 50 selimut HSS"))
    assert q(db_path, "SELECT item_key FROM needs ORDER BY id") == [("terpal",), ("selimut",)]
    assert sorted(c.chat_id for c in calls) == sorted([GROUP_ID, GROUP_ID, MEMBER.id])  # two cards, one answer
    # the read, one transaction for both needs, and one record-and-claim for the second card to the group
    assert handoffs == KERNEL_FLOOR + 1, handoffs


async def test_pledge_stage_press_reads_inside_its_transaction_and_asks_telegram_nothing(
    h: Harness, db_path: Path
) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 paket sembako HSS")
    await h.sim.send(OTHER, text="/start bantu_1")
    calls = await h.sim.send(OTHER, text="300")
    saved = next(c for c in calls if c.chat_id == OTHER.id)
    handoffs, calls = await counted(h, h.sim.press(OTHER, saved, text="📦 Dikirim"))
    assert q(db_path, "SELECT status FROM pledges") == [("sent",)]
    # the pledger's own move: no getChatMember (the administrator question is asked only when it decides)
    assert sorted(methods(calls)) == ["answerCallbackQuery", "editMessageText", "editMessageText", "sendMessage"]
    # the read gate's lookup of the pledge's cluster (declared for pg: in the manifest) is in the pre-handler's read
    assert handoffs == KERNEL_FLOOR, handoffs
    # someone else's pledge: refused with an alert, nothing moved
    notice = next(c for c in calls if c.chat_id == MEMBER.id)
    calls = await h.sim.press(DONOR, notice, data="pg:cancel:1")
    assert any(c.method == "answerCallbackQuery" and c.params.get("show_alert") for c in calls)
    assert q(db_path, "SELECT status FROM pledges") == [("sent",)]


async def test_komitmen_reads_the_pledges_and_their_needs_in_one_handoff(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 paket sembako HSS")
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 200 lembar terpal HSU")
    for code in (1, 2):
        await h.sim.send(OTHER, text=f"/start bantu_{code}")
        await h.sim.send(OTHER, text="10")
    handoffs, calls = await counted(h, h.sim.send(OTHER, text="/komitmen"))
    assert len([c for c in calls if c.chat_id == OTHER.id]) == 2  # one message per pledge, with its buttons
    # the pre-handler's read, one read (not one more per pledge) and the claim of an update that wrote nothing
    assert handoffs == 3, handoffs


async def test_the_next_update_carries_the_record_of_what_was_sent(h: Harness, db_path: Path) -> None:
    """Straight through the Application (no simulator flush, as in production and the bench): the card's message
    id is recorded by the next update's transaction, which costs two hand-offs like the first; nothing is lost."""
    await cluster_with_members(h)
    await settle(h)
    app, db = h.app, h.runtime.db
    spent = []
    for text in ("/butuh 20 buah genset HSS", "/butuh 30 lembar terpal HSU"):
        raw = {"update_id": h.sim.next_update_id(), "message": h.sim.message_json(MEMBER, GROUP_ID, text)}
        before = db.handoffs
        await app.process_update(Update.de_json(raw, app.bot))
        spent.append(db.handoffs - before)
        if len(spent) == 1:
            # the first card was sent; its record waits for the next transaction
            assert db.deferred == 1
            assert q(db_path, "SELECT status FROM outbox WHERE text LIKE '%K-0001%'") == [("sending",)]
    assert spent == [KERNEL_FLOOR, KERNEL_FLOOR], spent
    assert q(db_path, "SELECT status FROM outbox WHERE text LIKE '%K-0001%'") == [("sent",)]
    assert q(db_path, "SELECT COUNT(*) FROM needs WHERE message_id IS NOT NULL") == [(1,)]
    await db.flush()
    assert q(db_path, "SELECT COUNT(*) FROM outbox WHERE status != 'sent'") == [(0,)]
    assert q(db_path, "SELECT COUNT(*) FROM needs WHERE message_id IS NOT NULL") == [(2,)]


POSTERS = [SimUser(7001 + i, f"Poster{i}", None, f"poster_{i}") for i in range(9)]
POSTER_ORGS = ["Aksi Cepat Tanggap", "Rumah Zakat", "Dompet Dhuafa", "Wahana Visi", "Lazismu Kalsel",
               "Yayasan Sosial Borneo", "Baznas Provinsi", "Karang Taruna Martapura", "Pramuka Kwarda"]  # fmt: skip


async def test_ten_needs_at_once_hand_their_group_cards_on_instead_of_leaving_them_to_the_sender(
    h: Harness, db_path: Path
) -> None:
    """Ten members post at once (straight through the Application, concurrently, as with 50 chats in the bench):
    all ten cards go to the one group, one after another (order within a chat). Only the first use case can claim
    its card; the others hand theirs on to the delivery sending to the group, whose record-and-claim after each
    card claims the next (one hand-off per card after the first). Before, each of them claimed nothing and left
    its card to the background sender (a claim and a record per card): 46 hand-offs for ten updates."""
    await cluster_with_members(h)
    for i, user in enumerate(POSTERS):
        name = POSTER_ORGS[i]
        await member(h, user, f"{name} | {name.split()[-1][:6].upper()}{i} | ngo | Bjm | Staf")
    posters = [MEMBER, *POSTERS]
    app, db = h.app, h.runtime.db
    updates = []
    for i, user in enumerate(posters):
        h.sim.private_chat(user)
        raw = {"update_id": h.sim.next_update_id(),
               "message": h.sim.message_json(user, user.id, f"/butuh {10 + i} buah genset HSS")}  # fmt: skip
        updates.append(Update.de_json(raw, app.bot))
    await settle(h)
    first_call = len(h.api.calls)
    before = db.handoffs
    await asyncio.gather(*(app.process_update(u) for u in updates))
    for _ in range(200):  # bounded: whatever the deliveries left to the background sender
        if q(db_path, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'") == [(0,)]:
            break
        await asyncio.sleep(0.01)
    await settle(h)
    spent = db.handoffs - before
    await db.flush()  # the last record (deferred) written, to check the outcome below; not counted
    assert q(db_path, "SELECT COUNT(*) FROM needs") == [(10,)]
    assert q(db_path, "SELECT COUNT(*) FROM outbox WHERE status != 'sent' AND status != 'superseded'") == [(0,)]
    cards = [c.text for c in h.api.calls[first_call:] if c.method == "sendMessage" and c.chat_id == GROUP_ID]
    codes = [code for text in cards for code in re.findall(r"K-\d{4}", text)[:1]]
    assert codes == sorted(codes) and len(set(codes)) == 10, codes  # each card once, in the order of the needs
    assert all(any(c.method == "sendMessage" and c.chat_id == u.id and "Tersimpan" in c.text
                   for c in h.api.calls[first_call:]) for u in posters)  # fmt: skip
    # 2 per update (the pre-handler's read, the use case) + one record-and-claim per card after the first
    assert spent <= 4 * len(updates), spent
