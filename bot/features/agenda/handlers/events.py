"""/agenda: the list, one event, editing, cancelling, materials, the attendance summary."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram import Update

from bot.features.agenda import domain, followup
from bot.features.agenda import service as svc
from bot.features.agenda.callbacks import AgendaPage
from bot.features.agenda.handlers.calendar import _calendar
from bot.features.agenda.handlers.common import _EDIT_FIELDS, _now_dt, _split_number, card_edit, parse_number, tell
from bot.features.agenda.handlers.create import _new
from bot.features.agenda.handlers.zone import _reminders
from bot.features.agenda.service import EventView
from bot.features.agenda.storage import Recipient
from bot.features.agenda.views import cards, common, flow, lists
from bot.features.agenda.views import feedback as feedback_views
from bot.features.members.gate import current_actor, require_cluster, require_secretariat
from bot.kernel.callbacks import stale
from bot.kernel.context import BotContext
from bot.kernel.i18n import Translator, translator
from bot.kernel.outbox import commit, out_reply, out_send
from bot.kernel.outbox_storage import Out
from bot.kernel.permissions import is_group_admin
from bot.kernel.telegram import command_args, edit, reply

# ---- /agenda --------------------------------------------------------------------------------------------


async def agenda(update: Update, context: BotContext) -> None:
    args = command_args(update)
    parts = args.split(maxsplit=1)
    sub = parts[0].lower() if parts else ""
    rest = parts[1].strip() if len(parts) > 1 else ""
    if not sub:
        await _list(update, context)
    elif sub in ("baru", "new", "tambah", "buat"):
        await _new(update, context, rest)
    elif sub in ("ubah", "edit", "ganti", "pindah"):
        await _edit(update, context, rest)
    elif sub in ("batal", "batalkan", "cancel"):
        await _cancel(update, context, rest)
    elif sub in ("pengingat", "reminder", "reminders"):
        await _reminders(update, context, rest)
    elif sub in ("kalender", "calendar", "ics"):
        await _calendar(update, context)
    elif sub in ("materi", "materials", "bahan"):
        await _materials(update, context, rest)
    elif sub in ("ringkasan", "summary", "rekap"):
        await _summary(update, context, rest)
    elif sub in ("bantuan", "help"):
        await reply(update, context, lists.agenda_help(context.t))
    elif parse_number(sub) is not None:
        await _detail(update, context, parse_number(sub) or 0)
    else:
        await reply(
            update,
            context,
            context.t.gettext("I did not understand “{bad}”.").format(bad=common.quote(args))
            + "\n\n"
            + lists.agenda_help(context.t),
        )


async def _list(update: Update, context: BotContext) -> None:
    actor = await require_cluster(update, context)
    if actor is None:
        return
    runtime = context.runtime
    upcoming = await runtime.db.read(svc.upcoming, actor.cluster.id, runtime.clock.timestamp())
    await reply(update, context, lists.event_list_page(context.t, actor.cluster, upcoming, 0))


async def on_list_more(update: Update, context: BotContext, button: AgendaPage) -> None:
    """Another page of the upcoming agenda, edited into the pressed message (the gate's ``al:`` rule, like
    /agenda itself)."""
    query = update.callback_query
    actor = await current_actor(update, context)
    if query is None or query.message is None or actor is None or button.page > 9999:  # a forged page
        await stale(update, context)
        return
    runtime = context.runtime
    upcoming = await runtime.db.read(svc.upcoming, actor.cluster.id, runtime.clock.timestamp())
    if button.page >= lists.event_pages(upcoming):  # fewer events than when the list was shown, or a forged page
        await query.answer(context.t.gettext("This list has changed: write /agenda again."), show_alert=True)
        return
    await query.answer()
    await edit(context, query.message.chat.id, query.message.message_id,
               lists.event_list_page(context.t, actor.cluster, upcoming, button.page))  # fmt: skip


async def _detail(update: Update, context: BotContext, number: int) -> None:
    actor = await require_cluster(update, context)
    if actor is None:
        return
    view = await context.runtime.db.read(svc.find_event, actor.cluster.id, number)
    if view is None:
        await reply(update, context, cards.change_refused(context.t, "not_found", f"A-{number:04d}"))
        return
    await reply(update, context, cards.event_detail(context.t, view))


async def _edit(update: Update, context: BotContext, args: str) -> None:
    actor = await require_secretariat(update, context)
    if actor is None or update.effective_user is None:
        return
    t = context.t
    runtime = context.runtime
    number, raw, rest = _split_number(args)
    if number is None:
        await reply(update, context, lists.edit_help(t, raw))
        return
    field_word, _, value = rest.partition(" ")
    field = _EDIT_FIELDS.get(field_word.lower())
    value = value.strip()
    if field is None or not value:
        await reply(update, context, lists.edit_help(t, rest or raw))
        return
    changes: dict[str, int | str] = {}
    if field == "starts_at":
        when = domain.parse_when(value, _now_dt(runtime), actor.cluster.timezone)
        if isinstance(when, domain.LineError) or when[1] is not None:
            error = when if isinstance(when, domain.LineError) else domain.LineError("when", value)
            await reply(update, context, flow.error_head(t, error) + "\n" + lists.edit_help(t))
            return
        changes["starts_at"] = int(when[0].timestamp())
    elif field == "duration_min":
        minutes = domain.parse_duration(value)
        if minutes is None:
            await reply(
                update, context, flow.error_head(t, domain.LineError("duration", value)) + "\n" + lists.edit_help(t)
            )
            return
        changes["duration_min"] = minutes
    else:
        place = domain.check_place(value)
        if isinstance(place, domain.LineError):
            await reply(update, context, flow.error_head(t, place) + "\n" + lists.edit_help(t))
            return
        changes["place"] = place
    cluster_id, user_id, now = actor.cluster.id, update.effective_user.id, runtime.clock.timestamp()

    def tx(conn: Any) -> tuple[None, list[Out]]:
        result = svc.edit_event(conn, cluster_id, number, changes, user_id, now)
        if not result.ok or result.view is None or result.before is None:
            return None, out_reply(update, cards.change_refused(t, result.reason, f"A-{number:04d}"))
        view, before = result.view, result.before

        def render(tr: Translator) -> str:
            return cards.changed_text(tr, view, before)

        return None, _change_outs(update, t, view, result.recipients, render)

    await commit(context, tx)


def _change_outs(
    update: Update, t: Translator, view: EventView, recipients: list[Recipient], render: Callable[[Translator], str]
) -> list[Out]:
    """Card edited in place, a notice in the group, attendees and speakers told privately, the requester answered:
    outbox rows of the change's own transaction."""
    chat = update.effective_chat
    cluster = view.cluster
    outs = card_edit(view) + out_send(cluster.chat_id, render(translator(cluster.locale)))
    outs += tell(cluster, recipients, render)
    if chat is not None and chat.id != cluster.chat_id:
        outs += out_reply(update, t.gettext("Saved.") + "\n" + render(t))
    return outs


