"""The agenda's free-text parsing, free of I/O: event types, durations and the one-line ``/agenda baru`` form
(title, when, duration, place, speakers)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.features.agenda.domain.recurrence import Recurrence, RecurrenceError, _fold_words, parse_recurrence
from bot.shared import dates

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
    return [p.strip() for p in re.split(r",|;|&|\s+dan\s+|\s+and\s+", text) if p.strip()]
