"""Feedback after a training: the rating buttons and the comment step."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.features.agenda import followup
from bot.features.agenda.handlers.common import COMMENT_KIND, DIALOG_TTL_S, MAX_COMMENT
from bot.features.agenda.views import feedback as feedback_views
from bot.kernel import storage as core_repo
from bot.kernel.context import BotContext
from bot.kernel.storage import Dialog
from bot.kernel.telegram import edit, is_id, reply
from bot.kernel.views import Reply


async def on_feedback(update: Update, context: BotContext) -> None:
    """``ag:f:<event>:<0-5>`` (0 = did not attend) and ``ag:fs:<event>`` (skip the comment)."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or query.data is None or user is None or chat is None:
        return
    t = context.t
    runtime = context.runtime
    parts = query.data.split(":")
    now = runtime.clock.timestamp()
    if parts[1] == "fs" and len(parts) == 3:
        dialog = await runtime.db.read(core_repo.get_dialog, chat.id, user.id)
        if dialog is None or dialog.kind != COMMENT_KIND or str(dialog.data.get("event_id")) != parts[2]:
            await query.answer(t.gettext("This button is no longer valid."))
            return
        await runtime.db.write(core_repo.clear_dialog, chat.id, user.id)
        await query.answer()
        if query.message is not None:
            await edit(context, chat.id, query.message.message_id, Reply(feedback_views.feedback_done(t)))
        return
    if len(parts) != 4 or not is_id(parts[2]) or parts[3] not in ("0", "1", "2", "3", "4", "5"):
        await query.answer(t.gettext("This button is no longer valid."))
        return
    event_id, value = int(parts[2]), int(parts[3])
    result = await runtime.db.write(_rating_tx, event_id, user.id, value, chat.id, now, now + DIALOG_TTL_S)
    if not result.ok:
        await query.answer(t.gettext("This button is no longer valid."))
        return
    await query.answer(t.gettext("Saved."))
    if query.message is not None:
        content = feedback_views.ask_comment(t, event_id, value) if value else Reply(feedback_views.not_attended_noted(t))
        await edit(context, chat.id, query.message.message_id, content)


def _rating_tx(conn: Any, event_id: int, user_id: int, value: int, chat_id: int, now: int, expires: int) -> Any:
    """Save the rating and open the comment step in one transaction."""
    result = followup.save_rating(conn, event_id, user_id, value, now)
    if result.ok and value:
        core_repo.set_dialog(conn, chat_id, user_id, COMMENT_KIND, "comment", {"event_id": event_id}, expires)
    return result


def _comment_tx(conn: Any, event_id: int, user_id: int, chat_id: int, comment: str, now: int) -> bool:
    saved = followup.save_comment(conn, event_id, user_id, comment, now)
    core_repo.clear_dialog(conn, chat_id, user_id)
    return saved


async def on_comment_text(update: Update, context: BotContext, dialog: Dialog) -> None:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    text = (message.text or "").strip()
    if not text or len(text) > MAX_COMMENT:
        await reply(
            update, context, context.t.gettext("Please write a comment of at most 1000 characters, or tap Skip.")
        )
        return
    runtime = context.runtime
    await runtime.db.write(
        _comment_tx, int(dialog.data.get("event_id", 0)), user.id, chat.id, text, runtime.clock.timestamp()
    )
    await reply(update, context, feedback_views.feedback_done(context.t))
