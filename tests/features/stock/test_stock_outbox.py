"""Stock's sends after a commit through the real Application (issue #13): stock adjustments, the settings answers,
imports and dialog questions are outbox rows of the change's own transaction. A 5xx, 429 or timeout on the send
right after the commit never makes the member read "tidak ada yang disimpan"; the answer is retried (5xx, 429)
or recorded uncertain (a timed-out post), and the change is made once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.devtools.harness import Harness
from bot.kernel import scheduling
from tests.support.buttons import data_of
from tests.support.db import q
from tests.support.imports import CSV_WITH_ERRORS, HEADER, HXL
from tests.support.outbox import NOTHING_SAVED, later, texts
from tests.support.people import ADMIN, GROUP_ID, MEMBER, OTHER
from tests.support.world import cluster_with_two_members as cluster_with_members

SERVER_STORM = 5  # more than the inline retries: the answer is left to the background sender


def _no_nothing_saved(calls: list) -> None:
    assert not any(NOTHING_SAVED in (c.text or "") for c in calls)
    assert not any(NOTHING_SAVED in str(c.params.get("text", "")) for c in calls)


def _outbox(db_path: Path, chat_id: int, like: str) -> list[tuple[str]]:
    return q(db_path, "SELECT status FROM outbox WHERE chat_id = ? AND text LIKE ?", chat_id, f"%{like}%")


# ---- settings answers -----------------------------------------------------------------------------------------


async def test_secretariat_setting_answer_5xx_after_commit_is_retried(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    h.api.fail("sendMessage", "server", chat_id=MEMBER.id, times=SERVER_STORM)
    calls = await h.sim.send(MEMBER, text="/stok sekretariat tidak")
    _no_nothing_saved(calls)
    assert q(db_path, "SELECT stock_secretariat FROM organizations WHERE id = 1") == [(0,)]
    calls = await later(h)
    assert len([t for t in texts(calls, MEMBER.id) if t.startswith("Tersimpan. Angka stok PMI Kalsel")
                or "juga bagi sekretariat" in t]) == 1  # fmt: skip
    assert _outbox(db_path, MEMBER.id, "juga bagi sekretariat") == [("sent",)]


async def test_stale_days_answer_429_after_commit_honours_retry_after(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    h.api.fail("sendMessage", "retry_after", chat_id=GROUP_ID, times=SERVER_STORM, arg=7)
    calls = await h.sim.send(ADMIN, GROUP_ID, "/stok basi 10")
    _no_nothing_saved(calls)
    assert h.slept[-3:] == [7.0, 7.0, 7.0]
    assert q(db_path, "SELECT value FROM cluster_settings WHERE key = 'stock_stale_days'") == [("10",)]
    calls = await later(h)
    assert len([t for t in texts(calls, GROUP_ID) if "basi setelah 10 hari" in t]) == 1
    assert _outbox(db_path, GROUP_ID, "basi setelah 10 hari") == [("sent",)]


async def test_visibility_button_edit_5xx_after_commit_is_retried(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    question = next(c for c in h.api.sent(MEMBER.id) if c.buttons and "sv:" in c.buttons[0][0]["callback_data"])
    h.api.fail("editMessageText", "server", times=SERVER_STORM)
    calls = await h.sim.press(MEMBER, question, data=data_of(question, "✖ Tidak, hanya angka klaster"))
    _no_nothing_saved(calls)
    assert any(c.method == "answerCallbackQuery" and c.params.get("text") == "Tersimpan." for c in calls)
    assert q(db_path, "SELECT stock_secretariat FROM organizations WHERE id = 1") == [(0,)]
    calls = await later(h)
    edits = [c for c in calls if c.method == "editMessageText" and c.error is None]
    assert len(edits) == 1 and "juga bagi sekretariat" in edits[0].text


# ---- stock adjustments -----------------------------------------------------------------------------------------


async def test_adjustment_answer_timeout_after_commit_is_uncertain_not_nothing_saved(
    h: Harness, db_path: Path
) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, text="/stok terpal 200 lembar HSS")
    calls = await h.sim.send(MEMBER, text="/stok saya")
    calls = await h.sim.press(MEMBER, calls[-1], text="1")
    await h.sim.press(MEMBER, calls[-1], text="➖ Kurangi")
    h.api.fail("sendMessage", "timeout", chat_id=MEMBER.id)
    calls = await h.sim.send(MEMBER, text="20")
    _no_nothing_saved(calls)
    assert q(db_path, "SELECT quantity FROM stock") == [(180.0,)]
    assert _outbox(db_path, MEMBER.id, "180 lembar") == [("uncertain",)]
    assert not [t for t in texts(await later(h), MEMBER.id) if "180 lembar" in t]  # never sent twice
    assert q(db_path, "SELECT action FROM stock_history ORDER BY id") == [("report",), ("subtract",)]


async def test_adjustment_answer_5xx_after_commit_is_retried_once(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, text="/stok terpal 200 lembar HSS")
    calls = await h.sim.send(MEMBER, text="/stok saya")
    calls = await h.sim.press(MEMBER, calls[-1], text="1")
    await h.sim.press(MEMBER, calls[-1], text="➕ Tambah")
    h.api.fail("sendMessage", "server", chat_id=MEMBER.id, times=SERVER_STORM)
    calls = await h.sim.send(MEMBER, text="30 lembar")
    _no_nothing_saved(calls)
    assert q(db_path, "SELECT quantity FROM stock") == [(230.0,)]
    calls = await later(h)
    assert len([t for t in texts(calls, MEMBER.id) if "230 lembar" in t]) == 1
    assert q(db_path, "SELECT COUNT(*) FROM dialogs") == [(0,)]


async def test_empty_button_edit_timeout_after_commit_is_retried(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, text="/stok terpal 200 lembar HSS")
    calls = await h.sim.send(MEMBER, text="/stok saya")
    card = (await h.sim.press(MEMBER, calls[-1], text="1"))[-1]
    h.api.fail("editMessageText", "timeout", times=SERVER_STORM)
    calls = await h.sim.press(MEMBER, card, text="⛔ Habis")
    _no_nothing_saved(calls)
    assert q(db_path, "SELECT quantity FROM stock") == [(0.0,)]
    calls = await later(h)
    edits = [c for c in calls if c.method == "editMessageText" and c.error is None]
    assert len(edits) == 1 and "Terpal — 0 lembar" in edits[0].text
    assert [r[0] for r in q(db_path, "SELECT action FROM stock_history ORDER BY id")] == ["report", "empty"]


# ---- dialog questions ------------------------------------------------------------------------------------------


async def test_guided_report_question_5xx_after_the_step_is_saved_is_retried(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    h.api.fail("sendMessage", "server", chat_id=MEMBER.id, times=SERVER_STORM)
    calls = await h.sim.send(MEMBER, text="/stok lapor")
    _no_nothing_saved(calls)
    assert q(db_path, "SELECT kind, step FROM dialogs") == [("stock", "item")]
    calls = await later(h, seconds=5)
    assert len([t for t in texts(calls, MEMBER.id) if "(1/6)" in t]) == 1
    calls = await h.sim.send(MEMBER, text="terpal")  # the saved step answers
    assert "(2/6)" in calls[-1].text


async def test_guided_report_save_stands_when_the_button_removal_and_the_answer_fail(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, text="/stok lapor")
    await h.sim.send(MEMBER, text="terpal")
    await h.sim.send(MEMBER, text="100 lembar")
    calls = await h.sim.send(MEMBER, text="HSS")
    calls = await h.sim.press(MEMBER, calls[-1], data="sf:loc:-")
    calls = await h.sim.press(MEMBER, h.api.last(MEMBER.id), data="sf:cond:baik")
    h.api.fail("editMessageReplyMarkup", "server", times=SERVER_STORM)  # removing the buttons fails...
    h.api.fail("sendMessage", "timeout", chat_id=MEMBER.id)  # ...and so does the answer
    calls = await h.sim.press(MEMBER, h.api.last(MEMBER.id), data="sf:ok")
    _no_nothing_saved(calls)
    assert q(db_path, "SELECT quantity, unit FROM stock") == [(100.0, "lembar")]
    assert _outbox(db_path, MEMBER.id, "Tersimpan: 1 baris stok") == [("uncertain",)]
    assert q(db_path, "SELECT COUNT(*) FROM dialogs") == [(0,)]


# ---- imports ---------------------------------------------------------------------------------------------------

VALID_CSV = "\n".join([HEADER, HXL, "PMI Kalsel,Beras,beras,Pangan,2.500,kg,Kota Banjarbaru,63.72,Gudang A,,baik"])


async def test_import_result_5xx_after_commit_is_retried_and_applied_once(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(ADMIN, text="/stok impor")
    h.api.fail("sendMessage", "server", chat_id=ADMIN.id, times=SERVER_STORM)
    calls = await h.sim.document(ADMIN, None, VALID_CSV.encode(), "stok.csv")
    _no_nothing_saved(calls)
    assert q(db_path, "SELECT quantity FROM stock") == [(2500.0,)]
    calls = await later(h)
    assert len([t for t in texts(calls, ADMIN.id) if "Tersimpan: 1 baris stok dimuat" in t]) == 1
    assert q(db_path, "SELECT COUNT(*) FROM stock_history WHERE action = 'import'") == [(1,)]


async def test_import_report_timeout_is_uncertain_and_rows_stay_parked(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(ADMIN, text="/stok impor")
    h.api.fail("sendMessage", "timeout", chat_id=ADMIN.id)
    calls = await h.sim.document(ADMIN, None, CSV_WITH_ERRORS, "stok.csv")
    _no_nothing_saved(calls)
    assert _outbox(db_path, ADMIN.id, "3 baris valid, 3 baris bermasalah") == [("uncertain",)]
    assert q(db_path, "SELECT COUNT(*) FROM stock_imports") == [(1,)]
    assert q(db_path, "SELECT COUNT(*) FROM dialogs") == [(0,)]


async def test_import_load_button_edit_5xx_after_commit_is_retried(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(ADMIN, text="/stok impor")
    report = (await h.sim.document(ADMIN, None, CSV_WITH_ERRORS, "stok.csv"))[-1]
    h.api.fail("editMessageText", "server", times=SERVER_STORM)
    calls = await h.sim.press(ADMIN, report, data=data_of(report, "Muat 3 baris yang valid"))
    _no_nothing_saved(calls)
    assert q(db_path, "SELECT COUNT(*) FROM stock") == [(3,)]
    calls = await later(h)
    edits = [c for c in calls if c.method == "editMessageText" and c.error is None]
    assert len(edits) == 1 and "Tersimpan: 3 baris stok dimuat dari berkas." in edits[0].text


# ---- pledging from stock ---------------------------------------------------------------------------------------


async def test_stock_pledge_owner_notice_5xx_after_commit_is_retried(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, text="/stok beras 1 ton gudang PMI Bjm")
    await h.sim.send(OTHER, GROUP_ID, "/butuh 300 kg beras Bjm")
    notice = h.api.last(MEMBER.id)
    h.api.fail("sendMessage", "server", chat_id=OTHER.id, times=SERVER_STORM)
    calls = await h.sim.press(MEMBER, notice, data=next(b["callback_data"] for row in notice.buttons for b in row
                                                         if b["callback_data"].startswith("sp:")))  # fmt: skip
    _no_nothing_saved(calls)
    assert q(db_path, "SELECT quantity, source FROM pledges") == [(300.0, "stock")]
    calls = await later(h)
    assert len([t for t in texts(calls, OTHER.id) if "K-0001" in t]) == 1
    assert q(db_path, "SELECT COUNT(*) FROM pledges") == [(1,)]


# ---- reminders -------------------------------------------------------------------------------------------------


async def test_expiry_reminder_5xx_storm_is_retried_not_dropped(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, text="/stok\nberas 1.000 kg Bjm\nsusu 10 dus Bjm kadaluarsa 15/10/2025")
    h.clock.advance(timedelta(days=25, hours=15))  # 15 Oct (end of day, WITA) is 30 days away
    h.api.fail("sendMessage", "server", chat_id=MEMBER.id, times=SERVER_STORM)
    await scheduling.run_due(h.app)
    calls = await later(h)
    reminders = [t for t in texts(calls, MEMBER.id) if "⏳ Kedaluwarsa dalam 30 hari" in t]
    assert len(reminders) == 1 and "Susu — 10 dus" in reminders[0]
    await scheduling.run_due(h.app)
    await later(h)
    assert len([t for t in texts(h.api.calls, MEMBER.id) if "Kedaluwarsa dalam" in t]) == 1  # once per expiry date
