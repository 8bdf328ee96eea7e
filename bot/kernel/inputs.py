"""The one place every incoming text passes through: control and bidi characters are replaced before any handler
(the pre-handler included) sees the update, whether it came by long polling, the HTTP stand-in or the simulator.

``Application.process_update`` is where every update enters PTB's dispatch, so ``CleanApplication`` overrides
it. The common case costs a few attribute reads and one regex search over the fields people type into (text,
caption, names, titles, file names, button data); only an update that carries such a character is rebuilt from
its cleaned dictionary (``to_dict`` → clean every string → ``Update.de_json``).
"""

from __future__ import annotations

from typing import Any

from telegram import Message, Update, User
from telegram.ext import Application

from bot.shared.text import clean_text, has_controls


def _user_text(user: User | None) -> tuple[str, ...]:
    return (user.first_name or "", user.last_name or "", user.username or "") if user is not None else ()


def _message_text(message: Message | None) -> tuple[str, ...]:
    if message is None:
        return ()
    document = message.document
    return (
        message.text or "", message.caption or "", message.chat.title or "", message.chat.first_name or "",
        message.chat.last_name or "", document.file_name or "" if document is not None else "",
        *_user_text(message.from_user), *_message_text(message.reply_to_message),
    )  # fmt: skip


def texts_of(update: Update) -> tuple[str, ...]:
    """The strings of ``update`` that people type into (what the handlers read)."""
    query = update.callback_query
    member = update.my_chat_member or update.chat_member
    return (
        *_message_text(update.message), *_message_text(update.edited_message),
        *_message_text(update.channel_post),
        *(((query.data or ""), *_user_text(query.from_user)) if query is not None else ()),
        *(((member.chat.title or ""), *_user_text(member.from_user), *_user_text(member.new_chat_member.user))
          if member is not None else ()),
    )  # fmt: skip


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


def clean_update(update: Update, bot: Any) -> Update:
    """The same update, or a rebuilt one whose every string is cleaned (``bot.shared.text.clean_text``)."""
    if not any(has_controls(text) for text in texts_of(update)):
        return update
    cleaned = Update.de_json(_clean(update.to_dict()), bot)
    assert cleaned is not None
    return cleaned


class CleanApplication(Application):
    async def process_update(self, update: object) -> None:
        if isinstance(update, Update):
            update = clean_update(update, self.bot)
        await super().process_update(update)
