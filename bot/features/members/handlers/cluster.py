"""/pasang (set the group up as a cluster), /sekretariat, and members joining/leaving the group."""

from __future__ import annotations

import functools
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ChatMemberHandler

from bot.features.members import service as svc
from bot.features.members import storage as repo
from bot.features.members import views
from bot.features.members.gate import require_secretariat
from bot.kernel.context import BotContext
from bot.kernel.i18n import N_
from bot.kernel.outbox import commit, out_reply, out_send, write_and_reply
from bot.kernel.outbox_storage import Out
from bot.kernel.permissions import is_group_admin
from bot.kernel.runtime import CommandSpec
from bot.kernel.telegram import add_command, command_args, reply
from bot.kernel.views import esc


async def bot_missing_right(context: BotContext, chat_id: int) -> str | None:
    """None if the bot may pin; else 'admin' (not an administrator) or 'pin' (no pin right)."""
    try:
        me = await context.bot.get_chat_member(chat_id, context.bot.id)
    except TelegramError:
        return "admin"
    if me.status == "creator":
        return None
    if me.status != "administrator":
        return "admin"
    return None if getattr(me, "can_pin_messages", False) else "pin"


async def pasang(update: Update, context: BotContext) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    t = context.t
    if chat.type == ChatType.PRIVATE:
        await reply(update, context, t.gettext("Use /pasang inside the cluster's group, not in a private chat."))
        return
    if not await is_group_admin(context, chat.id, user.id):
        await reply(update, context, t.gettext("Only a group administrator can set the group up as a cluster."))
        return
    runtime = context.runtime
    name = command_args(update)[:100] or (chat.title or "Klaster Logistik")
    missing = await bot_missing_right(context, chat.id)  # asked before the change: the answer is its outbox row
    now = runtime.clock.timestamp()

    def tx(conn: Any) -> tuple[None, list[Out]]:
        cluster, created = svc.setup_cluster(conn, chat.id, name, chat.title or "", "63", runtime.settings.timezone,
                                             context.locale or runtime.settings.locale, user.id, now)  # fmt: skip
        keyboard = views.register_button(t, context.bot.username, cluster.id) if created else None
        return None, out_reply(update, views.setup_done(t, cluster, created, missing), keyboard)

    await commit(context, tx)


async def sekretariat(update: Update, context: BotContext) -> None:
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or user is None or message is None:
        return
    args = command_args(update).split()
    runtime = context.runtime
    t = context.t
    if not args:
        actor = await require_secretariat(update, context)
        if actor is None:
            return
        rows = await runtime.db.read(repo.secretariat_users, actor.cluster.id)
        await reply(update, context, views.secretariat_list(t, rows))
        return
    actor = await require_secretariat(update, context)
    if actor is None:
        return
    action = args[0].lower()
    if action not in ("tambah", "add", "hapus", "remove"):
        await reply(
            update,
            context,
            t.gettext("Write <code>/sekretariat tambah @username</code> or <code>/sekretariat hapus @username</code>."),
        )
        return
    target_id: int | None = None
    target_name = ""
    if message.reply_to_message is not None and message.reply_to_message.from_user is not None:
        target_id = message.reply_to_message.from_user.id
        target_name = message.reply_to_message.from_user.full_name
    elif len(args) > 1:
        row = await runtime.db.read(repo.user_by_username, args[1])
        if row is not None:
            target_id, target_name = row["user_id"], row["first_name"]
        else:
            await reply(
                update,
                context,
                t.gettext(
                    "I don't know {username} yet: they must have written in this group or to me first. You can also "
                    "reply to one of their messages with <code>/sekretariat tambah</code>."
                ).format(username=esc(args[1])),
            )
            return
    if target_id is None:
        await reply(update, context, t.gettext("Tell me who: reply to their message or add their @username."))
        return
    now = runtime.clock.timestamp()
    if action in ("tambah", "add"):
        added = t.gettext("Saved. {name} is now part of the secretariat.").format(name=esc(target_name))
        await write_and_reply(update, context, lambda _: added, functools.partial(
            svc.add_secretariat, cluster_id=actor.cluster.id, user_id=target_id, by=user.id, now=now))  # fmt: skip
        return
    removed_text = t.gettext("Saved. {name} is no longer part of the secretariat.").format(name=esc(target_name))
    absent_text = t.gettext("{name} was not in the stored secretariat list (group administrators always are).").format(
        name=esc(target_name)
    )
    await write_and_reply(update, context, lambda removed: removed_text if removed else absent_text,
                          functools.partial(svc.remove_secretariat, cluster_id=actor.cluster.id,
                                            user_id=target_id))  # fmt: skip


async def on_chat_member(update: Update, context: BotContext) -> None:
    """A representative leaving is marked inactive and the secretariat is told; the organisation stays."""
    change = update.chat_member
    if change is None or change.new_chat_member.user.is_bot:
        return
    runtime = context.runtime
    now = runtime.clock.timestamp()
    user_id = change.new_chat_member.user.id
    left = change.new_chat_member.status in ("left", "kicked")
    was_in = change.old_chat_member.status not in ("left", "kicked")
    if left and was_in:
        t = context.t

        def tx(conn: Any) -> tuple[None, list[Out]]:
            """The departure and the group's notice: one transaction."""
            departure = svc.member_left(conn, change.chat.id, user_id, now)
            if departure is None:
                return None, []
            text = t.gettext("ℹ️ {person} ({org}) left the group and is marked inactive.").format(
                person=views.person(departure.member), org=esc(departure.org.name)
            )
            if departure.remaining_reps == 0:
                text += " " + t.gettext(
                    "{org} now has no active representative. Secretariat: use /serahterima to assign a successor."
                ).format(org=esc(departure.org.label))
            return None, out_send(change.chat.id, text)

        await commit(context, tx)
    elif not left and not was_in:
        await runtime.db.write(svc.member_returned, change.chat.id, user_id, now)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    add_command(
        app,
        CommandSpec(
            "pasang",
            N_("Set this group up as the cluster's group (administrators)"),
            "/pasang Klaster Logistik Kalsel",
            scopes=("group",),
            section="klaster",
        ),
        pasang,
    )
    add_command(app, CommandSpec("sekretariat", N_("Show or change the cluster secretariat"),
                                 "/sekretariat tambah @username", scopes=("group",), section="klaster"),
                sekretariat)  # fmt: skip
    app.add_handler(ChatMemberHandler(on_chat_member, ChatMemberHandler.CHAT_MEMBER))


async def secretariat_check(context: BotContext, chat_id: int, user_id: int) -> bool:
    """Stored secretariat of the group's cluster, or a group administrator."""
    cluster = await context.runtime.db.read(repo.cluster_by_chat, chat_id)
    if cluster is not None and await context.runtime.db.read(repo.is_secretariat, cluster.id, user_id):
        return True
    return await is_group_admin(context, chat_id, user_id)
