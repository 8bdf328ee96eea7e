"""The need and offer cards: rendering, their edits in place (outbox rows of the change's transaction), where a
sent card is recorded, and the buttons on a need card (🤝 Saya bantu, ℹ️ Detail, ✅ Terpenuhi, ✖ Batalkan)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.features.members import storage as members_repo
from bot.features.members.gate import current_actor
from bot.features.members.models import Cluster
from bot.features.needs import lifecycle, views
from bot.features.needs import service as svc
from bot.features.needs import storage as repo
from bot.features.needs.callbacks import NeedCardButton
from bot.features.needs.storage import Need, Offer
from bot.kernel.callbacks import stale
from bot.kernel.context import BotContext
from bot.kernel.i18n import translator
from bot.kernel.outbox import commit, out_edit, out_send
from bot.kernel.outbox_storage import Out
from bot.kernel.permissions import is_group_admin
from bot.kernel.sql import Conn
from bot.kernel.telegram import edit
from bot.kernel.views import Reply

AnyApp = Application[Any, Any, Any, Any, Any, Any]
NEED_CARD = "need.card"
OFFER_CARD = "offer.card"


def _card(cluster: Cluster, need: Need, bot_username: str, incident: Any = None) -> Reply:
    return views.need_card(translator(cluster.locale), need, cluster.timezone, bot_username, incident)


def need_card(conn: Conn, cluster: Cluster, need: Need, bot_username: str) -> Reply:
    """The need's card in the group's language, with its incident (read in the caller's transaction)."""
    incident = repo.incident_by_id(conn, need.cluster_id, need.incident_id) if need.incident_id else None
    return _card(cluster, need, bot_username, incident)


async def refresh_need_card(context: BotContext | AnyApp, need: Need) -> None:
    """Edit the need's card in place (never reposted)."""
    app = context if isinstance(context, Application) else context.application
    runtime = app.bot_data["runtime"]
    if need.chat_id is None or need.message_id is None:
        return
    cluster = await runtime.db.read(members_repo.cluster_by_id, need.cluster_id)
    incident = (
        await runtime.db.read(repo.incident_by_id, need.cluster_id, need.incident_id) if need.incident_id else None
    )
    if cluster is None:
        return
    from bot.kernel.telegram import call_with_retries, to_markup

    card = _card(cluster, need, app.bot.username, incident)

    async def _do(cid: int) -> Any:
        return await app.bot.edit_message_text(
            card.text, chat_id=cid, message_id=need.message_id, reply_markup=to_markup(card.keyboard)
        )

    from telegram.error import BadRequest

    try:
        await call_with_retries(runtime, need.chat_id, _do, idempotent=True)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


def need_card_edit(conn: Conn, cluster: Cluster, need: Need, bot_username: str) -> list[Out]:
    """The need card's new state, as an outbox edit inside the caller's transaction (coalesced per card; posted
    again if the card was deleted)."""
    return out_edit(need.chat_id, need.message_id, need_card(conn, cluster, need, bot_username),
                    key=f"need:{need.id}", on_sent=NEED_CARD, ref=need.id)  # fmt: skip


def _card_at(lookup: Any) -> Any:
    """Where an object's card is (chat, message), for the outbox (the same for needs and offers)."""

    def card_at(conn: Conn, object_id: int) -> tuple[int, int] | None:
        found = lookup(conn, object_id)
        if found is None or found.chat_id is None or found.message_id is None:
            return None
        return found.chat_id, found.message_id

    return card_at


need_card_at = _card_at(repo.need_by_id)
offer_card_at = _card_at(repo.offer_by_id)
record_need_card = repo.set_need_message  # (conn, need_id, chat_id, message_id): the sent card's message
record_offer_card = repo.set_offer_message


def offer_card_edit(cluster: Cluster, offer: Offer) -> list[Out]:
    """The offer card's new state (an outbox edit inside the caller's transaction); nothing before it was sent."""
    if offer.chat_id is None or offer.message_id is None:
        return []
    return out_edit(offer.chat_id, offer.message_id,
                    views.offer_card(translator(cluster.locale), offer, cluster.timezone), key=f"offer:{offer.id}")  # fmt: skip


async def refresh_offer_card(context: BotContext, offer: Offer) -> None:
    if offer.chat_id is None or offer.message_id is None:
        return
    cluster = await context.runtime.db.read(members_repo.cluster_by_id, offer.cluster_id)
    if cluster is not None:
        await edit(
            context,
            offer.chat_id,
            offer.message_id,
            views.offer_card(translator(cluster.locale), offer, cluster.timezone),
        )


async def on_card_button(update: Update, context: BotContext, button: NeedCardButton) -> None:
    """🤝 / ℹ️ answer with a link into the private chat; ✅ / ✖ close the need: the need is read inside the closing
    transaction, and Telegram is asked whether the presser is a group administrator only when that decides."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    t = context.t
    actor = await current_actor(update, context)
    if button.action not in ("help", "info", "done", "cancel") or actor is None:
        await stale(update, context)
        return
    runtime = context.runtime
    action = button.action
    if action in ("help", "info"):
        need = await runtime.db.read(repo.need_by_id, button.need_id)
        if need is None or need.cluster_id != actor.cluster.id:
            await stale(update, context)
            return
        prefix = "bantu" if action == "help" else "detail"
        await query.answer(url=f"https://t.me/{context.bot.username}?start={prefix}_{need.id}")
        return
    org_id = actor.org.id if actor.is_active and actor.org else None
    status = "fulfilled" if action == "done" else "cancelled"
    cluster, bot_username = actor.cluster, context.bot.username

    def tx(conn: Conn, admin: bool) -> tuple[svc.PledgeResult, list[Out]]:
        """The closing, the card's edit and the pledgers' notices: one transaction."""
        need = repo.need_by_id(conn, button.need_id)
        if need is None or need.cluster_id != cluster.id:
            return svc.PledgeResult(False, "not_found"), []
        result = lifecycle.close_need(conn, need.id, status, user.id, org_id, actor.is_secretariat or admin,
                                      runtime.clock.timestamp())  # fmt: skip
        if not result.ok:
            return result, []
        assert result.need is not None
        outs = need_card_edit(conn, cluster, result.need, bot_username)
        for uid in result.notify_user_ids:
            outs += out_send(uid, views.pledge_closed_notice(translator(cluster.locale), result.need))
        return result, outs

    def ask_admin(result: svc.PledgeResult) -> bool:
        return result.reason == "not_allowed" and not actor.is_secretariat

    async def answer_press(result: svc.PledgeResult, final: bool = False) -> None:
        if result.ok:
            await query.answer(t.gettext("Saved."))
        elif result.reason == "not_found":
            await stale(update, context)
        elif result.reason == "not_allowed" and (final or not ask_admin(result)):
            await query.answer(t.gettext("Only the organisation that posted the need or the secretariat can close it."),
                               show_alert=True)  # fmt: skip
        elif result.reason != "not_allowed":
            await query.answer(t.gettext("This was already decided."), show_alert=True)

    result = await commit(context, tx, False, then=answer_press)
    if ask_admin(result):
        # The secretariat also counts the group's administrators: asked only now, when it decides.
        if await is_group_admin(context, cluster.chat_id, user.id):
            await commit(context, tx, True, then=answer_press)
        else:
            await answer_press(result, final=True)