async def _cancel(update: Update, context: BotContext, args: str) -> None:
    actor = await require_secretariat(update, context)
    if actor is None or update.effective_user is None:
        return
    t = context.t
    runtime = context.runtime
    number, raw, rest = _split_number(args)
    if number is None:
        await reply(update, context, lists.number_help(t, "/agenda batal", raw))
        return
    first, _, reason = rest.partition(" ")
    whole = first.lower() in ("semua", "seri", "all", "series")
    reason = (reason if whole else rest).strip()[:300]
    cluster_id, user_id, now = actor.cluster.id, update.effective_user.id, runtime.clock.timestamp()

    def tx(conn: Any) -> tuple[None, list[Out]]:
        result = svc.cancel_event(conn, cluster_id, number, whole, reason, user_id, now)
        if not result.ok or result.view is None or result.before is None:
            return None, out_reply(update, cards.change_refused(t, result.reason, f"A-{number:04d}"))
        view = result.view
        if result.before.status != "scheduled" or result.before.ends_at <= now:
            return None, out_reply(update, cards.series_stopped_text(t, view))  # only the series was ended
        series_stopped = whole and view.rule is not None

        def render(tr: Translator) -> str:
            return cards.cancelled_text(tr, view, series_stopped)

        return None, _change_outs(update, t, view, result.recipients, render)

    await commit(context, tx)


async def _materials(update: Update, context: BotContext, args: str) -> None:
    actor = await require_cluster(update, context)
    user = update.effective_user
    if actor is None or user is None:
        return
    t = context.t
    runtime = context.runtime
    number, raw, text = _split_number(args)
    if number is None or not text:
        await reply(update, context, lists.number_help(t, "/agenda materi", raw) if number is None else
                    lists.number_help(t, "/agenda materi").replace("A-0001</code>", "A-0001 https://…</code>"))  # fmt: skip
        return
    now, cluster_id = runtime.clock.timestamp(), actor.cluster.id

    def tx(conn: Any, admin: bool) -> tuple[svc.Change, list[Out]]:
        result = svc.set_materials(conn, cluster_id, number, user.id, admin, text[:500], now)
        if not result.ok or result.view is None:
            return result, []
        return result, card_edit(result.view) + out_reply(update, cards.materials_saved(t, result.view))

    result = await commit(context, tx, False)
    if result.reason == "not_allowed" and await is_group_admin(context, actor.cluster.chat_id, user.id):
        result = await commit(context, tx, True)
    if not result.ok or result.view is None:
        await reply(update, context, cards.change_refused(t, result.reason, f"A-{number:04d}"))


async def _summary(update: Update, context: BotContext, args: str) -> None:
    actor = await require_secretariat(update, context)
    if actor is None:
        return
    number, raw, _ = _split_number(args)
    if number is None:
        await reply(update, context, lists.number_help(context.t, "/agenda ringkasan", raw))
        return
    result = await context.runtime.db.read(followup.summary_by_number, actor.cluster.id, number)
    if result is None:
        await reply(update, context, cards.change_refused(context.t, "not_found", f"A-{number:04d}"))
        return
    await reply(update, context, feedback_views.summary_text(context.t, result))
