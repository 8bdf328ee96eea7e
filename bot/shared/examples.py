"""Examples the bot shows, with their dates computed from today (never a fixed date that goes stale).

Example strings carry tokens: ``{d+14}`` → day/month 14 days from today ("15/12"), ``{d-2}`` → two days ago,
``{wd+7}`` → weekday and day/month a week from today ("Selasa 8/12"), ``{m+12}`` → month/year a year from now
("12/2027"). ``dated`` replaces them; text without tokens is returned as it is.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Makassar"
_WEEKDAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_TOKEN_RE = re.compile(r"\{(d|wd|m)([+-]\d{1,4})\}")


def dated(text: str, now: datetime | None = None, zone: str = DEFAULT_ZONE) -> str:
    """``text`` with its date tokens filled in from ``now`` (the current time when None) in ``zone``."""
    if "{" not in text:
        return text
    today = (now or datetime.now(UTC)).astimezone(ZoneInfo(zone)).date()

    def fill(match: re.Match[str]) -> str:
        kind, offset = match.group(1), int(match.group(2))
        if kind == "m":
            months = today.year * 12 + today.month - 1 + offset
            return f"{months % 12 + 1}/{months // 12}"
        day = today + timedelta(days=offset)
        short = f"{day.day}/{day.month}"
        return f"{_WEEKDAYS_ID[day.weekday()]} {short}" if kind == "wd" else short

    return _TOKEN_RE.sub(fill, text)


__all__ = ["dated"]
