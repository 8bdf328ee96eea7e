"""Recurrence rules and reminder offsets, free of I/O. Times are aware datetimes; wall-clock rules (the day
before at 16.00, the first Thursday of the month) are computed in the cluster's zone, so two clusters in WIB and
WITA each get their own local times."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo


def _fold_words(text: str) -> str:
    return " ".join(re.sub(r"[^\w/ ]+", " ", text.lower()).split())


# ---- recurrence -----------------------------------------------------------------------------------

FREQUENCIES = ("weekly", "biweekly", "monthly")
_WEEKDAY_WORDS = {
    "senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "jum at": 4, "sabtu": 5, "minggu": 6, "ahad": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
_ORDINALS = {
    "pertama": 1, "kesatu": 1, "first": 1, "1st": 1, "kedua": 2, "second": 2, "2nd": 2, "ketiga": 3, "third": 3,
    "3rd": 3, "keempat": 4, "fourth": 4, "4th": 4, "terakhir": -1, "last": -1,
}  # fmt: skip
_WEEK_WORDS = ("minggu", "pekan", "week")


@dataclass(frozen=True)
class Recurrence:
    """weekly / biweekly on the first occurrence's weekday, or monthly on the ``nth`` ``weekday`` (-1 = last)."""

    freq: str
    nth: int = 0
    weekday: int = 0

    def encode(self) -> str:
        return f"monthly:{self.nth}:{self.weekday}" if self.freq == "monthly" else self.freq

    @classmethod
    def decode(cls, text: str) -> Recurrence | None:
        if text in ("weekly", "biweekly"):
            return cls(text)
        parts = text.split(":")
        if len(parts) == 3 and parts[0] == "monthly":
            try:
                nth, weekday = int(parts[1]), int(parts[2])
            except ValueError:
                return None
            if nth in (1, 2, 3, 4, -1) and 0 <= weekday <= 6:
                return cls("monthly", nth, weekday)
        return None


@dataclass(frozen=True)
class RecurrenceError:
    code: str  # not_understood | weekday_mismatch | nth_mismatch
    text: str


def nth_of(day: date) -> int:
    """Which occurrence of its weekday ``day`` is in its month (1–4, or -1 for a fifth = last)."""
    nth = (day.day - 1) // 7 + 1
    return -1 if nth == 5 else nth


def is_last_weekday(day: date) -> bool:
    return (day + timedelta(days=7)).month != day.month


def monthly_for(day: date) -> Recurrence:
    """The monthly rule a first occurrence naturally belongs to ("the first Thursday")."""
    return Recurrence("monthly", nth_of(day), day.weekday())


def recurrence_choices(day: date) -> list[Recurrence]:
    """What a guided flow offers for a first occurrence on ``day``."""
    return [Recurrence("weekly"), Recurrence("biweekly"), monthly_for(day)]


def parse_recurrence(text: str, first: date) -> Recurrence | RecurrenceError:
    """``setiap minggu``, ``tiap 2 minggu``, ``setiap bulan``, ``Kamis pertama tiap bulan``, ``every two weeks``,
    ``first Thursday``. The first occurrence must itself fit the rule (``4/9`` is the first Thursday)."""
    folded = _fold_words(text)
    folded = re.sub(r"^(?:berulang\s+)?(?:setiap|tiap|every|each)\s+", "", folded).strip()
    folded = re.sub(r"\s*(?:setiap|tiap|of the|every|each)?\s*(?:bulan|month)(?:nya)?$", " bulan", folded).strip()
    if not folded:
        return RecurrenceError("not_understood", text)
    if folded in ("minggu", "pekan", "week", "mingguan", "seminggu sekali", "weekly", "1 minggu", "satu minggu"):
        return Recurrence("weekly")
    if re.fullmatch(r"(?:2|dua)\s+(?:minggu|pekan|weeks?)(?:\s+sekali)?|dwimingguan|biweekly|fortnight(?:ly)?|"
                    r"other week|two weeks", folded):  # fmt: skip
        return Recurrence("biweekly")
    if folded in ("bulan", "bulanan", "month", "monthly", "sebulan sekali"):
        return monthly_for(first)
    words = folded.removesuffix(" bulan").replace("hari ", "").split()
    weekday = next((_WEEKDAY_WORDS[w] for w in words if w in _WEEKDAY_WORDS), None)
    nth = next((_ORDINALS[w] for w in words if w in _ORDINALS), None)
    rest = [w for w in words if w not in _WEEKDAY_WORDS and w not in _ORDINALS]
    if weekday is None or rest:
        return RecurrenceError("not_understood", text)
    if weekday != first.weekday():
        return RecurrenceError("weekday_mismatch", text)
    if nth is None:
        return Recurrence("weekly")
    if (nth == -1 and not is_last_weekday(first)) or (nth != -1 and nth_of(first) != nth):
        return RecurrenceError("nth_mismatch", text)
    return Recurrence("monthly", nth, weekday)


