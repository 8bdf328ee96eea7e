"""Agenda use cases: each public function is one transaction body run whole by ``Database.write`` (or ``read``)
and returns everything the handler needs to answer, edit the card and tell people.

Every reminder, speaker request, feedback question, attendance summary and next occurrence of a series is a
``scheduled_jobs`` row written in the same transaction as the change that caused it; editing or cancelling moves
or cancels those rows in that transaction too. The job bodies and the answers to them are in ``followup.py``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.features.agenda import domain
from bot.features.agenda import storage as repo
from bot.features.agenda.domain import Offset, Recurrence
from bot.features.agenda.points import Reschedule
from bot.features.agenda.speakers import SpeakerLookup, resolve_speakers
from bot.features.agenda.storage import Event, Recipient, Speaker
from bot.features.members import storage as members_repo
from bot.features.members.models import Cluster
from bot.kernel import jobs_storage as jobs_repo
from bot.kernel import storage as core_repo
from bot.kernel.sql import Conn

REMINDER_KIND = "agenda.reminder"
SPEAKER_KIND = "agenda.speaker"
FEEDBACK_KIND = "agenda.feedback"
SUMMARY_KIND = "agenda.summary"
NEXT_KIND = "agenda.next"
OFFSETS_SETTING = "agenda_reminders"
CALENDAR_UID_SETTING = "calendar_uid"  # random hex, see calendar_uid()

SPEAKER_LEAD_S = 7 * 86400  # the speaker is asked a week before
SUMMARY_AFTER_S = 24 * 3600  # the secretariat's summary waits a day for feedback
FEEDBACK_USEFUL_S = 3 * 86400  # a feedback question later than this is no longer asked
RSVP_ANSWERS = ("yes", "maybe", "no")


def _ts(when: datetime) -> int:
    return int(when.timestamp())


def _dt(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def event_ref(event_id: int, slot: str = "") -> str:
    return f"event:{event_id}:{slot}"


def _cluster(conn: Conn, cluster_id: int) -> Cluster:
    cluster = members_repo.cluster_by_id(conn, cluster_id)
    assert cluster is not None
    return cluster


# ---- views of an event --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventView:
    """What a card, a reminder or an .ics needs about one event."""

    event: Event
    cluster: Cluster
    speakers: list[Speaker]
    counts: dict[str, int]
    rule: Recurrence | None
    series_active: bool
    offsets: tuple[Offset, ...] = domain.DEFAULT_OFFSETS  # the cluster's reminder offsets
    series: tuple[Event, ...] = ()  # every occurrence of its series, by slot (for the calendar file)
    calendar_uid: str = ""  # the cluster's random calendar id (UIDs unique per deployment and cluster)


def load_view(conn: Conn, event_id: int, event: Event | None = None) -> EventView | None:
    """``event``: the event's row as read in this transaction (and not changed since), so it is not read again."""
    if event is None or event.id != event_id:
        event = repo.event_by_id(conn, event_id)
    if event is None:
        return None
    rule, active = None, False
    occurrences: tuple[Event, ...] = ()
    if event.series_id is not None:
        series = repo.series_rule(conn, event.series_id)
        if series is not None:
            rule, active = Recurrence.decode(series[0]), series[1]
            occurrences = tuple(repo.series_events(conn, event.series_id))
    cluster = _cluster(conn, event.cluster_id)
    settings = members_repo.get_settings(conn, cluster.id, (OFFSETS_SETTING, CALENDAR_UID_SETTING))  # one read
    return EventView(
        event, cluster, repo.speakers_of(conn, event.id), repo.rsvp_counts(conn, event.id),
        rule, active, domain.offsets_or_default(settings.get(OFFSETS_SETTING)), occurrences,
        settings.get(CALENDAR_UID_SETTING) or _chat_calendar_uid(cluster),
    )  # fmt: skip


def calendar_uid(conn: Conn, cluster: Cluster) -> str:
    """The cluster's calendar id: random, stored with the cluster's settings the first time an event is written
    (``ensure_calendar_uid``), so .ics UIDs never collide between deployments or clusters and survive a backup
    and restore. A cluster whose events all predate it gets a stable id from its chat until then."""
    return members_repo.get_setting(conn, cluster.id, CALENDAR_UID_SETTING) or _chat_calendar_uid(cluster)


def _chat_calendar_uid(cluster: Cluster) -> str:
    return hashlib.sha256(f"klaster:{cluster.chat_id}:{cluster.id}".encode()).hexdigest()[:16]


