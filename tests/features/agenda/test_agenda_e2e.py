"""Agenda through the real Application with a controllable clock: one-line and guided creation, RSVP cards edited
in place, reminders at local times in two zones, edits and cancellations moving or removing reminders, recurring
series, speakers, feedback, reminder offsets and calendar files.

The clock starts at Thursday 21 August 2025, 09.00 WITA (01.00 UTC)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import icalendar

from bot.devtools.fakeapi import ApiCall
from bot.devtools.harness import Harness
from tests.support.agenda import LINE, at, create, jobs, reminders, sent, ts, utc
from tests.support.db import q
from tests.support.people import ADMIN, DONOR, GROUP_ID, MEMBER, OTHER
from tests.support.world import cluster_with_members

GROUP2 = -1009876543210


def pending(db_path: Path, kind: str = "agenda.reminder") -> list[tuple[object, ...]]:
    return q(
        db_path, "SELECT ref, due_at FROM scheduled_jobs WHERE kind = ? AND status = 'pending' ORDER BY due_at", kind
    )


def card_message(h: Harness, event_id: int = 1, chat_id: int = GROUP_ID):
    message_id = q(h.runtime.db.path, "SELECT message_id FROM events WHERE id = ?", event_id)[0][0]
    return h.api.message(chat_id, message_id)


async def second_cluster(h: Harness) -> None:
    h.api.add_chat(GROUP2, "supergroup", "Klaster Logistik Jawa Barat")
    h.api.set_bot_rights(GROUP2)
    h.api.set_member(GROUP2, ADMIN.json(), "creator")
    await h.sim.send(ADMIN, GROUP2, "/pasang Klaster Logistik Jabar")
    calls = await h.sim.send(ADMIN, GROUP2, "/zona WIB")
    assert "Asia/Jakarta" in calls[-1].text


# ---- creation -----------------------------------------------------------------------------------------


async def test_one_line_creation_announces_a_card_and_schedules_its_jobs(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(ADMIN, GROUP_ID, "/agenda baru " + LINE)
    card = next(c for c in calls if "A-0001" in c.text and c.buttons)
    assert "🎓 <b>Pelatihan · A-0001</b>" in card.text
    assert "Kamis, 4 September 2025 pukul 09.00 WITA · 2 jam" in card.text
    assert "Aula BPBD Kalsel" in card.text and "Narasumber: PMI Kalsel" in card.text
    assert card.button_texts() == ["✅ Hadir (0)", "🤔 Mungkin (0)", "✖ Tidak (0)", "📅 Tambah ke kalender"]
    assert any(c.text.startswith("Tersimpan: A-0001") for c in calls if c.method == "sendMessage")
    assert q(db_path, "SELECT number, type, title, starts_at, duration_min, place, status FROM events") == [
        (1, "training", "Manajemen Gudang Darurat", ts(2025, 9, 4, 1), 120, "Aula BPBD Kalsel", "scheduled")
    ]
    assert q(db_path, "SELECT o.short_name, s.status FROM event_speakers s JOIN organizations o "
                      "ON o.id = s.organization_id") == [("PMI Kalsel", "pending")]  # fmt: skip
    assert jobs(db_path) == [
        ("agenda.speaker", "event:1:speaker", ts(2025, 8, 28, 1), "pending"),  # a week before, 09.00 WITA
        ("agenda.reminder", "event:1:1d16:00", ts(2025, 9, 3, 8), "pending"),  # the day before, 16.00 WITA
        ("agenda.reminder", "event:1:1h", ts(2025, 9, 4, 0), "pending"),  # one hour before
        ("agenda.feedback", "event:1:feedback", ts(2025, 9, 4, 3), "pending"),  # when the training ends
        ("agenda.summary", "event:1:summary", ts(2025, 9, 5, 3), "pending"),  # a day later
    ]
    assert card_message(h).message_id == card.result["message_id"]


async def test_bad_one_line_input_is_quoted_back_and_stores_nothing(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    for line, expected in [
        ("pelatihan saja", "lima bagian"),
        ("seminar | Judul rapat | Kamis 4/9 09.00 | 2 jam | Aula", "“seminar”"),
        ("rapat | Judul rapat | kapan-kapan | 2 jam | Aula", "“kapan-kapan”"),
        ("rapat | Judul rapat | Kamis 4/9 | 2 jam | Aula", "“Kamis 4/9” belum ada jamnya"),
        ("rapat | Judul rapat | 1/8/2025 09.00 | 2 jam | Aula", "sudah lewat"),
        ("rapat | Judul rapat | Kamis 4/9 09.00 | lama sekali | Aula", "“lama sekali”"),
        ("rapat | Judul rapat | Kamis 4/9 09.00 setiap Jumat | 1 jam | Aula", "“setiap Jumat”"),
        ("rapat | Judul rapat | Kamis 4/9 09.00 tiap Kamis kedua | 1 jam | Aula", "“tiap Kamis kedua”"),
        ("rapat | Judul rapat | Kamis 4/9 09.00 | 1 jam | Aula | Organisasi Fiktif", "“Organisasi Fiktif” bukan"),
        ("rapat | Ok | Kamis 4/9 09.00 | 1 jam | Aula", "“Ok”"),
    ]:
        calls = await h.sim.send(ADMIN, GROUP_ID, "/agenda baru " + line)
        text = calls[-1].text
        assert expected in text, (line, text)
        assert "Tidak ada yang disimpan" in text and "<code>/agenda baru" in text, text
    assert q(db_path, "SELECT COUNT(*) FROM events") == [(0,)]
    assert jobs(db_path) == []
    # only the secretariat creates events
    calls = await h.sim.send(MEMBER, GROUP_ID, "/agenda baru " + LINE)
    assert "sekretariat" in calls[-1].text
    assert q(db_path, "SELECT COUNT(*) FROM events") == [(0,)]


async def test_guided_creation_with_speaker_suggested_from_topics(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, text="/kapasitas topik manajemen gudang darurat")
    calls = await h.sim.send(ADMIN, GROUP_ID, "/agenda baru")
    assert "start=agenda_new-1" in calls[-1].buttons[0][0]["url"]  # the steps happen privately
    calls = await h.sim.send(ADMIN, text="/agenda baru")
    assert "1/8" in calls[-1].text
    calls = await h.sim.press(ADMIN, calls[-1], text="🎓 Pelatihan")
    assert "2/8" in calls[-1].text
    calls = await h.sim.send(ADMIN, text="Manajemen Gudang Darurat")
    assert "3/8" in calls[-1].text
    calls = await h.sim.send(ADMIN, text="kapan-kapan")  # not a date: quoted, same step
    assert "“kapan-kapan”" in calls[-1].text and "3/8" in calls[-1].text
    calls = await h.sim.send(ADMIN, text="Kamis 4/9 09.00")
    assert "4/8" in calls[-1].text
    calls = await h.sim.press(ADMIN, calls[-1], text="2 jam")
    assert "5/8" in calls[-1].text
    calls = await h.sim.send(ADMIN, text="Aula BPBD Kalsel")
    ask = calls[-1]
    assert "6/8" in ask.text and "PMI Kalsel: manajemen gudang darurat" in ask.text
    assert ask.button_texts() == ["🎤 PMI Kalsel", "Tanpa narasumber"]
    calls = await h.sim.press(ADMIN, ask, data="agn:spk:3")  # an organisation that was not offered
    assert calls[-1].method == "answerCallbackQuery" and "tidak berlaku" in calls[-1].params["text"]
    calls = await h.sim.press(ADMIN, ask, text="🎤 PMI Kalsel")
    assert "7/8" in calls[-1].text
    assert calls[-1].button_texts() == [
        "Tidak berulang", "Setiap minggu, hari Kamis", "Setiap dua minggu, hari Kamis",
        "Setiap Kamis pertama tiap bulan",
    ]  # fmt: skip
    calls = await h.sim.press(ADMIN, calls[-1], text="Setiap Kamis pertama tiap bulan")
    assert "8/8" in calls[-1].text
    calls = await h.sim.press(ADMIN, calls[-1], text="Lewati")
    confirm = calls[-1]
    assert "Periksa" in confirm.text and "🔁 Setiap Kamis pertama tiap bulan" in confirm.text
    assert q(db_path, "SELECT COUNT(*) FROM events") == [(0,)]  # nothing stored before the confirmation
    calls = await h.sim.press(ADMIN, confirm, text="✅ Umumkan")
    card = next(c for c in calls if c.chat_id == GROUP_ID and c.method == "sendMessage")
    assert "A-0001" in card.text and "🔁 Setiap Kamis pertama tiap bulan" in card.text
    assert "Narasumber: PMI Kalsel" in card.text
    assert any(c.chat_id == ADMIN.id and c.text.startswith("Tersimpan: A-0001") for c in calls)
    assert q(db_path, "SELECT rule, active FROM event_series") == [("monthly:1:3", 1)]
    assert q(db_path, "SELECT COUNT(*) FROM dialogs") == [(0,)]
    # a stale button of the finished flow (a replayed tap; the keyboard is gone) changes nothing
    calls = await h.sim.press(ADMIN, confirm, data="agn:ok")
    assert calls[-1].method == "answerCallbackQuery" and "tidak berlaku" in calls[-1].params["text"]
    assert q(db_path, "SELECT COUNT(*) FROM events") == [(1,)]


async def test_guided_creation_can_be_cancelled(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(ADMIN, text="/agenda baru")
    calls = await h.sim.send(ADMIN, text="seminar")  # not a type: asked again
    assert "“seminar”" in calls[-1].text and "1/8" in calls[-1].text
    calls = await h.sim.press(ADMIN, calls[-1], data="agn:x")
    assert any(c.method == "editMessageText" and "Dibatalkan" in c.text for c in calls)
    assert q(db_path, "SELECT COUNT(*) FROM events") == [(0,)] and q(db_path, "SELECT COUNT(*) FROM dialogs") == [(0,)]


# ---- RSVP -------------------------------------------------------------------------------------------------


async def test_rsvp_changes_are_counted_on_the_same_card(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    card = await create(h, LINE)
    message_id = card.result["message_id"]
    calls = await h.sim.press(MEMBER, card, text="✅ Hadir (0)")
    assert "Tercatat: hadir" in calls[0].params["text"]
    edit = next(c for c in calls if c.method == "editMessageText")
    assert edit.params["message_id"] == message_id and "Hadir 1 · Mungkin 0 · Tidak hadir 0" in edit.text
    await h.sim.press(OTHER, card, data="ag:r:1:m")
    await h.sim.press(DONOR, card, data="ag:r:1:n")
    calls = await h.sim.press(MEMBER, card, data="ag:r:1:m")  # changes their mind
    stored = h.api.message(GROUP_ID, message_id)
    assert "Hadir 0 · Mungkin 2 · Tidak hadir 1" in stored.text
    assert [b["text"] for row in stored.reply_markup["inline_keyboard"] for b in row][:3] == [
        "✅ Hadir (0)", "🤔 Mungkin (2)", "✖ Tidak (1)"
    ]  # fmt: skip
    assert stored.edits == 4
    calls = await h.sim.press(MEMBER, card, data="ag:r:1:m")  # the same answer again: no edit
    assert not any(c.method == "editMessageText" for c in calls)
    assert q(db_path, "SELECT user_id, answer, organization_id FROM event_rsvps ORDER BY user_id") == [
        (MEMBER.id, "maybe", 1), (OTHER.id, "maybe", 2), (DONOR.id, "no", 3)
    ]  # fmt: skip
    calls = await h.sim.press(MEMBER, card, data="ag:r:99:y")  # tampered
    assert "tidak berlaku" in calls[-1].params["text"]
    # /agenda lists it with the count; /agenda A-1 shows the card with working buttons
    calls = await h.sim.send(OTHER, GROUP_ID, "/agenda")
    assert "A-0001" in calls[-1].text and "Manajemen Gudang Darurat" in calls[-1].text
    calls = await h.sim.send(OTHER, text="/agenda A-1")
    detail = calls[-1]
    assert "Mungkin 2" in detail.text
    calls = await h.sim.press(OTHER, detail, data="ag:r:1:y")
    assert "Hadir 1 · Mungkin 1" in h.api.message(GROUP_ID, message_id).text  # the group's card follows
    assert any(c.method == "editMessageText" and c.chat_id == OTHER.id for c in calls)


# ---- reminders ----------------------------------------------------------------------------------------------


async def test_reminders_at_local_times_in_two_zones(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)  # Kalsel, WITA (UTC+8)
    await second_cluster(h)  # Jabar, WIB (UTC+7), set with /zona
    kalsel = await create(h, "rapat | Rakor logistik Kalsel | Senin 25/8 09.00 | 1 jam | Aula BPBD Kalsel")
    jabar = await create(h, "rapat | Rakor logistik Jabar | Senin 25/8 09.00 | 1 jam | Gedung Sate", GROUP2)
    assert "pukul 09.00 WITA" in kalsel.text and "pukul 09.00 WIB" in jabar.text
    await h.sim.press(MEMBER, kalsel, text="✅ Hadir (0)")
    calls = await h.sim.press(MEMBER, jabar, data="ag:r:1:y")  # forged: Kalsel's event from Jabar's card
    assert "tidak berlaku" in calls[-1].params["text"]
    assert q(db_path, "SELECT COUNT(*) FROM event_rsvps") == [(1,)]
    assert pending(db_path) == [
        ("event:1:1d16:00", ts(2025, 8, 24, 8)),  # Sunday 16.00 WITA
        ("event:2:1d16:00", ts(2025, 8, 24, 9)),  # Sunday 16.00 WIB
        ("event:1:1h", ts(2025, 8, 25, 0)),  # Monday 08.00 WITA
        ("event:2:1h", ts(2025, 8, 25, 1)),  # Monday 08.00 WIB
    ]
    calls = await at(h, utc(2025, 8, 24, 7, 59))
    assert not reminders(calls, GROUP_ID) and not reminders(calls, GROUP2)
    calls = await at(h, utc(2025, 8, 24, 8, 0, 30))
    [group] = reminders(calls, GROUP_ID)
    assert "Rakor logistik Kalsel" in group.text and "Mulai besok pukul 09.00" in group.text
    assert "Terlambat" not in group.text and not reminders(calls, GROUP2)
    [private] = reminders(calls, MEMBER.id)  # answered Hadir
    assert private.button_texts() == ["📅 Tambah ke kalender"]
    assert not reminders(calls, OTHER.id)
    calls = await at(h, utc(2025, 8, 24, 9, 0, 30))
    [group2] = reminders(calls, GROUP2)
    assert "Rakor logistik Jabar" in group2.text and "WIB" in group2.text and not reminders(calls, GROUP_ID)
    calls = await at(h, utc(2025, 8, 25, 0, 0, 10))
    assert "Mulai 1 jam lagi" in reminders(calls, GROUP_ID)[0].text
    calls = await at(h, utc(2025, 8, 25, 1, 0, 10))
    assert len(reminders(calls, GROUP2)) == 1
    assert q(db_path, "SELECT DISTINCT status, note FROM scheduled_jobs WHERE kind = 'agenda.reminder'") == [
        ("done", "")
    ]
    # a bad zone changes nothing
    calls = await h.sim.send(ADMIN, GROUP2, "/zona Mars/Olympus")
    assert "“Mars/Olympus”" in calls[-1].text and "Tidak ada yang diubah" in calls[-1].text
    assert q(db_path, "SELECT timezone FROM clusters ORDER BY id") == [("Asia/Makassar",), ("Asia/Jakarta",)]


async def test_changing_the_zone_moves_wall_clock_reminders(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await create(h, "rapat | Rakor logistik | Senin 25/8 09.00 | 1 jam | Aula")
    calls = await h.sim.send(ADMIN, GROUP_ID, "/zona WIB")
    assert "Asia/Jakarta" in calls[-1].text and "1 agenda" in calls[-1].text
    # the event keeps its instant (09.00 WITA = 08.00 WIB); "the day before at 16.00" is now 16.00 WIB
    assert pending(db_path) == [("event:1:1d16:00", ts(2025, 8, 24, 9)), ("event:1:1h", ts(2025, 8, 25, 0))]


async def test_custom_reminder_offsets_per_cluster(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await create(h, "rapat | Rakor logistik | Senin 25/8 09.00 | 1 jam | Aula")
    calls = await h.sim.send(MEMBER, GROUP_ID, "/agenda pengingat")
    assert "H-1 pukul 16.00, 1 jam sebelum mulai" in calls[-1].text
    calls = await h.sim.send(MEMBER, GROUP_ID, "/agenda pengingat 2d09:00")
    assert "sekretariat" in calls[-1].text
    calls = await h.sim.send(ADMIN, GROUP_ID, "/agenda pengingat 2d09:00, kapan saja")
    assert "“kapan saja”" in calls[-1].text and "Tidak ada yang diubah" in calls[-1].text
    assert q(db_path, "SELECT COUNT(*) FROM cluster_settings WHERE key = 'agenda_reminders'") == [(0,)]
    calls = await h.sim.send(ADMIN, GROUP_ID, "/agenda pengingat 2d09:00,3h,30m")
    assert "Tersimpan" in calls[-1].text and "1 agenda" in calls[-1].text
    assert pending(db_path) == [
        ("event:1:2d09:00", ts(2025, 8, 23, 1)),  # Saturday 09.00 WITA
        ("event:1:3h", ts(2025, 8, 24, 22)),
        ("event:1:30m", ts(2025, 8, 25, 0, 30)),
    ]
    assert q(db_path, "SELECT status FROM scheduled_jobs WHERE ref = 'event:1:1d16:00'") == [("cancelled",)]
    calls = await at(h, utc(2025, 8, 23, 1, 0, 10))
    assert len(reminders(calls, GROUP_ID)) == 1
    calls = await at(h, utc(2025, 8, 24, 8, 1))  # the old slot sends nothing
    assert not reminders(calls, GROUP_ID)
    calls = await h.sim.send(ADMIN, GROUP_ID, "/agenda pengingat standar")
    assert "Tersimpan" in calls[-1].text
    # back to the default; a slot already in the past (Sunday 16.00 has gone) is not scheduled
    assert pending(db_path) == [("event:1:1h", ts(2025, 8, 25, 0))]


# ---- editing and cancelling -----------------------------------------------------------------------------------


async def test_edited_event_moves_its_reminders_and_tells_attendees(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    card = await create(h, "rapat | Rakor logistik | Senin 25/8 09.00 | 1 jam | Aula BPBD Kalsel")
    await h.sim.press(MEMBER, card, text="✅ Hadir (0)")
    for command, expected in [
        ("/agenda ubah A-1 waktu kapan-kapan", "“kapan-kapan”"),
        ("/agenda ubah A-1 warna merah", "“warna merah”"),
        ("/agenda ubah A-9 tempat Aula", "Tidak ada agenda A-0009"),
        ("/agenda ubah X tempat Aula", "“X”"),
        ("/agenda ubah A-1 tempat Aula BPBD Kalsel", "memang sudah begitu"),
    ]:
        calls = await h.sim.send(ADMIN, GROUP_ID, command)
        assert expected in calls[-1].text, (command, calls[-1].text)
    assert q(db_path, "SELECT starts_at, sequence FROM events") == [(ts(2025, 8, 25, 1), 0)]
    calls = await h.sim.send(ADMIN, GROUP_ID, "/agenda ubah A-0001 waktu Selasa 26/8 10.00")
    edit = next(c for c in calls if c.method == "editMessageText")
    assert edit.params["message_id"] == card.result["message_id"]
    assert "Selasa, 26 Agustus 2025 pukul 10.00 WITA" in edit.text
    assert any("Waktu baru" in c.text for c in sent(calls, GROUP_ID))
    [told] = sent(calls, MEMBER.id, "Waktu baru")
    assert "Senin, 25 Agustus 2025 pukul 09.00 WITA" in told.text  # what it was
    assert pending(db_path) == [("event:1:1d16:00", ts(2025, 8, 25, 8)), ("event:1:1h", ts(2025, 8, 26, 1))]
    calls = await at(h, utc(2025, 8, 24, 8, 1))  # the old day-before slot
    assert not reminders(calls, GROUP_ID)
    calls = await at(h, utc(2025, 8, 25, 8, 0, 5))
    assert len(reminders(calls, GROUP_ID)) == 1 and "Mulai besok pukul 10.00" in reminders(calls, GROUP_ID)[0].text
    calls = await h.sim.send(ADMIN, GROUP_ID, "/agenda ubah A-1 tempat Zoom https://zoom.us/j/123?pwd=a&b=1")
    assert "zoom.us/j/123?pwd=a&amp;b=1" in h.api.message(GROUP_ID, card.result["message_id"]).text
    calls = await h.sim.send(ADMIN, text="/agenda ubah A-1 durasi 90 menit")  # from a private chat too
    assert any(c.chat_id == ADMIN.id and c.text.startswith("Tersimpan.") for c in calls)
    assert q(db_path, "SELECT duration_min, sequence FROM events") == [(90, 3)]


async def test_cancelled_event_sends_no_reminders(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    card = await create(h, LINE)
    await h.sim.press(MEMBER, card, text="✅ Hadir (0)")
    calls = await h.sim.send(ADMIN, GROUP_ID, "/agenda batal A-1 Banjir di lokasi pelatihan")
    edit = next(c for c in calls if c.method == "editMessageText")
    assert edit.params["message_id"] == card.result["message_id"]
    assert "DIBATALKAN" in edit.text and "Banjir di lokasi pelatihan" in edit.text and not edit.buttons
    [told] = sent(calls, MEMBER.id, "Dibatalkan")
    assert "Banjir di lokasi pelatihan" in told.text
    [speaker_told] = [c for c in sent(calls, MEMBER.id) if "Dibatalkan" in c.text]  # PMI is also the speaker: once
    assert speaker_told is told
    assert q(db_path, "SELECT status FROM scheduled_jobs GROUP BY status") == [("cancelled",)]
    calls = await h.sim.press(OTHER, card, data="ag:r:1:y")
    assert "dibatalkan" in calls[-1].params["text"]
    calls = await at(h, utc(2025, 9, 10))
    assert not [c for c in calls if c.method == "sendMessage"]
    calls = await h.sim.send(ADMIN, GROUP_ID, "/agenda batal A-1")
    assert "sudah dibatalkan" in calls[-1].text
    calls = await h.sim.send(ADMIN, GROUP_ID, "/agenda batal")
    assert "<code>/agenda batal A-0001</code>" in calls[-1].text


# ---- recurring series ----------------------------------------------------------------------------------------


async def test_weekly_series_produces_the_next_occurrence_after_each_one(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    card = await create(h, "forum | Forum berbagi logistik | Kamis 28/8 10.00 setiap minggu | 1 jam | Zoom")
    assert "🔁 Setiap minggu, hari Kamis" in card.text
    assert q(db_path, "SELECT ref, due_at FROM scheduled_jobs WHERE kind = 'agenda.next'") == [
        ("event:1:next", ts(2025, 8, 28, 3))
    ]
    calls = await at(h, utc(2025, 8, 28, 3, 0, 10))  # the first one ends
    [second] = [c for c in sent(calls, GROUP_ID) if "A-0002" in c.text]
    assert "Kamis, 4 September 2025 pukul 10.00 WITA" in second.text and second.buttons
    assert pending(db_path) == [("event:2:1d16:00", ts(2025, 9, 3, 8)), ("event:2:1h", ts(2025, 9, 4, 1))]
    calls = await at(h, utc(2025, 9, 4, 3, 0, 10))  # the second one ends (its reminders ran on the way)
    assert [c for c in sent(calls, GROUP_ID) if "A-0003" in c.text and "11 September" in c.text]
    assert q(db_path, "SELECT number, occurrence_at FROM events ORDER BY number") == [
        (1, ts(2025, 8, 28, 2)), (2, ts(2025, 9, 4, 2)), (3, ts(2025, 9, 11, 2))
    ]  # fmt: skip
    calls = await h.sim.send(ADMIN, GROUP_ID, "/agenda batal A-3 semua Forum pindah ke rapat bulanan")
    assert any("tidak ada jadwal berikutnya" in c.text for c in sent(calls, GROUP_ID))
    calls = await at(h, utc(2025, 9, 20))
    assert not [c for c in sent(calls, GROUP_ID) if "A-0004" in c.text]
    assert q(db_path, "SELECT active FROM event_series") == [(0,)]


async def test_a_single_cancelled_occurrence_keeps_the_series_and_monthly_rules(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await create(h, "rapat | Rakor bulanan | Kamis 4/9 09.00 setiap Kamis pertama | 2 jam | Aula BPBD")
    calls = await h.sim.send(ADMIN, GROUP_ID, "/agenda batal A-1 Bentrok dengan apel siaga")
    assert any("rangkaiannya tetap berlanjut" in c.text for c in sent(calls, GROUP_ID))
    calls = await at(h, utc(2025, 9, 4, 3, 0, 5))
    [nxt] = [c for c in sent(calls, GROUP_ID) if "A-0002" in c.text]
    assert "Kamis, 2 Oktober 2025 pukul 09.00 WITA" in nxt.text


async def test_a_series_restarted_after_a_long_outage_skips_the_passed_slots(db_path: Path, h: Harness) -> None:
    await cluster_with_members(h)
    await create(h, "forum | Forum berbagi | Kamis 28/8 10.00 tiap 2 minggu | 1 jam | Zoom")
    calls = await at(h, utc(2025, 9, 20))  # down from before the end until three weeks later
    [nxt] = [c for c in sent(calls, GROUP_ID) if "A-0002" in c.text]
    assert "Kamis, 25 September 2025 pukul 10.00 WITA" in nxt.text
    assert q(db_path, "SELECT note FROM scheduled_jobs WHERE kind = 'agenda.next' AND ref = 'event:1:next'") == [
        ("skipped slots",)
    ]


# ---- speakers and feedback ----------------------------------------------------------------------------------


async def test_speaker_is_asked_a_week_before_and_answers(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    card = await create(h, "pelatihan | Manajemen Gudang Darurat | Senin 8/9 09.00 | 2 jam | Aula | PMI Kalsel")
    calls = await at(h, utc(2025, 9, 1, 0, 59))
    assert not sent(calls, MEMBER.id)
    calls = await at(h, utc(2025, 9, 1, 1, 0, 5))  # Monday 1/9 09.00 WITA
    [ask] = sent(calls, MEMBER.id, "narasumber")
    assert "<b>PMI Kalsel menjadi narasumber</b>" in ask.text and "/agenda materi A-0001" in ask.text
    assert ask.button_texts() == ["✅ Kami siap", "✖ Kami tidak bisa"]
    calls = await h.sim.press(OTHER, ask, text="✅ Kami siap")  # not PMI's representative
    assert "tidak berlaku" in calls[-1].params["text"]
    calls = await h.sim.press(MEMBER, ask, text="✅ Kami siap")
    assert any(c.method == "editMessageText" and "terkonfirmasi" in c.text for c in calls)
    assert "Narasumber: PMI Kalsel ✅" in h.api.message(GROUP_ID, card.result["message_id"]).text
    calls = await h.sim.send(MEMBER, text="/agenda materi A-1 https://drive.example/gudang.pdf")
    assert "Tersimpan" in calls[-1].text
    assert "Materi: https://drive.example/gudang.pdf" in h.api.message(GROUP_ID, card.result["message_id"]).text
    calls = await h.sim.send(OTHER, text="/agenda materi A-1 https://lain.example")
    assert "Hanya organisasi narasumber" in calls[-1].text
    # a declining speaker: the secretariat is told privately
    await create(h, "forum | Berbagi pengalaman banjir | Senin 8/9 14.00 | 1 jam | Zoom | Bulog")
    calls = await at(h, utc(2025, 9, 1, 6, 0, 5))
    [ask2] = sent(calls, DONOR.id, "narasumber")
    calls = await h.sim.press(DONOR, ask2, text="✖ Kami tidak bisa")
    [told] = sent(calls, ADMIN.id, "tidak bisa menjadi narasumber")
    assert "Bulog" in told.text and "A-0002" in told.text
    assert q(db_path, "SELECT event_id, status FROM event_speakers ORDER BY event_id") == [
        (1, "confirmed"), (2, "declined")
    ]  # fmt: skip


async def test_feedback_after_a_training_and_a_summary_for_the_secretariat(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    card = await create(h, "pelatihan | Pengelolaan Gudang | besok 09.00 | 2 jam | Aula BPBD")
    await h.sim.press(MEMBER, card, text="✅ Hadir (0)")
    await h.sim.press(OTHER, card, data="ag:r:1:m")
    await h.sim.press(DONOR, card, data="ag:r:1:n")
    calls = await at(h, utc(2025, 8, 22, 3, 0, 5))  # it ends at 11.00 WITA
    [ask] = sent(calls, MEMBER.id, "Seberapa bermanfaat")
    assert ask.button_texts() == ["1", "2", "3", "4", "5", "Saya tidak hadir"]
    assert sent(calls, OTHER.id, "Seberapa bermanfaat") and not sent(calls, DONOR.id, "Seberapa bermanfaat")
    calls = await h.sim.press(DONOR, ask, data="ag:f:1:5")  # was not asked
    assert "tidak berlaku" in calls[-1].params["text"]
    calls = await h.sim.press(MEMBER, ask, text="4")
    assert any(c.method == "editMessageText" and "(4/5)" in c.text for c in calls)
    calls = await h.sim.send(MEMBER, text="Materi sangat berguna, mohon ada praktik lapangan")
    assert "tersimpan" in calls[-1].text
    other_ask = sent(h.api.calls, OTHER.id, "Seberapa bermanfaat")[-1]
    await h.sim.press(OTHER, other_ask, text="Saya tidak hadir")
    assert q(db_path, "SELECT user_id, attended, rating, comment FROM event_feedback ORDER BY user_id") == [
        (MEMBER.id, 1, 4, "Materi sangat berguna, mohon ada praktik lapangan"), (OTHER.id, 0, None, "")
    ]  # fmt: skip
    calls = await at(h, utc(2025, 8, 23, 3, 0, 5))
    [summary] = sent(calls, ADMIN.id, "Ringkasan")
    text = summary.text
    assert "Jawaban: ✅ 1 hadir · 🤔 1 mungkin · ✖ 1 tidak hadir" in text
    assert "Umpan balik: 2 dari 2 menjawab; 1 hadir, 1 tidak hadir." in text
    assert "Nilai rata-rata: 4 / 5" in text and "Budi Santoso (PMI Kalsel)" in text
    assert "Materi sangat berguna" in text
    calls = await h.sim.send(ADMIN, GROUP_ID, "/agenda ringkasan A-1")
    assert "Nilai rata-rata: 4 / 5" in calls[-1].text


# ---- calendar files ----------------------------------------------------------------------------------------


def _document(call: ApiCall) -> bytes:
    return call.files["document"]


async def test_event_ics_parses_and_follows_rfc5545(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    description = "Bawa laptop; materi: gudang, distribusi & pelaporan. " + "Catatan panjang é " * 12
    card = await create(
        h, f"rapat | Rapat; evaluasi, logistik | Senin 25/8 09.00 | 90 menit | Aula BPBD, Lt. 2 | - | {description}"
    )
    calls = await h.sim.press(MEMBER, card, text="📅 Tambah ke kalender")
    [doc] = [c for c in calls if c.method == "sendDocument"]
    assert doc.chat_id == MEMBER.id and "A-0001" in doc.text
    assert calls[-1].method == "answerCallbackQuery" and "obrolan pribadi" in calls[-1].params["text"]
    raw = _document(doc)
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert b"SUMMARY:Rapat koordinasi: Rapat\\; evaluasi\\, logistik" in raw
    calendar = icalendar.Calendar.from_ical(raw)
    [event] = list(calendar.walk("VEVENT"))
    assert re.fullmatch(r"[0-9a-f]{16}-c1-e1@klaster-logistik-bot", str(event["UID"]))  # see test_agenda_ics.py
    assert event.decoded("DTSTART") == utc(2025, 8, 25, 1) and event.decoded("DTEND") == utc(2025, 8, 25, 2, 30)
    assert str(event["SUMMARY"]) == "Rapat koordinasi: Rapat; evaluasi, logistik"
    assert str(event["LOCATION"]) == "Aula BPBD, Lt. 2"
    assert str(event["DESCRIPTION"]).startswith(description.strip())
    assert "DTSTAMP" in event and str(event["STATUS"]) == "CONFIRMED"
    assert b"DTSTART;TZID=Asia/Makassar:20250825T090000" in raw and b"BEGIN:VTIMEZONE" in raw
    # someone who never opened a chat with the bot gets a deep link that sends the same file
    h.api.fail("sendDocument", "forbidden", chat_id=OTHER.id)
    calls = await h.sim.press(OTHER, card, text="📅 Tambah ke kalender")
    assert "start=agenda_ics-1" in calls[-1].params["url"]
    calls = await h.sim.send(OTHER, text="/start agenda_ics-1")
    assert [c for c in calls if c.method == "sendDocument" and c.chat_id == OTHER.id]


async def test_cluster_ics_lists_every_upcoming_event(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(OTHER, GROUP_ID, "/agenda kalender")
    assert "Belum ada agenda" in calls[-1].text
    await create(h, LINE)
    await create(h, "rapat | Rakor logistik | Senin 25/8 09.00 | 1 jam | Aula")
    await create(h, "forum | Dibatalkan nanti | Selasa 26/8 09.00 | 1 jam | Aula")
    await h.sim.send(ADMIN, GROUP_ID, "/agenda batal A-3")
    calls = await h.sim.send(OTHER, GROUP_ID, "/agenda kalender")
    [doc] = [c for c in calls if c.method == "sendDocument"]
    assert doc.chat_id == GROUP_ID and "2 agenda mendatang" in doc.text
    calendar = icalendar.Calendar.from_ical(_document(doc))
    assert str(calendar["X-WR-CALNAME"]) == "Klaster Logistik Kalsel"
    starts = [e.decoded("DTSTART") for e in calendar.walk("VEVENT")]
    assert starts == [utc(2025, 8, 25, 1), utc(2025, 9, 4, 1)]


async def test_hostile_input_to_the_secretariat_commands(h: Harness, db_path: Path) -> None:
    """Every answer is short, valid HTML, and the bot never fails; nothing is half-stored."""
    from tests.support.inputs import NASTY

    await cluster_with_members(h)
    await create(h, "rapat | Rakor | Senin 25/8 09.00 | 1 jam | Aula")
    await h.sim.send(ADMIN, GROUP_ID, "/rencana baru Pemetaan gudang | PMI Kalsel | 30/9")
    prefixes = ["/agenda baru ", "/agenda baru rapat | Judul rapat | ", "/agenda ubah A-1 waktu ", "/agenda batal ",
                "/agenda pengingat ", "/zona ", "/rencana baru Judul | ", "/rencana R-1 tenggat ", "/agenda "]  # fmt: skip
    for prefix in prefixes:
        for text in NASTY:
            h.clock.advance(timedelta(seconds=1))
            calls = await h.sim.send(ADMIN, GROUP_ID, prefix + text)
            answers = [c for c in calls if c.method == "sendMessage"]
            assert answers and all(c.error is None for c in calls), (prefix, text, [c.error for c in calls])
            assert all(len(c.text) < 1500 and "kesalahan" not in c.text for c in answers), (prefix, text)
    assert q(db_path, "SELECT COUNT(*) FROM events WHERE status = 'scheduled'") == [(1,)]
    assert q(db_path, "SELECT COUNT(*) FROM work_items") == [(1,)]
    assert q(db_path, "SELECT timezone FROM clusters") == [("Asia/Makassar",)]
