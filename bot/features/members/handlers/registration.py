"""/daftar: registering an organisation (guided on a phone, or one line); approval and invitations are in
approval.py."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackQueryHandler

from bot.features.members import service as svc
from bot.features.members import storage as repo
from bot.features.members import views
from bot.features.members.callbacks import RegChoice, RegPick
from bot.features.members.events import REGISTERED
from bot.features.members.gate import require_cluster
from bot.features.members.models import Cluster
from bot.features.members.orgs import ORG_TYPES, parse_org_type, parse_registration_line
from bot.kernel import dialogs
from bot.kernel import storage as core_repo
from bot.kernel.callbacks import stale
from bot.kernel.context import BotContext
from bot.kernel.i18n import N_, translator
from bot.kernel.outbox import commit, out_edit, out_reply, out_send
from bot.kernel.outbox_storage import Out
from bot.kernel.runtime import CommandSpec
from bot.kernel.storage import Dialog
from bot.kernel.telegram import add_command, command_args, parse_id, reply
from bot.kernel.views import Reply, esc
from bot.shared import regions

KIND = "register"


async def _ask(update: Update, context: BotContext, step: str, data: dict[str, Any], question: str | Reply) -> None:
    """Save the dialog's next step and ask its question: one transaction (the question is an outbox row of it)."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    await dialogs.save(context, chat_id=chat.id, user_id=user.id, kind=KIND, step=step, data=data, ask=question,
                       update=update)  # fmt: skip


async def _start_flow(
    update: Update, context: BotContext, cluster: Cluster, prefill: dict[str, Any] | None = None
) -> None:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    existing = await context.runtime.db.read(repo.current_member, cluster.id, user.id)
    if existing is not None:
        org = await context.runtime.db.read(repo.org_by_id, existing.organization_id)
        await reply(update, context, _already_text(context, existing.status, org.name if org else ""))
        return
    data: dict[str, Any] = {"cluster_id": cluster.id, "province": cluster.province, **(prefill or {})}
    if data.get("join_org_id"):
        await _ask(
            update,
            context,
            "title",
            data,
            context.t.gettext("You are registering as a representative of <b>{org}</b>.").format(
                org=esc(data.get("join_org_name", ""))
            )
            + "\n\n"
            + views.ask_title(context.t),
        )
        return
    await _ask(update, context, "name", data, views.ask_name(context.t, cluster))


def _already_text(context: BotContext, status: str, org_name: str) -> str:
    t = context.t
    if status == "pending":
        return t.gettext("You already registered for {org}; the secretariat has not decided yet.").format(
            org=esc(org_name)
        )
    return t.gettext("You already represent {org} in this cluster. To pass it on, use /serahterima.").format(
        org=esc(org_name)
    )


async def daftar(update: Update, context: BotContext) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    t = context.t
    runtime = context.runtime
    if chat.type != ChatType.PRIVATE:
        cluster = await runtime.db.read(repo.cluster_by_chat, chat.id)
        if cluster is None:
            await reply(
                update,
                context,
                t.gettext("This group is not a cluster yet. A group administrator can set it up with /pasang."),
            )
            return
        await reply(
            update,
            context,
            t.gettext("Registration happens in a private chat with me, tap the button:"),
            views.register_button(t, context.bot.username, cluster.id),
        )
        return
    line = command_args(update)
    # A registration opened from a group's deep link already knows its cluster.
    dialog = await runtime.db.read(core_repo.get_dialog, chat.id, user.id)
    if dialog is not None and dialog.kind == KIND and dialog.data.get("cluster_id"):
        cluster = await runtime.db.read(repo.cluster_by_id, dialog.data["cluster_id"])
    else:
        actor = await require_cluster(update, context)
        if actor is None:
            return
        cluster = actor.cluster
    if cluster is None:
        return
    if line:
        await _one_line(update, context, cluster, line)
        return
    await _start_flow(update, context, cluster)


