"""/butuh, /tawar, pledges (Saya bantu → sent → received), need/offer lists, escalation, /kejadian."""

from __future__ import annotations

import contextlib
import re
import sqlite3
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.features.members import storage as members_repo
from bot.features.members.gate import current_actor, is_secretariat, require_member, require_secretariat
from bot.features.members.models import Cluster
from bot.features.members.service import Actor
from bot.features.needs import service as svc
from bot.features.needs import storage as repo
from bot.features.needs import views
from bot.features.needs.events import NEED_POSTED, PLEDGE_MOVED
from bot.features.needs.handlers import input as needs_input
from bot.features.needs.storage import Need, Offer
from bot.kernel import jobs_storage as jobs_repo
from bot.kernel import plumbing
from bot.kernel import storage as core_repo
from bot.kernel.context import BotContext
from bot.kernel.i18n import N_, translator
from bot.kernel.jobs_storage import JobRow
from bot.kernel.outbox import commit, out_edit, out_reply, out_send
from bot.kernel.outbox_storage import Out
from bot.kernel.runtime import CommandSpec
from bot.kernel.telegram import add_command, command_args, edit, parse_id, reply, send
from bot.kernel.views import Reply, esc
from bot.shared import dates, posting
from bot.shared import quantity as qty_domain

NEED_DIALOG = "need"
PLEDGE_DIALOG = "pledge"
DUPLICATE_DIALOG = "needdup"
OFFER_DIALOG = "offer"
DIALOG_TTL_S = 30 * 60
AnyApp = Application[Any, Any, Any, Any, Any, Any]


# ---- cards ----------------------------------------------------------------------------------------


def _card(cluster: Cluster, need: Need, bot_username: str, incident: Any = None) -> Reply:
    return views.need_card(translator(cluster.locale), need, cluster.timezone, bot_username, incident)


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


NEED_CARD = "need.card"
OFFER_CARD = "offer.card"


def need_card_edit(conn: sqlite3.Connection, cluster: Cluster, need: Need, bot_username: str) -> list[Out]:
    """The need card's new state, as an outbox edit inside the caller's transaction (coalesced per card; posted
    again if the card was deleted)."""
    incident = repo.incident_by_id(conn, need.cluster_id, need.incident_id) if need.incident_id else None
    return out_edit(need.chat_id, need.message_id, _card(cluster, need, bot_username, incident),
                    key=f"need:{need.id}", on_sent=NEED_CARD, ref=need.id)  # fmt: skip


def need_card_at(conn: sqlite3.Connection, need_id: int) -> tuple[int, int] | None:
    need = repo.need_by_id(conn, need_id)
    if need is None or need.chat_id is None or need.message_id is None:
        return None
    return need.chat_id, need.message_id


def record_need_card(conn: sqlite3.Connection, need_id: int, chat_id: int, message_id: int) -> None:
    repo.set_need_message(conn, need_id, chat_id, message_id)


def offer_card_at(conn: sqlite3.Connection, offer_id: int) -> tuple[int, int] | None:
    offer = repo.offer_by_id(conn, offer_id)
    if offer is None or offer.chat_id is None or offer.message_id is None:
        return None
    return offer.chat_id, offer.message_id


def record_offer_card(conn: sqlite3.Connection, offer_id: int, chat_id: int, message_id: int) -> None:
    repo.set_offer_message(conn, offer_id, chat_id, message_id)




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


# ---- posting a need -------------------------------------------------------------------------------


async def butuh(update: Update, context: BotContext) -> None:
    actor = await require_member(update, context)
    if actor is None:
        return
    line = command_args(update)
    if not line:
        await _start_need_dialog(update, context, actor)
        return
    now = context.runtime.clock.now()
    several = posting.split_items(line, now, actor.cluster.timezone)
    if several is not None:
        # Several items in one line: one card per item and one answer for all (or nothing when one is wrong).
        drafts = [needs_input.parse_need(part, actor.cluster, now, context.t) for part in several]
        wrong = next((d for d in drafts if isinstance(d, str)), None)
        if wrong is not None:
            await reply(update, context, wrong)
            return
        unclear = next((d.unclear for d in drafts if not isinstance(d, str) and d.unclear), "")
        if unclear:
            await reply(update, context, needs_input.unclear_text(context.t, line, unclear))
            return
        codes = []
        for draft in drafts:
            assert not isinstance(draft, str)
            code = await _publish_need(update, context, actor, draft, quiet=True)
            if code is not None:
                codes.append(code)
        if codes:
            await reply(update, context, views.posted_several(context.t, codes))
        return
    parsed = needs_input.parse_need(line, actor.cluster, now, context.t)
    if isinstance(parsed, str):
        await reply(update, context, parsed)
        return
    if parsed.unclear:
        # Words that were not understood are shown back, not silently kept as a note.
        await reply(update, context, needs_input.unclear_text(context.t, line, parsed.unclear))
        return
    await _publish_need(update, context, actor, parsed)


