"""/anggota: the member directory (paginated by type) and one organisation's profile."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot.features.members import service as svc
from bot.features.members import views
from bot.features.members.gate import current_actor, require_cluster
from bot.features.stock import service as stock_svc
from bot.features.stock import views as stock_views
from bot.kernel.context import BotContext
from bot.kernel.i18n import N_
from bot.kernel.runtime import CommandSpec
from bot.kernel.telegram import add_command, command_args, edit, parse_id, reply
from bot.kernel.views import esc


async def anggota(update: Update, context: BotContext) -> None:
    actor = await require_cluster(update, context)
    if actor is None:
        return
    runtime = context.runtime
    now = runtime.clock.timestamp()
    query = command_args(update)
    if query:
        org, others = await runtime.db.read(svc.find_org, actor.cluster.id, query)
        if org is None:
            await reply(
                update,
                context,
                context.t.gettext("No member organisation matches “{query}”. Type /anggota for the list.").format(
                    query=esc(query)
                ),
            )
            return
        prof = await runtime.db.read(svc.profile, org, now)
        text = views.profile_text(context.t, prof, actor.cluster.timezone)
        text += "\n\n" + stock_views.profile_line(context.t, await runtime.db.read(stock_svc.secretariat_allowed, org.id))
        if others:
            text += "\n\n" + context.t.gettext("Also similar: {names}").format(
                names=esc(", ".join(o.label for o in others))
            )
        await reply(update, context, text)
        return
    listing = await runtime.db.read(svc.directory, actor.cluster.id, now, 0)
    await reply(update, context, views.directory_page(context.t, actor.cluster, listing))


async def on_page(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    page = parse_id(query.data.partition(":")[2])
    actor = await current_actor(update, context)
    if actor is None or page is None:
        await query.answer(context.t.gettext("This button is no longer valid."))
        return
    await query.answer()
    listing = await context.runtime.db.read(svc.directory, actor.cluster.id, context.runtime.clock.timestamp(), page)
    await edit(context, query.message.chat.id, query.message.message_id,
               views.directory_page(context.t, actor.cluster, listing))  # fmt: skip


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    add_command(
        app,
        CommandSpec(
            "anggota",
            N_("Member organisations, or one organisation's profile"),
            "/anggota PMI",
            aliases=("members",),
            section="anggota",
        ),
        anggota,
    )
    app.add_handler(CallbackQueryHandler(on_page, pattern=r"^dir:"))
