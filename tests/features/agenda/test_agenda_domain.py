"""Agenda domain rules, table-driven: types, durations, recurrence, reminder offsets in two zones, the one-line
form, work-plan statuses and deadlines, iCalendar escaping and folding (checked with the icalendar package)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import icalendar
import pytest

from bot.features.agenda import domain as a
from bot.features.agenda.domain import LineError, Offset, Recurrence, RecurrenceError
from bot.features.workplan import domain as w

WITA = ZoneInfo("Asia/Makassar")
WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2025, 8, 21, 9, 0, tzinfo=WITA)  # Thursday
FIRST_THURSDAY = date(2025, 9, 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pelatihan", "training"), ("Pelatihan", "training"), ("bimtek", "training"), ("forum berbagi", "forum"),
        ("Forum", "forum"), ("rapat koordinasi", "meeting"), ("Rakor", "meeting"), ("rapat", "meeting"),
        ("simulasi/gladi", "exercise"), ("gladi lapang", "exercise"), ("Simulasi", "exercise"), ("seminar", None),
        ("", None),
    ],
)  # fmt: skip
def test_event_types(text: str, expected: str | None) -> None:
    assert a.parse_event_type(text) == expected


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("2 jam", 120), ("2jam", 120), ("2j", 120), ("1,5 jam", 90), ("1.5 jam", 90), ("90 menit", 90),
        ("1 jam 30 menit", 90), ("1 jam dan 30 menit", 90), ("45 mnt", 45), ("3 hours", 180), ("dua jam", 120),
        ("setengah hari", 240), ("1 hari", 480), ("sehari", 480), ("2 hari", 1920),
        ("lama", None), ("2 jam kira-kira", None), ("0 jam", None), ("8 hari", None), ("2", None), ("1,5 hari", None),
    ],
)  # fmt: skip
def test_durations(text: str, minutes: int | None) -> None:
    assert a.parse_duration(text) == minutes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("setiap minggu", Recurrence("weekly")), ("tiap pekan", Recurrence("weekly")),
        ("setiap Kamis", Recurrence("weekly")), ("setiap hari Kamis", Recurrence("weekly")),
        ("tiap 2 minggu", Recurrence("biweekly")), ("setiap dua minggu", Recurrence("biweekly")),
        ("every two weeks", Recurrence("biweekly")),
        ("setiap bulan", Recurrence("monthly", 1, 3)), ("bulanan", Recurrence("monthly", 1, 3)),
        ("setiap Kamis pertama", Recurrence("monthly", 1, 3)), ("Kamis pertama tiap bulan", Recurrence("monthly", 1, 3)),
        ("first Thursday of the month", Recurrence("monthly", 1, 3)),
        ("setiap Jumat", RecurrenceError("weekday_mismatch", "setiap Jumat")),
        ("setiap Kamis kedua", RecurrenceError("nth_mismatch", "setiap Kamis kedua")),
        ("setiap Kamis terakhir", RecurrenceError("nth_mismatch", "setiap Kamis terakhir")),
        ("kadang-kadang", RecurrenceError("not_understood", "kadang-kadang")),
    ],
)  # fmt: skip
def test_recurrence(text: str, expected: Recurrence | RecurrenceError) -> None:
    assert a.parse_recurrence(text, FIRST_THURSDAY) == expected


def test_recurrence_round_trip_and_last_weekday() -> None:
    for rule in (Recurrence("weekly"), Recurrence("biweekly"), Recurrence("monthly", -1, 4)):
        assert Recurrence.decode(rule.encode()) == rule
    assert Recurrence.decode("monthly:9:3") is None and Recurrence.decode("yearly") is None
    assert a.parse_recurrence("setiap Jumat terakhir", date(2025, 8, 29)) == Recurrence("monthly", -1, 4)
    assert a.monthly_for(date(2025, 10, 30)) == Recurrence("monthly", -1, 3)  # a fifth Thursday is the last


@pytest.mark.parametrize(
    ("rule", "slot", "after", "expected"),
    [
        (Recurrence("weekly"), datetime(2025, 8, 28, 10), datetime(2025, 8, 28, 11), datetime(2025, 9, 4, 10)),
        (Recurrence("biweekly"), datetime(2025, 8, 28, 10), datetime(2025, 8, 28, 11), datetime(2025, 9, 11, 10)),
        (Recurrence("biweekly"), datetime(2025, 8, 28, 10), datetime(2025, 9, 20), datetime(2025, 9, 25, 10)),
        (Recurrence("monthly", 1, 3), datetime(2025, 9, 4, 9), datetime(2025, 9, 4, 11), datetime(2025, 10, 2, 9)),
        (Recurrence("monthly", 1, 3), datetime(2025, 12, 4, 9), datetime(2025, 12, 4, 11), datetime(2026, 1, 1, 9)),
        (Recurrence("monthly", -1, 4), datetime(2025, 8, 29, 9), datetime(2025, 8, 29, 11), datetime(2025, 9, 26, 9)),
        (Recurrence("monthly", 3, 0), datetime(2025, 8, 18, 9), datetime(2025, 8, 18, 11), datetime(2025, 9, 15, 9)),
    ],
)
def test_next_occurrence_keeps_the_local_time(
    rule: Recurrence, slot: datetime, after: datetime, expected: datetime
) -> None:
    got = a.next_occurrence(rule, slot.replace(tzinfo=WITA), after.replace(tzinfo=WITA), WITA)
    assert got == expected.replace(tzinfo=WITA)


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("1d16:00,1h", ["1d16:00", "1h"]), ("1d16.00, 1h", ["1d16:00", "1h"]), ("H-1 16.00, 2 jam", ["1d16:00", "2h"]),
        ("2d09:00,3h,30m", ["2d09:00", "3h", "30m"]), ("30 menit", ["30m"]), ("1 hari", ["1d"]),
        ("1h,60m", ["1h"]), ("0d07:00", ["0d07:00"]),
    ],
)  # fmt: skip
def test_offsets(text: str, keys: list[str]) -> None:
    offsets = a.parse_offsets(text)
    assert isinstance(offsets, tuple) and [o.key for o in offsets] == keys
    assert a.format_offsets(offsets) == ",".join(keys)


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("kapan saja", "kapan saja"),
        ("1d25:00", "1d25:00"),
        ("31d", "31d"),
        ("0m", "0m"),
        ("1h,2h,3h,4h,5h,6h", "1h,2h,3h,4h,5h,6h"),
    ],
)
def test_bad_offsets_name_the_part(text: str, bad: str) -> None:
    assert a.parse_offsets(text) == bad


def test_reminder_times_follow_each_zone() -> None:
    start_wita = datetime(2025, 8, 25, 9, tzinfo=WITA)
    start_wib = datetime(2025, 8, 25, 9, tzinfo=WIB)
    now = NOW.astimezone(UTC)
    assert a.reminder_times(start_wita, WITA, a.DEFAULT_OFFSETS, now) == [
        ("1d16:00", datetime(2025, 8, 24, 8, tzinfo=UTC)), ("1h", datetime(2025, 8, 25, 0, tzinfo=UTC))
    ]  # fmt: skip
    assert a.reminder_times(start_wib, WIB, a.DEFAULT_OFFSETS, now) == [
        ("1d16:00", datetime(2025, 8, 24, 9, tzinfo=UTC)), ("1h", datetime(2025, 8, 25, 1, tzinfo=UTC))
    ]  # fmt: skip
    # created late in the afternoon for tomorrow morning: the day-before slot has gone, only "1h" remains
    late_now = datetime(2025, 8, 21, 17, tzinfo=WITA)
    assert [
        k for k, _ in a.reminder_times(datetime(2025, 8, 22, 9, tzinfo=WITA), WITA, a.DEFAULT_OFFSETS, late_now)
    ] == ["1h"]
    # the same morning at 07.00 for a 06.30 event is after the start: dropped
    early = (Offset(days=0, at=time(7)),)
    assert a.reminder_times(datetime(2025, 8, 22, 6, 30, tzinfo=WITA), WITA, early, NOW) == []


@pytest.mark.parametrize(
    ("line", "field", "bad"),
    [
        ("pelatihan saja", "format", "pelatihan saja"),
        ("a | b | c | d | e | f | g | h", "format", "a | b | c | d | e | f | g | h"),
        ("webinar | Judul | besok 10.00 | 1 jam | Zoom", "type", "webinar"),
        ("rapat | Rakor | lusa | 1 jam | Aula", "when_time", "lusa"),
        ("rapat | Rakor | besok jam 25 | 1 jam | Aula", "when", "besok jam 25"),
        ("rapat | Rakor | 20/8/2025 10.00 | 1 jam | Aula", "when_past", "20/8/2025 10.00"),
        ("rapat | Rakor | 1/1/2030 10.00 | 1 jam | Aula", "when_far", "1/1/2030 10.00"),
        ("rapat | Rakor | besok 10.00 | sebentar | Aula", "duration", "sebentar"),
        ("rapat | Rakor | besok 10.00 | 1 jam | A", "place", "A"),
        ("rapat | Rakor | Kamis 4/9 10.00 tiap Jumat | 1 jam | Aula", "recurrence_weekday", "tiap Jumat"),
    ],
)
def test_event_line_errors(line: str, field: str, bad: str) -> None:
    assert a.parse_event_line(line, NOW, "Asia/Makassar") == LineError(field, bad)


def test_event_line() -> None:
    parsed = a.parse_event_line(
        "Rapat Koordinasi | Rakor  logistik banjir | Kamis 4/9 09.00 setiap Kamis pertama | 2 jam | - | PMI Kalsel, "
        "Dinsos | Bawa data stok",
        NOW,
        "Asia/Makassar",
    )
    assert isinstance(parsed, a.EventLine)
    assert (parsed.type, parsed.title, parsed.start, parsed.duration_min, parsed.place) == (
        "meeting", "Rakor logistik banjir", datetime(2025, 9, 4, 9, tzinfo=WITA), 120, ""
    )  # fmt: skip
    assert parsed.recurrence == Recurrence("monthly", 1, 3) and parsed.description == "Bawa data stok"
    assert a.split_names(parsed.speakers) == ["PMI Kalsel", "Dinsos"]
    assert a.split_names("PMI dan BPBD & Bulog") == ["PMI", "BPBD", "Bulog"]


@pytest.mark.parametrize(
    ("text", "status", "note"),
    [
        ("berjalan survei 60%", "in_progress", "survei 60%"), ("sedang berjalan: 3 gudang", "in_progress", "3 gudang"),
        ("belum mulai", "not_started", ""), ("selesai", "done", ""), ("Tertunda menunggu anggaran", "on_hold",
        "menunggu anggaran"), ("meledak", None, "meledak"),
    ],
)  # fmt: skip
def test_work_status(text: str, status: str | None, note: str) -> None:
    assert w.split_status(text) == (status, note)


def test_deadlines() -> None:
    day = w.parse_deadline("30/9", NOW, "Asia/Makassar")
    assert day == w.Deadline(datetime(2025, 9, 30, tzinfo=WITA), "day")
    assert w.parse_deadline("hari ini", NOW, "Asia/Makassar") == w.Deadline(datetime(2025, 8, 21, tzinfo=WITA), "day")
    assert w.parse_deadline("kemarin lusa", NOW, "Asia/Makassar") == LineError("deadline", "kemarin lusa")
    assert w.parse_deadline("20/8/2025", NOW, "Asia/Makassar") == LineError("deadline_past", "20/8/2025")
    assert w.overdue_at(day.at, "day", WITA) == datetime(2025, 10, 1, 8, tzinfo=WITA)
    assert [k for k, _ in w.work_reminder_times(day.at, "day", WITA, NOW)] == ["7d09:00", "1d09:00"]


def test_ics_escaping_folding_and_parsing() -> None:
    title = "Rapat; evaluasi, logistik \\ gudang"
    description = "Baris satu\nBaris dua — Kalimantan Selatan " + "é" * 100
    event = a.IcsEvent(
        uid="agenda-7@klaster-logistik-bot", sequence=2, start=datetime(2025, 9, 4, 1, tzinfo=UTC),
        end=datetime(2025, 9, 4, 3, tzinfo=UTC), summary=title, location="Aula BPBD, Lt. 2", description=description,
    )  # fmt: skip
    raw = a.ics_calendar([event], datetime(2025, 8, 21, 1, tzinfo=UTC), "Klaster; Kalsel")
    lines = raw.split(b"\r\n")
    assert raw.endswith(b"\r\n") and all(len(line) <= 75 for line in lines)
    assert all(not line.startswith(b" ") or len(line) >= 2 for line in lines)
    raw.decode("utf-8")  # folding never splits a multi-byte character
    assert b"SUMMARY:Rapat\\; evaluasi\\, logistik \\\\ gudang" in raw
    assert b"DTSTAMP:20250821T010000Z" in raw and b"DTSTART:20250904T010000Z" in raw
    calendar = icalendar.Calendar.from_ical(raw)
    assert str(calendar["VERSION"]) == "2.0" and "PRODID" in calendar
    [parsed] = list(calendar.walk("VEVENT"))
    assert str(parsed["SUMMARY"]) == title and str(parsed["DESCRIPTION"]) == description
    assert str(parsed["LOCATION"]) == "Aula BPBD, Lt. 2" and int(parsed["SEQUENCE"]) == 2
    assert parsed.decoded("DTEND") == datetime(2025, 9, 4, 3, tzinfo=UTC)
    cancelled = a.ics_calendar([a.IcsEvent(**{**event.__dict__, "cancelled": True})], datetime(2025, 8, 21, tzinfo=UTC))
    assert b"STATUS:CANCELLED" in cancelled


@pytest.mark.parametrize("text", ["x" * 74, "x" * 75, "x" * 76, "é" * 37 + "x", "é" * 80, "a" + "€" * 60])
def test_fold_is_octet_exact(text: str) -> None:
    folded = a.ics_fold("DESCRIPTION:" + text).encode()
    assert all(len(line) <= 75 for line in folded.split(b"\r\n"))
    assert folded.replace(b"\r\n ", b"").decode() == "DESCRIPTION:" + text