async def _publish_need(
    update: Update,
    context: BotContext,
    actor: Actor,
    draft: svc.NeedDraft,
    allow_duplicate: bool = False,
    quiet: bool = False,
) -> str | None:
    """Post the need and its card; returns its code (None when nothing was posted). ``quiet``: the caller
    answers once for several needs."""
    runtime = context.runtime
    assert actor.org is not None and update.effective_user is not None and update.effective_chat is not None
    if draft.incident_id is None:
        active = await runtime.db.read(repo.incidents, actor.cluster.id)
        regional = [i for i in active if draft.region_code in i.region_codes] or active
        if len(regional) >= 1 and (len(regional) == 1 or draft.region_code):
            draft = svc.NeedDraft(**{**draft.__dict__, "incident_id": regional[0].id})
    cluster, user_id, chat_id = actor.cluster, update.effective_user.id, update.effective_chat.id
    org_id, bot_username, t = actor.org.id, context.bot.username, context.t
    now = runtime.clock.timestamp()

    def tx(conn: sqlite3.Connection) -> tuple[svc.Posted, list[Out]]:
        """The need, its card, the matches, the answer and the notices: one transaction."""
        posted = svc.post_need(conn, cluster.id, org_id, user_id, draft, now, False, allow_duplicate)
        if posted.duplicate_of is not None:
            return posted, []
        need = posted.need
        assert need is not None
        incident = repo.incident_by_id(conn, cluster.id, need.incident_id) if need.incident_id else None
        outs = out_send(cluster.chat_id, _card(cluster, need, bot_username, incident),
                        key=f"need:{need.id}", on_sent=NEED_CARD, ref=need.id)  # fmt: skip
        group_t = translator(cluster.locale)
        if posted.matches:
            outs += out_send(cluster.chat_id, views.matches_text(group_t, [m.offer for m in posted.matches]))
        if chat_id != cluster.chat_id and not quiet:
            outs += out_reply(update, views.posted_elsewhere(t, need.code))
        offers = {m.offer.id: m.offer for m in posted.matches}
        for notify_id, offer_ids in posted.notify.items():
            for offer_id in offer_ids[:1]:
                outs += out_send(notify_id, views.match_notice(group_t, need, offers[offer_id]))
        # Other features add what they owe for a new need (the stock feature: holders of matching stock).
        for hook in runtime.contributions(NEED_POSTED):
            outs += hook(conn, need, now)
        return posted, outs

    posted = await commit(context, tx)
    if posted.duplicate_of is not None:
        # The double-post guard: nothing was posted; ask before a second card for the same need.
        await _save_dialog(context, chat_id, user_id, DUPLICATE_DIALOG, "confirm", {"draft": dict(draft.__dict__)})
        await reply(update, context, views.duplicate_need(context.t, posted.duplicate_of, now))
        return None
    need = posted.need
    assert need is not None
    return need.code


async def _save_dialog(
    context: BotContext, chat_id: int, user_id: int, kind: str, step: str, data: dict[str, Any]
) -> None:
    runtime = context.runtime
    await runtime.db.write(
        core_repo.set_dialog, chat_id, user_id, kind, step, data, runtime.clock.timestamp() + DIALOG_TTL_S
    )


async def _start_need_dialog(update: Update, context: BotContext, actor: Actor) -> None:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    await _save_dialog(context, chat.id, user.id, NEED_DIALOG, "item", {"cluster_id": actor.cluster.id})
    await reply(update, context, needs_input.ask_item(context.t))


async def on_need_text(update: Update, context: BotContext, dialog: core_repo.Dialog) -> None:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    actor = await require_member(update, context)
    if actor is None:
        return
    step = needs_input.NeedStep(dialog.step, dict(dialog.data))
    result = needs_input.need_dialog_text(
        step, message.text or "", actor.cluster, context.runtime.clock.now(), context.t
    )
    await _advance_need(update, context, actor, result)


async def _advance_need(update: Update, context: BotContext, actor: Actor, result: needs_input.StepResult) -> None:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    if result.draft is not None:
        await context.runtime.db.write(core_repo.clear_dialog, chat.id, user.id)
        await _publish_need(update, context, actor, result.draft)
        return
    if result.step is not None:
        await _save_dialog(context, chat.id, user.id, NEED_DIALOG, result.step.name, result.step.data)
    if result.reply is not None:
        await reply(update, context, result.reply)


async def on_need_button(update: Update, context: BotContext) -> None:
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    if query is None or query.data is None or chat is None or user is None:
        return
    runtime = context.runtime
    dialog = await runtime.db.read(core_repo.get_dialog, chat.id, user.id)
    if dialog is None or dialog.kind != NEED_DIALOG or dialog.expires_at < runtime.clock.timestamp():
        await query.answer(context.t.gettext("This button is no longer valid."))
        return
    actor = await require_member(update, context)
    if actor is None:
        return
    step = needs_input.NeedStep(dialog.step, dict(dialog.data))
    result = needs_input.need_dialog_button(step, query.data, actor.cluster, runtime.clock.now(), context.t)
    if result is None:
        await query.answer(context.t.gettext("This button is no longer valid."))
        return
    await query.answer()
    await _advance_need(update, context, actor, result)