def ensure_calendar_uid(conn: Conn, cluster_id: int) -> None:
    if not members_repo.get_setting(conn, cluster_id, CALENDAR_UID_SETTING):
        members_repo.set_setting(conn, cluster_id, CALENDAR_UID_SETTING, secrets.token_hex(8))


def find_event(conn: Conn, cluster_id: int, number: int) -> EventView | None:
    event = repo.event_by_number(conn, cluster_id, number)
    return load_view(conn, event.id) if event else None


def upcoming(conn: Conn, cluster_id: int, now: int, limit: int = 50) -> list[EventView]:
    return [v for v in (load_view(conn, e.id) for e in repo.upcoming_events(conn, cluster_id, now, limit)) if v]


def cluster_offsets(conn: Conn, cluster_id: int) -> tuple[Offset, ...]:
    return domain.offsets_or_default(members_repo.get_setting(conn, cluster_id, OFFSETS_SETTING))


# ---- scheduling rows ----------------------------------------------------------------------------------


def schedule_event_jobs(conn: Conn, event: Event, cluster: Cluster, now: int) -> None:
    """(Re)write every job of an event from its current state: pending rows are cancelled and the ones that
    still apply re-armed (``jobs_repo.schedule`` revives a cancelled row with the new time)."""
    ensure_calendar_uid(conn, cluster.id)
    prefix = event_ref(event.id)
    for kind in (REMINDER_KIND, SPEAKER_KIND, FEEDBACK_KIND, SUMMARY_KIND, NEXT_KIND):
        jobs_repo.cancel(conn, kind, prefix)
    payload = {"event_id": event.id, "starts_at": event.starts_at}
    series = repo.series_rule(conn, event.series_id) if event.series_id is not None else None
    if series is not None and series[1]:
        # The series goes on even when this one occurrence was cancelled.
        jobs_repo.schedule(conn, NEXT_KIND, event_ref(event.id, "next"), max(event.ends_at, now), cluster.id, payload)
    if event.status != "scheduled":
        return
    tz = ZoneInfo(cluster.timezone)
    start = _dt(event.starts_at)
    offsets = cluster_offsets(conn, cluster.id)
    for key, due in domain.reminder_times(start, tz, offsets, _dt(now)):
        jobs_repo.schedule(conn, REMINDER_KIND, event_ref(event.id, key), _ts(due), cluster.id, payload)
    if any(s.status in ("pending", "asked") for s in repo.speakers_of(conn, event.id)):
        due_at = max(now, event.starts_at - SPEAKER_LEAD_S)
        if due_at < event.starts_at:
            jobs_repo.schedule(conn, SPEAKER_KIND, event_ref(event.id, "speaker"), due_at, cluster.id, payload)
    if event.type in domain.FEEDBACK_TYPES:
        jobs_repo.schedule(conn, FEEDBACK_KIND, event_ref(event.id, "feedback"), event.ends_at, cluster.id, payload)
        jobs_repo.schedule(
            conn, SUMMARY_KIND, event_ref(event.id, "summary"), event.ends_at + SUMMARY_AFTER_S, cluster.id, payload
        )


def reschedule_cluster(
    conn: Conn, cluster: Cluster, now: int, others: Sequence[Reschedule] = ()
) -> int:
    """After a change of offsets or zone: every future event's jobs from scratch, then the other features' timed
    work (``RESCHEDULE``: the work plan's deadline reminders), in the same transaction."""
    events = repo.events_starting_after(conn, cluster.id, now)
    for event in events:
        schedule_event_jobs(conn, event, cluster, now)
    for reschedule in others:
        reschedule(conn, cluster, now)
    return len(events)


# ---- creating -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventDraft:
    type: str
    title: str
    starts_at: int
    duration_min: int
    place: str
    description: str = ""
    speaker_org_ids: tuple[int, ...] = ()
    recurrence: str = ""  # Recurrence.encode(), "" for a one-off


