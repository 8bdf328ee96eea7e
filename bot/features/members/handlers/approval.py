"""Approval of a registration by the secretariat (the card's buttons) and /undang (an invitation link)."""

from __future__ import annotations

import unicodedata
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.features.members import service as svc
from bot.features.members import storage as repo
from bot.features.members import views
from bot.features.members.callbacks import ApprovalButton
from bot.features.members.gate import owner_actor, require_secretariat
from bot.features.members.orgs import parse_org_type
from bot.kernel.callbacks import stale, stale_text
from bot.kernel.context import BotContext
from bot.kernel.i18n import N_, translator
from bot.kernel.outbox import commit, out_edit, out_send
from bot.kernel.outbox_storage import Out
from bot.kernel.permissions import is_group_admin
from bot.kernel.runtime import CommandSpec
from bot.kernel.telegram import add_command, command_args, reply
from bot.kernel.views import Reply, esc


async def on_approval(update: Update, context: BotContext, button: ApprovalButton) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    runtime = context.runtime
    t = context.t
    if button.verdict not in ("y", "n"):
        await stale(update, context)
        return
    # The member's cluster and the presser's standing there were read with the update (the read gate's owner
    # question); only when they were not is the database asked.
    actor = owner_actor(context, button.member_id)
    if actor is None:
        member = await runtime.db.read(repo.member_by_id, button.member_id)
        found = await runtime.db.read(repo.cluster_by_id, member.cluster_id) if member else None
        if found is None:
            await stale(update, context)
            return
        cluster, stored_secretariat = found, False
    else:
        cluster, stored_secretariat = actor.cluster, actor.is_secretariat
    # a stored secretariat member decides without asking Telegram whether they administer the group
    admin = False if stored_secretariat else await is_group_admin(context, cluster.chat_id, user.id)
    approved, pressed = button.verdict == "y", query.message

    def tx(conn: Any) -> tuple[Any, list[Out]]:
        """The decision, the approval card's edit and the applicant's notice: one transaction."""
        decision = svc.decide_membership(conn, button.member_id, approved, user.id, admin, runtime.clock.timestamp())
        if not decision.ok:
            return decision, []
        assert decision.member is not None and decision.org is not None
        outs: list[Out] = []
        if pressed is not None:
            outs += out_edit(pressed.chat.id, pressed.message_id,
                             Reply(views.approval_decided(t, decision.member, decision.org, approved, user.full_name)),
                             key=f"approval:{pressed.chat.id}:{pressed.message_id}")  # fmt: skip
        applicant_t = translator(repo.user_locale(conn, decision.member.user_id) or cluster.locale)
        return decision, outs + out_send(decision.member.user_id, views.applicant_told(applicant_t, decision.org,
                                                                                        approved))  # fmt: skip

    async def answer_press(decision: Any) -> None:
        if decision.ok:
            await query.answer(t.gettext("Saved."))
        elif decision.reason == "not_found":
            await query.answer(stale_text(context))
        elif decision.reason == "not_secretariat":
            await query.answer(t.gettext("Only the cluster secretariat can do this."), show_alert=True)
        else:
            await query.answer(t.gettext("This was already decided."))

    await commit(context, tx, then=answer_press)


async def undang(update: Update, context: BotContext) -> None:
    """Secretariat: invite a named organisation with a deep link (the SK membership list)."""
    actor = await require_secretariat(update, context)
    if actor is None or update.effective_user is None:
        return
    t = context.t
    args = command_args(update)
    args = "".join(ch for ch in args if ch in "\n\t" or not unicodedata.category(ch).startswith("C"))  # no controls
    name, _, type_text = (p.strip() for p in args.partition("|"))
    if len(name) < 2:
        await reply(
            update,
            context,
            t.gettext("Write the organisation's name, optionally with its type:")
            + "\n<code>/undang Dinas Kesehatan Provinsi | opd</code>",
        )
        return
    org = await context.runtime.db.write(svc.create_invite, actor.cluster.id, name[:120], parse_org_type(type_text)
                                         if type_text else None, update.effective_user.id,
                                         context.runtime.clock.timestamp())  # fmt: skip
    link = f"https://t.me/{context.bot.username}?start=inv_{org.invite_code}"
    await reply(
        update,
        context,
        t.gettext("Saved. Invitation for <b>{org}</b>: send them this link:").format(org=esc(org.name))
        + f"\n{esc(link)}",
    )


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    add_command(
        app,
        CommandSpec(
            "undang",
            N_("Invite an organisation with a link (secretariat)"),
            "/undang Dinas Kesehatan Provinsi | opd",
            section="anggota",
        ),
        undang,
    )
    app.add_handler(ApprovalButton.handler(on_approval))
