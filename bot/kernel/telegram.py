"""Sending, replying and command registration shared by feature handlers.

Telegram failures are handled here once: RetryAfter waits and retries, Forbidden marks the chat
unreachable (never retried forever), ChatMigrated moves the cluster and retries at the new id.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, CommandHandler, filters

from bot.kernel import storage as core_repo
from bot.kernel.context import BotContext
from bot.kernel.runtime import CommandSpec, Runtime
from bot.kernel.views import Keyboard, Reply, split_message

log = logging.getLogger(__name__)
MAX_RETRIES = 3

Callback = Callable[[Update, BotContext], Awaitable[Any]]


def to_markup(keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.text, url=b.url) if b.url else InlineKeyboardButton(b.text, callback_data=b.data)
                for b in row
            ]
            for row in keyboard
        ]
    )


def _seconds(retry_after: Any) -> float:
    return float(retry_after.total_seconds() if hasattr(retry_after, "total_seconds") else retry_after)


async def call_with_retries(
    runtime: Runtime, chat_id: int, fn: Callable[[int], Awaitable[Any]], idempotent: bool = False
) -> Any:
    """Run one Bot API call for ``chat_id`` with Telegram's failure rules; returns None if unreachable.

    RetryAfter and server errors (5xx) are retried with backoff: Telegram did not take the message. A
    timeout is ambiguous (the message may have been delivered), so only idempotent calls (edits, pins)
    are retried after one; a send is not, which is what keeps an acknowledged message from being sent twice.
    """
    attempt = 0
    while True:
        try:
            return await fn(chat_id)
        except RetryAfter as exc:
            attempt += 1
            if attempt > MAX_RETRIES:
                raise
            await runtime.sleep(_seconds(exc.retry_after))
        except TimedOut:
            attempt += 1
            if not idempotent or attempt > MAX_RETRIES:
                raise
            await runtime.sleep(2 ** (attempt - 1))
        except BadRequest:
            raise  # our request was wrong: repeating it cannot help
        except NetworkError as exc:
            attempt += 1
            if attempt > MAX_RETRIES:
                raise
            log.warning("Bot API error %s, retrying (%d/%d)", exc, attempt, MAX_RETRIES)
            await runtime.sleep(2 ** (attempt - 1))
        except ChatMigrated as exc:
            chat_id = await follow_migration(runtime, chat_id, int(exc.new_chat_id))
        except Forbidden:
            now = runtime.clock.timestamp()
            if chat_id > 0:
                await runtime.db.write(core_repo.set_user_reachable, chat_id, False, now)
            await runtime.db.write(core_repo.set_chat_status, chat_id, "unreachable", now)
            log.info("chat %s is unreachable (Forbidden)", chat_id)
            return None


async def send(
    context: BotContext | Application[Any, Any, Any, Any, Any, Any],
    chat_id: int,
    text: str,
    keyboard: Keyboard | None = None,
    thread_id: int | None = None,
    notify: bool = True,
) -> Message | None:
    """Send ``text`` (split if long; the keyboard goes on the last part). Returns the last message."""
    app = context if isinstance(context, Application) else context.application
    runtime: Runtime = app.bot_data["runtime"]
    parts = split_message(text)
    last: Message | None = None
    for index, part in enumerate(parts):
        markup = to_markup(keyboard) if index == len(parts) - 1 else None

        async def _do(cid: int, part: str = part, markup: InlineKeyboardMarkup | None = markup) -> Message:
            return await app.bot.send_message(
                cid, part, reply_markup=markup, message_thread_id=thread_id, disable_notification=not notify
            )

        last = await call_with_retries(runtime, chat_id, _do)
        if last is None:
            return None
    return last


async def reply(
    update: Update, context: BotContext, content: str | Reply, keyboard: Keyboard | None = None
) -> Message | None:
    """Answer in the chat the update came from (same forum topic)."""
    if isinstance(content, Reply):
        text, keyboard = content.text, content.keyboard or keyboard
    else:
        text = content
    chat = update.effective_chat
    if chat is None:
        return None
    message = update.effective_message
    thread_id = message.message_thread_id if message is not None and message.is_topic_message else None
    return await send(context, chat.id, text, keyboard, thread_id=thread_id)


async def edit(
    context: BotContext | Application[Any, Any, Any, Any, Any, Any], chat_id: int, message_id: int, content: Reply
) -> bool:
    """Edit a message in place; 'not modified' counts as success. False if the message is gone.

    Takes the Application too (like ``send``), so scheduled jobs, which have no callback context, share it."""
    app = context if isinstance(context, Application) else context.application
    runtime: Runtime = app.bot_data["runtime"]

    async def _do(cid: int) -> Any:
        return await app.bot.edit_message_text(
            content.text, chat_id=cid, message_id=message_id, reply_markup=to_markup(content.keyboard)
        )

    try:
        await call_with_retries(runtime, chat_id, _do, idempotent=True)
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return True
        if "not found" in exc.message.lower():
            return False
        raise
    return True


async def follow_migration(runtime: Runtime, chat_id: int, new_id: int) -> int:
    """Telegram moved a group (group → supergroup): every stored reference follows, through each feature's
    ``CHAT_MIGRATION`` hook, in one transaction. Returns the new id."""
    await runtime.db.write(
        core_repo.migrate_chat_id, chat_id, new_id, runtime.clock.timestamp(), runtime.contributions(core_repo.CHAT_MIGRATION)
    )
    return new_id


def add_command(
    app: Application[Any, Any, Any, Any, Any, Any],
    spec: CommandSpec,
    callback: Callback,
    chat_filter: filters.BaseFilter | None = None,
    group: int = 0,
) -> None:
    """Register a command and record its spec for help and menus."""
    runtime: Runtime = app.bot_data["runtime"]
    runtime.commands.append(spec)
    names: Sequence[str] = (spec.name, *spec.aliases)
    app.add_handler(CommandHandler(list(names), callback, filters=chat_filter), group=group)  # type: ignore[arg-type]


MAX_ID_DIGITS = 18  # SQLite's INTEGER holds 19 digits; no id or page number comes near


def parse_id(text: str) -> int | None:
    """A row id or page number typed or carried in callback data, or None. ASCII digits only (``"²".isdigit()``
    is true but ``int("²")`` raises) and at most 18 of them (a longer one overflows SQLite's INTEGER)."""
    if not text or len(text) > MAX_ID_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def is_id(text: str) -> bool:
    """True when ``int(text)`` is safe and fits SQLite (see ``parse_id``)."""
    return parse_id(text) is not None


def command_args(update: Update) -> str:
    """The text after the command (kept raw: multi-line reports keep their lines)."""
    message = update.effective_message
    text = (message.text or message.caption or "") if message else ""
    first, _, rest = text.partition(" ")
    if "\n" in first:
        first, _, more = text.partition("\n")
        return more.strip()
    return rest.strip()
