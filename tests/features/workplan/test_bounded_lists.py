"""Issue #17 part 5: bounded answers. A long work plan (/rencana) is one message with a "➕ Lagi" button, not
several messages; the button pages in place; a stale or forged page gets a clear answer; a stranger cannot page
(the ``wl:`` family's read level in bot/kernel/access.py)."""

from __future__ import annotations

from datetime import timedelta

from bot.devtools.fakeapi import ApiCall
from bot.devtools.harness import Harness
from bot.devtools.sim import SimUser
from tests.support.buttons import data_of
from tests.support.people import ADMIN, GROUP_ID, MEMBER, OTHER
from tests.support.world import cluster_with_members

STRANGER = SimUser(5002, "Tamu", None, "tamu_asing")
ITEMS = 40  # 40 lines of ~110 characters: 4,400 characters, more than one Telegram message


async def long_plan(h: Harness) -> None:
    await cluster_with_members(h)
    for n in range(1, ITEMS + 1):
        h.clock.advance(timedelta(seconds=1))  # a person's pace (the flood guard counts updates per 10 s)
        calls = await h.sim.send(ADMIN, GROUP_ID, f"/rencana baru Pemetaan gudang penyangga kecamatan nomor {n:02d} "
                                                  "dan jalur distribusi | PMI Kalsel | 30/9")  # fmt: skip
        assert "Tersimpan" in calls[-1].text, calls[-1].text


def answers(h: Harness, before: int) -> list[ApiCall]:
    return [c for c in h.api.calls[before:] if c.method == "sendMessage" and c.chat_id == GROUP_ID]


async def test_long_work_plan_is_one_message_with_a_more_button(h: Harness) -> None:
    await long_plan(h)
    before = len(h.api.calls)
    await h.sim.send(OTHER, GROUP_ID, "/rencana")
    [first] = answers(h, before)  # one message, not the whole plan split over two
    assert "R-0001" in first.text and "R-0015" in first.text and "R-0016" not in first.text
    assert "(halaman 1 dari 3)" in first.text and "… 25 lagi: ketuk “Lagi”." in first.text
    assert first.button_texts() == ["➕ Lagi"]
    # page 2, edited into the same message
    calls = await h.sim.press(OTHER, first, data=data_of(first, "➕ Lagi"))
    [page] = [c for c in calls if c.method == "editMessageText"]
    assert page.params["message_id"] == first.result["message_id"]
    assert "(halaman 2 dari 3)" in page.text and "R-0016" in page.text and "R-0030" in page.text
    assert "R-0015" not in page.text and "R-0031" not in page.text
    assert page.button_texts() == ["◀", "➕ Lagi"]
    assert not [c for c in calls if c.method == "sendMessage"]
    # the last page has no "more"
    calls = await h.sim.press(OTHER, first, data="wl:o:2")
    [last] = [c for c in calls if c.method == "editMessageText"]
    assert "(halaman 3 dari 3)" in last.text and "R-0040" in last.text and last.button_texts() == ["◀"]


async def test_short_work_plan_has_no_buttons(h: Harness) -> None:
    await cluster_with_members(h)
    await h.sim.send(ADMIN, GROUP_ID, "/rencana baru Pemetaan gudang penyangga | PMI Kalsel | 30/9")
    before = len(h.api.calls)
    await h.sim.send(OTHER, GROUP_ID, "/rencana")
    [only] = answers(h, before)
    assert "R-0001" in only.text and "halaman" not in only.text and not only.buttons


async def test_stale_or_forged_page_gets_a_clear_answer(h: Harness) -> None:
    await long_plan(h)
    before = len(h.api.calls)
    await h.sim.send(OTHER, GROUP_ID, "/rencana")
    [first] = answers(h, before)
    for data, expected in [("wl:o:7", "Daftar ini sudah berubah"), ("wl:zz:1", "Tombol ini sudah tidak berlaku"),
                           ("wl:o:x", "Tombol ini sudah tidak berlaku"), ("wl:o", "Tombol ini sudah tidak berlaku"),
                           ("wl:o:99999999", "Tombol ini sudah tidak berlaku")]:  # fmt: skip
        calls = await h.sim.press(OTHER, first, data=data)
        [answer] = [c for c in calls if c.method == "answerCallbackQuery"]
        assert expected in str(answer.params.get("text")), (data, answer.params)
        assert not [c for c in calls if c.method in ("editMessageText", "sendMessage")]


