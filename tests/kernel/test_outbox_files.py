"""Issue #13: files on the outbox. Exports (XLSX/CSV), calendar files (.ics) and the weekly charts (PNG) are outbox
rows with their bytes in the database (``outbox_files``), delivered by the same sender: a 5xx or a 429 is retried
(also after a restart) and the file arrives once; a timeout is 'uncertain' and never resent; a 403 is 'failed' with
the reason. The bytes are deleted once the row is finished. Before, a file that failed after the in-call retries
was gone (an export stopped at the first one), and a 429 past them failed the whole update."""

from __future__ import annotations

from pathlib import Path

from bot.devtools.fakeapi import FakeBotApi
from bot.devtools.harness import Harness, running
from bot.kernel.clock import FakeClock
from tests.support.agenda import create
from tests.support.db import q
from tests.support.export import documents, reporting_data
from tests.support.outbox import later
from tests.support.people import ADMIN, GROUP_ID, MEMBER
from tests.support.world import cluster_with_members, group_api

STEM = "klaster-logistik-kalsel-2025-08-21"


def _sent_documents(api: FakeBotApi, chat_id: int) -> list[str]:
    return [c.files["document:filename"].decode() for c in api.calls
            if c.method == "sendDocument" and c.error is None and c.chat_id == chat_id]  # fmt: skip


async def test_an_export_in_a_5xx_storm_is_delivered_once_each_file_also_across_a_restart(db_path: Path) -> None:
    clock = FakeClock()
    api = group_api(clock)
    async with running(db_path, clock=clock, api=api) as h:
        await reporting_data(h)
        api.fail("sendDocument", "server", chat_id=ADMIN.id, times=5)  # past the inline retries
        await h.sim.send(ADMIN, text="/ekspor csv")
        assert not _sent_documents(api, ADMIN.id)
        assert q(db_path, "SELECT COUNT(*) FROM outbox_files") == [(8,)]  # still owed, bytes kept in the database
    async with running(db_path, clock=clock, api=api) as h:  # a restart: the outbox carries on
        await later(h, 5)
    async with running(db_path, clock=clock, api=api) as h:
        await later(h, 5)
    names = _sent_documents(api, ADMIN.id)
    assert names == [f"{STEM}-{name}.csv" for name in
                     ("kebutuhan", "tawaran", "komitmen", "stok", "stok-total", "organisasi", "agenda", "rencana-kerja")]
    assert q(db_path, "SELECT COUNT(*) FROM outbox_files") == [(0,)]  # fmt: skip
    assert q(db_path, "SELECT DISTINCT status FROM outbox WHERE file_kind = 'document'") == [("sent",)]


async def test_a_timed_out_export_file_is_uncertain_and_the_others_still_go(h: Harness, db_path: Path) -> None:
    await reporting_data(h)
    h.api.fail("sendDocument", "timeout", chat_id=ADMIN.id)
    await h.sim.send(ADMIN, text="/ekspor xlsx")
    await later(h)
    assert not documents(h.api.calls, ADMIN.id)  # the one file timed out: it may have arrived, not sent again
    [(status, reason)] = q(db_path, "SELECT status, reason FROM outbox WHERE file_kind = 'document'")
    assert status == "uncertain" and reason.startswith("timed out")
    assert q(db_path, "SELECT COUNT(*) FROM outbox_files") == [(0,)]


async def test_an_export_asked_in_the_group_to_a_blocked_secretary_says_so(h: Harness, db_path: Path) -> None:
    await reporting_data(h)
    h.api.fail("sendDocument", "forbidden", chat_id=ADMIN.id)
    calls = await h.sim.send(ADMIN, GROUP_ID, "/ekspor xlsx")
    answer = [c for c in calls if c.method == "sendMessage" and c.chat_id == GROUP_ID][-1]
    assert "tidak bisa mengirim berkas" in answer.text
    [(status, reason)] = q(db_path, "SELECT status, reason FROM outbox WHERE file_kind = 'document'")
    assert status == "failed" and reason.startswith("403")


async def test_a_calendar_file_past_a_429_is_delivered_once(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    card = await create(h, "rapat | Rakor logistik | Senin 25/8 09.00 | 1 jam | Aula BPBD")
    h.api.fail("sendDocument", "retry_after", chat_id=MEMBER.id, arg=3, times=5)
    calls = await h.sim.press(MEMBER, card, text="📅 Tambah ke kalender")
    assert calls[-1].method == "answerCallbackQuery" and "obrolan pribadi" in calls[-1].params["text"]
    await later(h)
    assert _sent_documents(h.api, MEMBER.id) == ["A-0001.ics"]
    assert h.slept and max(h.slept) >= 3
