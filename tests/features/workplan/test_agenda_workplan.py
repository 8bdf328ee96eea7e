"""The work plan (/rencana) through the real Application: creation and its errors, updates by the responsible
representative or the secretariat, deadline reminders at 09.00 local a week and a day before, overdue items
flagged to the secretariat the morning after. The clock starts at Thursday 21 August 2025, 09.00 WITA."""

from __future__ import annotations

from pathlib import Path

from bot.devtools.harness import Harness
from tests.support.agenda import at, jobs, sent, ts, utc
from tests.support.db import q
from tests.support.people import ADMIN, GROUP_ID, MEMBER, OTHER
from tests.support.world import cluster_with_members

NEW = "/rencana baru Pemetaan gudang penyangga | PMI Kalsel | 30/9"


async def test_creation_errors_store_nothing(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(OTHER, GROUP_ID, "/rencana")
    assert "Belum ada kegiatan terbuka" in calls[-1].text
    calls = await h.sim.send(OTHER, GROUP_ID, "/rencana semua")
    assert "masih kosong" in calls[-1].text
    for line, expected in [
        ("/rencana baru Pemetaan gudang", "tiga bagian"),
        ("/rencana baru Pemetaan gudang | Organisasi Fiktif | 30/9", "“Organisasi Fiktif” bukan"),
        ("/rencana baru Pemetaan gudang | PMI Kalsel | 1/8/2025", "“1/8/2025” sudah lewat"),
        ("/rencana baru Pemetaan gudang | PMI Kalsel | kapan-kapan", "“kapan-kapan”"),
        ("/rencana baru Ab | PMI Kalsel | 30/9", "“Ab”"),
    ]:
        calls = await h.sim.send(ADMIN, GROUP_ID, line)
        assert expected in calls[-1].text and "Tidak ada yang disimpan" in calls[-1].text, calls[-1].text
        assert "<code>/rencana baru" in calls[-1].text
    calls = await h.sim.send(MEMBER, GROUP_ID, NEW)
    assert "sekretariat" in calls[-1].text
    assert q(db_path, "SELECT COUNT(*) FROM work_items") == [(0,)] and jobs(db_path, "work.%") == []


async def test_updates_reminders_and_done(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(ADMIN, GROUP_ID, NEW)
    assert (
        "Tersimpan: R-0001 Pemetaan gudang penyangga — PMI Kalsel, tenggat Selasa, 30 September 2025" in calls[-1].text
    )
    assert jobs(db_path, "work.%") == [
        ("work.reminder", "work:1:7d09:00", ts(2025, 9, 23, 1), "pending"),  # a week before, 09.00 WITA
        ("work.reminder", "work:1:1d09:00", ts(2025, 9, 29, 1), "pending"),  # the day before
        ("work.overdue", "work:1:overdue", ts(2025, 10, 1, 0), "pending"),  # the morning after, 08.00 WITA
    ]
    calls = await h.sim.send(MEMBER, GROUP_ID, "/rencana R-1 berjalan survei 3 dari 5 gudang")
    assert "Tersimpan: R-0001 kini “berjalan”" in calls[-1].text
    calls = await h.sim.send(OTHER, GROUP_ID, "/rencana R-1 selesai")  # Dinsos is not responsible
    assert "Hanya perwakilan organisasi penanggung jawab" in calls[-1].text
    calls = await h.sim.send(MEMBER, GROUP_ID, "/rencana R-1 tenggat 15/10")  # deadlines: secretariat only
    assert "Hanya perwakilan" in calls[-1].text
    calls = await h.sim.send(ADMIN, GROUP_ID, "/rencana R-1 catatan koordinasi dengan BPBD kabupaten")
    assert "Tersimpan" in calls[-1].text
    calls = await h.sim.send(MEMBER, GROUP_ID, "/rencana R-1 meledak")
    assert "“meledak”" in calls[-1].text and "Tidak ada yang diubah" in calls[-1].text
    calls = await h.sim.send(MEMBER, GROUP_ID, "/rencana R-9 selesai")
    assert "Tidak ada kegiatan rencana kerja R-0009" in calls[-1].text
    calls = await h.sim.send(OTHER, GROUP_ID, "/rencana R-1")
    detail = calls[-1].text
    assert "Penanggung jawab: PMI Kalsel" in detail and "survei 3 dari 5 gudang" in detail
    assert "koordinasi dengan BPBD kabupaten" in detail
    assert q(db_path, "SELECT status FROM work_items") == [("in_progress",)]
    calls = await at(h, utc(2025, 9, 23, 1, 0, 10))
    [reminder] = sent(calls, MEMBER.id, "Pengingat rencana kerja")
    assert "Terlambat" not in reminder.text and "tenggat Selasa, 30 September 2025" in reminder.text
    assert reminder.button_texts() == ["✅ selesai", "⏸ tertunda"]
    assert not sent(calls, GROUP_ID)
    calls = await h.sim.press(OTHER, reminder, text="✅ selesai")  # not theirs
    assert calls[-1].method == "answerCallbackQuery" and "Hanya perwakilan" in calls[-1].params["text"]
    calls = await h.sim.press(MEMBER, reminder, text="✅ selesai")
    assert any(c.method == "editMessageText" and "“selesai”" in c.text for c in calls)
    assert q(db_path, "SELECT status, done_at IS NOT NULL FROM work_items") == [("done", 1)]
    assert q(db_path, "SELECT ref, status FROM scheduled_jobs WHERE kind LIKE 'work.%' AND status != 'done'") == [
        ("work:1:1d09:00", "cancelled"), ("work:1:overdue", "cancelled")
    ]  # fmt: skip
    calls = await at(h, utc(2025, 10, 2))
    assert not [c for c in calls if c.method == "sendMessage"]
    calls = await h.sim.send(OTHER, GROUP_ID, "/rencana")
    assert "Belum ada kegiatan terbuka" in calls[-1].text
    calls = await h.sim.send(OTHER, GROUP_ID, "/rencana semua")
    assert "R-0001" in calls[-1].text and "selesai" in calls[-1].text


async def test_overdue_items_are_flagged_to_the_secretariat(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(ADMIN, GROUP_ID, "/rencana baru Data kapasitas gudang | Dinsos | besok")
    await h.sim.send(ADMIN, GROUP_ID, "/rencana baru Rencana kontinjensi | PMI Kalsel | Jumat 5/9")
    # day-precision deadline tomorrow: the reminders a week and a day before (Thursday 09.00) have passed already
    assert [r[1] for r in jobs(db_path, "work.%") if str(r[1]).startswith("work:1:")] == ["work:1:overdue"]
    calls = await at(h, utc(2025, 8, 22, 23, 59))
    assert not sent(calls, ADMIN.id)
    calls = await at(h, utc(2025, 8, 23, 0, 0, 10))  # Saturday 08.00 WITA
    [flag] = sent(calls, ADMIN.id, "Lewat tenggat")
    assert "R-0001 Data kapasitas gudang (Dinsos)" in flag.text and "Jumat, 22 Agustus 2025" in flag.text
    assert not sent(calls, GROUP_ID)
    calls = await h.sim.send(OTHER, GROUP_ID, "/rencana")
    assert "⚠️ <b>R-0001</b>" in calls[-1].text and "lewat tenggat" in calls[-1].text
    calls = await at(h, utc(2025, 8, 24))  # flagged once
    assert not sent(calls, ADMIN.id, "Lewat tenggat")
    # the secretariat sets a new deadline: reminders and the overdue check are armed again
    calls = await h.sim.send(ADMIN, GROUP_ID, "/rencana R-1 tenggat 30/9")
    assert "tenggat Selasa, 30 September 2025" in calls[-1].text
    assert q(db_path, "SELECT overdue_flagged_at FROM work_items WHERE number = 1") == [(None,)]
    assert [r[1:] for r in jobs(db_path, "work.%") if str(r[1]).startswith("work:1:") and r[3] == "pending"] == [
        ("work:1:7d09:00", ts(2025, 9, 23, 1), "pending"),
        ("work:1:1d09:00", ts(2025, 9, 29, 1), "pending"),
        ("work:1:overdue", ts(2025, 10, 1, 0), "pending"),
    ]
    calls = await at(h, utc(2025, 8, 29, 1, 0, 10))  # R-0002, a week before: on time
    [on_time] = sent(calls, MEMBER.id, "Pengingat rencana kerja")
    assert "R-0002" in on_time.text and "Terlambat" not in on_time.text
    # a deadline reminder that fell due while the bot was down is sent late, with the note
    calls = await at(h, utc(2025, 9, 4, 5))  # the day-before reminder of R-0002 was due 09.00, now 13.00 WITA
    [late] = sent(calls, MEMBER.id, "Pengingat rencana kerja")
    assert "R-0002" in late.text and "Terlambat" in late.text
    assert q(db_path, "SELECT note FROM scheduled_jobs WHERE ref = 'work:2:1d09:00'") == [("terlambat",)]


async def test_changing_the_zone_moves_the_work_plan_reminders_too(h: Harness, db_path: Path) -> None:
    """The agenda's /zona re-times the work plan's deadline jobs (its RESCHEDULE point), in the same transaction."""
    await cluster_with_members(h)
    await h.sim.send(ADMIN, GROUP_ID, NEW)
    calls = await h.sim.send(ADMIN, GROUP_ID, "/zona WIB")
    assert "Asia/Jakarta" in calls[-1].text
    assert jobs(db_path, "work.%")[:2] == [  # 09.00 WIB = 02.00 UTC (was 01.00 UTC in WITA)
        ("work.reminder", "work:1:7d09:00", ts(2025, 9, 23, 2), "pending"),
        ("work.reminder", "work:1:1d09:00", ts(2025, 9, 29, 2), "pending"),
    ]
