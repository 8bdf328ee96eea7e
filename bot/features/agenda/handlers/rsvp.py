"""RSVP and speaker buttons on the card and in private."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ChatType

from bot.features.agenda import followup
from bot.features.agenda import service as svc
from bot.features.agenda.callbacks import RsvpButton, SpeakerButton
from bot.features.agenda.handlers.common import _RSVP, card_edit, tell
from bot.features.agenda.views import cards
from bot.kernel.callbacks import stale, stale_text
from bot.kernel.context import BotContext
from bot.kernel.outbox import commit, out_edit
from bot.kernel.outbox_storage import Out
from bot.kernel.views import Reply

# ---- RSVP, calendar files -------------------------------------------------------------------------------


async def on_rsvp(update: Update, context: BotContext, button: RsvpButton) -> None:
    """``ag:r:<event>:<y|m|n>``: record the answer, then edit the group's card (and a private copy) in place."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    t = context.t
    if button.answer not in _RSVP:
        await stale(update, context)
        return
    runtime = context.runtime
    answer = _RSVP[button.answer]
    chat = update.effective_chat
    group_cluster: int | None = None  # in a group, only that group's cluster's events (private: any shown card)
    if chat is not None and chat.type != ChatType.PRIVATE:
        group_cluster = (context.seen.cluster_id if context.seen is not None else None) or -1
    pressed = query.message
    event_id = button.event_id

    def tx(conn: Any) -> tuple[svc.RsvpResult, list[Out]]:
        """The answer and the card edits (the group's, and the private copy pressed) in one transaction."""
        result = svc.rsvp(conn, event_id, user.id, answer, runtime.clock.timestamp(), group_cluster)
        if not result.ok or result.view is None or result.previous == answer:
            return result, []
        view = result.view
        outs = card_edit(view)
        if pressed is not None and (pressed.chat.id, pressed.message_id) != (view.event.chat_id,
                                                                              view.event.message_id):  # fmt: skip
            outs += out_edit(pressed.chat.id, pressed.message_id, cards.event_card(t, view),
                             key=f"event:{view.event.id}:{pressed.chat.id}:{pressed.message_id}")  # fmt: skip
        return result, outs

    async def answer_press(result: svc.RsvpResult) -> None:
        if not result.ok or result.view is None:
            await query.answer(cards.rsvp_refused(t, result.reason))
        else:
            await query.answer(cards.rsvp_answered(t, answer))

    await commit(context, tx, then=answer_press)


# ---- speakers and feedback buttons ----------------------------------------------------------------------


async def on_speaker(update: Update, context: BotContext, button: SpeakerButton) -> None:
    """``ag:s:<event>:<org>:<y|n>``: a representative of the speaker organisation confirms or declines."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    t = context.t
    if button.answer not in ("y", "n"):
        await stale(update, context)
        return
    runtime = context.runtime
    confirmed = button.answer == "y"
    event_id, org_id, now, pressed = button.event_id, button.org_id, runtime.clock.timestamp(), query.message

    def tx(conn: Any) -> tuple[followup.SpeakerAnswer, list[Out]]:
        """The answer, the pressed message, the card and (declined) the secretariat's notice: one transaction."""
        result = followup.speaker_answer(conn, event_id, org_id, user.id, confirmed, now)
        if not result.ok or result.view is None or result.speaker is None:
            return result, []
        view, speaker = result.view, result.speaker
        outs = out_edit(pressed.chat.id, pressed.message_id, Reply(cards.speaker_answered(t, confirmed))) \
            if pressed is not None else []  # fmt: skip
        outs += card_edit(view)
        if not confirmed:
            outs += tell(view.cluster, result.secretariat, lambda tr: cards.speaker_declined(tr, view, speaker))
        return result, outs

    async def answer_press(result: followup.SpeakerAnswer) -> None:
        if not result.ok or result.view is None or result.speaker is None:
            await query.answer(
                cards.rsvp_refused(t, "over") if result.reason == "over" else stale_text(context)
            )
        else:
            await query.answer(t.gettext("Saved."))

    await commit(context, tx, then=answer_press)
