"""Cross-cutting handlers: idempotency and locale (pre-handler), chat migration, the bot's own
membership, persisted dialogs, unknown commands and buttons, and the global error handler."""

from __future__ import annotations

import difflib
import html
import logging
from collections import deque
from functools import partial
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.kernel import access
from bot.kernel import storage as core_repo
from bot.kernel import updates as updates_svc
from bot.kernel.actor import actor_lookup
from bot.kernel.context import BotContext
from bot.kernel.db import DuplicateUpdate, UpdateClaim, current_claim
from bot.kernel.feature import Feature
from bot.kernel.i18n import Translator, translator
from bot.kernel.telegram import reply
from bot.kernel.views import esc

log = logging.getLogger(__name__)

PRE_GROUP = -100
FLOOD_WINDOW_S = 10
FLOOD_MAX_UPDATES = 20  # per user per window: far above a person typing or tapping, well below a script
SERVICE_GROUP = -50
FALLBACK_GROUP = 0  # fallbacks are registered last in group 0, so they only see what nothing else took


class FloodGuard:
    """Per-user sliding window kept in memory: a flood is answered once, politely, then ignored until it
    calms down. Nothing is stored for the ignored updates (they are still claimed, so never replayed).

    O(1) per update: only the last ``limit + 1`` arrival times are kept; the flood test is whether the
    oldest of them is still inside the window.
    """

    def __init__(self, window: int = FLOOD_WINDOW_S, limit: int = FLOOD_MAX_UPDATES) -> None:
        self.window, self.limit = window, limit
        self._hits: dict[int, deque[int]] = {}
        self._warned: dict[int, int] = {}

    def check(self, user_id: int, now: int) -> str:
        """'ok', 'warn' (first update over the limit) or 'drop'."""
        hits = self._hits.get(user_id)
        if hits is None:
            if len(self._hits) > 10_000:  # bound memory under a storm of distinct users
                self._hits.clear()
            hits = self._hits[user_id] = deque(maxlen=min(self.limit + 1, 1000))
        hits.append(now)
        if len(hits) <= self.limit or hits[0] <= now - self.window:
            self._warned.pop(user_id, None)
            return "ok"
        if self._warned.get(user_id, 0) > now - self.window:
            return "drop"
        self._warned[user_id] = now
        return "warn"


async def pre_update(update: Update, context: BotContext) -> None:
    """Look the update id up (duplicates stop here), who/where, the locale, the actor and the gate's owner: one
    read. The claim and the refresh of the user's and chat's rows ride on the update's first write."""
    runtime = context.runtime
    user = update.effective_user
    chat = update.effective_chat
    message = update.message
    want_dialog = bool(message and (message.text or message.document) and user and chat)
    claim = current_claim.get()
    if claim is None or claim.update_id != update.update_id:
        claim = UpdateClaim(update.update_id, runtime.clock.timestamp())
        current_claim.set(claim)
    user_row = (user.id, user.first_name, user.last_name, user.username) if user else None
    chat_row = (chat.id, chat.type, chat.title) if chat else None
    lookup = actor_lookup(runtime)
    question = access.owner_question(update, runtime, context.bot.username)
    seen = await runtime.db.read(
        updates_svc.begin,
        update.update_id,
        runtime.clock.timestamp(),
        user_row,
        chat_row,
        want_dialog,
        lookup.for_chat,
        (*question, lookup.in_cluster) if question is not None else None,
    )
    if not seen.is_new:
        log.info("duplicate update %s ignored", update.update_id)
        claim.duplicate = True
        raise ApplicationHandlerStop
    claim.armed = True  # from here on, the update's first write is its effect and claims it
    # the user's and chat's rows are refreshed by that write too (no hand-off of their own)
    claim.bookkeeping = partial(core_repo.touch, user=user_row, chat=chat_row, now=claim.now)
    context.seen = seen
    if chat is not None and chat.type != ChatType.PRIVATE:
        context.locale = seen.cluster_locale or seen.chat_locale or runtime.settings.locale
    else:
        context.locale = seen.user_locale or runtime.settings.locale
    if user is not None:
        if runtime.flood_guard is None:
            runtime.flood_guard = FloodGuard()
        guard: FloodGuard = runtime.flood_guard
        verdict = guard.check(user.id, runtime.rate_now())
        if verdict != "ok":
            if verdict == "warn" and chat is not None and chat.type == ChatType.PRIVATE:
                await reply(
                    update,
                    context,
                    context.t.gettext(
                        "You are sending messages very quickly, so I did not process this one. Please wait a few"
                        " seconds, then send it again."
                    ),
                )
            elif verdict == "warn" and update.callback_query is not None:
                await update.callback_query.answer(
                    context.t.gettext("Too many taps: this one was not processed. Please wait a few seconds.")
                )
            raise ApplicationHandlerStop


