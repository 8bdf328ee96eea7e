"""The agenda's follow-up use cases: what a scheduled job owes (reminders, speaker requests, feedback questions,
the attendance summary, the next occurrence of a series) and the answers to them (a speaker's yes/no, a rating, a
comment). One transaction body each, no Telegram."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.features.agenda import domain
from bot.features.agenda import storage as repo
from bot.features.agenda.domain import Recurrence
from bot.features.agenda.service import (
    FEEDBACK_USEFUL_S,
    EventView,
    _attendees_and_speakers,
    _cluster,
    _dt,
    _ts,
    load_view,
    schedule_event_jobs,
)
from bot.features.agenda.storage import Event, Recipient, Speaker
from bot.features.members import storage as members_repo
from bot.kernel import storage as core_repo
from bot.kernel.jobs_storage import JobRow
from bot.kernel.sql import Conn

# ---- reminders, speakers, feedback, summary, next occurrence (job bodies) ------------------------------


@dataclass(frozen=True)
class ReminderPlan:
    view: EventView
    recipients: list[Recipient]


def reminder_plan(conn: Conn, job: JobRow, now: int) -> ReminderPlan | str:
    """Who gets this reminder, or why nothing is sent (the event was cancelled, moved or has started)."""
    event = repo.event_by_id(conn, int(job.payload.get("event_id", 0)))
    if event is None:
        return "event gone"
    if event.status != "scheduled":
        return "cancelled"
    if job.payload.get("starts_at") != event.starts_at:
        return "moved"
    if now >= event.starts_at:
        return "event already started"
    view = load_view(conn, event.id)
    assert view is not None
    return ReminderPlan(view, _attendees_and_speakers(conn, event))


@dataclass(frozen=True)
class SpeakerPlan:
    view: EventView
    asks: list[tuple[Speaker, list[Recipient]]]


def speaker_plan(conn: Conn, job: JobRow, now: int) -> SpeakerPlan | str:
    event = repo.event_by_id(conn, int(job.payload.get("event_id", 0)))
    if event is None or event.status != "scheduled":
        return "cancelled"
    if now >= event.starts_at:
        return "event already started"
    asked = set(repo.mark_speakers_asked(conn, event.id))
    if not asked:
        return "nothing to ask"
    view = load_view(conn, event.id)
    assert view is not None
    asks = []
    for speaker in view.speakers:
        if speaker.organization_id in asked:
            # an organisation nobody represents right now: the secretariat is asked to follow up instead
            people = repo.org_recipients(conn, [speaker.organization_id])
            asks.append((speaker, people or repo.secretariat_recipients(conn, event.cluster_id)))
    return SpeakerPlan(view, asks)


@dataclass(frozen=True)
class SpeakerAnswer:
    ok: bool
    reason: str = ""  # not_found | over | not_speaker
    view: EventView | None = None
    speaker: Speaker | None = None
    secretariat: list[Recipient] = field(default_factory=list)


def speaker_answer(
    conn: Conn, event_id: int, org_id: int, user_id: int, confirmed: bool, now: int
) -> SpeakerAnswer:
    event = repo.event_by_id(conn, event_id)
    if event is None or event.status != "scheduled":
        return SpeakerAnswer(False, "not_found")
    if event.starts_at <= now:
        return SpeakerAnswer(False, "over")
    member = members_repo.current_member(conn, event.cluster_id, user_id)
    if member is None or member.status != "active" or member.organization_id != org_id:
        return SpeakerAnswer(False, "not_speaker")
    if not repo.set_speaker_status(conn, event.id, org_id, "confirmed" if confirmed else "declined", user_id, now):
        return SpeakerAnswer(False, "not_speaker")
    core_repo.audit(conn, event.cluster_id, user_id, "event.speaker", event.code, now, confirmed=confirmed)
    view = load_view(conn, event.id)
    assert view is not None
    speaker = next(s for s in view.speakers if s.organization_id == org_id)
    return SpeakerAnswer(True, "", view, speaker, repo.secretariat_recipients(conn, event.cluster_id))


@dataclass(frozen=True)
class FeedbackPlan:
    view: EventView
    recipients: list[Recipient]


def feedback_plan(conn: Conn, job: JobRow, now: int) -> FeedbackPlan | str:
    """After a training: those who said Hadir or Mungkin are asked (and recorded as asked, so only they answer)."""
    event = repo.event_by_id(conn, int(job.payload.get("event_id", 0)))
    if event is None or event.status != "scheduled":
        return "cancelled"
    if now > event.ends_at + FEEDBACK_USEFUL_S:
        return "too late"
    recipients = repo.rsvp_recipients(conn, event.id, ("yes", "maybe"))
    if not recipients:
        return "no attendees"
    repo.add_feedback_requests(conn, event.id, [r.user_id for r in recipients], now)
    view = load_view(conn, event.id)
    assert view is not None
    return FeedbackPlan(view, recipients)


@dataclass(frozen=True)
class FeedbackResult:
    ok: bool
    reason: str = ""  # not_asked
    event: Event | None = None


def save_rating(conn: Conn, event_id: int, user_id: int, value: int, now: int) -> FeedbackResult:
    """``value`` 1–5, or 0 for "I did not attend"."""
    event = repo.event_by_id(conn, event_id)
    if event is None or repo.feedback_row(conn, event_id, user_id) is None or not 0 <= value <= 5:
        return FeedbackResult(False, "not_asked")
    repo.save_feedback(conn, event_id, user_id, now, attended=value > 0, rating=value or None)
    return FeedbackResult(True, "", event)


def save_comment(conn: Conn, event_id: int, user_id: int, comment: str, now: int) -> bool:
    if repo.feedback_row(conn, event_id, user_id) is None:
        return False
    repo.save_feedback(conn, event_id, user_id, now, comment=comment)
    return True


@dataclass(frozen=True)
class Summary:
    view: EventView
    people: dict[str, list[Recipient]]
    asked: int
    answered: int
    attended: int
    not_attended: int
    ratings: dict[int, int]
    comments: list[tuple[str, str]]

    @property
    def average(self) -> float | None:
        total = sum(self.ratings.values())
        return sum(k * v for k, v in self.ratings.items()) / total if total else None


def summary(conn: Conn, event_id: int) -> Summary | None:
    view = load_view(conn, event_id)
    if view is None:
        return None
    rows = repo.feedback_of(conn, event_id)
    ratings = {k: 0 for k in range(1, 6)}
    comments = []
    for row in rows:
        if row["rating"]:
            ratings[row["rating"]] += 1
        if row["comment"]:
            comments.append((row["name"] or str(row["user_id"]), row["comment"]))
    return Summary(
        view, repo.rsvp_people(conn, event_id), len(rows), sum(1 for r in rows if r["attended"] is not None),
        sum(1 for r in rows if r["attended"] == 1), sum(1 for r in rows if r["attended"] == 0), ratings, comments,
    )  # fmt: skip


def summary_by_number(conn: Conn, cluster_id: int, number: int) -> Summary | None:
    event = repo.event_by_number(conn, cluster_id, number)
    return summary(conn, event.id) if event else None


def summary_plan(conn: Conn, job: JobRow, now: int) -> tuple[Summary, list[Recipient]] | str:
    result = summary(conn, int(job.payload.get("event_id", 0)))
    if result is None or result.view.event.status != "scheduled":
        return "cancelled"
    recipients = repo.secretariat_recipients(conn, result.view.cluster.id)
    if not recipients:
        return "no secretariat to tell"
    return result, recipients


@dataclass(frozen=True)
class NextOccurrence:
    view: EventView
    skipped: bool  # the bot was down over one or more slots


def next_occurrence(conn: Conn, job: JobRow, now: int) -> NextOccurrence | str:
    """Create the series' next occurrence after this one (the first slot still ahead), with all its jobs."""
    template = repo.event_by_id(conn, int(job.payload.get("event_id", 0)))
    if template is None or template.series_id is None:
        return "event gone"
    series = repo.series_rule(conn, template.series_id)
    rule = Recurrence.decode(series[0]) if series else None
    if series is None or not series[1] or rule is None:
        return "series stopped"
    cluster = _cluster(conn, template.cluster_id)
    tz = ZoneInfo(cluster.timezone)
    slot = _dt(template.occurrence_at)
    upcoming_slot = domain.next_occurrence(rule, slot, _dt(now), tz)
    skipped = upcoming_slot != domain.next_occurrence(rule, slot, slot, tz)
    if repo.series_slot_exists(conn, template.series_id, _ts(upcoming_slot)):
        return "already created"
    event = repo.insert_event(
        conn, cluster_id=cluster.id, number=repo.next_number(conn, cluster.id, "event"), type=template.type,
        title=template.title, starts_at=_ts(upcoming_slot), duration_min=template.duration_min, place=template.place,
        description=template.description, series_id=template.series_id, occurrence_at=_ts(upcoming_slot),
        created_by=template.created_by, created_at=now, updated_at=now,
    )  # fmt: skip
    repo.set_speakers(conn, event.id, [s.organization_id for s in repo.speakers_of(conn, template.id)])
    schedule_event_jobs(conn, event, cluster, now)
    core_repo.audit(conn, cluster.id, None, "event.next", event.code, now, after=template.code)
    view = load_view(conn, event.id)
    assert view is not None
    return NextOccurrence(view, skipped)


def close_comment(conn: Conn, *, event_id: int, user_id: int, chat_id: int, comment: str,
                  now: int) -> bool:  # fmt: skip
    """The feedback comment and the end of its dialog step, in one transaction."""
    saved = save_comment(conn, event_id, user_id, comment, now)
    core_repo.clear_dialog(conn, chat_id, user_id)
    return saved
