"""/serahterima and /terima: passing an organisation's representation to a colleague, with history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application

from bot.features.members import handover as ho_svc
from bot.features.members import handover_storage as ho_repo
from bot.features.members import service as svc
from bot.features.members import storage as repo
from bot.features.members.callbacks import HandoverButton
from bot.features.members.gate import is_secretariat, require_cluster
from bot.kernel.callbacks import stale, stale_text
from bot.kernel.context import BotContext
from bot.kernel.i18n import N_, translator
from bot.kernel.outbox import commit, enqueue, out_edit, out_reply, out_send
from bot.kernel.outbox import fate as outbox_fate
from bot.kernel.outbox_storage import Out
from bot.kernel.runtime import CommandSpec
from bot.kernel.telegram import add_command, command_args, reply
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
    }.get(reason, stale_text(context))


def _when(context: BotContext, timestamp: int, tz: str) -> str:
    return context.t.datetime(dt.datetime.fromtimestamp(timestamp, dt.UTC), tz)


def _announce(conn: Any, result: ho_svc.HandoverResult, actor_id: int, name: str, reassigned: bool,
              now: int) -> list[Out]:  # fmt: skip
    """The outgoing representative's and the secretariat's notices, each in the cluster's language and zone, as
    rows of the handover's own transaction."""
    if result.org is None:
        return []
    cluster = repo.cluster_by_id(conn, result.org.cluster_id)
    if cluster is None:
        return []
    t = translator(cluster.locale)
    when = t.datetime(dt.datetime.fromtimestamp(now, dt.UTC), cluster.timezone)
    org, new = esc(result.org.name), esc(name)
    outs: list[Out] = []
    if result.from_user and result.from_user != actor_id:
        text = (
            t.gettext("The secretariat handed {org} over to {name} on {when}.")
            if reassigned
            else t.gettext("You handed {org} over to {name} on {when}.")
        )
        outs += out_send(result.from_user, text.format(org=org, name=new, when=when))
    note = t.gettext("Handover: {org} is now represented by {name} (since {when}).").format(
        org=org, name=new, when=when
    )
    for user_id in result.secretariat:
        if user_id not in (actor_id, result.to_user):
            outs += out_send(user_id, note)
    return outs


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
        found, chosen = org, target_id

        def reassign_tx(conn: Any) -> tuple[ho_svc.HandoverResult, list[Out]]:
            done = ho_svc.reassign(conn, actor.cluster.id, found, chosen, user.id, now)
            if not done.ok:
                return done, out_reply(update, _reason_text(context, done.reason))
            saved = t.gettext("Saved. {name} now represents {org}.").format(name=esc(target_name), org=esc(found.name))
            return done, out_reply(update, saved) + _announce(conn, done, user.id, target_name, True, now)

        await commit(context, reassign_tx)
        return
    private = update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE

    def offer_tx(conn: Any) -> tuple[ho_svc.HandoverResult, list[Out]]:
        offered = ho_svc.offer_handover(conn, actor, target_id, now, target_id is None)
        if not offered.ok or offered.org is None:
            return offered, out_reply(update, _reason_text(context, offered.reason))
        if target_id is None:  # the code is a secret: it goes to the private chat only
            code = _code_text(context, offered, actor.cluster.timezone)
            if private:
                return offered, out_reply(update, code)
            return offered, out_send(user.id, code, key=_code_key(offered))
        buttons = [[Button(t.gettext("✅ Accept"), HandoverButton(offered.handover_id or 0, "y").pack()),
                    Button(t.gettext("✖ Decline"), HandoverButton(offered.handover_id or 0, "n").pack())]]  # fmt: skip
        text = t.gettext("{old} hands the representation of <b>{org}</b> over to {new}. {new}, do you accept?").format(
            old=esc(user.full_name), org=esc(offered.org.name), new=esc(target_name)
        )
        return offered, out_reply(update, Reply(text, buttons))

    result = await commit(context, offer_tx)
    if result.ok and target_id is None and not private:
        await _code_sent(update, context, result)


def _code_key(result: ho_svc.HandoverResult) -> str:
    return f"handover-code:{result.handover_id}"


