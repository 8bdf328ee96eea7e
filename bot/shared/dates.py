"""Dates and times as people type them in the group, read in the cluster's time zone relative to ``now``.

Day-first always (``4/9`` is 4 September). ``besok``, ``lusa``, weekday names (next occurrence, never today),
``21 Agt 2025``, ``Kamis 4/9 09.00``, ``jam 9 pagi``, and ``12/2026`` (a month: the expiry convention, meaning the
last day of that month). A date typed without a year that lies more than about two months back is taken to mean
next year, because people post upcoming dates and rarely old ones.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Makassar"
ROLLOVER_DAYS = 60
_MAX_TEXT = 200
_MIN_YEAR, _MAX_YEAR = 2000, 2099

# Error codes (stable; the views translate them).
EMPTY = "empty"
TOO_LONG = "too_long"
NOT_A_DATE = "not_a_date"
INVALID_DATE = "invalid_date"  # 31/2, 13/13
INVALID_TIME = "invalid_time"  # 25.00, 14.75
WEEKDAY_MISMATCH = "weekday_mismatch"  # "Jumat 4/9" when 4/9 is a Thursday
YEAR_OUT_OF_RANGE = "year_out_of_range"
UNKNOWN_ZONE = "unknown_zone"

PRECISIONS = ("month", "day", "minute")

_WEEKDAYS = {
    "senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "jum'at": 4, "jum’at": 4, "sabtu": 5,
    "minggu": 6, "ahad": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6,
}  # fmt: skip
_MONTHS = {
    "januari": 1, "january": 1, "jan": 1, "februari": 2, "pebruari": 2, "february": 2, "feb": 2, "peb": 2,
    "maret": 3, "march": 3, "mar": 3, "april": 4, "apr": 4, "mei": 5, "may": 5, "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7, "agustus": 8, "august": 8, "agu": 8, "agt": 8, "ags": 8, "agus": 8,
    "aug": 8, "september": 9, "sept": 9, "sep": 9, "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11, "desember": 12, "december": 12, "des": 12, "dec": 12,
}  # fmt: skip
# Relative day words → (days from today, default time or None).
_RELATIVE: dict[str, tuple[int, time | None]] = {
    "hari ini": (0, None), "hr ini": (0, None), "today": (0, None),
    "besok": (1, None), "bsk": (1, None), "besuk": (1, None), "esok": (1, None), "tomorrow": (1, None),
    "lusa": (2, None), "minggu depan": (7, None), "pekan depan": (7, None), "next week": (7, None),
    "nanti malam": (0, time(19)), "malam ini": (0, time(19)), "tonight": (0, time(19)),
    "nanti sore": (0, time(15)), "sore ini": (0, time(15)), "nanti siang": (0, time(12)),
}  # fmt: skip
_DAYPART_HOURS = {"pagi": 8, "siang": 12, "sore": 15, "malam": 19}
_ZONE_WORDS = {"wib": "Asia/Jakarta", "wita": "Asia/Makassar", "wit": "Asia/Jayapura"}

_END = r"(?![^\W_])"  # not followed by a letter or digit


def _alt(words: list[str] | tuple[str, ...]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=len, reverse=True))


_I = re.IGNORECASE
_PREFIX_RE = re.compile(r"(?:tgl|tanggal|tg)\.?\s*(?=[0-9])", _I)
_REL_RE = re.compile(rf"(?P<rel>{_alt(list(_RELATIVE))}){_END}|(?P<n>[0-9]{{1,2}})\s*hari\s+lagi{_END}", _I)
_WD_RE = re.compile(rf"(?:hari\s+)?(?P<wd>{_alt(list(_WEEKDAYS))}){_END}", _I)
_MONTH_ALT = _alt(list(_MONTHS))
_DATE_RES = (
    ("month_year", re.compile(r"(?P<m>[0-9]{1,2})[/-](?P<y>[0-9]{4})(?![0-9]|[/.-][0-9])", _I)),
    ("numeric", re.compile(r"(?P<d>[0-9]{1,2})\.(?P<m>[0-9]{1,2})\.(?P<y>[0-9]{4})(?![0-9]|\.[0-9])", _I)),
    (
        "numeric",
        re.compile(
            r"(?P<d>[0-9]{1,2})(?P<s>[/-])(?P<m>[0-9]{1,2})(?:(?P=s)(?P<y>[0-9]{4}|[0-9]{2}))?(?![0-9]|[/-][0-9])"
        ),
    ),
    (
        "month_name",
        re.compile(
            rf"(?P<d>[0-9]{{1,2}})(?:\s*|-)(?P<mon>{_MONTH_ALT}){_END}\.?(?:(?:\s+|-|,\s*)(?P<y>[0-9]{{4}})(?![0-9]))?",
            _I,
        ),
    ),
    ("month_year", re.compile(rf"(?P<mon>{_MONTH_ALT}){_END}\.?[\s,-]*(?P<y>[0-9]{{4}})(?![0-9])", _I)),
)
_DAYPART_RE = re.compile(rf"(?P<dp>pagi|siang|sore|malam){_END}", _I)
_TIME_RE = re.compile(
    rf"(?:(?:pukul|pkl|jam|jm)\.?\s*(?P<h>[0-9]{{1,2}})(?:[.:](?P<mi>[0-9]{{2}}))?"
    rf"|(?P<hb>[0-9]{{1,2}})(?P<sep>[.:])(?P<mib>[0-9]{{2}}))(?![0-9]|[.:][0-9])"
    rf"(?:\s*(?P<dp>pagi|siang|sore|malam){_END})?(?:\s*(?P<tz>wita|wib|wit){_END})?",
    _I,
)
_GAP_RE = re.compile(r"[ \t,]*")
# Where a date can begin at all: a digit or a word a head above starts with (prefix, relative, weekday, month,
# time word). ``find_datetime`` scans only such word starts: a word like "terpal" costs one regex, not six.
_HEAD_WORDS = ("tgl", "tanggal", "tg", "hari", "pukul", "pkl", "jam", "jm", *_WEEKDAYS, *_MONTHS)
_HEAD_WORDS += tuple(w for phrase in _RELATIVE for w in phrase.split())
_CANDIDATE_RE = re.compile(rf"(?<![\w./:’'-])(?=[^\W_])(?=[0-9]|{_alt(_HEAD_WORDS)})", _I)


@dataclass(frozen=True)
class ParsedDate:
    """An aware datetime in the cluster's zone. ``precision`` says what was typed: a month, a day, or a time."""

    value: datetime
    precision: str  # "month" | "day" | "minute"

    @property
    def has_time(self) -> bool:
        return self.precision == "minute"


