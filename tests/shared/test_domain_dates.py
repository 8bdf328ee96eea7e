"""Dates in the cluster's zone relative to a fixed now: Thursday 21 August 2025, 09:00 WITA."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.shared import dates as d
from bot.shared.dates import DateError, ParsedDate, find_datetime, parse_datetime

WITA = ZoneInfo("Asia/Makassar")
NOW = datetime(2025, 8, 21, 9, 0, tzinfo=WITA)  # a Thursday (Kamis)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WITA)


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("besok", at(2025, 8, 22), "day"),
        ("Besok", at(2025, 8, 22), "day"),
        ("lusa", at(2025, 8, 23), "day"),
        ("hari ini", at(2025, 8, 21), "day"),
        ("nanti malam", at(2025, 8, 21, 19), "minute"),
        ("besok pagi", at(2025, 8, 22, 8), "minute"),
        ("Senin", at(2025, 8, 25), "day"),
        ("Kamis", at(2025, 8, 28), "day"),  # next occurrence, never today
        ("Minggu", at(2025, 8, 24), "day"),
        ("hari Jumat", at(2025, 8, 22), "day"),
        ("Jum'at", at(2025, 8, 22), "day"),
        ("minggu depan", at(2025, 8, 28), "day"),
        ("3 hari lagi", at(2025, 8, 24), "day"),
        ("21/8", at(2025, 8, 21), "day"),
        ("21/08/2025", at(2025, 8, 21), "day"),
        ("21-08-2025 14.00", at(2025, 8, 21, 14), "minute"),
        ("21.08.2025", at(2025, 8, 21), "day"),
        ("21/8/25", at(2025, 8, 21), "day"),
        ("21 Agustus", at(2025, 8, 21), "day"),
        ("21 Agt 2025", at(2025, 8, 21), "day"),
        ("5 Sept 2025", at(2025, 9, 5), "day"),
        ("1 Oct", at(2025, 10, 1), "day"),
        ("tgl 5 September", at(2025, 9, 5), "day"),
        ("Kamis 4/9 09.00", at(2025, 9, 4, 9), "minute"),
        ("Kamis, 4/9 pukul 09.00 WITA", at(2025, 9, 4, 9), "minute"),
        ("besok 14.00", at(2025, 8, 22, 14), "minute"),
        ("besok jam 2 siang", at(2025, 8, 22, 14), "minute"),
        ("pukul 9", at(2025, 8, 22, 9), "minute"),  # 09:00 has passed today → tomorrow
        ("jam 09.00", at(2025, 8, 22, 9), "minute"),
        ("jam 10", at(2025, 8, 21, 10), "minute"),
        ("jam 7 malam", at(2025, 8, 21, 19), "minute"),
        ("14:30", at(2025, 8, 21, 14, 30), "minute"),
        ("besok 10.00 WIB", at(2025, 8, 22, 11), "minute"),
        ("12/2026", at(2026, 12, 31), "month"),  # expiry: end of that month
        ("02/2028", at(2028, 2, 29), "month"),
        ("Des 2026", at(2026, 12, 31), "month"),
        ("1/6", at(2026, 6, 1), "day"),  # more than ~2 months back → next year
        ("1/7", at(2025, 7, 1), "day"),  # recent past stays
    ],
)
def test_parse_datetime(text: str, expected: datetime, precision: str) -> None:
    result = parse_datetime(text, NOW)
    assert isinstance(result, ParsedDate), result
    assert result.value == expected
    assert result.value.tzinfo is not None
    assert result.precision == precision


@pytest.mark.parametrize(
    ("text", "code", "offending"),
    [
        ("31/2", d.INVALID_DATE, "31/2"),
        ("31/04/2025", d.INVALID_DATE, "31/04/2025"),
        ("13/13", d.INVALID_DATE, "13/13"),
        ("13/2026", d.INVALID_DATE, "13/2026"),
        ("besok 25.00", d.INVALID_TIME, "besok 25.00"),
        ("jam 14.75", d.INVALID_TIME, "jam 14.75"),
        ("Jumat 4/9", d.WEEKDAY_MISMATCH, "Jumat 4/9"),
        ("21/8/1890", d.YEAR_OUT_OF_RANGE, "21/8/1890"),
        ("kapan-kapan", d.NOT_A_DATE, "kapan-kapan"),
        ("besok sore ya", d.NOT_A_DATE, "ya"),
        ("", d.EMPTY, ""),
    ],
)
def test_parse_datetime_errors(text: str, code: str, offending: str) -> None:
    result = parse_datetime(text, NOW)
    assert isinstance(result, DateError), result
    assert (result.code, result.text) == (code, offending)


def test_zone_comes_from_argument() -> None:
    jakarta = parse_datetime("besok 09.00", NOW, "Asia/Jakarta")
    assert isinstance(jakarta, ParsedDate)
    assert jakarta.value.utcoffset() == timedelta(hours=7)
    assert (jakarta.value.day, jakarta.value.hour) == (22, 9)
    bad = parse_datetime("besok", NOW, "Mars/Olympus")
    assert isinstance(bad, DateError) and bad.code == d.UNKNOWN_ZONE


def test_naive_now_is_read_in_the_zone() -> None:
    result = parse_datetime("besok", datetime(2025, 8, 21, 23, 30))
    assert isinstance(result, ParsedDate) and result.value == at(2025, 8, 22)


def test_find_datetime_in_sentence() -> None:
    match = find_datetime("500 paket sembako HSS untuk 120 KK besok 14.00", NOW)
    assert match is not None
    assert match.text == "besok 14.00"
    assert isinstance(match.result, ParsedDate) and match.result.value == at(2025, 8, 22, 14)
    assert find_datetime("beras 2.500 kg 14.00 1.000.000", NOW) is None


def test_end_of_month() -> None:
    assert d.end_of_month(2026, 2) == at(2026, 2, 28)
    assert d.end_of_month(2026, 13) is None
