"""/start (with deep-link payloads), /bantuan, /bahasa and /batal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application

from bot.features.core.callbacks import LanguageButton
from bot.features.core.views import help_text, start_text
from bot.kernel import storage as core_repo
from bot.kernel.callbacks import stale
from bot.kernel.context import BotContext
from bot.kernel.i18n import N_, SUPPORTED, translator
from bot.kernel.outbox import write_and_reply
from bot.kernel.permissions import can_manage_cluster
from bot.kernel.runtime import CommandSpec
from bot.kernel.telegram import add_command, command_args, edit, reply
from bot.kernel.views import Button, Reply

DeepLink = Callable[[Update, BotContext, str], Awaitable[None]]
LANG_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


async def start(update: Update, context: BotContext) -> None:
    payload = command_args(update)
    if payload:
        prefix, _, arg = payload.partition("_")
        handler = context.runtime.deeplinks.get(prefix)  # the manifests' ``deeplinks``
        if handler is not None:
            await handler(update, context, arg)
            return
    user = update.effective_user
    chat = update.effective_chat
    await reply(
        update, context, start_text(context.t, user.first_name if user else "", chat.type if chat else "private")
    )


async def bantuan(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    await reply(update, context, help_text(context.t, context.runtime.commands, chat.type if chat else "private"))


def _language_reply(locale: str) -> Reply:
    t = translator(locale)
    keyboard = [[Button(("✓ " if code == locale else "") + LANG_NAMES[code], LanguageButton(code).pack()) for code in SUPPORTED]]
    return Reply(t.gettext("Choose the language I use in this chat:"), keyboard)


async def bahasa(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None:
        return
    wanted = command_args(update).lower()
    if wanted:
        aliases = {"id": "id", "indonesia": "id", "indonesian": "id", "en": "en", "english": "en", "inggris": "en"}
        code = aliases.get(wanted)
        if code is None:
            await reply(
                update,
                context,
                context.t.gettext(
                    "I don't know that language. Write <code>/bahasa id</code> or <code>/bahasa en</code>."
                ),
            )
            return
        await _apply_language(update, context, code)
        return
    await reply(update, context, _language_reply(context.locale or "id"))


async def _apply_language(update: Update, context: BotContext, code: str) -> bool:
    chat = update.effective_chat
    user = update.effective_user
    assert chat is not None and user is not None
    runtime = context.runtime
    now = runtime.clock.timestamp()
    if chat.type == ChatType.PRIVATE:
        await runtime.db.write(core_repo.set_user_locale, user.id, code, now)
    else:
        if not await can_manage_cluster(context, chat.id, user.id):
            text = context.t.gettext("Only the cluster secretariat can change the group's language.")
            if update.callback_query:
                await update.callback_query.answer(text, show_alert=True)
            else:
                await reply(update, context, text)
            return False
        await runtime.db.write(core_repo.set_chat_locale, chat.id, chat.type, code, now)
    context.locale = code
    t = translator(code)
    confirmation = t.gettext("Saved. I will speak {language} here.").format(language=LANG_NAMES[code])
    if update.callback_query is not None:
        await update.callback_query.answer()
        message = update.callback_query.message
        if message is not None:
            await edit(context, message.chat.id, message.message_id, Reply(confirmation))
    else:
        await reply(update, context, confirmation)
    return True


async def on_language_button(update: Update, context: BotContext, button: LanguageButton) -> None:
    if button.code not in SUPPORTED:
        await stale(update, context)
        return
    await _apply_language(update, context, button.code)


async def batal(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None:
        return
    t = context.t
    await write_and_reply(
        update, context,
        lambda dialog: t.gettext("There is nothing to cancel.") if dialog is None
        else t.gettext("Cancelled. Nothing was saved."),
        core_repo.clear_dialog, chat.id, user.id,
    )  # fmt: skip


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    add_command(app, CommandSpec("start", N_("Introduction"), menu=False), start)
    add_command(
        app,
        CommandSpec("bantuan", N_("What this bot can do, with examples"), aliases=("help",), section="umum"),
        bantuan,
    )
    add_command(
        app,
        CommandSpec("bahasa", N_("Change the language (Indonesian or English)"), "/bahasa en", aliases=("language",)),
        bahasa,
    )
    add_command(app, CommandSpec("batal", N_("Cancel the current step"), aliases=("cancel",)), batal)
    app.add_handler(LanguageButton.handler(on_language_button))
