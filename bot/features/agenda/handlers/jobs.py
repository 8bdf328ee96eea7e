"""The agenda's scheduled jobs: reminders, speaker requests, feedback questions, the summary, the next occurrence."""

from __future__ import annotations

from functools import partial
from typing import Any

from bot.features.agenda import followup
from bot.features.agenda.handlers.common import AnyApp, post_card, tell
from bot.features.agenda.views import cards, common
from bot.features.agenda.views import feedback as feedback_views
from bot.kernel import jobs_storage as jobs_repo
from bot.kernel.i18n import translator
from bot.kernel.jobs_storage import JobRow
from bot.kernel.outbox import commit, out_send
from bot.kernel.outbox_storage import Out
from bot.kernel.runtime import Runtime
from bot.kernel.views import Reply

# ---- scheduled jobs -------------------------------------------------------------------------------------


def _late(job: JobRow, late: bool) -> int | None:
    return job.due_at if late else None


def _result(late: bool) -> tuple[str, str]:
    return "done", "terlambat" if late else ""


async def reminder_job(app: AnyApp, job: JobRow, now: int, late: bool) -> tuple[str, str]:
    """An event reminder: the group, then privately Hadir/Mungkin and the speaker. Late but before the start:
    sent with the "terlambat" note; after the start (or cancelled/moved): recorded as missed."""

    def tx(conn: Any) -> tuple[tuple[str, str], list[Out]]:
        """Every reminder owed (the group, then each person) is an outbox row written with the job's "done":
        one failed or timed-out send cannot drop the others, and a crash cannot send them twice."""
        plan = followup.reminder_plan(conn, job, now)
        if isinstance(plan, str):
            return ("missed", plan), []
        view, cluster = plan.view, plan.view.cluster
        outs = out_send(cluster.chat_id, cards.reminder_text(translator(cluster.locale), view, now, _late(job, late)))
        for person in plan.recipients:
            t = translator(person.locale or cluster.locale)
            outs += out_send(person.user_id, Reply(cards.reminder_text(t, view, now, _late(job, late)),
                                                   [[common.ics_button(t, view.event.id)]]))  # fmt: skip
        status, note = _result(late)
        jobs_repo.finish(conn, job.id, status, now, note)
        return (status, note), outs

    return await commit(app, tx)


async def speaker_job(app: AnyApp, job: JobRow, now: int, late: bool) -> tuple[str, str]:
    runtime: Runtime = app.bot_data["runtime"]
    plan = await runtime.db.write(followup.speaker_plan, job, now)
    if isinstance(plan, str):
        return ("done" if plan == "nothing to ask" else "missed"), plan
    view = plan.view
    for speaker, people in plan.asks:
        render = partial(cards.speaker_request, view=view, speaker=speaker, late_due=_late(job, late))
        await tell(app, view.cluster, people, render)
    return _result(late)


async def feedback_job(app: AnyApp, job: JobRow, now: int, late: bool) -> tuple[str, str]:
    runtime: Runtime = app.bot_data["runtime"]
    plan = await runtime.db.write(followup.feedback_plan, job, now)
    if isinstance(plan, str):
        return ("done" if plan == "no attendees" else "missed"), plan
    await tell(app, plan.view.cluster, plan.recipients, partial(feedback_views.feedback_request, view=plan.view,
                                                                  late_due=_late(job, late)))  # fmt: skip
    return _result(late)


async def summary_job(app: AnyApp, job: JobRow, now: int, late: bool) -> tuple[str, str]:
    runtime: Runtime = app.bot_data["runtime"]
    plan = await runtime.db.read(followup.summary_plan, job, now)
    if isinstance(plan, str):
        return "missed", plan
    result, people = plan
    await tell(app, result.view.cluster, people, lambda t: feedback_views.summary_text(t, result, _late(job, late)))
    return _result(late)


async def next_job(app: AnyApp, job: JobRow, now: int, late: bool) -> tuple[str, str]:
    """A recurring event ended: its next occurrence is created (with its reminders) and announced."""
    runtime: Runtime = app.bot_data["runtime"]
    created = await runtime.db.write(followup.next_occurrence, job, now)
    if isinstance(created, str):
        return "done", created
    await post_card(app, created.view)
    return "done", "skipped slots" if created.skipped else ""
