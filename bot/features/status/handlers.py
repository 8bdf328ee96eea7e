"""/status (secretariat, private): inbox backlog, outbox pending/failed/uncertain with the last reasons,
unreachable members and the last successful Telegram call."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application

from bot.features.members.gate import require_secretariat
from bot.features.status.views import status_text
from bot.kernel import outbox_storage as repo
from bot.kernel.context import BotContext
from bot.kernel.i18n import N_
from bot.kernel.runtime import CommandSpec
from bot.kernel.telegram import add_command, reply


async def status(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    if chat.type != ChatType.PRIVATE:
        await reply(update, context, context.t.gettext("Please ask me for /status in a private chat."))
        return
    actor = await require_secretariat(update, context)
    if actor is None:
        return
    runtime = context.runtime
    health = await runtime.db.read(repo.health)
    await reply(update, context, status_text(context.t, health, actor.cluster.timezone, runtime.clock.timestamp()))


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    add_command(
        app,
        CommandSpec("status", N_("Delivery health: waiting, failed and uncertain messages, unreachable members "
                                 "(secretariat)"), "/status", scopes=("private",), section="laporan"),
        status,
    )  # fmt: skip
