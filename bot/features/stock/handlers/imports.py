"""The secretariat's stock import (XLSX/CSV, bot.features.stock.importer): the dialog that asks for the file, a
file sent with the caption ``/stok impor [ORG]``, and the buttons of a file with errors. The import and its
result answer are one transaction (outbox): a failed send after it never reads "nothing saved"."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.features.members import service as members_svc
from bot.features.members.gate import require_secretariat
from bot.features.stock import importer, views
from bot.features.stock import service as svc
from bot.features.stock.callbacks import ImportButton
from bot.features.stock.handlers.common import IMPORT_KIND, ask
from bot.kernel.callbacks import stale
from bot.kernel.context import BotContext
from bot.kernel.outbox import commit, out_edit, out_reply
from bot.kernel.outbox_storage import Out
from bot.kernel.storage import Dialog
from bot.kernel.telegram import reply
from bot.kernel.views import Reply, esc


async def start_import(update: Update, context: BotContext, org_text: str) -> None:
    actor = await require_secretariat(update, context)
    chat, user = update.effective_chat, update.effective_user
    if actor is None or chat is None or user is None:
        return
    data: dict[str, Any] = {"cluster_id": actor.cluster.id}
    if org_text:
        org, _ = await context.runtime.db.read(members_svc.find_org, actor.cluster.id, org_text)
        if org is None:
            await reply(update, context, context.t.gettext(
                "No member organisation matches “{query}”. Type /anggota for the list.").format(query=esc(org_text)))  # fmt: skip
            return
        data["org_id"] = org.id
    await ask(update, context, IMPORT_KIND, "file", data, views.import_help(context.t))


async def on_import_dialog(update: Update, context: BotContext, dialog: Dialog) -> None:
    message = update.effective_message
    if message is None:
        return
    if message.document is None:
        await reply(update, context, views.import_help(context.t))
        return
    await _import_file(update, context, dialog.data.get("org_id"))


async def on_import_caption(update: Update, context: BotContext) -> None:
    """A file sent with the caption ``/stok impor [ORG]``."""
    message = update.effective_message
    if message is None or message.document is None:
        return
    words = (message.caption or "").split(maxsplit=2)
    org_id = None
    if len(words) > 2:
        actor = await require_secretariat(update, context)
        if actor is None:
            return
        org, _ = await context.runtime.db.read(members_svc.find_org, actor.cluster.id, words[2])
        if org is None:
            await reply(update, context, context.t.gettext(
                "No member organisation matches “{query}”. Type /anggota for the list.").format(query=esc(words[2])))  # fmt: skip
            return
        org_id = org.id
    await _import_file(update, context, org_id)


async def _import_file(update: Update, context: BotContext, org_id: int | None) -> None:
    actor = await require_secretariat(update, context)
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if actor is None or message is None or message.document is None or chat is None or user is None:
        return
    t = context.t
    runtime = context.runtime
    document = message.document
    name = document.file_name or "stok"
    if (document.file_size or 0) > importer.MAX_BYTES:
        await reply(update, context, views.import_problem(t, importer.Checked(problem=importer.TOO_BIG)))
        return
    file = await context.bot.get_file(document.file_id)
    content = bytes(await file.download_as_bytearray())
    cluster_id = actor.cluster.id
    orgs = await runtime.db.read(lambda conn: svc.import_orgs(conn, cluster_id=cluster_id))
    default = next((o for o in orgs if o.id == org_id), None)
    checked = await importer.check_file_bounded(content, name, orgs, runtime.clock.now(), actor.cluster.timezone,
                                  actor.cluster.province, default)  # fmt: skip
    if checked.problem is not None:
        await reply(update, context, views.import_problem(t, checked))
        return

    def tx(conn: Any) -> tuple[None, list[Out]]:
        """The import (or its parked rows) and its result answer in one transaction (outbox)."""
        applied, pending = svc.import_file(conn, cluster_id=cluster_id, user_id=user.id, file_name=name,
                                           checked=checked, chat_id=chat.id, now=runtime.clock.timestamp())  # fmt: skip
        answer = views.import_done(t, applied) if pending is None else views.import_report(t, checked, pending)
        return None, out_reply(update, answer)

    await commit(context, tx)


async def on_import_button(update: Update, context: BotContext, button: ImportButton) -> None:
    """``si:ok|x:<id>``: load only the valid rows, or drop the file. Only the sender, only once."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    if button.action not in ("ok", "x"):
        await stale(update, context)
        return
    runtime = context.runtime
    t, load, pressed = context.t, button.action == "ok", query.message

    def tx(conn: Any) -> tuple[svc.ImportDecision, list[Out]]:
        decision = svc.decide_import(conn, button.import_id, user.id, load, runtime.clock.timestamp())
        if not decision.ok or pressed is None:
            return decision, []
        text = views.import_done(t, decision.applied) if load else t.gettext("Cancelled. Nothing was saved.")
        return decision, out_edit(pressed.chat.id, pressed.message_id, Reply(text))

    async def answered(decision: svc.ImportDecision) -> None:
        if decision.ok:
            await query.answer(t.gettext("Saved."))
        else:
            await stale(update, context)

    await commit(context, tx, then=answered)