async def on_duplicate_button(update: Update, context: BotContext) -> None:
    """ndup:yes posts the need the guard held back; ndup:no drops it."""
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    if query is None or query.data is None or chat is None or user is None:
        return
    runtime = context.runtime
    dialog = await runtime.db.read(core_repo.get_dialog, chat.id, user.id)
    if (
        dialog is None
        or dialog.kind != DUPLICATE_DIALOG
        or dialog.expires_at < runtime.clock.timestamp()
        or query.data not in ("ndup:yes", "ndup:no")
    ):
        await query.answer(context.t.gettext("This button is no longer valid."))
        return
    actor = await require_member(update, context)
    if actor is None:
        return
    await runtime.db.write(core_repo.clear_dialog, chat.id, user.id)
    await query.answer()
    if query.message is not None:
        with contextlib.suppress(BadRequest):
            await context.bot.edit_message_reply_markup(query.message.chat.id, query.message.message_id)
    if query.data == "ndup:no":
        await reply(update, context, context.t.gettext("Not sent. The need that is already open stays as it is."))
        return
    try:
        draft = svc.NeedDraft(**dialog.data.get("draft", {}))
    except TypeError:
        await reply(update, context, context.t.gettext("This button is no longer valid."))
        return
    await _publish_need(update, context, actor, draft, allow_duplicate=True)


async def on_duplicate_text(update: Update, context: BotContext, dialog: core_repo.Dialog) -> None:
    await reply(update, context, context.t.gettext("Tap 📤 Send anyway or ✖ Do not send above (or /batal)."))


# ---- offers ---------------------------------------------------------------------------------------


async def tawar(update: Update, context: BotContext) -> None:
    actor = await require_member(update, context)
    if actor is None:
        return
    line = command_args(update)
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    if not line:
        await _save_dialog(context, chat.id, user.id, OFFER_DIALOG, "line", {"cluster_id": actor.cluster.id})
        await reply(update, context, needs_input.ask_offer(context.t))
        return
    await _offer_from_line(update, context, actor, line)


async def _offer_from_line(update: Update, context: BotContext, actor: Actor, line: str) -> bool:
    runtime = context.runtime
    parsed = needs_input.parse_offer(line, actor.cluster, runtime.clock.now(), context.t)
    if isinstance(parsed, str):
        await reply(update, context, parsed)
        return False
    assert actor.org is not None and update.effective_user is not None and update.effective_chat is not None
    cluster, org_id, user_id, chat_id, t = (
        actor.cluster,
        actor.org.id,
        update.effective_user.id,
        update.effective_chat.id,
        context.t,
    )

    def tx(conn: sqlite3.Connection) -> tuple[None, list[Out]]:
        """The offer, its card, the matching needs and the answer: one transaction."""
        posted = svc.post_offer(conn, cluster.id, org_id, user_id, parsed, runtime.clock.timestamp())
        offer = posted.offer
        assert offer is not None
        group_t = translator(cluster.locale)
        outs = out_send(cluster.chat_id, views.offer_card(group_t, offer, cluster.timezone),
                        key=f"offer:{offer.id}", on_sent=OFFER_CARD, ref=offer.id)  # fmt: skip
        if posted.matching_needs:
            outs += out_send(cluster.chat_id, views.matching_needs_text(group_t, posted.matching_needs))
        if chat_id != cluster.chat_id:
            outs += out_reply(update, views.posted_elsewhere(t, offer.code))
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
    if await _offer_from_line(update, context, actor, message.text or ""):
        await context.runtime.db.write(core_repo.clear_dialog, chat.id, user.id)


async def on_offer_button(update: Update, context: BotContext) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    parts = query.data.split(":")
    actor = await current_actor(update, context)
    offer_id = parse_id(parts[2]) if len(parts) == 3 else None
    if actor is None or parts[1] != "wd" or offer_id is None:
        await query.answer(context.t.gettext("This button is no longer valid."))
        return
    secretariat = await is_secretariat(context, actor, user.id)
    org_id = actor.org.id if actor.is_active and actor.org else None
    runtime = context.runtime
    offer = await runtime.db.write(
        svc.withdraw_offer, offer_id, org_id, secretariat, user.id, runtime.clock.timestamp(), actor.cluster.id
    )
    if offer is None:
        await query.answer(
            context.t.gettext("Only the offering organisation or the secretariat can do this."), show_alert=True
        )
        return
    await query.answer(context.t.gettext("Saved."))
    await refresh_offer_card(context, offer)


# ---- need card buttons ----------------------------------------------------------------------------


