"""Pledges: 🤝 Saya bantu (deep link → amount), the amount buttons, one tap from a matching offer, a number in
reply to a card, the stages (sent → received, cancelled), /komitmen, and what a pledge owes (``pledge_outs``, also
used by the stock feature for pledges from stock)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial

from telegram import Update

from bot.features.members import storage as members_repo
from bot.features.members.gate import current_actor, require_member
from bot.features.members.models import Cluster
from bot.features.members.service import resolve_actor
from bot.features.needs import list_views, views
from bot.features.needs import service as svc
from bot.features.needs import storage as repo
from bot.features.needs.callbacks import PledgeAmountButton, PledgeStateButton
from bot.features.needs.events import PLEDGE_MOVED
from bot.features.needs.handlers import input as needs_input
from bot.features.needs.handlers.cards import need_card_edit, offer_card_edit
from bot.kernel import dialogs, plumbing
from bot.kernel import storage as core_repo
from bot.kernel.callbacks import stale
from bot.kernel.context import BotContext
from bot.kernel.i18n import Translator, translator
from bot.kernel.outbox import commit, out_edit, out_reply, out_send
from bot.kernel.outbox_storage import Out
from bot.kernel.permissions import is_group_admin
from bot.kernel.sql import Conn
from bot.kernel.telegram import parse_id, reply
from bot.kernel.views import Reply
from bot.shared import quantity as qty_domain

PLEDGE_DIALOG = "pledge"


def pledge_outs(
    conn: Conn,
    *,
    cluster: Cluster,
    result: svc.PledgeResult,
    user_id: int,
    t: Translator,
    bot_username: str,
    update: Update | None = None,
    pressed: tuple[int, int] | None = None,
    offer_id: int | None = None,
) -> list[Out]:
    """What a new pledge owes, as outbox rows inside the pledge's own transaction: the pledger's answer (the
    pressed message edited to say it, else a reply to ``update``), the need card's edit, the offer card's edit
    (a pledge from an offer), and the notices to the need's organisation (not to the pledger himself).

    The stock feature calls this for a pledge from a stock line (``pressed``: the match notice)."""
    assert result.need is not None and result.pledge is not None
    saved = views.pledge_saved(t, result.need, result.pledge)
    outs: list[Out] = []
    if pressed is not None:
        chat_id, message_id = pressed
        outs += out_edit(chat_id, message_id, saved, key=f"pledge:{result.pledge.id}:{chat_id}:{message_id}")
    elif update is not None:
        outs += out_reply(update, saved)
    outs += need_card_edit(conn, cluster, result.need, bot_username)
    if offer_id is not None:
        offer = repo.offer_by_id(conn, offer_id)
        if offer is not None:
            outs += offer_card_edit(cluster, offer)
    group_t = translator(cluster.locale)
    for uid in result.notify_user_ids:
        if uid != user_id:
            outs += out_send(uid, views.owner_notice(group_t, result.need, result.pledge))
    return outs


async def deeplink_help(update: Update, context: BotContext, arg: str) -> None:
    """``/start bantu_<need>``: ask how much, with amount buttons; the need is read, the dialog saved and the
    question owed in one transaction."""
    actor = await require_member(update, context)
    if actor is None:
        return
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    need_id, t, cluster_id = parse_id(arg), context.t, actor.cluster.id
    org_id = actor.org.id if actor.org is not None else None
    now = context.runtime.clock.timestamp()

    def tx(conn: Conn) -> tuple[None, list[Out]]:
        need = repo.need_by_id(conn, need_id) if need_id is not None else None
        if need is None or need.cluster_id != cluster_id:
            return None, out_reply(update, t.gettext("This link is no longer valid."))
        if need.status != "open":
            return None, out_reply(update, t.gettext("{code} is already closed. Thank you!").format(code=need.code))
        if org_id == need.organization_id:
            return None, out_reply(update, pledge_reason(t, "own_need"))
        dialogs.save_tx(conn, chat_id=chat.id, user_id=user.id, kind=PLEDGE_DIALOG, step="amount",
                        data={"need_id": need.id}, now=now)  # fmt: skip
        return None, out_reply(update, views.ask_pledge(t, need))

    await commit(context, tx)


async def deeplink_detail(update: Update, context: BotContext, arg: str) -> None:
    actor = await current_actor(update, context)
    need_id = parse_id(arg)
    need, pledges = (
        await context.runtime.db.read(partial(svc.need_with_pledges, need_id=need_id))
        if need_id is not None
        else (None, [])
    )
    if need is None or actor is None or need.cluster_id != actor.cluster.id:
        await reply(update, context, context.t.gettext("This link is no longer valid."))
        return
    await reply(update, context, list_views.need_detail(context.t, need, pledges, actor.cluster.timezone))


async def pledge(update: Update, context: BotContext, need_id: int, quantity: float, offer_id: int | None) -> None:
    """Pledge ``quantity`` (0 with an offer: what is still open) for the need: the pledge and everything it owes
    in one transaction (the need is read inside it). A button press gets one answer and its message edited; a
    typed amount gets a reply."""
    actor = await require_member(update, context)
    if actor is None or actor.org is None or update.effective_user is None:
        return
    runtime, t, query = context.runtime, context.t, update.callback_query
    chat, user_id, org_id, cluster = update.effective_chat, update.effective_user.id, actor.org.id, actor.cluster
    bot_username = context.bot.username
    message = query.message if query is not None else None
    pressed = (message.chat.id, message.message_id) if message is not None else None

    def tx(conn: Conn) -> tuple[svc.PledgeResult, list[Out]]:
        """The pledge, the answer, the card edits and the owners' notices: one transaction."""
        result = svc.make_pledge(conn, need_id, org_id, user_id, quantity, runtime.clock.timestamp(), offer_id,
                                 cluster_id=cluster.id)  # fmt: skip
        if not result.ok:
            return result, []
        if chat is not None:
            core_repo.clear_dialog(conn, chat.id, user_id)
        return result, pledge_outs(conn, cluster=cluster, result=result, user_id=user_id, t=t,
                                   bot_username=bot_username, update=update, pressed=pressed, offer_id=offer_id)  # fmt: skip

    async def answer_press(result: svc.PledgeResult) -> None:
        if query is None:
            return
        if result.ok:
            await query.answer()  # the pressed message's edit says it
        else:
            await query.answer(pledge_reason(t, result.reason), show_alert=True)

    result = await commit(context, tx, then=answer_press)
    if not result.ok and query is None:
        await reply(update, context, pledge_reason(t, result.reason))


