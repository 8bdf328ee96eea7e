"""/rencana: the cluster work plan (rencana kerja). Items with a responsible organisation and a deadline; status
and progress notes by that organisation's representative or the secretariat; deadline reminders to the
representative and overdue items flagged to the secretariat (scheduled jobs, see bot.features.workplan.service)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.features.agenda import domain
from bot.features.agenda.handlers.common import tell
from bot.features.agenda.speakers import SpeakerLookup
from bot.features.agenda.views import flow
from bot.features.members.gate import current_actor, require_cluster, require_member, require_secretariat
from bot.features.members.service import Actor
from bot.features.workplan import domain as work_domain
from bot.features.workplan import service as svc
from bot.features.workplan import views
from bot.features.workplan.callbacks import StatusButton, WorkPage
from bot.features.workplan.storage import WorkItem
from bot.kernel.callbacks import stale, stale_text
from bot.kernel.context import BotContext
from bot.kernel.i18n import N_, translator
from bot.kernel.jobs_storage import JobRow
from bot.kernel.outbox import commit, out_edit, out_reply, out_send, write_and_reply
from bot.kernel.outbox_storage import Out
from bot.kernel.permissions import is_group_admin
from bot.kernel.runtime import CommandSpec
from bot.kernel.scheduling import claim_tx
from bot.kernel.telegram import add_command, command_args, edit, reply
from bot.kernel.views import Reply

AnyApp = Application[Any, Any, Any, Any, Any, Any]
_NUMBER_RE = re.compile(r"^(?:#|r-?)?0*(\d{1,6})$", re.IGNORECASE)


def parse_number(text: str) -> int | None:
    """``R-0003``, ``R-3``, ``r3``, ``#3`` and ``3`` all mean work item 3 of the cluster."""
    match = _NUMBER_RE.match(text.strip())
    return int(match.group(1)) if match else None


async def rencana(update: Update, context: BotContext) -> None:
    args = command_args(update)
    parts = args.split(maxsplit=1)
    sub = parts[0].lower() if parts else ""
    rest = parts[1].strip() if len(parts) > 1 else ""
    if sub in ("", "semua", "all"):
        actor = await require_cluster(update, context)
        if actor is not None:
            await _list(update, context, actor, include_done=bool(sub), mine=False)
    elif sub in ("saya", "mine", "kami"):
        actor = await require_member(update, context)
        if actor is not None:
            await _list(update, context, actor, include_done=False, mine=True)
    elif sub in ("baru", "new", "tambah"):
        await _new(update, context, rest)
    elif sub in ("bantuan", "help"):
        await reply(update, context, views.work_help(context.t))
    elif parse_number(sub) is not None:
        await _item(update, context, parse_number(sub) or 0, sub, rest)
    else:
        await reply(update, context, views.work_help(context.t, args))


async def _list(update: Update, context: BotContext, actor: Actor, include_done: bool, mine: bool) -> None:
    runtime = context.runtime
    org_id = actor.org.id if mine and actor.org is not None else None
    items = await runtime.db.read(svc.list_work, actor.cluster.id, include_done, org_id)
    kind = "m" if mine else "a" if include_done else "o"
    await reply(update, context, views.work_list_page(context.t, actor.cluster, items, runtime.clock.timestamp(),
                                                      include_done, 0, kind))  # fmt: skip


MAX_PAGE = 9999  # more pages than any plan has: a forged button


async def on_list_more(update: Update, context: BotContext, button: WorkPage) -> None:
    """Another page of the work plan, edited into the pressed message (read level: the gate's ``wl:`` rule, like
    /rencana itself)."""
    query = update.callback_query
    actor = await current_actor(update, context)
    forged = button.kind not in ("o", "a", "m") or button.page > MAX_PAGE
    if query is None or query.message is None or actor is None or forged or (button.kind == "m" and actor.org is None):
        await stale(update, context)
        return
    t, runtime = context.t, context.runtime
    include_done = button.kind == "a"
    org_id = actor.org.id if button.kind == "m" and actor.org is not None else None
    items = await runtime.db.read(svc.list_work, actor.cluster.id, include_done, org_id)
    if button.page >= views.work_pages(items):  # the plan shrank since the list was shown, or a forged page
        await query.answer(t.gettext("This list has changed: write /rencana again."), show_alert=True)
        return
    await query.answer()
    content = views.work_list_page(t, actor.cluster, items, runtime.clock.timestamp(), include_done, button.page,
                                   button.kind)  # fmt: skip
    await edit(context, query.message.chat.id, query.message.message_id, content)


async def _new(update: Update, context: BotContext, line: str) -> None:
    actor = await require_secretariat(update, context)
    user = update.effective_user
    if actor is None or user is None:
        return
    t = context.t
    runtime = context.runtime
    parts = [p.strip() for p in line.split("|")]
    if len(parts) != 3 or not all(parts):
        await reply(update, context, views.work_line_error(t, domain.LineError("format", line)))
        return
    title = domain.check_title(parts[0])
    if isinstance(title, domain.LineError):
        await reply(update, context, views.work_line_error(t, title))
        return
    deadline = work_domain.parse_deadline(parts[2], runtime.clock.now(), actor.cluster.timezone)
    if isinstance(deadline, domain.LineError):
        await reply(update, context, views.work_line_error(t, deadline))
        return
    zone = actor.cluster.timezone

    def render(result: WorkItem | SpeakerLookup) -> str:
        if isinstance(result, SpeakerLookup):
            return views.unknown_org(t, result.unknown or "", result.suggestions)
        return views.work_created(t, result, zone)

    await write_and_reply(
        update, context, render,
        svc.create_work_checked, actor.cluster.id, user.id, title, parts[1], deadline, runtime.clock.timestamp(),
    )  # fmt: skip