@dataclass(frozen=True)
class DateError:
    code: str
    text: str  # the offending part of the input
    actual: date | None = None  # WEEKDAY_MISMATCH: the date the numbers name (its weekday is the real one)


@dataclass(frozen=True)
class DateMatch:
    """A date expression found inside a longer text. ``kind`` is what its date part was (for disambiguation)."""

    start: int
    end: int
    text: str
    result: ParsedDate | DateError
    kind: str  # "relative" | "weekday" | "numeric" | "month_name" | "month_year" | "time"
    has_year: bool = False  # whether the text itself fixes the year (needed when there is no reference "now")


@dataclass
class _Parts:
    weekday: int | None = None
    kind: str = ""
    days: int | None = None
    default_time: time | None = None
    day: int | None = None
    month: int | None = None
    year: int | None = None
    daypart: str | None = None
    hour: int | None = None
    minute: int = 0
    zone: str | None = None


def zone_of(name: str) -> tzinfo | None:
    """ZoneInfo for a name, or None for a name that is not a zone (never raises)."""
    if not isinstance(name, str) or not name or len(name) > 64:
        return None
    return _zone(name)


@lru_cache(maxsize=64)
def _zone(name: str) -> tzinfo | None:
    """Memoised: ``ZoneInfo(name)`` costs ~50 µs even when zoneinfo's own cache has the zone (issue #17 part 6)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _local_now(now: datetime, tz: tzinfo) -> datetime:
    return now.replace(tzinfo=tz) if now.tzinfo is None else now.astimezone(tz)


def _scan(text: str, pos: int) -> tuple[int, _Parts] | None:
    """Read one date expression starting exactly at ``pos``; returns its end and the raw parts."""
    parts = _Parts()
    p = pos
    prefix = _PREFIX_RE.match(text, p)
    if prefix:
        p = prefix.end()
    found_head = False
    m = _REL_RE.match(text, p)
    if m is None:
        wd = _WD_RE.match(text, p)
        if wd:
            parts.weekday, parts.kind, found_head = _WEEKDAYS[wd.group("wd").lower()], "weekday", True
            p = wd.end()
            gap = _GAP_RE.match(text, p)
            q = gap.end() if gap else p
            m = _REL_RE.match(text, q)
            if m is None:
                date_end = _date_part(text, q, parts)
                p = p if date_end is None else date_end
            else:
                p = q
    if m is not None:
        if m.group("rel"):
            parts.days, parts.default_time = _RELATIVE[" ".join(m.group("rel").lower().split())]
        else:
            parts.days = int(m.group("n"))
        parts.kind, found_head, p = "relative", True, m.end()
    elif not found_head:
        end = _date_part(text, p, parts)
        if end is not None:
            found_head, p = True, end
    for component in ("daypart", "time", "daypart"):
        gap = _GAP_RE.match(text, p)
        q = gap.end() if gap else p
        if component == "daypart" and parts.daypart is None and parts.hour is None:
            dp = _DAYPART_RE.match(text, q)
            if dp and found_head:
                parts.daypart, p = dp.group("dp").lower(), dp.end()
        elif component == "time" and parts.hour is None:
            t = _TIME_RE.match(text, q)
            if t and (t.group("h") is not None or found_head or t.group("sep") == ":"):
                _take_time(t, parts)
                if not found_head:
                    parts.kind = "time"
                found_head, p = True, t.end()
    if not found_head:
        return None
    if p < len(text) and (text[p].isalnum() or (text[p] in "./:-" and p + 1 < len(text) and text[p + 1].isdigit())):
        return None
    return p, parts


def _date_part(text: str, p: int, parts: _Parts) -> int | None:
    for kind, regex in _DATE_RES:
        m = regex.match(text, p)
        if m is None:
            continue
        groups = m.groupdict()
        parts.kind = kind
        parts.month = _MONTHS[groups["mon"].lower()] if groups.get("mon") else int(groups["m"])
        parts.day = int(groups["d"]) if groups.get("d") else None
        if groups.get("y"):
            year = int(groups["y"])
            parts.year = year + 2000 if len(groups["y"]) == 2 else year
        return m.end()
    return None


def _take_time(m: re.Match[str], parts: _Parts) -> None:
    if m.group("h") is not None:
        parts.hour, parts.minute = int(m.group("h")), int(m.group("mi") or 0)
    else:
        parts.hour, parts.minute = int(m.group("hb")), int(m.group("mib"))
    if m.group("dp"):
        parts.daypart = m.group("dp").lower()
    if m.group("tz"):
        parts.zone = _ZONE_WORDS[m.group("tz").lower()]


def _resolve(parts: _Parts, now_local: datetime, tz: tzinfo, text: str) -> ParsedDate | DateError:
    today = now_local.date()
    precision = "day"
    day: date | None = None
    if parts.year is not None and not _MIN_YEAR <= parts.year <= _MAX_YEAR:
        return DateError(YEAR_OUT_OF_RANGE, text)
    if parts.days is not None:
        day = today + timedelta(days=parts.days)
    elif parts.kind == "month_year":
        if parts.month is None or parts.year is None or not 1 <= parts.month <= 12:
            return DateError(INVALID_DATE, text)
        day = date(parts.year, parts.month, calendar.monthrange(parts.year, parts.month)[1])
        precision = "month"
    elif parts.month is not None and parts.day is not None:
        resolved = _calendar_day(parts.day, parts.month, parts.year, today)
        if resolved is None:
            return DateError(INVALID_DATE, text)
        day = resolved
    if parts.weekday is not None:
        if day is None:
            day = today + timedelta(days=(parts.weekday - today.weekday()) % 7 or 7)
        elif day.weekday() != parts.weekday:
            return DateError(WEEKDAY_MISMATCH, text, day)
    clock = parts.default_time
    if parts.hour is not None:
        hour = _with_daypart(parts.hour, parts.daypart)
        if hour == 24 and parts.minute == 0:
            hour = 0
            day = (day or today) + timedelta(days=1)
        if not (0 <= hour <= 23 and 0 <= parts.minute <= 59):
            return DateError(INVALID_TIME, text)
        clock = time(hour, parts.minute)
    elif parts.daypart is not None:
        clock = time(_DAYPART_HOURS[parts.daypart])
    if clock is not None:
        precision = "minute"
    time_zone = tz if parts.zone is None else (zone_of(parts.zone) or tz)
    if day is None:  # a time alone: its next occurrence
        candidate = datetime.combine(today, clock or time(0), tzinfo=time_zone).astimezone(tz)
        if candidate <= now_local:
            candidate = datetime.combine(today + timedelta(days=1), clock or time(0), tzinfo=time_zone).astimezone(tz)
        return ParsedDate(candidate, precision)
    return ParsedDate(datetime.combine(day, clock or time(0), tzinfo=time_zone).astimezone(tz), precision)


def _calendar_day(day: int, month: int, year: int | None, today: date) -> date | None:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if year is not None:
        try:
            return date(year, month, day)
        except ValueError:
            return None
    for candidate_year in range(today.year, today.year + 5):  # 29/2 waits for a leap year
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue
        if candidate < today - timedelta(days=ROLLOVER_DAYS):
            continue
        return candidate
    return None


def _with_daypart(hour: int, daypart: str | None) -> int:
    if daypart == "siang" and hour < 11:
        return hour + 12
    if daypart == "sore" and hour < 12:
        return hour + 12
    if daypart == "malam" and 6 <= hour < 12:
        return hour + 12
    if daypart == "malam" and hour == 12:
        return 24
    return hour


def find_datetime(text: str, now: datetime, zone: str = DEFAULT_ZONE, start: int = 0) -> DateMatch | None:
    """The first date/time expression in a sentence at or after ``start``, resolved or as an error."""
    if not isinstance(text, str) or not isinstance(now, datetime):
        return None
    tz = zone_of(zone)
    if tz is None:
        return None
    now_local = _local_now(now, tz)
    for candidate in _CANDIDATE_RE.finditer(text, max(0, start)):
        scanned = _scan(text, candidate.start())
        if scanned is None:
            continue
        end, parts = scanned
        raw = text[candidate.start() : end]
        result = _resolve(parts, now_local, tz, raw)
        return DateMatch(candidate.start(), end, raw, result, parts.kind, parts.year is not None)
    return None


def parse_datetime(text: str, now: datetime, zone: str = DEFAULT_ZONE) -> ParsedDate | DateError:
    """The whole text as one date/time ("besok 14.00", "21/08/2025", "12/2026"). Never raises."""
    if not isinstance(text, str):
        return DateError(EMPTY, "")
    clean = text.strip()
    if not clean:
        return DateError(EMPTY, "")
    if len(clean) > _MAX_TEXT:
        return DateError(TOO_LONG, clean[:40])
    tz = zone_of(zone)
    if tz is None:
        return DateError(UNKNOWN_ZONE, str(zone)[:64])
    if not isinstance(now, datetime):
        return DateError(NOT_A_DATE, clean)
    scanned = _scan(clean, 0)
    if scanned is None:
        return DateError(NOT_A_DATE, clean)
    end, parts = scanned
    rest = clean[end:].strip(" ,.")
    if rest:
        return DateError(NOT_A_DATE, rest)
    return _resolve(parts, _local_now(now, tz), tz, clean)


def end_of_month(year: int, month: int, zone: str = DEFAULT_ZONE) -> datetime | None:
    """Last day of a month at 00:00 in the zone (expiry dates given as month/year)."""
    tz = zone_of(zone)
    if tz is None or not (1 <= month <= 12 and _MIN_YEAR <= year <= _MAX_YEAR):
        return None
    return datetime(year, month, calendar.monthrange(year, month)[1], tzinfo=tz)
