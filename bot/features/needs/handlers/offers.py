"""/tawar: posting offers (one line, several items in one line, or the line asked for), withdrawing one."""

from __future__ import annotations

from telegram import Update

from bot.features.members.gate import current_actor, is_secretariat, require_member
from bot.features.members.service import Actor
from bot.features.needs import lifecycle, views
from bot.features.needs import service as svc
from bot.features.needs.callbacks import OfferButton
from bot.features.needs.handlers import input as needs_input
from bot.features.needs.handlers.cards import OFFER_CARD, offer_card_edit
from bot.kernel import dialogs
from bot.kernel import storage as core_repo
from bot.kernel.callbacks import stale
from bot.kernel.context import BotContext
from bot.kernel.i18n import translator
from bot.kernel.outbox import commit, out_reply, out_send
from bot.kernel.outbox_storage import Out
from bot.kernel.sql import Conn
from bot.kernel.telegram import command_args, reply
from bot.shared import posting

OFFER_DIALOG = "offer"


async def tawar(update: Update, context: BotContext) -> None:
    actor = await require_member(update, context)
    if actor is None:
        return
    line = command_args(update)
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    if not line:
        await dialogs.save(context, chat_id=chat.id, user_id=user.id, kind=OFFER_DIALOG, step="line",
                           data={"cluster_id": actor.cluster.id}, ask=needs_input.ask_offer(context.t),
                           update=update)  # fmt: skip
        return
    await _offers_from_line(update, context, actor, line)


async def _offers_from_line(
    update: Update, context: BotContext, actor: Actor, line: str, clear_dialog: bool = False
) -> bool:
    """One offer per item named in the line (``100 terpal + 50 selimut HSS`` is two), one answer for all; nothing
    is posted when one of them is wrong. Returns whether they were posted."""
    runtime = context.runtime
    now = runtime.clock.now()
    parts = posting.split_items(line, now, actor.cluster.timezone) or [line]
    drafts = [needs_input.parse_offer(part, actor.cluster, now, context.t) for part in parts]
    wrong = next((d for d in drafts if isinstance(d, str)), None)
    if wrong is not None:
        await reply(update, context, wrong)
        return False
    assert actor.org is not None and update.effective_user is not None and update.effective_chat is not None
    cluster, org_id, user_id, chat_id, t = (
        actor.cluster,
        actor.org.id,
        update.effective_user.id,
        update.effective_chat.id,
        context.t,
    )
    ready = [d for d in drafts if not isinstance(d, str)]

    def tx(conn: Conn) -> tuple[None, list[Out]]:
        """The offers, their cards, the needs each could cover and the answer: one transaction."""
        if clear_dialog:
            core_repo.clear_dialog(conn, chat_id, user_id)
        group_t = translator(cluster.locale)
        outs: list[Out] = []
        codes: list[str] = []
        for draft in ready:
            posted = svc.post_offer(conn, cluster.id, org_id, user_id, draft, runtime.clock.timestamp())
            offer = posted.offer
            assert offer is not None
            codes.append(offer.code)
            # the card carries the needs it could cover (one message, not a card and a match list)
            card = views.offer_with_matches(views.offer_card(group_t, offer, cluster.timezone), group_t,
                                            posted.matching_needs)  # fmt: skip
            outs += out_send(cluster.chat_id, card, key=f"offer:{offer.id}", on_sent=OFFER_CARD, ref=offer.id)
        if len(codes) > 1:
            outs += out_reply(update, views.offers_posted_several(t, codes))
        elif chat_id != cluster.chat_id:
            outs += out_reply(update, views.posted_elsewhere(t, codes[0]))
        return None, outs

    await commit(context, tx)
    return True


async def on_offer_text(update: Update, context: BotContext, dialog: core_repo.Dialog) -> None:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    actor = await require_member(update, context)
    if actor is None:
        return
    await _offers_from_line(update, context, actor, message.text or "", clear_dialog=True)


async def on_offer_button(update: Update, context: BotContext, button: OfferButton) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    actor = await current_actor(update, context)
    if actor is None or button.action != "wd":
        await stale(update, context)
        return
    secretariat = await is_secretariat(context, actor, user.id)
    org_id = actor.org.id if actor.is_active and actor.org else None
    runtime, t, cluster = context.runtime, context.t, actor.cluster

    def tx(conn: Conn) -> tuple[bool, list[Out]]:
        """The withdrawal and the card's edit: one transaction."""
        offer = lifecycle.withdraw_offer(conn, button.offer_id, org_id, secretariat, user.id, runtime.clock.timestamp(),
                                   cluster.id)  # fmt: skip
        return (offer is not None), (offer_card_edit(cluster, offer) if offer is not None else [])

    async def answer_press(done: bool) -> None:
        if done:
            await query.answer(t.gettext("Saved."))
        else:
            await query.answer(t.gettext("Only the offering organisation or the secretariat can do this."),
                               show_alert=True)  # fmt: skip

    await commit(context, tx, then=answer_press)