async def _item(update: Update, context: BotContext, number: int, raw: str, rest: str) -> None:
    actor = await require_cluster(update, context)
    user = update.effective_user
    if actor is None or user is None:
        return
    t = context.t
    runtime = context.runtime
    if not rest:
        detail = await runtime.db.read(svc.work_detail, actor.cluster.id, number)
        if detail is None:
            await reply(update, context, views.work_refused(t, "not_found", f"R-{number:04d}"))
            return
        await reply(update, context, views.work_detail(t, actor.cluster, *detail, runtime.clock.timestamp()))
        return
    first, _, tail = rest.partition(" ")
    status: str | None = None
    deadline: work_domain.Deadline | None = None
    note = ""
    if first.lower() in ("catatan", "note", "progres", "progress"):
        note = tail.strip()
        if not note:
            await reply(update, context, views.work_help(t, rest))
            return
    elif first.lower() in ("tenggat", "deadline", "batas"):
        parsed = work_domain.parse_deadline(tail, runtime.clock.now(), actor.cluster.timezone)
        if isinstance(parsed, domain.LineError):
            await reply(update, context, flow.error_head(t, parsed) + "\n" + views.work_help(t))
            return
        deadline = parsed
    else:
        status, note = work_domain.split_status(rest)
        if status is None:
            await reply(update, context, views.work_help(t, rest))
            return
    zone = actor.cluster.timezone

    def answer(result: svc.WorkUpdate) -> list[Out]:
        return out_reply(update, views.work_updated(t, result.item, zone)) if result.item is not None else []

    result = await _update(context, actor, user.id, None, number, status, note[:500], deadline, answer)
    if not result.ok or result.item is None:
        await reply(update, context, views.work_refused(t, result.reason, f"R-{number:04d}"))


async def _update(
    context: BotContext, actor: Actor, user_id: int, item_id: int | None, number: int | None, status: str | None,
    note: str, deadline: work_domain.Deadline | None, answer: Callable[[svc.WorkUpdate], list[Out]],
) -> svc.WorkUpdate:  # fmt: skip
    """Try as who they are; only when refused, check whether they administer the group (a Bot API call). A saved
    change's ``answer`` is outbox rows of its own transaction."""
    runtime = context.runtime
    now = runtime.clock.timestamp()

    def tx(conn: Any, admin: bool) -> tuple[svc.WorkUpdate, list[Out]]:
        result = svc.update_work_item(conn, actor.cluster.id, item_id, number, user_id, admin, status, note,
                                      deadline, now)  # fmt: skip
        return result, (answer(result) if result.ok and result.item is not None else [])

    result = await commit(context, tx, False)
    if result.reason == "not_allowed" and await is_group_admin(context, actor.cluster.chat_id, user_id):
        result = await commit(context, tx, True)
    return result


async def on_status_button(update: Update, context: BotContext, button: StatusButton) -> None:
    """``wp:<item>:<status>`` from a reminder or the detail view."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    t = context.t
    actor = await current_actor(update, context)
    if button.status not in work_domain.WORK_STATUSES or actor is None:
        await stale(update, context)
        return
    pressed, zone = query.message, actor.cluster.timezone

    def answer(result: svc.WorkUpdate) -> list[Out]:
        if pressed is None or result.item is None:
            return []
        return out_edit(pressed.chat.id, pressed.message_id, Reply(views.work_updated(t, result.item, zone)))

    result = await _update(context, actor, user.id, button.item_id, None, button.status, "", None, answer)
    if not result.ok or result.item is None:
        code = result.item.code if result.item else ""
        text = stale_text(context) if result.reason == "not_found" else None
        await query.answer(text or views.work_refused(t, result.reason, code), show_alert=text is None)
        return
    await query.answer(t.gettext("Saved."))


# ---- scheduled jobs -------------------------------------------------------------------------------------


@claim_tx
def reminder_job(conn: Any, job: JobRow, now: int, late: bool) -> tuple[tuple[str, str], list[Out]]:
    """Before the deadline, to the responsible representative (the secretariat if nobody represents it): outbox
    rows written with the job's status, in one transaction."""
    notice = svc.work_reminder_plan(conn, job, now)
    if isinstance(notice, str):
        return (("done" if notice == "done" else "missed"), notice), []
    late_due = job.due_at if late else None
    outs = tell(notice.cluster, notice.recipients, lambda t: views.work_reminder(t, notice, now, late_due))
    return ("done", "terlambat" if late else ""), outs


@claim_tx
def overdue_job(conn: Any, job: JobRow, now: int, late: bool) -> tuple[tuple[str, str], list[Out]]:
    """An unfinished item past its deadline: flagged to the secretariat (the group if it has nobody); the flag and
    the notices are one transaction."""
    notice = svc.work_overdue_plan(conn, job, now)
    if isinstance(notice, str):
        return (("done" if notice == "done" else "missed"), notice), []
    late_due = job.due_at if late else None
    if notice.recipients:
        outs = tell(notice.cluster, notice.recipients, lambda t: views.work_overdue(t, notice, late_due))
    else:
        outs = out_send(notice.cluster.chat_id, views.work_overdue(translator(notice.cluster.locale), notice, late_due))
    return ("done", "terlambat" if late else ""), outs


def register(app: AnyApp) -> None:
    add_command(
        app,
        CommandSpec(
            "rencana",
            N_("The cluster work plan: items, responsible organisations, deadlines and progress"),
            "/rencana R-0001 berjalan survei 60%",
            aliases=("workplan",),
            section="agenda",
        ),
        rencana,
    )
    app.add_handler(StatusButton.handler(on_status_button))
    app.add_handler(WorkPage.handler(on_list_more))