async def on_card_button(update: Update, context: BotContext) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    t = context.t
    parts = query.data.split(":")
    need_id = parse_id(parts[2]) if len(parts) == 3 else None
    if need_id is None or parts[1] not in ("help", "info", "done", "cancel"):
        await query.answer(t.gettext("This button is no longer valid."))
        return
    runtime = context.runtime
    need = await runtime.db.read(repo.need_by_id, need_id)
    actor = await current_actor(update, context)
    if need is None or actor is None or need.cluster_id != actor.cluster.id:
        await query.answer(t.gettext("This button is no longer valid."))
        return
    action = parts[1]
    if action in ("help", "info"):
        prefix = "bantu" if action == "help" else "detail"
        await query.answer(url=f"https://t.me/{context.bot.username}?start={prefix}_{need.id}")
        return
    secretariat = await is_secretariat(context, actor, user.id)
    org_id = actor.org.id if actor.is_active and actor.org else None
    status = "fulfilled" if action == "done" else "cancelled"
    cluster, bot_username = actor.cluster, context.bot.username

    def tx(conn: sqlite3.Connection) -> tuple[svc.PledgeResult, list[Out]]:
        """The closing, the card's edit and the pledgers' notices: one transaction."""
        result = svc.close_need(conn, need.id, status, user.id, org_id, secretariat, runtime.clock.timestamp())
        if not result.ok:
            return result, []
        assert result.need is not None
        outs = need_card_edit(conn, cluster, result.need, bot_username)
        for uid in result.notify_user_ids:
            outs += out_send(uid, views.pledge_closed_notice(translator(cluster.locale), result.need))
        return result, outs

    async def answer_press(result: svc.PledgeResult) -> None:
        if result.ok:
            await query.answer(t.gettext("Saved."))
            return
        text = (
            t.gettext("Only the organisation that posted the need or the secretariat can close it.")
            if result.reason == "not_allowed"
            else t.gettext("This was already decided.")
        )
        await query.answer(text, show_alert=True)

    await commit(context, tx, then=answer_press)


# ---- pledges --------------------------------------------------------------------------------------


async def deeplink_help(update: Update, context: BotContext, arg: str) -> None:
    actor = await require_member(update, context)
    if actor is None:
        return
    need_id = parse_id(arg)
    need = await context.runtime.db.read(repo.need_by_id, need_id) if need_id is not None else None
    if need is None or need.cluster_id != actor.cluster.id:
        await reply(update, context, context.t.gettext("This link is no longer valid."))
        return
    if need.status != "open":
        await reply(update, context, context.t.gettext("{code} is already closed. Thank you!").format(code=need.code))
        return
    if actor.org is not None and actor.org.id == need.organization_id:
        await reply(update, context, _pledge_reason(context, "own_need"))
        return
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    await _save_dialog(context, chat.id, user.id, PLEDGE_DIALOG, "amount", {"need_id": need.id})
    await reply(update, context, views.ask_pledge(context.t, need))


async def deeplink_detail(update: Update, context: BotContext, arg: str) -> None:
    actor = await current_actor(update, context)
    need_id = parse_id(arg)
    need = await context.runtime.db.read(repo.need_by_id, need_id) if need_id is not None else None
    if need is None or actor is None or need.cluster_id != actor.cluster.id:
        await reply(update, context, context.t.gettext("This link is no longer valid."))
        return
    pledges = await context.runtime.db.read(repo.pledges_of_need, need.id)
    await reply(update, context, views.need_detail(context.t, need, pledges, actor.cluster.timezone))


async def _pledge(update: Update, context: BotContext, need_id: int, quantity: float, offer_id: int | None) -> None:
    actor = await require_member(update, context)
    if actor is None or actor.org is None or update.effective_user is None:
        return
    runtime = context.runtime
    t = context.t
    need = await runtime.db.read(repo.need_by_id, need_id)
    if need is None or need.cluster_id != actor.cluster.id:
        await reply(update, context, t.gettext("This button is no longer valid."))
        return
    chat, user_id, org_id, cluster = update.effective_chat, update.effective_user.id, actor.org.id, actor.cluster
    bot_username = context.bot.username

    def tx(conn: sqlite3.Connection) -> tuple[svc.PledgeResult, list[Out]]:
        """The pledge, the answer, the card edits and the owners' notices: one transaction."""
        result = svc.make_pledge(conn, need_id, org_id, user_id, quantity, runtime.clock.timestamp(), offer_id)
        if not result.ok:
            return result, []
        assert result.need is not None and result.pledge is not None
        if chat is not None:
            core_repo.clear_dialog(conn, chat.id, user_id)
        outs = out_reply(update, views.pledge_saved(t, result.need, result.pledge))
        outs += need_card_edit(conn, cluster, result.need, bot_username)
        if offer_id is not None:
            offer = repo.offer_by_id(conn, offer_id)
            if offer is not None and offer.chat_id is not None and offer.message_id is not None:
                outs += out_edit(offer.chat_id, offer.message_id,
                                 views.offer_card(translator(cluster.locale), offer, cluster.timezone),
                                 key=f"offer:{offer.id}")  # fmt: skip
        group_t = translator(cluster.locale)
        for uid in result.notify_user_ids:
            if uid != user_id:
                outs += out_send(uid, views.owner_notice(group_t, result.need, result.pledge))
        return result, outs

    result = await commit(context, tx)
    if not result.ok:
        await reply(update, context, _pledge_reason(context, result.reason))
        return


def _pledge_reason(context: BotContext, reason: str) -> str:
    t = context.t
    return {
        "need_closed": t.gettext("This need is already closed. Thank you!"),
        "own_need": t.gettext(
            "This is your own organisation's need, so it cannot pledge to it. When it is covered, tap ✅ Fulfilled"
            " on its card."
        ),
        "bad_quantity": t.gettext("The amount must be more than 0."),
        "offer_used": t.gettext("That offer is no longer available."),
        "not_allowed": t.gettext(
            "Only the pledging organisation, the need's organisation or the secretariat can do this."
        ),
        "already": t.gettext("This was already decided."),
    }.get(reason, t.gettext("This button is no longer valid."))


