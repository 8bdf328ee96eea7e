"""/serahterima and /terima: passing an organisation's representation to a colleague, with history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackQueryHandler

from bot.features.members import handover as ho_svc
from bot.features.members import handover_storage as ho_repo
from bot.features.members import service as svc
from bot.features.members import storage as repo
from bot.features.members.gate import is_secretariat, require_cluster
from bot.kernel.context import BotContext
from bot.kernel.i18n import N_, translator
from bot.kernel.runtime import CommandSpec
from bot.kernel.telegram import add_command, command_args, edit, parse_id, reply, send
from bot.kernel.views import Button, Reply, esc


def _reason_text(context: BotContext, reason: str) -> str:
    t = context.t
    return {
        "not_member": t.gettext("Only an active representative can hand their organisation over."),
        "self": t.gettext("You cannot hand over to yourself."),
        "successor_busy": t.gettext("That person already represents another organisation in this cluster."),
        "not_found": t.gettext("I don't know that handover code. Check it and try again."),
        "already_decided": t.gettext("This handover was already decided."),
        "not_successor": t.gettext("This handover is meant for someone else."),
        "expired": t.gettext("This handover code has expired. Ask your colleague for a new one."),
    }.get(reason, t.gettext("This button is no longer valid."))


def _when(context: BotContext, timestamp: int, tz: str) -> str:
    return context.t.datetime(dt.datetime.fromtimestamp(timestamp, dt.UTC), tz)


async def _announce(context: BotContext, result: ho_svc.HandoverResult, actor_id: int, name: str, reassigned: bool) -> None:
    """Tell the outgoing representative and the secretariat, each in the cluster's language and zone."""
    if result.org is None:
        return
    cluster = await context.runtime.db.read(repo.cluster_by_id, result.org.cluster_id)
    if cluster is None:
        return
    t = translator(cluster.locale)
    when = t.datetime(dt.datetime.fromtimestamp(context.runtime.clock.timestamp(), dt.UTC), cluster.timezone)
    org, new = esc(result.org.name), esc(name)
    if result.from_user and result.from_user != actor_id:
        text = (
            t.gettext("The secretariat handed {org} over to {name} on {when}.")
            if reassigned
            else t.gettext("You handed {org} over to {name} on {when}.")
        )
        await send(context, result.from_user, text.format(org=org, name=new, when=when))
    note = t.gettext("Handover: {org} is now represented by {name} (since {when}).").format(
        org=org, name=new, when=when
    )
    for user_id in result.secretariat:
        if user_id not in (actor_id, result.to_user):
            await send(context, user_id, note)