def create_event(conn: Conn, cluster_id: int, user_id: int, draft: EventDraft, now: int) -> EventView:
    cluster = _cluster(conn, cluster_id)
    number = repo.next_number(conn, cluster_id, "event")
    series_id = repo.insert_series(conn, cluster_id, draft.recurrence, user_id, now) if draft.recurrence else None
    event = repo.insert_event(
        conn, cluster_id=cluster_id, number=number, type=draft.type, title=draft.title, starts_at=draft.starts_at,
        duration_min=draft.duration_min, place=draft.place, description=draft.description, series_id=series_id,
        occurrence_at=draft.starts_at, created_by=user_id, created_at=now, updated_at=now,
    )  # fmt: skip
    repo.set_speakers(conn, event.id, draft.speaker_org_ids)
    schedule_event_jobs(conn, event, cluster, now)
    core_repo.audit(conn, cluster_id, user_id, "event.create", event.code, now, title=draft.title)
    view = load_view(conn, event.id)
    assert view is not None
    return view


def create_event_checked(
    conn: Conn, cluster_id: int, user_id: int, draft: EventDraft, speakers: str, now: int,
    dialog_chat_id: int | None = None,
) -> EventView | SpeakerLookup:  # fmt: skip
    """Resolve the typed speakers and create the event in one hand-off; an unknown speaker writes nothing.
    A guided flow's dialog is closed in the same transaction (a crash cannot leave one without the other)."""
    if speakers:
        lookup = resolve_speakers(conn, cluster_id, speakers, draft.title)
        if lookup.unknown is not None:
            return lookup
        draft = EventDraft(**{**draft.__dict__, "speaker_org_ids": tuple(lookup.org_ids)})
    view = create_event(conn, cluster_id, user_id, draft, now)
    if dialog_chat_id is not None:
        core_repo.clear_dialog(conn, dialog_chat_id, user_id)
    return view


def set_card(conn: Conn, event_id: int, chat_id: int, message_id: int) -> None:
    repo.set_event_message(conn, event_id, chat_id, message_id)


# ---- RSVP ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RsvpResult:
    ok: bool
    reason: str = ""  # not_found | cancelled | over
    view: EventView | None = None
    previous: str | None = None


def rsvp(
    conn: Conn, event_id: int, user_id: int, answer: str, now: int, group_cluster_id: int | None = None
) -> RsvpResult:
    """Record an answer. Pressed in a group, the event must belong to that group's cluster (tampered data)."""
    event = repo.event_by_id(conn, event_id)
    if event is None or answer not in RSVP_ANSWERS:
        return RsvpResult(False, "not_found")
    if group_cluster_id is not None and event.cluster_id != group_cluster_id:
        return RsvpResult(False, "not_found")
    if event.status != "scheduled":
        return RsvpResult(False, "cancelled", load_view(conn, event.id))
    if event.ends_at <= now:
        return RsvpResult(False, "over", load_view(conn, event.id))
    member = members_repo.current_member(conn, event.cluster_id, user_id)
    org_id = member.organization_id if member is not None and member.status == "active" else None
    previous = repo.upsert_rsvp(conn, event.id, user_id, org_id, answer, now)
    return RsvpResult(True, "", load_view(conn, event.id, event), previous)  # an answer leaves the event's row as is


# ---- editing and cancelling ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    ok: bool
    reason: str = ""  # not_found | cancelled | over | unchanged | already
    view: EventView | None = None
    before: Event | None = None
    recipients: list[Recipient] = field(default_factory=list)


def _attendees_and_speakers(conn: Conn, event: Event) -> list[Recipient]:
    people = repo.rsvp_recipients(conn, event.id, ("yes", "maybe"))
    known = {p.user_id for p in people}
    speakers = [s.organization_id for s in repo.speakers_of(conn, event.id) if s.status != "declined"]
    people += [p for p in repo.org_recipients(conn, speakers) if p.user_id not in known]
    return people


def edit_event(
    conn: Conn, cluster_id: int, number: int, changes: dict[str, int | str], user_id: int, now: int
) -> Change:
    """Move (``starts_at``), lengthen (``duration_min``) or relocate (``place``) an event; its jobs follow."""
    event = repo.event_by_number(conn, cluster_id, number)
    if event is None:
        return Change(False, "not_found")
    if event.status != "scheduled":
        return Change(False, "cancelled", load_view(conn, event.id), event)
    if event.ends_at <= now:
        return Change(False, "over", load_view(conn, event.id), event)
    real = {k: v for k, v in changes.items() if getattr(event, k) != v}
    if not real:
        return Change(False, "unchanged", load_view(conn, event.id), event)
    repo.update_event(conn, event.id, now, **real)
    updated = repo.event_by_id(conn, event.id)
    assert updated is not None
    schedule_event_jobs(conn, updated, _cluster(conn, cluster_id), now)
    core_repo.audit(conn, cluster_id, user_id, "event.edit", event.code, now, **{k: str(v) for k, v in real.items()})
    return Change(True, "", load_view(conn, event.id), event, _attendees_and_speakers(conn, updated))