async def on_pledge_text(update: Update, context: BotContext, dialog: core_repo.Dialog) -> None:
    message = update.effective_message
    if message is None:
        return
    need = await context.runtime.db.read(repo.need_by_id, int(dialog.data.get("need_id", 0)))
    if need is None:
        await reply(update, context, context.t.gettext("This link is no longer valid."))
        return
    amount = needs_input.parse_pledge_amount(message.text or "", need.unit, context.t)
    if isinstance(amount, str):
        await reply(update, context, amount)
        return
    await _pledge(update, context, need.id, amount, None)


async def on_pledge_button(update: Update, context: BotContext) -> None:
    """pl:q:<need>:<amount> (amount buttons) and pl:o:<need>:<offer> (one tap from a matching offer)."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    parts = query.data.split(":")
    try:
        kind, need_id, value = parts[1], parse_id(parts[2]), parts[3]
        amount = float(value) if kind == "q" else 0.0
        offer_id = parse_id(value) if kind == "o" else None
    except (IndexError, ValueError):
        await query.answer(context.t.gettext("This button is no longer valid."))
        return
    if (
        need_id is None
        or kind not in ("q", "o")
        or (kind == "q" and not 0 < amount <= svc.MAX_QUANTITY)
        or (kind == "o" and offer_id is None)
    ):
        await query.answer(context.t.gettext("This button is no longer valid."))
        return
    await query.answer()
    if offer_id is not None:
        need = await context.runtime.db.read(repo.need_by_id, need_id)
        amount = need.remaining if need is not None and need.remaining > 0 else (need.quantity if need else 1.0)
    await _pledge(update, context, need_id, amount, offer_id)
    if query.message is not None:
        # The amount buttons are spent; a message that is already gone or unchanged is fine.
        with contextlib.suppress(BadRequest):
            await context.bot.edit_message_reply_markup(
                query.message.chat.id, query.message.message_id, reply_markup=None
            )


async def on_pledge_state(update: Update, context: BotContext) -> None:
    """pg:sent / pg:recv / pg:cancel on a pledge; the card is edited in place."""
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    t = context.t
    parts = query.data.split(":")
    targets = {"sent": "sent", "recv": "received", "cancel": "cancelled"}
    pledge_id = parse_id(parts[2]) if len(parts) == 3 else None
    if pledge_id is None or parts[1] not in targets:
        await query.answer(t.gettext("This button is no longer valid."))
        return
    runtime = context.runtime
    pledge = await runtime.db.read(repo.pledge_by_id, pledge_id)
    need = await runtime.db.read(repo.need_by_id, pledge.need_id) if pledge else None
    cluster = await runtime.db.read(members_repo.cluster_by_id, need.cluster_id) if need else None
    if pledge is None or need is None or cluster is None:
        await query.answer(t.gettext("This button is no longer valid."))
        return
    actor = await runtime.db.read(_actor_in, cluster, user.id)
    secretariat = await is_secretariat(context, actor, user.id)
    org_id = actor.org.id if actor.is_active and actor.org else None
    pressed, bot_username = query.message, context.bot.username

    def tx(conn: sqlite3.Connection) -> tuple[svc.PledgeResult, list[Out]]:
        """The move, the pressed message, the need card, the notices and a closing note: one transaction."""
        result = svc.move_pledge(conn, pledge.id, targets[parts[1]], user.id, org_id, secretariat,
                                 runtime.clock.timestamp())  # fmt: skip
        if not result.ok:
            return result, []
        assert result.need is not None and result.pledge is not None
        outs: list[Out] = []
        if pressed is not None:
            outs += out_edit(pressed.chat.id, pressed.message_id,
                             Reply(views.pledge_moved(t, result.need, result.pledge),
                                   views.pledge_buttons(t, result.pledge)),
                             key=f"pledge:{pledge.id}:{pressed.chat.id}:{pressed.message_id}")  # fmt: skip
        outs += need_card_edit(conn, cluster, result.need, bot_username)
        group_t = translator(cluster.locale)
        for uid in result.notify_user_ids:
            if result.pledge.status == "sent":
                outs += out_send(uid, views.owner_notice(group_t, result.need, result.pledge))
            else:
                outs += out_send(uid, views.pledge_moved(group_t, result.need, result.pledge))
        if result.closed_now:
            outs += out_send(cluster.chat_id, views.need_closed_text(group_t, result.need))
        for hook in runtime.contributions(PLEDGE_MOVED):
            outs += hook(conn, result.pledge, runtime.clock.timestamp())
        return result, outs

    async def answer_press(result: svc.PledgeResult) -> None:
        if not result.ok:
            await query.answer(_pledge_reason(context, result.reason), show_alert=True)
        else:
            await query.answer(t.gettext("Saved."))

    await commit(context, tx, then=answer_press)


def _actor_in(conn: Any, cluster: Cluster, user_id: int) -> Actor:
    from bot.features.members.service import resolve_actor

    return resolve_actor(conn, cluster, user_id)


async def komitmen(update: Update, context: BotContext) -> None:
    """/komitmen: my organisation's open pledges, with their buttons."""
    actor = await require_member(update, context)
    if actor is None or actor.org is None:
        return
    pledges = await context.runtime.db.read(repo.pledges_of_org, actor.org.id, ("pledged", "sent"))
    if not pledges:
        await reply(update, context, context.t.gettext("Your organisation has no open pledges."))
        return
    for pledge in pledges[:10]:
        need = await context.runtime.db.read(repo.need_by_id, pledge.need_id)
        if need is not None:
            await reply(
                update,
                context,
                Reply(views.pledge_moved(context.t, need, pledge), views.pledge_buttons(context.t, pledge)),
            )


