"""Feedback after a training: the rating buttons and the comment step."""

from __future__ import annotations

from functools import partial
from typing import Any

from telegram import Update

from bot.features.agenda import followup
from bot.features.agenda.callbacks import RatingButton, SkipCommentButton
from bot.features.agenda.handlers.common import COMMENT_KIND, MAX_COMMENT
from bot.features.agenda.views import feedback as feedback_views
from bot.kernel import dialogs
from bot.kernel import storage as core_repo
from bot.kernel.callbacks import stale, stale_text
from bot.kernel.context import BotContext
from bot.kernel.outbox import commit, out_edit, write_and_reply
from bot.kernel.outbox_storage import Out
from bot.kernel.storage import Dialog
from bot.kernel.telegram import reply
from bot.kernel.views import Reply


async def on_skip(update: Update, context: BotContext, button: SkipCommentButton) -> None:
    """``ag:fs:<event>``: no comment after the rating."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        return
    t = context.t
    pressed = query.message
    dialog = await context.runtime.db.read(core_repo.get_dialog, chat.id, user.id)
    if dialog is None or dialog.kind != COMMENT_KIND or dialog.data.get("event_id") != button.event_id:
        await stale(update, context)
        return

    def skip_tx(conn: Any) -> tuple[None, list[Out]]:
        core_repo.clear_dialog(conn, chat.id, user.id)
        done = Reply(feedback_views.feedback_done(t))
        return None, (out_edit(chat.id, pressed.message_id, done) if pressed is not None else [])

    await commit(context, skip_tx, then=lambda _: query.answer())


async def on_rating(update: Update, context: BotContext, button: RatingButton) -> None:
    """``ag:f:<event>:<0-5>`` (0 = did not attend)."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        return
    t = context.t
    now = context.runtime.clock.timestamp()
    pressed = query.message
    if button.value > 5:
        await stale(update, context)
        return
    event_id, value = button.event_id, button.value

    def tx(conn: Any) -> tuple[followup.FeedbackResult, list[Out]]:
        """The rating, the comment step and the pressed message's next question: one transaction."""
        result = followup.save_rating(conn, event_id, user.id, value, now)
        if not result.ok:
            return result, []
        if value:
            dialogs.save_tx(conn, chat_id=chat.id, user_id=user.id, kind=COMMENT_KIND, step="comment",
                            data={"event_id": event_id}, now=now)  # fmt: skip
        content = feedback_views.ask_comment(t, event_id, value) if value else Reply(feedback_views.not_attended_noted(t))
        return result, (out_edit(chat.id, pressed.message_id, content) if pressed is not None else [])

    async def answer_press(result: followup.FeedbackResult) -> None:
        await query.answer(t.gettext("Saved.") if result.ok else stale_text(context))

    await commit(context, tx, then=answer_press)


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
    await write_and_reply(
        update, context, lambda _: feedback_views.feedback_done(context.t),
        partial(followup.close_comment, event_id=int(dialog.data.get("event_id", 0)), user_id=user.id,
                chat_id=chat.id, comment=text, now=runtime.clock.timestamp()),
    )  # fmt: skip
