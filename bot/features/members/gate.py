"""Who is acting, and may they? Features call these before doing anything member-only."""

from __future__ import annotations

from telegram import Update

from bot.features.members import service as svc
from bot.features.members.service import Actor
from bot.kernel.context import BotContext
from bot.kernel.permissions import is_group_admin
from bot.kernel.telegram import reply


async def current_actor(update: Update, context: BotContext) -> Actor | None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return None
    seen = context.seen
    if seen is not None and seen.actor_resolved:
        return seen.actor  # resolved in the pre-handler's hand-off
    return await context.runtime.db.read(svc.actor_for_chat, chat.id, chat.type, user.id)


def owner_actor(context: BotContext, object_id: int) -> Actor | None:
    """The actor in the cluster that owns ``object_id`` (the button's or link's object), when the pre-handler's
    read already resolved it for the read gate; None when it did not (then ask the database)."""
    seen = context.seen
    if seen is None or seen.owner is None or seen.owner[0] != object_id or seen.owner[1] is None:
        return None
    actor = seen.owner[2]
    return actor if isinstance(actor, Actor) and actor.cluster.id == seen.owner[1] else None


async def _deny(update: Update, context: BotContext, text: str) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    else:
        await reply(update, context, text)


async def require_cluster(update: Update, context: BotContext) -> Actor | None:
    actor = await current_actor(update, context)
    if actor is None:
        chat = update.effective_chat
        if chat is not None and chat.type != "private":
            text = context.t.gettext(
                "This group is not a cluster yet. A group administrator can set it up with /pasang."
            )
        else:
            text = context.t.gettext(
                "I don't know your cluster yet. Open the registration button in your cluster's group, or ask the "
                "secretariat for an invitation link."
            )
        await _deny(update, context, text)
    return actor


async def require_member(update: Update, context: BotContext) -> Actor | None:
    """An approved representative of an approved organisation (needs, offers, stock rely on this)."""
    actor = await require_cluster(update, context)
    if actor is None:
        return None
    if actor.is_active:
        return actor
    t = context.t
    if actor.member is not None and actor.member.status == "pending":
        text = t.gettext("Your registration is still waiting for the secretariat's approval.")
    else:
        text = t.gettext(
            "Only approved representatives of member organisations can do this. Register first with /daftar "
            "in a private chat with me."
        )
    await _deny(update, context, text)
    return None


async def is_secretariat(context: BotContext, actor: Actor, user_id: int) -> bool:
    return actor.is_secretariat or await is_group_admin(context, actor.cluster.chat_id, user_id)


async def require_secretariat(update: Update, context: BotContext) -> Actor | None:
    actor = await require_cluster(update, context)
    if actor is None or update.effective_user is None:
        return None
    if await is_secretariat(context, actor, update.effective_user.id):
        return actor
    await _deny(update, context, context.t.gettext("Only the cluster secretariat can do this."))
    return None