async def serahterima(update: Update, context: BotContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    actor = await require_cluster(update, context)
    if actor is None:
        return
    runtime = context.runtime
    t = context.t
    args = command_args(update).split()
    now = runtime.clock.timestamp()
    target_id: int | None = None
    target_name = ""
    if message.reply_to_message is not None and message.reply_to_message.from_user is not None:
        target_id = message.reply_to_message.from_user.id
        target_name = message.reply_to_message.from_user.full_name
    elif args and args[-1].startswith("@"):
        row = await runtime.db.read(repo.user_by_username, args[-1])
        if row is None:
            await reply(
                update,
                context,
                t.gettext(
                    "I don't know {username} yet. Send /serahterima without a name to get a one-time code for your "
                    "colleague instead."
                ).format(username=esc(args[-1])),
            )
            return
        target_id, target_name = row["user_id"], row["first_name"]
    # Secretariat reassigning someone else's organisation: /serahterima ORG @user
    org_query = " ".join(a for a in args if not a.startswith("@"))
    if org_query and target_id is not None:
        if not await is_secretariat(context, actor, user.id):
            await reply(update, context, t.gettext("Only the cluster secretariat can do this."))
            return
        org, _ = await runtime.db.read(svc.find_org, actor.cluster.id, org_query)
        if org is None:
            await reply(
                update,
                context,
                t.gettext("No member organisation matches “{query}”. Type /anggota for the list.").format(
                    query=esc(org_query)
                ),
            )
            return
        result = await runtime.db.write(ho_svc.reassign, actor.cluster.id, org, target_id, user.id, now)
        if not result.ok:
            await reply(update, context, _reason_text(context, result.reason))
            return
        await reply(
            update,
            context,
            t.gettext("Saved. {name} now represents {org}.").format(name=esc(target_name), org=esc(org.name)),
        )
        await _announce(context, result, user.id, target_name, reassigned=True)
        return
    result = await runtime.db.write(ho_svc.offer_handover, actor, target_id, now, target_id is None)
    if not result.ok:
        await reply(update, context, _reason_text(context, result.reason))
        return
    assert result.org is not None
    if target_id is None:
        await _send_code(update, context, result)
        return
    keyboard = [[Button(t.gettext("✅ Accept"), f"ho:{result.handover_id}:y"),
                 Button(t.gettext("✖ Decline"), f"ho:{result.handover_id}:n")]]  # fmt: skip
    await reply(
        update,
        context,
        Reply(
            t.gettext("{old} hands the representation of <b>{org}</b> over to {new}. {new}, do you accept?").format(
                old=esc(user.full_name), org=esc(result.org.name), new=esc(target_name)
            ),
            keyboard,
        ),
    )


async def _send_code(update: Update, context: BotContext, result: ho_svc.HandoverResult) -> None:
    """The code is a secret: it goes to the private chat only, even when asked for in the group."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None and result.org is not None
    t = context.t
    link = f"https://t.me/{context.bot.username}?start=st_{(result.code or '').removeprefix('ST-')}"
    expiry = _when(context, result.expires_at or 0, await _cluster_tz(context, result.org.cluster_id))
    text = t.gettext(
        "Handover of <b>{org}</b> prepared. Give your colleague this one-time code: <code>{code}</code>\n"
        "It works once, for 24 hours (until {expiry}); any later handover of {org} cancels it. They send me "
        "<code>/terima {code}</code> in a private chat, or open: {link}"
    ).format(org=esc(result.org.name), code=esc(result.code), link=esc(link), expiry=expiry)
    if chat.type == ChatType.PRIVATE:
        await reply(update, context, text)
        return
    sent = await send(context, user.id, text)
    if sent is not None:
        await reply(update, context, t.gettext("I sent you the handover code in a private chat."))
        return
    await context.runtime.db.write(ho_repo.revoke_open_handovers, result.org.id, None, context.runtime.clock.timestamp())
    await reply(
        update,
        context,
        Reply(
            t.gettext("A handover code is secret, so I only give it in a private chat. Open a private chat with me "
                      "and send /serahterima there."),
            [[Button(t.gettext("💬 Open a private chat"), url=f"https://t.me/{context.bot.username}")]],
        ),
    )  # fmt: skip


async def _cluster_tz(context: BotContext, cluster_id: int) -> str:
    cluster = await context.runtime.db.read(repo.cluster_by_id, cluster_id)
    return cluster.timezone if cluster is not None else context.tz


async def _answer(update: Update, context: BotContext, handover_id: int | None, code: str | None, accept: bool) -> None:
    user = update.effective_user
    assert user is not None
    runtime = context.runtime
    t = context.t
    result = await runtime.db.write(ho_svc.answer_handover, handover_id, code, user.id, accept, runtime.clock.timestamp())
    query = update.callback_query
    if not result.ok:
        text = _reason_text(context, result.reason)
        if result.reason == "successor_busy":  # said to the successor himself, not about "that person"
            text = t.gettext(
                "You already represent another organisation in this cluster, so you cannot take over {org}. Hand "
                "your current organisation over first with /serahterima."
            ).format(org=esc(result.org.name if result.org else ""))
        elif result.reason == "too_many_attempts":
            actor = context.seen.actor if context.seen is not None else None
            tz = actor.cluster.timezone if actor is not None else context.tz
            text = t.gettext(
                "Too many handover codes that did not work. For your safety I accept the next one from {when}."
            ).format(when=_when(context, result.retry_at or 0, tz))
        if query is not None:
            await query.answer(text, show_alert=True)
        else:
            await reply(update, context, text)
        return
    assert result.org is not None
    if accept:
        text = t.gettext("Saved. {name} now represents {org}. The history is kept on its profile.").format(
            name=esc(user.full_name), org=esc(result.org.name)
        )
    else:
        text = t.gettext("{name} declined the handover of {org}. Nothing changed.").format(
            name=esc(user.full_name), org=esc(result.org.name)
        )
    if query is not None and query.message is not None:
        await query.answer()
        await edit(context, query.message.chat.id, query.message.message_id, Reply(text))
    else:
        await reply(update, context, text)
    if accept:
        await _announce(context, result, user.id, user.full_name, reassigned=False)
    elif result.from_user and result.from_user != user.id:
        await send(context, result.from_user, text)


async def terima(update: Update, context: BotContext) -> None:
    code = command_args(update).strip().upper()
    if not code:
        await reply(
            update, context, context.t.gettext("Write the code you were given, e.g. <code>/terima ST-ABC123</code>.")
        )
        return
    if not code.startswith("ST-"):
        code = "ST-" + code
    await _answer(update, context, None, code, True)


async def on_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    parts = query.data.split(":")
    handover_id = parse_id(parts[1]) if len(parts) == 3 else None
    if handover_id is None or parts[2] not in ("y", "n"):
        await query.answer(context.t.gettext("This button is no longer valid."))
        return
    await _answer(update, context, handover_id, None, parts[2] == "y")


async def deeplink(update: Update, context: BotContext, arg: str) -> None:
    await _answer(update, context, None, "ST-" + arg.upper(), True)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    add_command(
        app,
        CommandSpec(
            "serahterima",
            N_("Hand your organisation's representation over to a colleague"),
            "/serahterima @username",
            aliases=("handover",),
            section="anggota",
        ),
        serahterima,
    )
    add_command(
        app,
        CommandSpec(
            "terima",
            N_("Accept a handover with the code you were given"),
            "/terima ST-K7QM4XPA",
            scopes=("private",),
            section="anggota",
        ),
        terima,
    )
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^ho:"))