def pledge_reason(t: Translator, reason: str) -> str:
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
    await pledge(update, context, need.id, amount, None)


async def on_pledge_button(update: Update, context: BotContext, button: PledgeAmountButton) -> None:
    """pl:q:<need>:<amount> (amount buttons) and pl:o:<need>:<offer> (one tap from a matching offer)."""
    try:
        amount = float(button.value) if button.kind == "q" else 0.0
    except ValueError:
        amount = -1.0
    offer_id = parse_id(button.value) if button.kind == "o" else None
    if (button.kind == "q" and not 0 < amount <= svc.MAX_QUANTITY) or (button.kind == "o" and offer_id is None) or (
        button.kind not in ("q", "o")
    ):
        await stale(update, context)
        return
    await pledge(update, context, button.need_id, amount, offer_id)


@dataclass
class _Move:
    result: svc.PledgeResult | None  # None: the pledge, its need or its cluster is gone
    cluster_chat_id: int = 0
    secretariat: bool = False  # by the stored list (a group administrator is asked only when it matters)


async def on_pledge_state(update: Update, context: BotContext, button: PledgeStateButton) -> None:
    """pg:sent / pg:recv / pg:cancel on a pledge; the card is edited in place. The pledge, its need, the cluster
    and the person are read inside the move's transaction; Telegram is asked whether the person is a group
    administrator only when the move is not theirs to make otherwise."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    t = context.t
    targets = {"sent": "sent", "recv": "received", "cancel": "cancelled"}
    if button.action not in targets:
        await stale(update, context)
        return
    runtime = context.runtime
    pressed, bot_username = query.message, context.bot.username

    def tx(conn: Conn, admin: bool) -> tuple[_Move, list[Out]]:
        """The move, the pressed message, the need card, the notices and a closing note: one transaction."""
        repo.lock_pledge(conn, button.pledge_id)  # before the reads the move is decided on (PostgreSQL)
        pledge_row = repo.pledge_by_id(conn, button.pledge_id)
        need = repo.need_by_id(conn, pledge_row.need_id) if pledge_row else None
        cluster = members_repo.cluster_by_id(conn, need.cluster_id) if need else None
        if pledge_row is None or need is None or cluster is None:
            return _Move(None), []
        actor = resolve_actor(conn, cluster, user.id)
        org_id = actor.org.id if actor.is_active and actor.org else None
        result = svc.move_pledge(conn, pledge_row.id, targets[button.action], user.id, org_id,
                                 actor.is_secretariat or admin, runtime.clock.timestamp(),
                                 locked=(pledge_row, need))  # fmt: skip
        move = _Move(result, cluster.chat_id, actor.is_secretariat)
        if not result.ok:
            return move, []
        assert result.need is not None and result.pledge is not None
        outs: list[Out] = []
        if pressed is not None:
            outs += out_edit(pressed.chat.id, pressed.message_id,
                             Reply(views.pledge_moved(t, result.need, result.pledge),
                                   views.pledge_buttons(t, result.pledge)),
                             key=f"pledge:{pledge_row.id}:{pressed.chat.id}:{pressed.message_id}")  # fmt: skip
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
        return move, outs

    def ask_admin(move: _Move) -> bool:
        return move.result is not None and move.result.reason == "not_allowed" and not move.secretariat

    async def answer_press(move: _Move) -> None:
        if move.result is None:
            await stale(update, context)
        elif move.result.ok:
            await query.answer(t.gettext("Saved."))
        elif not ask_admin(move):
            await query.answer(pledge_reason(t, move.result.reason), show_alert=True)

    move = await commit(context, tx, False, then=answer_press)
    if ask_admin(move):
        # The secretariat also counts the group's administrators: asked only now, when it decides.
        if await is_group_admin(context, move.cluster_chat_id, user.id):
            await commit(context, tx, True, then=answer_press)
        else:
            await answer_press(_Move(svc.PledgeResult(False, "not_allowed"), secretariat=True))


async def komitmen(update: Update, context: BotContext) -> None:
    """/komitmen: my organisation's open pledges, with their buttons."""
    actor = await require_member(update, context)
    if actor is None or actor.org is None:
        return
    found = await context.runtime.db.read(partial(svc.open_pledges_of_org, org_id=actor.org.id))
    if not found:
        await reply(update, context, context.t.gettext("Your organisation has no open pledges."))
        return
    for one, need in found:
        await reply(
            update,
            context,
            Reply(views.pledge_moved(context.t, need, one), views.pledge_buttons(context.t, one)),
        )