def cancel_event(
    conn: Conn, cluster_id: int, number: int, whole_series: bool, reason: str, user_id: int, now: int
) -> Change:
    """Cancel one occurrence (the series goes on) or, with ``whole_series``, the series too."""
    event = repo.event_by_number(conn, cluster_id, number)
    if event is None:
        return Change(False, "not_found")
    stopped = False
    if whole_series and event.series_id is not None:
        stopped = repo.stop_series(conn, event.series_id, now)
    if event.status != "scheduled" and not stopped:
        return Change(False, "already", load_view(conn, event.id), event)
    if event.ends_at <= now and not stopped:
        return Change(False, "over", load_view(conn, event.id), event)
    cancel_now = event.status == "scheduled" and event.ends_at > now  # else only the series is ended
    if cancel_now:
        repo.update_event(conn, event.id, now, status="cancelled", cancel_reason=reason)
    updated = repo.event_by_id(conn, event.id)
    assert updated is not None
    schedule_event_jobs(conn, updated, _cluster(conn, cluster_id), now)
    core_repo.audit(conn, cluster_id, user_id, "event.cancel", event.code, now, reason=reason, series=stopped)
    recipients = _attendees_and_speakers(conn, updated) if cancel_now else []
    return Change(True, "", load_view(conn, event.id), event, recipients)


def set_materials(
    conn: Conn, cluster_id: int, number: int, user_id: int, admin: bool, text: str, now: int
) -> Change:
    """The speaker's organisation (or the secretariat) attaches a link or note for the participants."""
    event = repo.event_by_number(conn, cluster_id, number)
    if event is None:
        return Change(False, "not_found")
    member = members_repo.current_member(conn, cluster_id, user_id)
    speaker_orgs = {s.organization_id for s in repo.speakers_of(conn, event.id)}
    allowed = (
        admin
        or members_repo.is_secretariat(conn, cluster_id, user_id)
        or (member is not None and member.status == "active" and member.organization_id in speaker_orgs)
    )
    if not allowed:
        return Change(False, "not_allowed")
    if event.status != "scheduled":
        return Change(False, "cancelled", load_view(conn, event.id), event)
    if event.materials == text:
        return Change(False, "unchanged", load_view(conn, event.id), event)
    repo.update_event(conn, event.id, now, materials=text)
    core_repo.audit(conn, cluster_id, user_id, "event.materials", event.code, now)
    return Change(True, "", load_view(conn, event.id), event)


# ---- per-cluster settings -----------------------------------------------------------------------------


def set_offsets(
    conn: Conn, cluster_id: int, offsets: tuple[Offset, ...] | None, user_id: int, now: int,
    others: Sequence[Reschedule] = (),
) -> int:  # fmt: skip
    """Store the cluster's reminder offsets (None = the default) and move every future reminder."""
    value = domain.format_offsets(offsets or domain.DEFAULT_OFFSETS)
    members_repo.set_setting(conn, cluster_id, OFFSETS_SETTING, value)
    core_repo.audit(conn, cluster_id, user_id, "agenda.reminders", value, now)
    return reschedule_cluster(conn, _cluster(conn, cluster_id), now, others)


def set_timezone(
    conn: Conn, cluster_id: int, tz: str, user_id: int, now: int, others: Sequence[Reschedule] = ()
) -> int:
    """Change the cluster's zone; wall-clock reminders ("the day before at 16.00") move with it."""
    repo.set_cluster_timezone(conn, cluster_id, tz)
    core_repo.audit(conn, cluster_id, user_id, "cluster.timezone", tz, now)
    return reschedule_cluster(conn, _cluster(conn, cluster_id), now, others)


def calendar(conn: Conn, cluster_id: int, now: int) -> tuple[Cluster, list[EventView]]:
    return _cluster(conn, cluster_id), upcoming(conn, cluster_id, now, limit=500)


def cluster_by_id(conn: Conn, cluster_id: int) -> Cluster | None:
    """The cluster a guided flow or deep link names (None: it no longer exists)."""
    return members_repo.cluster_by_id(conn, cluster_id)


def is_secretariat(conn: Conn, cluster_id: int, user_id: int) -> bool:
    """Recorded as the cluster's secretariat (the handler also asks Telegram whether they administer the group)."""
    return members_repo.is_secretariat(conn, cluster_id, user_id)
