"""The agenda's scheduled jobs: reminders, speaker requests, feedback questions, the summary, the next occurrence."""

from __future__ import annotations

from functools import partial
from typing import Any

from bot.features.agenda import followup
from bot.features.agenda.handlers.common import card_edit, tell
from bot.features.agenda.views import cards, common
from bot.features.agenda.views import feedback as feedback_views
from bot.kernel.i18n import translator
from bot.kernel.jobs_storage import JobRow
from bot.kernel.outbox import out_send
from bot.kernel.outbox_storage import Out
from bot.kernel.scheduling import claim_tx
from bot.kernel.views import Reply

# ---- scheduled jobs -------------------------------------------------------------------------------------


def _late(job: JobRow, late: bool) -> int | None:
    return job.due_at if late else None


def _result(late: bool) -> tuple[str, str]:
    return "done", "terlambat" if late else ""


Owed = tuple[tuple[str, str], list[Out]]  # the job's final status and note, and the messages it owes


@claim_tx
def reminder_job(conn: Any, job: JobRow, now: int, late: bool) -> Owed:
    """An event reminder: the group, then privately Hadir/Mungkin and the speaker. Late but before the start:
    sent with the "terlambat" note; after the start (or cancelled/moved): recorded as missed.

    Every reminder owed (the group, then each person) is an outbox row written with the job's "done": one failed
    or timed-out send cannot drop the others, and a crash cannot send them twice."""
    plan = followup.reminder_plan(conn, job, now)
    if isinstance(plan, str):
        return ("missed", plan), []
    view, cluster = plan.view, plan.view.cluster
    outs = out_send(cluster.chat_id, cards.reminder_text(translator(cluster.locale), view, now, _late(job, late)))
    for person in plan.recipients:
        t = translator(person.locale or cluster.locale)
        outs += out_send(person.user_id, Reply(cards.reminder_text(t, view, now, _late(job, late)),
                                               [[common.ics_button(t, view.event.id)]]))  # fmt: skip
    return _result(late), outs


@claim_tx
def speaker_job(conn: Any, job: JobRow, now: int, late: bool) -> Owed:
    """A week before: each speaker organisation's representatives are asked to confirm (the secretariat when the
    organisation has nobody); marking them asked and the questions are one transaction."""
    plan = followup.speaker_plan(conn, job, now)
    if isinstance(plan, str):
        return (("done" if plan == "nothing to ask" else "missed"), plan), []
    view = plan.view
    outs: list[Out] = []
    for speaker, people in plan.asks:
        outs += tell(view.cluster, people, partial(cards.speaker_request, view=view, speaker=speaker,
                                                   late_due=_late(job, late)))  # fmt: skip
    return _result(late), outs


@claim_tx
def feedback_job(conn: Any, job: JobRow, now: int, late: bool) -> Owed:
    plan = followup.feedback_plan(conn, job, now)
    if isinstance(plan, str):
        return (("done" if plan == "no attendees" else "missed"), plan), []
    outs = tell(plan.view.cluster, plan.recipients, partial(feedback_views.feedback_request, view=plan.view,
                                                             late_due=_late(job, late)))  # fmt: skip
    return _result(late), outs


@claim_tx
def summary_job(conn: Any, job: JobRow, now: int, late: bool) -> Owed:
    plan = followup.summary_plan(conn, job, now)
    if isinstance(plan, str):
        return ("missed", plan), []
    result, people = plan
    outs = tell(result.view.cluster, people, lambda t: feedback_views.summary_text(t, result, _late(job, late)))
    return _result(late), outs


@claim_tx
def next_job(conn: Any, job: JobRow, now: int, late: bool) -> Owed:
    """A recurring event ended: its next occurrence is created (with its reminders) and its card posted, in one
    transaction (the card is an outbox row whose sent message id is recorded on the event)."""
    created = followup.next_occurrence(conn, job, now)
    if isinstance(created, str):
        return ("done", created), []
    return ("done", "skipped slots" if created.skipped else ""), card_edit(created.view)