async def on_migrate(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    moved = await context.runtime.db.write(
        core_repo.migrate_chat_id, old, new, context.runtime.clock.timestamp(), context.runtime.contributions(core_repo.CHAT_MIGRATION)
    )
    if moved:
        log.info("chat %s migrated to %s", old, new)
    raise ApplicationHandlerStop


async def on_my_chat_member(update: Update, context: BotContext) -> None:
    """Record the bot being added to, removed from, or blocked in a chat."""
    change = update.my_chat_member
    if change is None:
        return
    runtime = context.runtime
    now = runtime.clock.timestamp()
    status = change.new_chat_member.status
    gone = status in ("left", "kicked")
    await runtime.db.write(core_repo.set_chat_status, change.chat.id, "removed" if gone else "active", now)
    if change.chat.type == ChatType.PRIVATE:
        await runtime.db.write(core_repo.set_user_reachable, change.chat.id, not gone, now)
        return
    was_gone = change.old_chat_member.status in ("left", "kicked")
    if was_gone and not gone:
        t = context.t
        await reply(
            update,
            context,
            t.gettext(
                "Thank you for adding me. A group administrator can type /pasang to set this group up as the "
                "logistics cluster's group. Please make me an administrator with the right to pin messages."
            ),
        )


async def on_text(update: Update, context: BotContext) -> None:
    """Route free text to the user's open guided conversation, if any."""
    seen = context.seen
    chat = update.effective_chat
    if seen is not None and seen.dialog is not None and update.effective_user is not None and chat is not None:
        runtime = context.runtime
        dialog = seen.dialog
        if dialog.expires_at < runtime.clock.timestamp():
            await runtime.db.write(core_repo.clear_dialog, chat.id, update.effective_user.id)
            await reply(
                update,
                context,
                context.t.gettext("That conversation timed out, so nothing was saved. Please start again."),
            )
            return
        handler = runtime.dialogs.get(dialog.kind)
        if handler is not None:
            await handler(update, context, dialog)
            return
    if chat is not None and chat.type == ChatType.PRIVATE:
        await reply(
            update, context, context.t.gettext("I only understand commands here. Type /bantuan to see what I can do.")
        )


def unknown_command_text(t: Translator, command: str, suggestion: str | None) -> str:
    text = t.gettext("I don't know the command <code>{command}</code>.").format(command=esc(command))
    if suggestion:
        text += " " + t.gettext("Did you mean /{suggestion}?").format(suggestion=esc(suggestion))
    return text + "\n" + t.gettext("Type /bantuan for the list of commands.")


async def on_unknown_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None or not message.text:
        return
    word = message.text.split()[0][1:]
    name, _, target = word.partition("@")
    if target and target.lower() != (context.bot.username or "").lower():
        return  # addressed to another bot
    known = sorted(context.runtime.command_names())
    match = difflib.get_close_matches(name.lower(), known, n=1, cutoff=0.6)
    await reply(update, context, unknown_command_text(context.t, "/" + name, match[0] if match else None))


async def on_unknown_callback(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer(context.t.gettext("This button is no longer valid."), show_alert=False)


async def on_error(update: object, context: BotContext) -> None:
    """Log with context; tell the user in their language that it failed, without internals."""
    error = context.error
    if isinstance(error, DuplicateUpdate):
        log.info("update %s was already processed; stopped", error)
        raise ApplicationHandlerStop
    claim = current_claim.get()
    ours = claim is not None and isinstance(update, Update) and claim.update_id == update.update_id
    if ours and claim is not None:
        claim.failed = True
    committed = ours and claim is not None and claim.committed
    where = ""
    if isinstance(update, Update):
        chat = update.effective_chat
        user = update.effective_user
        where = f"update={update.update_id} chat={chat.id if chat else None} user={user.id if user else None}"
    log.error("unhandled error %s: %r", where, error, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    t = translator(getattr(context, "locale", None) or context.runtime.settings.locale)
    if committed:
        # The update's transaction committed: its change stands, and what it owes is in the outbox.
        text = t.gettext("Your change was saved, but something went wrong afterwards. Please do not send it again.")
    else:
        text = t.gettext("Sorry, something went wrong and nothing was saved. Please try again in a moment.")
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        else:
            await context.bot.send_message(update.effective_chat.id, html.escape(text))
    except Exception:  # the error path must never raise
        log.warning("could not report the error to the user", exc_info=True)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(TypeHandler(Update, pre_update), group=PRE_GROUP)
    access.register(app)  # the read gate (bot/kernel/access.py), right after the pre-handler
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate), group=SERVICE_GROUP)
    app.add_handler(
        ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
        group=SERVICE_GROUP,
    )
    app.add_error_handler(on_error)


FEATURE = Feature("plumbing", handlers=register)


def register_fallbacks(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Must be called after every feature registered its handlers (see bot/app.py)."""
    app.add_handler(MessageHandler(filters.COMMAND, on_unknown_command), group=FALLBACK_GROUP)
    app.add_handler(
        MessageHandler((filters.TEXT | filters.Document.ALL) & ~filters.COMMAND, on_text),
        group=FALLBACK_GROUP,
    )
    app.add_handler(CallbackQueryHandler(on_unknown_callback), group=FALLBACK_GROUP)