async def _one_line(update: Update, context: BotContext, cluster: Cluster, line: str) -> None:
    t = context.t
    user = update.effective_user
    assert user is not None
    form = parse_registration_line(line)
    region = None
    if not form.errors and form.region_text not in ("-", "provinsi"):
        region = regions.find_region(form.region_text, cluster.province)
        if region is None:
            form.errors.append(("region", form.region_text))
    if form.errors:
        field, bad = form.errors[0]
        if field == "format":
            text = t.gettext("I need five parts separated by “|”.")
        elif field == "type":
            text = t.gettext("I did not understand the type “{bad}”. Use one of: {types}.").format(
                bad=esc(bad), types=esc(", ".join(ORG_TYPES))
            )
        elif field == "region":
            text = t.gettext("I did not recognise the kabupaten/kota “{bad}”.").format(bad=esc(bad))
        else:
            text = t.gettext("I did not understand “{bad}”.").format(bad=esc(bad))
        text += (
            "\n" + t.gettext("Write it like this:") + "\n<code>/daftar Palang Merah Indonesia Kalsel | PMI Kalsel | "
            "lembaga kemanusiaan | Banjarmasin | Kepala Gudang</code>\n" + t.gettext("Nothing was saved.")
        )
        await reply(update, context, text)
        return
    assert form.type is not None
    await _submit(update, context, cluster, {
        "cluster_id": cluster.id, "name": form.name, "short_name": form.short_name, "type": form.type,
        "region_code": region.code if region else None, "title": form.title,
    })  # fmt: skip


async def _submit(update: Update, context: BotContext, cluster: Cluster, data: dict[str, Any],
                  allow_duplicate: bool = False) -> None:  # fmt: skip
    runtime = context.runtime
    t = context.t
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    def tx(conn: Any) -> tuple[svc.Submission, list[Out]]:
        """The registration, its answer and the approval card in the group: one transaction."""
        result = svc.submit_and_close(conn, cluster_id=cluster.id, user_id=user.id, data=data,
                                      allow_duplicate=allow_duplicate, chat_id=chat.id, now=runtime.clock.timestamp())
        if not result.ok:
            return result, []
        assert result.member is not None and result.org is not None
        group_t = translator(cluster.locale)
        card = views.approval_card(group_t, result.member, result.org, bool(data.get("join_org_id")))
        outs = out_reply(update, views.registration_sent(t))
        for hook in runtime.contributions(REGISTERED):  # e.g. the stock feature's visibility question
            outs += hook(update, t, result.org, not data.get("join_org_id"))
        return result, outs + out_send(cluster.chat_id, card)

    result = await commit(context, tx)
    if not result.ok:
        if result.reason == "duplicate":
            data = {**data, "province": cluster.province}
            await _ask(update, context, "dup", data,
                       views.ask_duplicate(t, data.get("name", ""), [(d.org_id, d.name) for d in result.duplicates]))
            return
        if result.reason == "already_member":
            await reply(
                update,
                context,
                _already_text(
                    context, result.member.status if result.member else "", result.org.name if result.org else ""
                ),
            )
            return
        await reply(update, context, t.gettext("That organisation can no longer be joined. Nothing was saved."))
        return