# ---- one need: /kebutuhan K-0003 [jumlah|tenggat|lokasi …] --------------------------------------------

_NEED_CODE_RE = re.compile(r"^K-?0*(\d{1,9})(?:\s+(.*))?$", re.IGNORECASE | re.DOTALL)
_EDIT_WORDS = {"jumlah": "quantity", "quantity": "quantity", "tenggat": "needed_by", "deadline": "needed_by",
               "lokasi": "location", "tempat": "location", "place": "location"}  # fmt: skip
MAX_LOCATION_CHARS = 200


async def _one_need(update: Update, context: BotContext, actor: Actor, number: int, rest: str) -> None:
    runtime, t = context.runtime, context.t
    assert update.effective_user is not None
    need = await runtime.db.read(repo.need_by_number, actor.cluster.id, number)
    if need is None:
        await reply(update, context, t.gettext("There is no need K-{n:04d} in this cluster.").format(n=number))
        return
    if not rest:
        incident = (
            await runtime.db.read(repo.incident_by_id, actor.cluster.id, need.incident_id) if need.incident_id else None
        )
        card = views.need_card(t, need, actor.cluster.timezone, context.bot.username, incident)
        own = actor.is_active and actor.org is not None and actor.org.id == need.organization_id
        if need.status == "open" and (own or await is_secretariat(context, actor, update.effective_user.id)):
            card = Reply(card.text + "\n\n" + views.edit_hint(t, need), card.keyboard)
        await reply(update, context, card)
        return
    word, _, value = rest.strip().partition(" ")
    field_name = _EDIT_WORDS.get(word.lower())
    value = value.strip()
    if field_name is None or not value:
        await reply(update, context, views.edit_hint(t, need))
        return
    changes: dict[str, Any] = {}
    if field_name == "quantity":
        amount = needs_input.parse_pledge_amount(value, need.unit, t)
        if isinstance(amount, str):
            await reply(update, context, amount)
            return
        changes["quantity"] = amount
    elif field_name == "needed_by":
        when = dates.parse_datetime(value, runtime.clock.now(), actor.cluster.timezone)
        if not isinstance(when, dates.ParsedDate):
            await reply(update, context, t.gettext("I did not understand the date “{bad}”.").format(bad=esc(value[:40])))
            return
        deadline = when.value if when.has_time else when.value.replace(hour=23, minute=59)
        if deadline < runtime.clock.now():
            await reply(update, context, t.gettext("The date {day} is in the past.").format(day=t.date(deadline)))
            return
        changes["needed_by"] = int(deadline.timestamp())
    else:
        changes["location"] = " ".join(value.split())[:MAX_LOCATION_CHARS]
    secretariat = await is_secretariat(context, actor, update.effective_user.id)
    org_id = actor.org.id if actor.is_active and actor.org else None
    result = await runtime.db.write(
        svc.edit_need, need.id, actor.cluster.id, org_id, secretariat, update.effective_user.id,
        runtime.clock.timestamp(), changes.get("quantity"), changes.get("needed_by"), changes.get("location"),
    )  # fmt: skip
    if not result.ok:
        reasons = {
            "not_allowed": t.gettext("Only the organisation that posted the need or the secretariat can change it."),
            "closed": t.gettext("This need is already closed. Thank you!"),
            "bad_quantity": t.gettext("The amount must be more than 0."),
            "unchanged": t.gettext("Nothing changed: that is already the value."),
        }
        await reply(update, context, reasons.get(result.reason, t.gettext("This button is no longer valid.")))
        return
    assert result.need is not None and result.before is not None
    await reply(update, context, views.need_edited(t, result.before, result.need, actor.cluster.timezone))
    await refresh_need_card(context, result.need)
    group_t = translator(actor.cluster.locale)
    for uid in result.notify_user_ids:
        if uid != update.effective_user.id:
            await send(context, uid, views.need_edited(group_t, result.before, result.need, actor.cluster.timezone, True))


# ---- replies where people are: a number to a card, "sudah dikirim" to a pledge notice -----------------------

_SENT_RE = re.compile(r"^\s*(?:sudah\s+|udah\s+|sdh\s+)?(?:di\s*kirim|terkirim|berangkat|sent)\b", re.IGNORECASE)
_RECEIVED_RE = re.compile(
    r"^\s*(?:sudah\s+|udah\s+|sdh\s+)?(?:di\s*terima|sampai|tiba|received|arrived)\b", re.IGNORECASE
)
_PLEDGE_BUTTON_RE = re.compile(r"^pg:(sent|recv):(\d{1,12})$")


