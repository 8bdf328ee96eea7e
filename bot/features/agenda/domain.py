"""Agenda and work plan rules, free of I/O: event types, durations, recurrence, reminder offsets, the one-line
``/agenda baru`` form, work-plan statuses, and iCalendar (RFC 5545) output.

Times are aware datetimes; wall-clock rules (the day before at 16.00, the first Thursday of the month) are
computed in the cluster's zone, so two clusters in WIB and WITA each get their own local times.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bot.shared import dates

_NON_WORD_RE = re.compile(r"[^\w/ ]+")
_EVERY_PREFIX_RE = re.compile(r"^(?:berulang\s+)?(?:setiap|tiap|every|each)\s+")
_MONTH_SUFFIX_RE = re.compile(r"\s*(?:setiap|tiap|of the|every|each)?\s*(?:bulan|month)(?:nya)?$")
_LIST_SEP_RE = re.compile(r"[,;]|\s+dan\s+")
_NAMES_SEP_RE = re.compile(r",|;|&|\s+dan\s+|\s+and\s+")
_BIWEEKLY_RE = re.compile(r"(?:2|dua)\s+(?:minggu|pekan|weeks?)(?:\s+sekali)?|dwimingguan|biweekly|fortnight(?:ly)?|"
                          r"other week|two weeks")  # fmt: skip

# ---- event types ----------------------------------------------------------------------------------

EVENT_TYPES = ("forum", "training", "meeting", "exercise")
# Feedback questions and the attendance summary follow these types ("after a training").
FEEDBACK_TYPES = ("training",)
_TYPE_WORDS = {
    "forum": "forum", "forum berbagi": "forum", "berbagi": "forum", "sharing": "forum", "forum sharing": "forum",
    "pelatihan": "training", "training": "training", "latihan": "training", "diklat": "training",
    "bimtek": "training", "workshop": "training", "lokakarya": "training",
    "rapat": "meeting", "rapat koordinasi": "meeting", "rakor": "meeting", "koordinasi": "meeting",
    "meeting": "meeting", "pertemuan": "meeting",
    "simulasi": "exercise", "gladi": "exercise", "gladi lapang": "exercise", "gladi posko": "exercise",
    "simulasi/gladi": "exercise", "simulasi gladi": "exercise", "exercise": "exercise", "drill": "exercise",
    "simulation": "exercise",
}  # fmt: skip


def _fold_words(text: str) -> str:
    return " ".join(_NON_WORD_RE.sub(" ", text.lower()).split())


def parse_event_type(text: str) -> str | None:
    """``pelatihan``, ``Rapat Koordinasi``, ``forum berbagi``, ``gladi`` … → a code of EVENT_TYPES."""
    folded = _fold_words(text)
    return _TYPE_WORDS.get(folded) or (folded if folded in EVENT_TYPES else None)


# ---- durations ------------------------------------------------------------------------------------

MAX_DURATION_MIN = 7 * 24 * 60
_DUR_PART = re.compile(
    r"(?P<n>\d+(?:[.,]\d+)?|setengah|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh)\s*"
    r"(?P<u>jam|j|hours?|hrs?|h|menit|mnt|min|minutes?|m|hari|days?|d)(?![a-z])",
    re.IGNORECASE,
)
_NUMBER_WORDS = {"setengah": 0.5, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7,
                 "delapan": 8, "sembilan": 9, "sepuluh": 10}  # fmt: skip
WORKING_DAY_MIN = 8 * 60


def parse_duration(text: str) -> int | None:
    """Minutes from ``2 jam``, ``1,5 jam``, ``90 menit``, ``1 jam 30 menit``, ``2j``, ``1 hari`` (a working day of
    eight hours; ``2 hari`` ends eight hours after the start time on the second day). None if not understood."""
    clean = text.strip().lower()
    if clean in ("sehari", "seharian", "sehari penuh"):
        return WORKING_DAY_MIN
    if clean in ("setengah hari",):
        return WORKING_DAY_MIN // 2
    total = 0.0
    pos = 0
    found = False
    for match in _DUR_PART.finditer(clean):
        if clean[pos : match.start()].strip(" ,+") not in ("", "dan", "and", "&"):
            return None
        raw = match.group("n")
        value = _NUMBER_WORDS[raw] if raw in _NUMBER_WORDS else float(raw.replace(",", "."))
        unit = match.group("u")
        if unit in ("hari", "day", "days", "d"):
            if value != int(value) or value < 1:
                return None
            total += (int(value) - 1) * 24 * 60 + WORKING_DAY_MIN
        elif unit in ("menit", "mnt", "min", "minute", "minutes", "m"):
            total += value
        else:
            total += value * 60
        pos, found = match.end(), True
    if not found or clean[pos:].strip(" ,.") != "":
        return None
    minutes = round(total)
    return minutes if 5 <= minutes <= MAX_DURATION_MIN else None


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
    folded = _EVERY_PREFIX_RE.sub("", folded).strip()
    folded = _MONTH_SUFFIX_RE.sub(" bulan", folded).strip()
    if not folded:
        return RecurrenceError("not_understood", text)
    if folded in ("minggu", "pekan", "week", "mingguan", "seminggu sekali", "weekly", "1 minggu", "satu minggu"):
        return Recurrence("weekly")
    if _BIWEEKLY_RE.fullmatch(folded):
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
# Work-plan deadlines: a week and a day before, in the morning.
WORK_OFFSETS = (Offset(days=7, at=time(9)), Offset(days=1, at=time(9)))

_OFFSET_AT = re.compile(r"^(?:h\s*-\s*(?P<hd>\d{1,2})|(?P<d>\d{1,2})\s*(?:d|hari|days?))\s*(?:@|pukul|pkl|jam|at)?\s*"
                        r"(?P<hh>\d{1,2})[.:](?P<mm>\d{2})$")  # fmt: skip
_OFFSET_LEAD = re.compile(r"^(?:h\s*-\s*(?P<hd>\d{1,2})|(?P<n>\d{1,4})\s*(?P<u>d|hari|days?|h|j|jam|hours?|m|mnt|menit|"
                          r"min|minutes?))$")  # fmt: skip


def parse_offsets(text: str) -> tuple[Offset, ...] | str:
    """``1d16:00,1h`` (the day before at 16.00, and one hour before); also ``H-1 16.00``, ``2 jam``, ``30m``.
    Returns the offsets (longest lead first) or the part that was not understood."""
    tokens = [tok.strip() for tok in _LIST_SEP_RE.split(text.lower()) if tok.strip()]
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


# ---- the one-line form ------------------------------------------------------------------------------

MAX_TITLE = 120
MAX_PLACE = 200
MAX_DESCRIPTION = 1000
MAX_AHEAD_DAYS = 2 * 366
_RECURRENCE_SPLIT = re.compile(r"[\s,;]*\b(?:berulang|setiap|tiap|every)\b", re.IGNORECASE)


@dataclass(frozen=True)
class EventLine:
    type: str
    title: str
    start: datetime
    duration_min: int
    place: str
    speakers: str  # as typed; resolved against the organisations by the service ("" = none)
    description: str
    recurrence: Recurrence | None


@dataclass(frozen=True)
class LineError:
    """``field`` is what was wrong (format, type, title, when, when_time, when_past, when_far, duration, place,
    recurrence, recurrence_weekday, recurrence_nth, description); ``text`` the part quoted back."""

    field: str
    text: str
    actual: date | None = None  # a weekday that does not match the date: the date the numbers name


def parse_when(text: str, now: datetime, zone: str) -> tuple[datetime, Recurrence | None] | LineError:
    """``Kamis 4/9 09.00``, ``besok 14.00``, optionally followed by ``setiap …`` (the recurrence)."""
    text = text.strip()
    split = _RECURRENCE_SPLIT.search(text)
    when_text, rule_text = (text[: split.start()], text[split.start() :]) if split else (text, "")
    parsed = dates.parse_datetime(when_text.strip(" ,"), now, zone)
    if isinstance(parsed, dates.DateError):
        if parsed.code == dates.WEEKDAY_MISMATCH and parsed.actual is not None:
            return LineError("when_weekday", parsed.text or when_text, parsed.actual)
        return LineError("when", parsed.text or when_text)
    if not parsed.has_time:
        return LineError("when_time", when_text.strip())
    if parsed.value <= now:
        return LineError("when_past", when_text.strip())
    if parsed.value > now + timedelta(days=MAX_AHEAD_DAYS):
        return LineError("when_far", when_text.strip())
    rule: Recurrence | None = None
    if rule_text.strip():
        result = parse_recurrence(rule_text, parsed.value.date())
        if isinstance(result, RecurrenceError):
            field = {"weekday_mismatch": "recurrence_weekday", "nth_mismatch": "recurrence_nth"}.get(
                result.code, "recurrence"
            )
            return LineError(field, rule_text.strip(" ,"))
        rule = result
    return parsed.value, rule


def check_title(text: str) -> str | LineError:
    title = " ".join(text.split())
    return title if 3 <= len(title) <= MAX_TITLE else LineError("title", text.strip())


def check_place(text: str) -> str | LineError:
    place = " ".join(text.split())
    if place in ("-", "—"):
        return ""
    return place if 2 <= len(place) <= MAX_PLACE else LineError("place", text.strip())


def parse_event_line(line: str, now: datetime, zone: str) -> EventLine | LineError:
    """``pelatihan | Manajemen Gudang Darurat | Kamis 4/9 09.00 | 2 jam | Aula BPBD Kalsel | PMI Kalsel`` with an
    optional seventh part (description) and an optional ``setiap …`` after the date. Checks field by field, in
    order, so the answer names the first thing that was not understood."""
    parts = [p.strip() for p in line.split("|")]
    if len(parts) < 5 or len(parts) > 7:
        return LineError("format", line.strip())
    type_ = parse_event_type(parts[0])
    if type_ is None:
        return LineError("type", parts[0])
    title = check_title(parts[1])
    if isinstance(title, LineError):
        return title
    when = parse_when(parts[2], now, zone)
    if isinstance(when, LineError):
        return when
    duration = parse_duration(parts[3])
    if duration is None:
        return LineError("duration", parts[3])
    place = check_place(parts[4])
    if isinstance(place, LineError):
        return place
    speakers = parts[5] if len(parts) > 5 else ""
    speakers = "" if speakers in ("-", "—") else speakers
    description = parts[6] if len(parts) > 6 else ""
    description = "" if description in ("-", "—") else description
    if len(description) > MAX_DESCRIPTION:
        return LineError("description", description[:40] + "…")
    return EventLine(type_, title, when[0], duration, place, speakers, description, when[1])


def split_names(text: str) -> list[str]:
    """``PMI Kalsel, Dinsos dan BPBD`` → three names."""
    return [p.strip() for p in _NAMES_SEP_RE.split(text) if p.strip()]


# ---- work plan ------------------------------------------------------------------------------------

WORK_STATUSES = ("not_started", "in_progress", "done", "on_hold")
_WORK_STATUS_WORDS = {
    "belum": "not_started", "belum mulai": "not_started", "belum dimulai": "not_started", "not started": "not_started",
    "berjalan": "in_progress", "jalan": "in_progress", "sedang berjalan": "in_progress", "proses": "in_progress",
    "dalam proses": "in_progress", "mulai": "in_progress", "in progress": "in_progress", "progress": "in_progress",
    "selesai": "done", "beres": "done", "tuntas": "done", "done": "done", "finished": "done",
    "tertunda": "on_hold", "tunda": "on_hold", "ditunda": "on_hold", "on hold": "on_hold", "hold": "on_hold",
}  # fmt: skip


def parse_work_status(text: str) -> str | None:
    return _WORK_STATUS_WORDS.get(_fold_words(text)) or (text if text in WORK_STATUSES else None)


def split_status(text: str) -> tuple[str | None, str]:
    """``sedang berjalan survei 60%`` → ("in_progress", "survei 60%"): the longest status phrase at the start."""
    words = text.split()
    for size in (2, 1):
        if len(words) >= size:
            status = _WORK_STATUS_WORDS.get(_fold_words(" ".join(words[:size])))
            if status is not None:
                return status, " ".join(words[size:]).strip(" :-–")
    return None, text.strip()


@dataclass(frozen=True)
class Deadline:
    at: datetime  # local midnight of the day for precision "day"
    precision: str  # "day" | "minute"


def parse_deadline(text: str, now: datetime, zone: str) -> Deadline | LineError:
    parsed = dates.parse_datetime(text, now, zone)
    if isinstance(parsed, dates.DateError):
        return LineError("deadline", parsed.text or text)
    precision = "minute" if parsed.has_time else "day"
    end = parsed.value if precision == "minute" else parsed.value + timedelta(days=1)
    if end <= now:
        return LineError("deadline_past", text.strip())
    if parsed.value > now + timedelta(days=MAX_AHEAD_DAYS):
        return LineError("when_far", text.strip())
    return Deadline(parsed.value, precision)


def overdue_at(deadline: datetime, precision: str, tz: tzinfo) -> datetime:
    """When an unfinished item is flagged: the morning after a deadline day, or right at a deadline time."""
    if precision == "minute":
        return deadline
    day = deadline.astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(day, time(8), tzinfo=tz)


def work_reminder_times(deadline: datetime, precision: str, tz: tzinfo, now: datetime) -> list[tuple[str, datetime]]:
    """A week and a day before the deadline day, at 09.00 local (only those still ahead)."""
    reference = deadline if precision == "minute" else deadline + timedelta(hours=23, minutes=59)
    return reminder_times(reference, tz, WORK_OFFSETS, now)


# ---- iCalendar ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IcsEvent:
    """One VEVENT. With ``tz`` (a ZoneInfo) times are written as local times with ``TZID`` and a VTIMEZONE (so a
    series keeps its wall-clock time and weekday); without, in UTC. ``rrule`` makes it a series master,
    ``exdates`` are its cancelled occurrences (series slots), ``recurrence_id`` makes it the override of one
    occurrence; ``alarms`` are lead times before the start (one VALARM each)."""

    uid: str
    sequence: int
    start: datetime
    end: datetime
    summary: str
    location: str = ""
    description: str = ""
    cancelled: bool = False
    categories: str = ""
    tz: tzinfo | None = None
    rrule: str = ""
    exdates: tuple[datetime, ...] = ()
    recurrence_id: datetime | None = None
    alarms: tuple[timedelta, ...] = ()


def ics_rrule(rule: Recurrence, until: datetime | None = None) -> str:
    """RFC 5545 RRULE of a series (``UNTIL`` in UTC, the last slot, when the series was stopped)."""
    if rule.freq == "weekly":
        text = "FREQ=WEEKLY"
    elif rule.freq == "biweekly":
        text = "FREQ=WEEKLY;INTERVAL=2"
    else:
        text = f"FREQ=MONTHLY;BYDAY={rule.nth}{_ICS_DAYS[rule.weekday]}"
    return text + (f";UNTIL={_utc(until)}" if until is not None else "")


_ICS_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def ics_duration(lead: timedelta) -> str:
    """A lead time as a negative DURATION (``-P1DT17H``, ``-PT1H``): the alarm's TRIGGER before the start."""
    minutes = int(lead.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    text = "-P" + (f"{days}D" if days else "")
    if hours or mins or not days:
        text += "T" + (f"{hours}H" if hours else "") + (f"{mins}M" if mins or not hours else "")
    return text


def alarm_leads(offsets: Sequence[Offset], start: datetime, tz: tzinfo) -> tuple[timedelta, ...]:
    """The cluster's reminder offsets as lead times before ``start`` (those that fall before it)."""
    leads = {start - offset.due(start, tz) for offset in offsets}
    return tuple(sorted((lead for lead in leads if lead > timedelta(0)), reverse=True))


# What a TEXT value cannot carry (RFC 5545 §3.3.11: control characters but tab; newlines are escaped first),
# bidi embeddings/overrides/isolates (they reorder what the calendar shows) and what is not valid UTF-8 text.
_ICS_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


def ics_escape(text: str) -> str:
    """TEXT values (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines escaped; control characters
    and bidi overrides dropped."""
    text = _ICS_UNSAFE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ics_fold(line: str) -> str:
    """Fold a content line at 75 octets (§3.1) without splitting a UTF-8 character; CRLF + space continues."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    chunks: list[str] = []
    start, limit = 0, 75
    while start < len(raw):
        end = min(start + limit, len(raw))
        while end < len(raw) and (raw[end] & 0xC0) == 0x80:  # never cut inside a multi-byte character
            end -= 1
        chunks.append(raw[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines start with a space, which counts
    return "\r\n ".join(chunks)


def _utc(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _offset_text(delta: timedelta | None) -> str:
    minutes = int((delta or timedelta(0)).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _zone_name(tz: tzinfo) -> str:
    return str(getattr(tz, "key", None) or tz)


def ics_timezone(tz: tzinfo, first: datetime, last: datetime) -> list[str]:
    """A VTIMEZONE for ``tz`` covering ``first``..``last`` (a year either side): one STANDARD block for a zone
    without daylight saving (every Indonesian zone), else one block per offset change found in that span."""
    begin, end = first - timedelta(days=366), last + timedelta(days=366)
    changes: list[tuple[datetime, timedelta, timedelta, bool]] = []  # (instant UTC, from, to, is_dst)
    probe = begin
    offset = begin.astimezone(tz).utcoffset()
    while probe < end:
        step = probe + timedelta(days=1)
        new = step.astimezone(tz).utcoffset()
        if new != offset:
            low, high = probe, step
            while high - low > timedelta(minutes=1):
                mid = low + (high - low) / 2
                if mid.astimezone(tz).utcoffset() == offset:
                    low = mid
                else:
                    high = mid
            instant = high.replace(second=0, microsecond=0)
            changes.append((instant, offset or timedelta(0), new or timedelta(0), bool(instant.astimezone(tz).dst())))
            offset = new
        probe = step
    lines = ["BEGIN:VTIMEZONE", "TZID:" + _zone_name(tz)]
    start_offset = begin.astimezone(tz).utcoffset() or timedelta(0)
    first_local = (begin + start_offset).replace(tzinfo=None)
    blocks = [(first_local, start_offset, start_offset, bool(begin.astimezone(tz).dst()), begin)]
    for instant, before, after, dst in changes:
        blocks.append(((instant + before).replace(tzinfo=None), before, after, dst, instant))
    for local, before, after, dst, instant in blocks:
        kind = "DAYLIGHT" if dst else "STANDARD"
        lines += [
            f"BEGIN:{kind}",
            "DTSTART:" + local.strftime("%Y%m%dT%H%M%S"),
            "TZOFFSETFROM:" + _offset_text(before),
            "TZOFFSETTO:" + _offset_text(after),
            "TZNAME:" + ics_escape(instant.astimezone(tz).tzname() or _offset_text(after)),
            f"END:{kind}",
        ]
    lines.append("END:VTIMEZONE")
    return lines


def _when(name: str, when: datetime, tz: tzinfo | None) -> str:
    if tz is None:
        return f"{name}:{_utc(when)}"
    return f"{name};TZID={_zone_name(tz)}:" + when.astimezone(tz).strftime("%Y%m%dT%H%M%S")


def ics_calendar(events: Iterable[IcsEvent], stamp: datetime, name: str = "") -> bytes:
    """A VCALENDAR (METHOD:PUBLISH): a VTIMEZONE per zone used, then one VEVENT per event (a series is its
    master with RRULE/EXDATE plus one VEVENT per changed occurrence, all with the series' UID); CRLF endings."""
    events = list(events)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Klaster Logistik Bot//Agenda//ID",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    if name:
        lines.append("X-WR-CALNAME:" + ics_escape(name))
    zones: dict[str, tuple[tzinfo, datetime, datetime]] = {}
    for event in events:
        if event.tz is not None:
            key = _zone_name(event.tz)
            _, low, high = zones.get(key, (event.tz, event.start, event.end))
            zones[key] = (event.tz, min(low, event.start), max(high, event.end))
    for tz, low, high in zones.values():
        lines += ics_timezone(tz, low, high)
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            "UID:" + event.uid,
            "DTSTAMP:" + _utc(stamp),
        ]
        if event.recurrence_id is not None:
            lines.append(_when("RECURRENCE-ID", event.recurrence_id, event.tz))
        lines += [
            _when("DTSTART", event.start, event.tz),
            _when("DTEND", event.end, event.tz),
        ]
        if event.rrule:
            lines.append("RRULE:" + event.rrule)
        if event.exdates:
            if event.tz is None:
                lines.append("EXDATE:" + ",".join(_utc(d) for d in event.exdates))
            else:
                local = ",".join(d.astimezone(event.tz).strftime("%Y%m%dT%H%M%S") for d in event.exdates)
                lines.append(f"EXDATE;TZID={_zone_name(event.tz)}:{local}")
        lines += [
            f"SEQUENCE:{event.sequence}",
            "SUMMARY:" + ics_escape(event.summary),
            "STATUS:" + ("CANCELLED" if event.cancelled else "CONFIRMED"),
        ]
        if event.location:
            lines.append("LOCATION:" + ics_escape(event.location))
        if event.description:
            lines.append("DESCRIPTION:" + ics_escape(event.description))
        if event.categories:
            lines.append("CATEGORIES:" + ics_escape(event.categories))
        if not event.cancelled:
            for lead in event.alarms:
                lines += [
                    "BEGIN:VALARM",
                    "ACTION:DISPLAY",
                    "DESCRIPTION:" + ics_escape(event.summary),
                    "TRIGGER:" + ics_duration(lead),
                    "END:VALARM",
                ]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(ics_fold(line) for line in lines) + "\r\n").encode("utf-8")