async def on_text(update: Update, context: BotContext, dialog: Dialog) -> None:
    """Typed answers of the guided flow."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    t = context.t
    text = " ".join((message.text or "").split())
    data = dict(dialog.data)
    if dialog.step == "name":
        if not 2 <= len(text) <= 120:
            await reply(update, context, t.gettext("Please type the organisation's name (2–120 characters)."))
            return
        data["name"] = text
        dups = await context.runtime.db.read(svc.check_duplicates, data["cluster_id"], text, "")
        if dups:
            await _ask(update, context, "dup", data, views.ask_duplicate(t, text, [(d.org_id, d.name) for d in dups]))
            return
        await _ask(update, context, "short", data, views.ask_short_name(t))
    elif dialog.step == "short":
        if len(text) > 30:
            await reply(update, context, t.gettext("That is too long for a short name (at most 30 characters)."))
            return
        data["short_name"] = "" if text in ("-", "—") else text
        await _ask(update, context, "type", data, views.ask_type(t))
    elif dialog.step == "type":
        type_ = parse_org_type(text)
        if type_ is None:
            await reply(update, context, views.ask_type(t))
            return
        data["type"] = type_
        await _ask(update, context, "region", data, views.ask_region(t, data.get("province", "63")))
    elif dialog.step == "region":
        region = regions.find_region(text, data.get("province", "63"))
        if region is None:
            await reply(
                update,
                context,
                t.gettext("I did not recognise the kabupaten/kota “{bad}”.").format(bad=esc(text))
                + " "
                + t.gettext("Tap one of the buttons or type e.g. <i>Banjarbaru</i> or <i>HSS</i>."),
            )
            return
        data["region_code"] = region.code
        await _ask(update, context, "title", data, views.ask_title(t))
    elif dialog.step == "title":
        if not 2 <= len(text) <= 80:
            await reply(update, context, t.gettext("Please type your position (2–80 characters)."))
            return
        data["title"] = text
        await _ask(update, context, "confirm", data, views.confirm_registration(t, data))
    else:
        await reply(update, context, t.gettext("Please use the buttons above, or /batal to cancel."))


_EXPECTED = {"join": "dup", "new": "dup", "type": "type", "reg": "region", "ok": "confirm", "x": None}


async def on_button(update: Update, context: BotContext) -> None:
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    if query is None or chat is None or user is None:
        return
    button = RegChoice.unpack(query.data) or RegPick.unpack(query.data)
    t = context.t
    runtime = context.runtime
    dialog = await runtime.db.read(core_repo.get_dialog, chat.id, user.id)
    action = button.action if button is not None else ""
    value = button.value if isinstance(button, RegPick) else None
    if (
        action not in _EXPECTED
        or (action in ("join", "type", "reg")) != (value is not None)
        or dialog is None
        or dialog.kind != KIND
        or dialog.expires_at < runtime.clock.timestamp()
        or (_EXPECTED[action] is not None and dialog.step != _EXPECTED[action])
    ):
        await stale(update, context)
        return
    data = dict(dialog.data)
    message = query.message
    if action == "x":
        await query.answer()
        cancelled = Reply(t.gettext("Cancelled. Nothing was saved."))

        def cancel_tx(conn: Any) -> tuple[None, list[Out]]:
            core_repo.clear_dialog(conn, chat.id, user.id)
            return None, (out_edit(chat.id, message.message_id, cancelled) if message is not None else [])

        await commit(context, cancel_tx)
        return
    if action == "join":
        org_id = parse_id(value or "")
        org = await runtime.db.read(repo.org_by_id, org_id) if org_id is not None else None
        if org is None or org.cluster_id != data.get("cluster_id"):
            await stale(update, context)
            return
        await query.answer()
        data.update(join_org_id=org.id, join_org_name=org.name)
        await _ask(update, context, "title", data, views.ask_title(t))
    elif action == "new":
        await query.answer()
        data["allow_duplicate"] = True
        step = "short" if "short_name" not in data else "confirm"
        await _ask(update, context, step, data,
                   views.ask_short_name(t) if step == "short" else views.confirm_registration(t, data))  # fmt: skip
    elif action == "type":
        if value not in ORG_TYPES:
            await stale(update, context)
            return
        await query.answer()
        data["type"] = value
        await _ask(update, context, "region", data, views.ask_region(t, data.get("province", "63")))
    elif action == "reg":
        if value != "-" and regions.get_region(value or "") is None:
            await stale(update, context)
            return
        await query.answer()
        data["region_code"] = None if value == "-" else value
        await _ask(update, context, "title", data, views.ask_title(t))
    elif action == "ok":
        cluster = await runtime.db.read(repo.cluster_by_id, data.get("cluster_id", -1))
        if cluster is None:
            await stale(update, context)
            return
        await query.answer()
        if message is not None:
            await context.bot.edit_message_reply_markup(chat.id, message.message_id, reply_markup=None)
        await _submit(update, context, cluster, data, allow_duplicate=bool(data.get("allow_duplicate")))


async def deeplink_register(update: Update, context: BotContext, arg: str) -> None:
    cluster_id = parse_id(arg)
    cluster = await context.runtime.db.read(repo.cluster_by_id, cluster_id) if cluster_id is not None else None
    if cluster is None:
        await reply(update, context, context.t.gettext("This link is no longer valid."))
        return
    await _start_flow(update, context, cluster)


async def deeplink_invite(update: Update, context: BotContext, arg: str) -> None:
    org = await context.runtime.db.read(repo.org_by_invite, arg)
    cluster = await context.runtime.db.read(repo.cluster_by_id, org.cluster_id) if org else None
    if org is None or cluster is None or org.status == "rejected":
        await reply(update, context, context.t.gettext("This link is no longer valid."))
        return
    await _start_flow(update, context, cluster, {"join_org_id": org.id, "join_org_name": org.name})


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    add_command(
        app,
        CommandSpec(
            "daftar",
            N_("Register your organisation and yourself as its representative"),
            "/daftar",
            aliases=("register",),
            section="anggota",
        ),
        daftar,
    )
    app.add_handler(CallbackQueryHandler(on_button, pattern=RegChoice.pattern()))
