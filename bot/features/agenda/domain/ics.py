"""iCalendar (RFC 5545) output, free of I/O: events, recurrence rules, alarms, the time zone block."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from bot.features.agenda.domain.recurrence import Offset, Recurrence

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