async def on_reply(update: Update, context: BotContext) -> None:
    """A reply to one of the bot's messages: a number on a need card pledges it; "sudah dikirim" /
    "sudah diterima" on a pledge notice asks to move that pledge. Anything else goes on as ordinary text."""
    message, chat = update.effective_message, update.effective_chat
    target = message.reply_to_message if message is not None else None
    if (
        message is None
        or chat is None
        or target is None
        or target.from_user is None
        or target.from_user.id != context.bot.id
        or not message.text
    ):
        await plumbing.on_text(update, context)
        return
    text = message.text.strip()
    need = await context.runtime.db.read(repo.need_by_message, chat.id, target.message_id)
    if need is not None and _looks_like_amount(text):
        amount = needs_input.parse_pledge_amount(text, need.unit, context.t)
        if isinstance(amount, str):
            await reply(update, context, amount)
            return
        await _pledge(update, context, need.id, amount, None)
        return
    wanted = "sent" if _SENT_RE.match(text) else "recv" if _RECEIVED_RE.match(text) else None
    if wanted is not None and target.reply_markup is not None:
        for row in target.reply_markup.inline_keyboard:
            for button in row:
                found = _PLEDGE_BUTTON_RE.match(str(button.callback_data or ""))
                if found and found.group(1) == wanted:
                    pledge = await context.runtime.db.read(repo.pledge_by_id, int(found.group(2)))
                    pledge_need = await context.runtime.db.read(repo.need_by_id, pledge.need_id) if pledge else None
                    if pledge is not None and pledge_need is not None:
                        await reply(update, context, views.confirm_move(context.t, pledge_need, pledge, wanted))
                        return
    await plumbing.on_text(update, context)


def _looks_like_amount(text: str) -> bool:
    """Only a quantity ("50", "1,5 ton", "200 lembar"): chatter in reply to a card is left alone."""
    found = qty_domain.parse_quantity(text)
    return not isinstance(found, qty_domain.QuantityError) or bool(re.fullmatch(r"[\d.,\s]+", text))


# ---- lists ----------------------------------------------------------------------------------------


async def kebutuhan(update: Update, context: BotContext) -> None:
    actor = await current_actor(update, context)
    if actor is None:
        actor = await require_member(update, context)
        if actor is None:
            return
    single = _NEED_CODE_RE.match(command_args(update).strip())
    if single is not None:
        await _one_need(update, context, actor, int(single.group(1)), (single.group(2) or "").strip())
        return
    filters_ = needs_input.parse_list_filters(command_args(update), actor.cluster)
    if filters_.mine and not actor.is_active:
        await require_member(update, context)
        return
    needs = await context.runtime.db.read(
        repo.list_needs,
        actor.cluster.id,
        "open",
        filters_.region_code,
        filters_.item_key,
        filters_.category,
        filters_.priority,
        filters_.incident_id,
        actor.org.id if filters_.mine and actor.org else None,
    )
    title = context.t.gettext("Open needs") + (f" — {filters_.label}" if filters_.label else "")
    await reply(update, context, views.needs_list(context.t, needs, 0, title, "nl:" + filters_.encode()))


async def tawaran(update: Update, context: BotContext) -> None:
    actor = await current_actor(update, context)
    if actor is None:
        actor = await require_member(update, context)
        if actor is None:
            return
    filters_ = needs_input.parse_list_filters(command_args(update), actor.cluster)
    offers = await context.runtime.db.read(
        repo.list_offers,
        actor.cluster.id,
        "open",
        filters_.region_code,
        filters_.item_key,
        filters_.category,
        actor.org.id if filters_.mine and actor.org else None,
    )
    title = context.t.gettext("Open offers") + (f" — {filters_.label}" if filters_.label else "")
    await reply(update, context, views.offers_list(context.t, offers, 0, title, "ol:" + filters_.encode()))


