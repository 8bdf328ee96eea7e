"""What members and the secretariat type: ``/langganan harian HSS pangan`` and ``/ringkasan jadwal mingguan senin
07.00``, parsed into requests (or a problem to explain); pure, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.features.digests.slots import DEFAULTS, FREQUENCIES, SlotTime
from bot.shared import catalogue, regions
from bot.shared.regions import fold


@dataclass(frozen=True)
class SubscriptionRequest:
    action: str  # subscribe | stop
    frequencies: tuple[str, ...]
    region_codes: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParseProblem:
    code: str  # frequency | time | region | unknown
    text: str = ""


_FREQUENCY_WORDS = {"harian": "daily", "daily": "daily", "mingguan": "weekly", "weekly": "weekly"}
_STOP_WORDS = {"berhenti", "henti", "stop", "batal", "hapus", "unsubscribe", "cancel"}
_OFF_WORDS = {"mati", "off", "nonaktif", "stop", "berhenti"}
_NOISE = {"dan", "and", "di", "untuk", "kategori", "wilayah", "saja", "semua", "all", "barang", "kab", "kota", "jam",
          "pukul", "setiap", "tiap", "hari", "wib", "wita", "wit", "at", "every"}  # fmt: skip
_WEEKDAYS = {
    "senin": 1, "selasa": 2, "rabu": 3, "kamis": 4, "jumat": 5, "jum at": 5, "sabtu": 6, "minggu": 7, "ahad": 7,
    "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6, "sunday": 7,
}  # fmt: skip
_CLOCK_RE = re.compile(r"(?<![\d.:])(\d{1,2})(?:[.:](\d{2}))?(?![\d.:])")
_MAX_CATEGORY_WORDS = 4


def _categories_in(words: list[str]) -> tuple[list[str], list[str]]:
    """Greedy longest match of category names over the words; returns (category keys, words not understood)."""
    found: list[str] = []
    unknown: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(_MAX_CATEGORY_WORDS, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + n])
            category = catalogue.find_category(phrase) if len(phrase) > 2 else None
            if category is not None:
                if category.key not in found:
                    found.append(category.key)
                i += n
                break
        else:
            if words[i] not in _NOISE:
                unknown.append(words[i])
            i += 1
    return found, unknown


def parse_subscription(text: str, province: str) -> SubscriptionRequest | ParseProblem | None:
    """``harian HSS, HST pangan kesehatan`` / ``mingguan`` / ``berhenti [harian]``; None when empty."""
    text = " ".join(text.split())[:300]
    if not text:
        return None
    hits = regions.find_regions_in(text, province)
    unknown_region = next((h for h in hits if h.region is None), None)
    if unknown_region is not None:
        return ParseProblem("region", unknown_region.text)
    rest = text
    for hit in sorted(hits, key=lambda h: -h.start):
        rest = rest[: hit.start] + " , " + rest[hit.end :]
    words = [w for w in fold(rest).split()]
    frequencies = tuple(dict.fromkeys(_FREQUENCY_WORDS[w] for w in words if w in _FREQUENCY_WORDS))
    stop = any(w in _STOP_WORDS for w in words)
    words = [w for w in words if w not in _FREQUENCY_WORDS and w not in _STOP_WORDS]
    codes = tuple(dict.fromkeys(h.region.code for h in hits if h.region is not None))
    if stop:
        return SubscriptionRequest("stop", frequencies or FREQUENCIES)
    categories, unknown = _categories_in(words)
    if unknown:
        return ParseProblem("unknown", " ".join(unknown))
    if len(frequencies) != 1:
        return ParseProblem("frequency")
    return SubscriptionRequest("subscribe", frequencies, codes, tuple(categories))


@dataclass(frozen=True)
class ScheduleRequest:
    frequency: str
    at: SlotTime | None  # None: switch off


def parse_schedule(text: str) -> ScheduleRequest | ParseProblem | None:
    """``harian 07.00`` / ``mingguan senin 07.00`` / ``harian mati``; None when empty (show the schedule)."""
    raw = " ".join(text.split())[:80]
    if not raw:
        return None
    clocks = list(_CLOCK_RE.finditer(raw))
    words = fold(_CLOCK_RE.sub(" ", raw)).split()
    frequency = next((_FREQUENCY_WORDS[w] for w in words if w in _FREQUENCY_WORDS), None)
    if frequency is None:
        return ParseProblem("frequency")
    words = [w for w in words if w not in _FREQUENCY_WORDS]
    if any(w in _OFF_WORDS for w in words):
        return ScheduleRequest(frequency, None)
    joined = " ".join(words)
    weekday = None
    for name, number in sorted(_WEEKDAYS.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"\b{name}\b", joined):
            weekday = number
            joined = re.sub(rf"\b{name}\b", " ", joined)
            break
    unknown = [w for w in joined.split() if w not in _NOISE]
    if unknown:
        return ParseProblem("unknown", " ".join(unknown))
    if len(clocks) > 1 or (weekday is not None and frequency == "daily"):
        return ParseProblem("time", raw)
    hour, minute = DEFAULTS[frequency].hour, DEFAULTS[frequency].minute
    if clocks:
        hour, minute = int(clocks[0].group(1)), int(clocks[0].group(2) or 0)
        if hour > 23 or minute > 59:
            return ParseProblem("time", clocks[0].group(0))
    if frequency == "daily":
        return ScheduleRequest("daily", SlotTime(hour, minute))
    return ScheduleRequest("weekly", SlotTime(hour, minute, weekday or DEFAULTS["weekly"].weekday))
