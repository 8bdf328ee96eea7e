"""Stock and needs: the private notice to holders of matching stock when a need is posted, pledging from stock
with one tap, and reducing the stock line when a stock pledge is received. What each owes (the pressed message,
the need's card, the owner's notice) is an outbox row of its transaction."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.features.members.gate import current_actor
from bot.features.needs import views as needs_views
from bot.features.needs.handlers import cards as needs_handlers
from bot.features.needs.storage import Need, Pledge
from bot.features.stock import service as svc
from bot.features.stock import views
from bot.features.stock.callbacks import DeductButton, StockPledgeButton
from bot.kernel.callbacks import stale
from bot.kernel.context import BotContext
from bot.kernel.i18n import translator
from bot.kernel.outbox import commit, out_edit, out_send
from bot.kernel.outbox_storage import Out
from bot.kernel.views import Reply


def need_posted_outs(conn: Any, need: Need, now: int) -> list[Out]:
    """``need_posted``, inside the need's own transaction: the holders' notices are outbox rows of it."""
    matches = svc.matching_stock(conn, need, now)
    cluster = svc.cluster_of(conn, need.cluster_id) if matches else None  # read only when someone is told
    if cluster is None:
        return []
    t = translator(cluster.locale)
    outs: list[Out] = []
    for match in matches:
        notice = views.stock_match_notice(t, need, match)
        for uid in match.user_ids:
            outs += out_send(uid, notice)
    return outs


def pledge_moved_outs(conn: Any, pledge: Pledge, now: int) -> list[Out]:
    """``pledge_moved``, inside the move's own transaction."""
    if pledge.status != "received" or pledge.source != "stock":
        return []
    ask = svc.pledge_received(conn, pledge.id, now)
    if ask is None:
        return []
    need = svc.need_of(conn, pledge.need_id)
    cluster = svc.cluster_of(conn, ask.line.cluster_id)
    if need is None or cluster is None:
        return []
    content = views.deduct_ask(translator(cluster.locale), ask, need.code, cluster.timezone)
    return [out for uid in ask.user_ids for out in out_send(uid, content)]


async def on_stock_pledge(update: Update, context: BotContext, button: StockPledgeButton) -> None:
    """``sp:<need>:<stock line>`` from the private match notice."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    actor = await current_actor(update, context)
    if actor is None or not actor.is_active or actor.org is None:
        await stale(update, context)
        return
    runtime = context.runtime
    t, org_id, cluster, pressed = context.t, actor.org.id, actor.cluster, query.message
    bot_username = context.bot.username

    def tx(conn: Any) -> tuple[svc.StockPledge, list[Out]]:
        """The pledge, the pressed notice, the need's card and the owner's notice: one transaction (outbox)."""
        result = svc.pledge_from_stock(conn, button.need_id, button.stock_id, org_id, user.id,
                                       runtime.clock.timestamp())  # fmt: skip
        if not result.ok or result.pledge is None or result.pledge.need is None or result.pledge.pledge is None:
            return result, []
        need, pledge = result.pledge.need, result.pledge.pledge
        outs: list[Out] = []
        if pressed is not None:
            outs += out_edit(pressed.chat.id, pressed.message_id, needs_views.pledge_saved(t, need, pledge))
        outs += needs_handlers.need_card_edit(conn, cluster, need, bot_username)
        group_t = translator(cluster.locale)
        for uid in result.pledge.notify_user_ids:
            if uid != user.id:
                outs += out_send(uid, needs_views.owner_notice(group_t, need, pledge))
        return result, outs

    async def answered(result: svc.StockPledge) -> None:
        if result.ok and result.pledge is not None and result.pledge.need is not None and result.pledge.pledge:
            await query.answer(t.gettext("Saved."))
        else:
            await query.answer(views.stock_pledge_refused(t, result.reason), show_alert=True)

    await commit(context, tx, then=answered)


async def on_deduct(update: Update, context: BotContext, button: DeductButton) -> None:
    """``sd:y|n:<pledge>``: the holder reduces the stock line by what was delivered, or keeps it."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    actor = await current_actor(update, context)
    if button.answer not in ("y", "n") or actor is None or not actor.is_active or actor.org is None:
        await stale(update, context)
        return
    runtime = context.runtime
    t, org_id, tz, reduce, pressed = context.t, actor.org.id, actor.cluster.timezone, button.answer == "y", query.message

    def tx(conn: Any) -> tuple[svc.Adjusted, list[Out]]:
        result = svc.deduct_for_pledge(conn, button.pledge_id, org_id, user.id, reduce, runtime.clock.timestamp())
        if not result.ok or pressed is None:
            return result, []
        text = views.adjusted_text(t, result, tz) if reduce else t.gettext("Kept as it is. Nothing was changed.")
        return result, out_edit(pressed.chat.id, pressed.message_id, Reply(text))

    async def answered(result: svc.Adjusted) -> None:
        if result.ok:
            await query.answer(t.gettext("Saved."))
        else:
            await stale(update, context)

    await commit(context, tx, then=answered)