def _code_text(context: BotContext, result: ho_svc.HandoverResult, tz: str) -> str:
    assert result.org is not None
    t = context.t
    link = f"https://t.me/{context.bot.username}?start=st_{(result.code or '').removeprefix('ST-')}"
    return t.gettext(
        "Handover of <b>{org}</b> prepared. Give your colleague this one-time code: <code>{code}</code>\n"
        "It works once, for 24 hours (until {expiry}); any later handover of {org} cancels it. They send me "
        "<code>/terima {code}</code> in a private chat, or open: {link}"
    ).format(org=esc(result.org.name), code=esc(result.code), link=esc(link),
             expiry=_when(context, result.expires_at or 0, tz))  # fmt: skip


async def _code_sent(update: Update, context: BotContext, result: ho_svc.HandoverResult) -> None:
    """Asked in the group: say where the code went, once its private message was delivered or is on its way
    (retried); if the person never opened a private chat with the bot (refused), the code is revoked."""
    assert result.org is not None
    t = context.t
    runtime = context.runtime
    fate = await outbox_fate(context, _code_key(result))
    if fate is None or fate[0] != "failed":
        await enqueue(context, out_reply(update, t.gettext("I sent you the handover code in a private chat.")))
        return
    await runtime.db.write(ho_repo.revoke_open_handovers, result.org.id, None, runtime.clock.timestamp())
    await enqueue(context, out_reply(update, Reply(
        t.gettext("A handover code is secret, so I only give it in a private chat. Open a private chat with me "
                  "and send /serahterima there."),
        [[Button(t.gettext("💬 Open a private chat"), url=f"https://t.me/{context.bot.username}")]],
    )))  # fmt: skip


async def _answer(update: Update, context: BotContext, handover_id: int | None, code: str | None, accept: bool) -> None:
    user = update.effective_user
    assert user is not None
    runtime = context.runtime
    t = context.t
    query = update.callback_query
    pressed = query.message if query is not None else None
    now = runtime.clock.timestamp()

    def tx(conn: Any) -> tuple[ho_svc.HandoverResult, list[Out]]:
        """The answer, the successor's confirmation and the predecessor's and secretariat's notices: one
        transaction. A refusal is answered on the button itself (after the commit)."""
        result = ho_svc.answer_handover(conn, handover_id, code, user.id, accept, now)
        if not result.ok:
            return result, ([] if query is not None else out_reply(update, _refusal(context, result)))
        assert result.org is not None
        if accept:
            text = t.gettext("Saved. {name} now represents {org}. The history is kept on its profile.").format(
                name=esc(user.full_name), org=esc(result.org.name)
            )
        else:
            text = t.gettext("{name} declined the handover of {org}. Nothing changed.").format(
                name=esc(user.full_name), org=esc(result.org.name)
            )
        if pressed is not None:
            outs = out_edit(pressed.chat.id, pressed.message_id, Reply(text),
                            key=f"handover:{pressed.chat.id}:{pressed.message_id}")  # fmt: skip
        else:
            outs = out_reply(update, text)
        if accept:
            outs += _announce(conn, result, user.id, user.full_name, False, now)
        elif result.from_user and result.from_user != user.id:
            outs += out_send(result.from_user, text)
        return result, outs

    async def answer_press(result: ho_svc.HandoverResult) -> None:
        if query is not None:
            await (query.answer() if result.ok else query.answer(_refusal(context, result), show_alert=True))

    await commit(context, tx, then=answer_press)


def _refusal(context: BotContext, result: ho_svc.HandoverResult) -> str:
    t = context.t
    if result.reason == "successor_busy":  # said to the successor himself, not about "that person"
        return t.gettext(
            "You already represent another organisation in this cluster, so you cannot take over {org}. Hand "
            "your current organisation over first with /serahterima."
        ).format(org=esc(result.org.name if result.org else ""))
    if result.reason == "too_many_attempts":
        actor = context.seen.actor if context.seen is not None else None
        tz = actor.cluster.timezone if actor is not None else context.tz
        return t.gettext(
            "Too many handover codes that did not work. For your safety I accept the next one from {when}."
        ).format(when=_when(context, result.retry_at or 0, tz))
    return _reason_text(context, result.reason)


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


async def on_button(update: Update, context: BotContext, button: HandoverButton) -> None:
    if button.verdict not in ("y", "n"):
        await stale(update, context)
        return
    await _answer(update, context, button.handover_id, None, button.verdict == "y")


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
    app.add_handler(HandoverButton.handler(on_button))