# ---- replies where people are: a number to a card, "sudah dikirim" to a pledge notice -----------------------

_SENT_RE = re.compile(r"^\s*(?:sudah\s+|udah\s+|sdh\s+)?(?:di\s*kirim|terkirim|berangkat|sent)\b", re.IGNORECASE)
_RECEIVED_RE = re.compile(
    r"^\s*(?:sudah\s+|udah\s+|sdh\s+)?(?:di\s*terima|sampai|tiba|received|arrived)\b", re.IGNORECASE
)


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
        await pledge(update, context, need.id, amount, None)
        return
    wanted = "sent" if _SENT_RE.match(text) else "recv" if _RECEIVED_RE.match(text) else None
    if wanted is not None and target.reply_markup is not None:
        for row in target.reply_markup.inline_keyboard:
            for key in row:
                found = PledgeStateButton.unpack(str(key.callback_data or ""))
                if found is not None and found.action == wanted:
                    pledge_row = await context.runtime.db.read(repo.pledge_by_id, found.pledge_id)
                    pledge_need = (
                        await context.runtime.db.read(repo.need_by_id, pledge_row.need_id) if pledge_row else None
                    )
                    if pledge_row is not None and pledge_need is not None:
                        await reply(update, context, views.confirm_move(context.t, pledge_need, pledge_row, wanted))
                        return
    await plumbing.on_text(update, context)


def _looks_like_amount(text: str) -> bool:
    """Only a quantity ("50", "1,5 ton", "200 lembar"): chatter in reply to a card is left alone."""
    found = qty_domain.parse_quantity(text)
    return not isinstance(found, qty_domain.QuantityError) or bool(re.fullmatch(r"[\d.,\s]+", text))