async def test_stranger_cannot_page_the_work_plan(h: Harness) -> None:
    """In the cluster's group the plan is public to the group (members level); in a private chat a person
    outside the cluster pressing a (forwarded or forged) page button reads nothing."""
    await long_plan(h)
    calls = await h.sim.send(MEMBER, MEMBER.id, "/rencana")
    own = calls[-1]
    assert "R-0001" in own.text and own.button_texts() == ["➕ Lagi"]
    calls = await h.sim.send(STRANGER, STRANGER.id, "/start")
    calls = await h.sim.press(STRANGER, calls[-1], data=data_of(own, "➕ Lagi"))
    assert not [c for c in calls if c.method == "editMessageText"]
    assert not any("R-00" in c.text or "R-00" in str(c.params.get("text")) for c in calls)
    assert [c for c in calls if c.method == "answerCallbackQuery"]
    # the member pages their own private copy
    calls = await h.sim.press(MEMBER, own, data=data_of(own, "➕ Lagi"))
    [page] = [c for c in calls if c.method == "editMessageText"]
    assert "R-0016" in page.text


# ---- /agenda ----------------------------------------------------------------------------------------------

EVENTS = 20


async def long_agenda(h: Harness) -> None:
    await cluster_with_members(h)
    for n in range(1, EVENTS + 1):
        h.clock.advance(timedelta(seconds=1))
        line = f"pelatihan | Latihan Gudang Darurat {n:02d} | {n}/10/2025 09.00 | 2 jam | Aula BPBD Kalsel"
        calls = await h.sim.send(ADMIN, GROUP_ID, "/agenda baru " + line)
        assert any(f"Latihan Gudang Darurat {n:02d}" in c.text for c in calls), [c.text for c in calls]


async def test_long_agenda_is_one_message_with_a_more_button(h: Harness) -> None:
    await long_agenda(h)
    before = len(h.api.calls)
    await h.sim.send(OTHER, GROUP_ID, "/agenda")
    [first] = answers(h, before)
    assert "Darurat 01" in first.text and "Darurat 15" in first.text and "Darurat 16" not in first.text
    assert "(halaman 1 dari 2)" in first.text and "… 5 lagi: ketuk “Lagi”." in first.text
    assert first.button_texts() == ["➕ Lagi"]
    calls = await h.sim.press(OTHER, first, data=data_of(first, "➕ Lagi"))
    [page] = [c for c in calls if c.method == "editMessageText"]
    assert page.params["message_id"] == first.result["message_id"]
    assert "(halaman 2 dari 2)" in page.text and "Darurat 16" in page.text and "Darurat 20" in page.text
    assert "Darurat 15" not in page.text and page.button_texts() == ["◀"]
    for data, expected in [("al:5", "Daftar ini sudah berubah"), ("al:x", "Tombol ini sudah tidak berlaku"),
                           ("al:1:2", "Tombol ini sudah tidak berlaku")]:  # fmt: skip
        calls = await h.sim.press(OTHER, first, data=data)
        [answer] = [c for c in calls if c.method == "answerCallbackQuery"]
        assert expected in str(answer.params.get("text")), (data, answer.params)
        assert not [c for c in calls if c.method in ("editMessageText", "sendMessage")]
    calls = await h.sim.send(STRANGER, STRANGER.id, "/start")
    calls = await h.sim.press(STRANGER, calls[-1], data="al:1")
    assert not [c for c in calls if c.method == "editMessageText"]
    assert not any("Darurat" in c.text or "Darurat" in str(c.params.get("text")) for c in calls)