def _nth_weekday(year: int, month: int, nth: int, weekday: int) -> date:
    if nth == -1:
        last = (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def next_occurrence(rule: Recurrence, slot: datetime, after: datetime, tz: tzinfo) -> datetime:
    """The first slot of ``rule`` strictly after both ``slot`` and ``after``, at ``slot``'s local wall-clock time."""
    local = slot.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    day = local.date()
    limit = max(slot, after)
    while True:
        if rule.freq == "weekly":
            day += timedelta(days=7)
        elif rule.freq == "biweekly":
            day += timedelta(days=14)
        else:
            year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
            day = _nth_weekday(year, month, rule.nth, rule.weekday)
        candidate = datetime.combine(day, clock, tzinfo=tz)
        if candidate > limit:
            return candidate


# ---- reminder offsets -----------------------------------------------------------------------------

MAX_OFFSETS = 5
MAX_OFFSET_DAYS = 30


@dataclass(frozen=True)
class Offset:
    """Either ``days`` before at a local clock time (``at``), or a plain lead time in ``minutes``."""

    days: int = 0
    at: time | None = None
    minutes: int = 0

    @property
    def key(self) -> str:
        if self.at is not None:
            return f"{self.days}d{self.at.hour:02d}:{self.at.minute:02d}"
        if self.minutes % 1440 == 0:
            return f"{self.minutes // 1440}d"
        if self.minutes % 60 == 0:
            return f"{self.minutes // 60}h"
        return f"{self.minutes}m"

    def due(self, start: datetime, tz: tzinfo) -> datetime:
        if self.at is None:
            return start - timedelta(minutes=self.minutes)
        day = start.astimezone(tz).date() - timedelta(days=self.days)
        return datetime.combine(day, self.at, tzinfo=tz)


DEFAULT_OFFSETS = (Offset(days=1, at=time(16)), Offset(minutes=60))

_OFFSET_AT = re.compile(r"^(?:h\s*-\s*(?P<hd>\d{1,2})|(?P<d>\d{1,2})\s*(?:d|hari|days?))\s*(?:@|pukul|pkl|jam|at)?\s*"
                        r"(?P<hh>\d{1,2})[.:](?P<mm>\d{2})$")  # fmt: skip
_OFFSET_LEAD = re.compile(r"^(?:h\s*-\s*(?P<hd>\d{1,2})|(?P<n>\d{1,4})\s*(?P<u>d|hari|days?|h|j|jam|hours?|m|mnt|menit|"
                          r"min|minutes?))$")  # fmt: skip


def parse_offsets(text: str) -> tuple[Offset, ...] | str:
    """``1d16:00,1h`` (the day before at 16.00, and one hour before); also ``H-1 16.00``, ``2 jam``, ``30m``.
    Returns the offsets (longest lead first) or the part that was not understood."""
    tokens = [tok.strip() for tok in re.split(r"[,;]|\s+dan\s+", text.lower()) if tok.strip()]
    if not tokens:
        return text
    found: dict[str, Offset] = {}
    for token in tokens:
        compact = " ".join(token.split())
        at = _OFFSET_AT.match(compact)
        if at:
            days = int(at.group("hd") or at.group("d"))
            hour, minute = int(at.group("hh")), int(at.group("mm"))
            if not (0 <= days <= MAX_OFFSET_DAYS and 0 <= hour <= 23 and 0 <= minute <= 59):
                return token
            offset = Offset(days=days, at=time(hour, minute))
        else:
            lead = _OFFSET_LEAD.match(compact)
            if lead is None:
                return token
            if lead.group("hd"):
                minutes = int(lead.group("hd")) * 1440
            else:
                n, unit = int(lead.group("n")), lead.group("u")
                minutes = n * (1440 if unit in ("d", "hari", "day", "days") else 1 if unit.startswith("m") else 60)
            if not 1 <= minutes <= MAX_OFFSET_DAYS * 1440:
                return token
            offset = Offset(minutes=minutes)
        found[offset.key] = offset
    if len(found) > MAX_OFFSETS:
        return text
    return tuple(sorted(found.values(), key=_lead_sort))


def _lead_sort(offset: Offset) -> tuple[int, int]:
    if offset.at is not None:
        return (-(offset.days * 1440 + 1440 - (offset.at.hour * 60 + offset.at.minute)), 0)
    return (-offset.minutes, 1)


def format_offsets(offsets: Iterable[Offset]) -> str:
    return ",".join(o.key for o in offsets)


def offsets_or_default(stored: str | None, default: Sequence[Offset] = DEFAULT_OFFSETS) -> tuple[Offset, ...]:
    if stored:
        parsed = parse_offsets(stored)
        if isinstance(parsed, tuple):
            return parsed
    return tuple(default)


def reminder_times(start: datetime, tz: tzinfo, offsets: Iterable[Offset], now: datetime) -> list[tuple[str, datetime]]:
    """(offset key, due) for every reminder still ahead: strictly after ``now`` and before ``start``; one per time."""
    out: dict[datetime, str] = {}
    for offset in offsets:
        due = offset.due(start, tz)
        if now < due < start and due not in out:
            out[due] = offset.key
    return sorted(((key, due) for due, key in out.items()), key=lambda pair: pair[1])
