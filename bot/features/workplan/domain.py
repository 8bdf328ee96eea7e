"""Work-plan rules, free of I/O: statuses, deadlines (a day or a minute), reminder times and the overdue moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from bot.features.agenda.domain.parsing import MAX_AHEAD_DAYS, LineError
from bot.features.agenda.domain.recurrence import Offset, _fold_words, reminder_times
from bot.shared import dates

# Work-plan deadlines: a week and a day before, in the morning.
WORK_OFFSETS = (Offset(days=7, at=time(9)), Offset(days=1, at=time(9)))


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
