"""How people write digest subscriptions and schedules, and where slots fall in each zone (table-driven)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.features.digests.parsing import (
    ParseProblem,
    ScheduleRequest,
    SubscriptionRequest,
    parse_schedule,
    parse_subscription,
)
from bot.features.digests.slots import SlotTime, next_slot


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("harian", SubscriptionRequest("subscribe", ("daily",))),
        ("mingguan", SubscriptionRequest("subscribe", ("weekly",))),
        ("Harian HSS, HST pangan kesehatan",
         SubscriptionRequest("subscribe", ("daily",), ("63.06", "63.07"), ("pangan", "kesehatan"))),
        ("mingguan Kab Banjar dan Bjm untuk air bersih", SubscriptionRequest("subscribe", ("weekly",),
                                                                                ("63.03", "63.71"), ("air_bersih",))),
        ("daily bayi dan anak", SubscriptionRequest("subscribe", ("daily",), (), ("bayi",))),
        ("harian 63.09 hunian sementara", SubscriptionRequest("subscribe", ("daily",), ("63.09",), ("hunian",))),
        ("berhenti", SubscriptionRequest("stop", ("daily", "weekly"))),
        ("stop mingguan", SubscriptionRequest("stop", ("weekly",))),
        ("HSS pangan", ParseProblem("frequency")),
        ("harian mingguan", ParseProblem("frequency")),
        ("harian Kab. Atlantis", ParseProblem("region", "Kab. Atlantis")),
        ("harian HSS pisang goreng", ParseProblem("unknown", "pisang goreng")),
        ("", None),
    ],
)  # fmt: skip
def test_parse_subscription(text: str, expected: object) -> None:
    assert parse_subscription(text, "63") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("harian 07.00", ScheduleRequest("daily", SlotTime(7, 0))),
        ("harian jam 6:30 WITA", ScheduleRequest("daily", SlotTime(6, 30))),
        ("harian pukul 18", ScheduleRequest("daily", SlotTime(18, 0))),
        ("mingguan senin 07.00", ScheduleRequest("weekly", SlotTime(7, 0, 1))),
        ("mingguan Jum'at 16.15", ScheduleRequest("weekly", SlotTime(16, 15, 5))),
        ("weekly sunday 8:00", ScheduleRequest("weekly", SlotTime(8, 0, 7))),
        ("mingguan 09.00", ScheduleRequest("weekly", SlotTime(9, 0, 1))),
        ("harian mati", ScheduleRequest("daily", None)),
        ("mingguan off", ScheduleRequest("weekly", None)),
        ("harian 25.00", ParseProblem("time", "25.00")),
        ("harian senin 07.00", ParseProblem("time", "harian senin 07.00")),
        ("harian 7.00 8.00", ParseProblem("time", "harian 7.00 8.00")),
        ("harian pagi", ParseProblem("unknown", "pagi")),
        ("07.00", ParseProblem("frequency")),
        ("", None),
    ],
)  # fmt: skip
def test_parse_schedule(text: str, expected: object) -> None:
    assert parse_schedule(text) == expected


@pytest.mark.parametrize(
    ("after", "at", "tz", "day", "due"),
    [
        # Thu 21 Aug 2025 09.00 WITA: today's 07.00 has passed
        (datetime(2025, 8, 21, 1, tzinfo=UTC), SlotTime(7, 0), "Asia/Makassar", date(2025, 8, 22),
         datetime(2025, 8, 21, 23, tzinfo=UTC)),
        (datetime(2025, 8, 21, 1, tzinfo=UTC), SlotTime(7, 0), "Asia/Jakarta", date(2025, 8, 22),
         datetime(2025, 8, 22, 0, tzinfo=UTC)),
        (datetime(2025, 8, 21, 1, tzinfo=UTC), SlotTime(7, 0), "Asia/Jayapura", date(2025, 8, 22),
         datetime(2025, 8, 21, 22, tzinfo=UTC)),
        (datetime(2025, 8, 21, 1, tzinfo=UTC), SlotTime(18, 30), "Asia/Makassar", date(2025, 8, 21),
         datetime(2025, 8, 21, 10, 30, tzinfo=UTC)),
        (datetime(2025, 8, 21, 1, tzinfo=UTC), SlotTime(7, 0, 1), "Asia/Makassar", date(2025, 8, 25),
         datetime(2025, 8, 24, 23, tzinfo=UTC)),
        # exactly at the slot: the next one
        (datetime(2025, 8, 24, 23, tzinfo=UTC), SlotTime(7, 0, 1), "Asia/Makassar", date(2025, 9, 1),
         datetime(2025, 8, 31, 23, tzinfo=UTC)),
        (datetime(2025, 8, 21, 1, tzinfo=UTC), SlotTime(10, 0, 4), "Asia/Makassar", date(2025, 8, 21),
         datetime(2025, 8, 21, 2, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_next_slot(after: datetime, at: SlotTime, tz: str, day: date, due: datetime) -> None:
    assert next_slot(int(after.timestamp()), at, tz) == (day, int(due.timestamp()))


def test_slot_time_round_trip() -> None:
    for frequency, slot in (("daily", SlotTime(6, 5)), ("weekly", SlotTime(23, 59, 7))):
        assert SlotTime.decode(slot.encode(), frequency) == slot
    assert SlotTime.decode("garbage", "daily") is None