async def on_list_page(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    actor = await current_actor(update, context)
    parts = query.data.split(":")
    filters_ = needs_input.ListFilters.decode(":".join(parts[1:-1])) if len(parts) >= 3 else None
    page = parse_id(parts[-1])
    if actor is None or filters_ is None or page is None:
        await query.answer(context.t.gettext("This button is no longer valid."))
        return
    await query.answer()
    org_id = actor.org.id if filters_.mine and actor.org else None
    prefix = parts[0] + ":" + filters_.encode()
    if parts[0] == "nl":
        needs = await context.runtime.db.read(
            repo.list_needs,
            actor.cluster.id,
            "open",
            filters_.region_code,
            filters_.item_key,
            filters_.category,
            filters_.priority,
            filters_.incident_id,
            org_id,
        )
        content = views.needs_list(context.t, needs, page, context.t.gettext("Open needs"), prefix)
    else:
        offers = await context.runtime.db.read(
            repo.list_offers,
            actor.cluster.id,
            "open",
            filters_.region_code,
            filters_.item_key,
            filters_.category,
            org_id,
        )
        content = views.offers_list(context.t, offers, page, context.t.gettext("Open offers"), prefix)
    await edit(context, query.message.chat.id, query.message.message_id, content)


# ---- incidents ------------------------------------------------------------------------------------


async def kejadian(update: Update, context: BotContext) -> None:
    args = command_args(update)
    if not args:
        actor = await current_actor(update, context)
        if actor is None:
            actor = await require_member(update, context)
            if actor is None:
                return
        incidents = await context.runtime.db.read(repo.incidents, actor.cluster.id)
        await reply(update, context, needs_input.incidents_text(context.t, incidents, actor.cluster.timezone))
        return
    actor = await require_secretariat(update, context)
    if actor is None or update.effective_user is None:
        return
    runtime = context.runtime
    command = needs_input.parse_incident_command(args, actor.cluster, runtime.clock.now(), context.t)
    if isinstance(command, str):
        await reply(update, context, command)
        return
    now = runtime.clock.timestamp()
    if command.action == "new":
        incident = await runtime.db.write(
            repo.create_incident,
            actor.cluster.id,
            command.type,
            command.title,
            command.region_codes,
            command.status,
            command.started_at,
            update.effective_user.id,
            now,
        )
        await reply(
            update,
            context,
            context.t.gettext("Saved. Incident declared:")
            + "\n"
            + views.incident_line(context.t, incident, actor.cluster.timezone),
        )
        return
    existing = await runtime.db.read(repo.incident_by_id, actor.cluster.id, command.incident_id)
    if existing is None:
        await reply(
            update,
            context,
            context.t.gettext("There is no incident #{n} in this cluster. Type /kejadian for the list.").format(
                n=command.incident_id
            ),
        )
        return
    await runtime.db.write(repo.set_incident_status, existing.id, command.status, now)
    updated = await runtime.db.read(repo.incident_by_id, actor.cluster.id, existing.id)
    assert updated is not None
    await reply(
        update,
        context,
        context.t.gettext("Saved.") + "\n" + views.incident_line(context.t, updated, actor.cluster.timezone),
    )


# ---- escalation job -------------------------------------------------------------------------------


async def escalate_job(app: AnyApp, job: JobRow, now: int, late: bool) -> tuple[str, str]:
    def tx(conn: sqlite3.Connection) -> tuple[tuple[str, str], list[Out]]:
        """The escalation to the group and the secretariat, written with the job's "done"."""
        escalation = svc.escalation_due(conn, int(job.payload.get("need_id", 0)), now)
        if escalation is None:
            return ("done", "covered"), []
        need = escalation.need
        cluster = members_repo.cluster_by_id(conn, need.cluster_id)
        if cluster is None:
            return ("missed", "no cluster"), []
        t = translator(cluster.locale)
        hours = max(1.0, round((now - need.created_at) / 3600, 1))
        text = views.escalation_text(t, need, hours)
        outs = out_send(cluster.chat_id, text)
        for uid in escalation.secretariat_user_ids:
            outs += out_send(uid, text)
        jobs_repo.finish(conn, job.id, "done", now, "")
        return ("done", ""), outs

    return await commit(app, tx)


def register(app: AnyApp) -> None:
    add_command(
        app,
        CommandSpec(
            "butuh",
            N_("Post a need (what, how much, where, how urgent)"),
            "/butuh 500 paket sembako HSS mendesak untuk 120 KK besok",
            aliases=("need",),
            section="kebutuhan",
        ),
        butuh,
    )
    add_command(
        app,
        CommandSpec(
            "tawar",
            N_("Post an offer of goods or equipment"),
            "/tawar 200 terpal Banjarbaru sampai {d+14}",
            aliases=("offer",),
            section="kebutuhan",
        ),
        tawar,
    )
    add_command(
        app,
        CommandSpec(
            "kebutuhan",
            N_("Open needs, filtered by region, item or priority"),
            "/kebutuhan HSS mendesak",
            aliases=("needs",),
            section="kebutuhan",
        ),
        kebutuhan,
    )
    add_command(
        app,
        CommandSpec(
            "tawaran",
            N_("Open offers, filtered by region or item"),
            "/tawaran terpal",
            aliases=("offers",),
            section="kebutuhan",
        ),
        tawaran,
    )
    add_command(
        app,
        CommandSpec(
            "komitmen",
            N_("Your organisation's open pledges"),
            aliases=("pledges",),
            scopes=("private",),
            section="kebutuhan",
        ),
        komitmen,
    )
    add_command(
        app,
        CommandSpec(
            "kejadian",
            N_("Incidents: list, declare, change status (secretariat)"),
            "/kejadian banjir HSS, HST tanggap darurat {d-2}",
            aliases=("incident",),
            section="kebutuhan",
        ),
        kejadian,
    )
    app.add_handler(CallbackQueryHandler(on_card_button, pattern=r"^nd:"))
    app.add_handler(CallbackQueryHandler(on_pledge_button, pattern=r"^pl:"))
    app.add_handler(CallbackQueryHandler(on_pledge_state, pattern=r"^pg:"))
    app.add_handler(CallbackQueryHandler(on_offer_button, pattern=r"^of:"))
    app.add_handler(CallbackQueryHandler(on_need_button, pattern=r"^nf:"))
    app.add_handler(CallbackQueryHandler(on_duplicate_button, pattern=r"^ndup:"))
    app.add_handler(MessageHandler(filters.REPLY & filters.TEXT & ~filters.COMMAND, on_reply))
    app.add_handler(CallbackQueryHandler(on_list_page, pattern=r"^(nl|ol):"))


__all__ = ["ChatType", "esc", "register"]
