"""When each cluster's digest slots fall: the times the secretariat sets (/ringkasan jadwal), the next slot in the
cluster's own zone, and the ``scheduled_jobs`` rows that carry them.

Every slot is a ``scheduled_jobs`` row (``digest.daily`` / ``digest.weekly``, ref
``digest:<frequency>:<cluster>:<local date>``). Slots are created lazily (at start, hourly, and when the secretariat
changes a time): a new cluster's first digest needs no hook in the cluster feature, and feature tests that move
the clock see no digest jobs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.features.digests import storage as repo
from bot.features.members import storage as members_repo
from bot.features.members.models import Cluster
from bot.kernel import jobs_storage as jobs_repo
from bot.kernel import storage as core_repo
from bot.kernel.sql import Conn

DAY_S = 24 * 3600
FREQUENCIES = repo.FREQUENCIES
KINDS = {"daily": "digest.daily", "weekly": "digest.weekly"}
FREQUENCY_OF_KIND = {kind: frequency for frequency, kind in KINDS.items()}
SETTING_KEYS = {"daily": "digest_daily", "weekly": "digest_weekly"}
PERIOD_S = {"daily": DAY_S, "weekly": 7 * DAY_S}
# A digest later than this is no longer news: recorded as missed instead of sent.
MAX_LATE_S = {"daily": 6 * 3600, "weekly": DAY_S}


@dataclass(frozen=True)
class SlotTime:
    """When a frequency's slot falls in the cluster's zone; ``weekday`` is ISO (1 = Monday), weekly only."""

    hour: int
    minute: int
    weekday: int | None = None

    def encode(self) -> str:
        clock = f"{self.hour:02d}:{self.minute:02d}"
        return f"{self.weekday} {clock}" if self.weekday else clock

    @classmethod
    def decode(cls, raw: str, frequency: str) -> SlotTime | None:
        match = re.fullmatch(r"(?:([1-7]) )?(\d{2}):(\d{2})", raw.strip())
        if not match:
            return None
        weekday = int(match.group(1)) if match.group(1) else None
        if frequency == "weekly" and weekday is None:
            weekday = 1
        return cls(int(match.group(2)), int(match.group(3)), weekday if frequency == "weekly" else None)


DEFAULTS = {"daily": SlotTime(7, 0), "weekly": SlotTime(7, 0, 1)}
OFF = "off"


def slot_ref(frequency: str, cluster_id: int, day: date) -> str:
    return f"digest:{frequency}:{cluster_id}:{day.isoformat()}"


def _prefix(frequency: str, cluster_id: int) -> str:
    return f"digest:{frequency}:{cluster_id}:"


def due_on(day: date, at: SlotTime, tz: str) -> int:
    return int(datetime.combine(day, time(at.hour, at.minute), tzinfo=ZoneInfo(tz)).timestamp())


def next_slot(after: int, at: SlotTime, tz: str) -> tuple[date, int]:
    """The first slot strictly after ``after`` (epoch seconds), as (local date, due time)."""
    day = datetime.fromtimestamp(after, ZoneInfo(tz)).date()
    for offset in range(9):
        candidate = day + timedelta(days=offset)
        if at.weekday is not None and candidate.isoweekday() != at.weekday:
            continue
        due = due_on(candidate, at, tz)
        if due > after:
            return candidate, due
    raise AssertionError("a slot always falls within nine days")


def schedule_of(conn: Conn, cluster_id: int) -> dict[str, SlotTime | None]:
    """Each frequency's slot time (None: switched off by the secretariat)."""
    out: dict[str, SlotTime | None] = {}
    for frequency in FREQUENCIES:
        raw = members_repo.get_setting(conn, cluster_id, SETTING_KEYS[frequency])
        if raw is None:
            out[frequency] = DEFAULTS[frequency]
        elif raw == OFF:
            out[frequency] = None
        else:
            out[frequency] = SlotTime.decode(raw, frequency) or DEFAULTS[frequency]
    return out


def plan_next(conn: Conn, cluster: Cluster, frequency: str, at: SlotTime, after: int) -> int:
    """Schedule the next slot after ``after``; a local date whose slot already ran is skipped, so moving the time
    later on the same day never sends that day's digest twice. Returns the due time."""
    kind = KINDS[frequency]
    for _ in range(8):
        day, due = next_slot(after, at, cluster.timezone)
        ref = slot_ref(frequency, cluster.id, day)
        if repo.slot_status(conn, kind, ref) in (None, "pending", "cancelled"):
            jobs_repo.schedule(conn, kind, ref, due, cluster.id)
            return due
        after = due
    raise AssertionError("no free digest slot in eight periods")


def ensure_cluster_slots(conn: Conn, cluster: Cluster, now: int) -> int:
    """Give the cluster its next slot per enabled frequency if it has none pending (idempotent)."""
    created = 0
    for frequency, at in schedule_of(conn, cluster.id).items():
        if at is not None and not repo.has_pending_slot(conn, KINDS[frequency], _prefix(frequency, cluster.id)):
            plan_next(conn, cluster, frequency, at, now)
            created += 1
    return created


def ensure_slots(conn: Conn, now: int) -> int:
    """Every cluster's next slots (at start and hourly: covers clusters set up since, and broken chains)."""
    return sum(ensure_cluster_slots(conn, cluster, now) for cluster in members_repo.all_clusters(conn))


@dataclass(frozen=True)
class ScheduleState:
    times: dict[str, SlotTime | None]
    next_due: dict[str, int | None]


def schedule_state(conn: Conn, cluster_id: int) -> ScheduleState:
    times = schedule_of(conn, cluster_id)
    return ScheduleState(
        times, {f: repo.pending_slot(conn, KINDS[f], _prefix(f, cluster_id)) if times[f] else None for f in times}
    )


def set_schedule(
    conn: Conn, *, cluster_id: int, frequency: str, at: SlotTime | None, user_id: int, now: int
) -> ScheduleState:
    """The secretariat moves (or switches off) a frequency: pending slots are cancelled and the next one planned."""
    cluster = members_repo.cluster_by_id(conn, cluster_id)
    assert cluster is not None
    members_repo.set_setting(conn, cluster_id, SETTING_KEYS[frequency], at.encode() if at else OFF)
    jobs_repo.cancel(conn, KINDS[frequency], _prefix(frequency, cluster_id))
    if at is not None:
        plan_next(conn, cluster, frequency, at, now)
    ensure_cluster_slots(conn, cluster, now)
    core_repo.audit(conn, cluster_id, user_id, "digest.schedule", frequency, now, at=at.encode() if at else OFF)
    return schedule_state(conn, cluster_id)
