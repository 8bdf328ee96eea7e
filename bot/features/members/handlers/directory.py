"""/anggota: the member directory (paginated by type) and one organisation's profile."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.features.members import service as svc
from bot.features.members import views
from bot.features.members.callbacks import DirectoryPageButton
from bot.features.members.events import ORG_PROFILE_SECTIONS
from bot.features.members.gate import current_actor, require_cluster
from bot.kernel.callbacks import stale
from bot.kernel.context import BotContext
from bot.kernel.i18n import N_
from bot.kernel.runtime import CommandSpec
from bot.kernel.telegram import add_command, command_args, edit, reply
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
        sections = runtime.contributions(ORG_PROFILE_SECTIONS)  # e.g. the stock feature's visibility line
        for section in await runtime.db.read(svc.profile_sections, context.t, org, sections):
            text += "\n\n" + section
        if others:
            text += "\n\n" + context.t.gettext("Also similar: {names}").format(
                names=esc(", ".join(o.label for o in others))
            )
        await reply(update, context, text)
        return
    listing = await runtime.db.read(svc.directory, actor.cluster.id, now, 0)
    await reply(update, context, views.directory_page(context.t, actor.cluster, listing))


async def on_page(update: Update, context: BotContext, button: DirectoryPageButton) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None  # DirectoryPageButton.handler checked both
    actor = await current_actor(update, context)
    if actor is None:
        await stale(update, context)
        return
    await query.answer()
    listing = await context.runtime.db.read(svc.directory, actor.cluster.id, context.runtime.clock.timestamp(),
                                            button.page)  # fmt: skip
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
    app.add_handler(DirectoryPageButton.handler(on_page))
