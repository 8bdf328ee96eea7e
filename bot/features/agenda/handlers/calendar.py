"""Calendar files (.ics): one event from its button or deep link, the cluster's agenda from /agenda kalender."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from bot.features.agenda import service as svc
from bot.features.agenda.callbacks import IcsButton
from bot.features.agenda.handlers.common import AnyApp, _app, send_file
from bot.features.agenda.service import EventView
from bot.features.agenda.views import ics, lists
from bot.features.members.gate import require_cluster
from bot.kernel.callbacks import stale
from bot.kernel.context import BotContext
from bot.kernel.i18n import Translator, translator
from bot.kernel.runtime import Runtime
from bot.kernel.telegram import reply


async def _send_event_ics(
    context: BotContext | AnyApp, chat_id: int, view: EventView, t: Translator | None = None
) -> tuple[str, str | None]:
    app = _app(context)
    runtime: Runtime = app.bot_data["runtime"]
    t = t or translator(view.cluster.locale)
    content = ics.ics_file(t, [view], runtime.clock.timestamp())
    return await send_file(app, chat_id, content, f"{view.event.code}.ics", ics.ics_caption(t, view))


async def on_ics(update: Update, context: BotContext, button: IcsButton) -> None:
    """``ag:i:<event>``: the event's .ics, in the chat if private, else privately (or via a deep link)."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        return
    view = await context.runtime.db.read(svc.load_view, button.event_id)
    if view is None:
        await stale(update, context)
        return
    if chat.type == ChatType.PRIVATE:
        await query.answer()
        await _send_event_ics(context, chat.id, view, context.t)
        return
    user_locale = context.seen.user_locale if context.seen is not None else None
    status, _reason = await _send_event_ics(context, user.id, view, translator(user_locale or view.cluster.locale))
    if status == "failed":  # they never started a chat with the bot: Telegram opens it with the file's deep link
        await query.answer(url=f"https://t.me/{context.bot.username}?start=agenda_ics-{view.event.id}")
        return
    await query.answer(ics.ics_sent_privately(context.t))


async def _calendar(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    actor = await require_cluster(update, context)
    if actor is None or chat is None:
        return
    runtime = context.runtime
    cluster, upcoming = await runtime.db.read(svc.calendar, actor.cluster.id, runtime.clock.timestamp())
    if not upcoming:
        await reply(update, context, lists.event_list(context.t, cluster, []))
        return
    content = ics.ics_file(context.t, upcoming, runtime.clock.timestamp(), cluster.name)
    await send_file(
        context, chat.id, content, "agenda.ics", ics.cluster_ics_caption(context.t, cluster, len(upcoming))
    )
