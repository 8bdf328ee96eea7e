"""/ekspor: the secretariat receives the cluster's tables as one XLSX workbook and CSV files, privately."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.features.export import service as svc
from bot.features.export import views
from bot.features.members.gate import require_secretariat
from bot.kernel.context import BotContext
from bot.kernel.i18n import N_
from bot.kernel.outbox import enqueue, fate
from bot.kernel.outbox_files import file_key, out_file
from bot.kernel.runtime import CommandSpec, Runtime
from bot.kernel.telegram import add_command, command_args, reply

log = logging.getLogger(__name__)
AnyApp = Application[Any, Any, Any, Any, Any, Any]
KINDS = {
    "": ("xlsx", "csv"), "xlsx": ("xlsx",), "excel": ("xlsx",), "csv": ("csv",),
    # semicolon-separated, BOM-prefixed CSV for a spreadsheet in an Indonesian locale (see services/export.py)
    "csv-excel": ("csv-excel",), "csv excel": ("csv-excel",), "excel-csv": ("csv-excel",), "csv;": ("csv-excel",),
}  # fmt: skip


async def ekspor(update: Update, context: BotContext) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    actor = await require_secretariat(update, context)
    if actor is None:
        return
    t = context.t
    kinds = KINDS.get(" ".join(command_args(update).lower().split()))
    if kinds is None:
        await reply(update, context, views.export_help(t))
        return
    runtime: Runtime = context.runtime
    now = runtime.clock.timestamp()
    export = await runtime.db.read_heavy(svc.collect, actor.cluster, now)
    files = await asyncio.to_thread(svc.files, export, kinds)  # building a workbook is CPU work
    caption = views.export_caption(t, actor.cluster, now, [(s.name, len(s.rows)) for s in export.sheets])
    # The files are owed as outbox rows (one transaction, the update's claim), delivered in order through the
    # pacer: a 5xx or 429 is retried (also after a restart), a 403 recorded failed, a timeout uncertain.
    keys = [file_key() for _ in files]
    outs = [out for index, ((name, content), key) in enumerate(zip(files, keys, strict=True))
            for out in out_file(user.id, "document", name, content, caption if index == 0 else "", key=key)]  # fmt: skip
    await enqueue(context, outs)
    if chat.type != "private":
        first = await fate(context, keys[0]) if keys else None
        delivered = first is not None and first[0] != "failed"
        await reply(update, context, views.export_sent_privately(t) if delivered else views.export_unreachable(t))


def register(app: AnyApp) -> None:
    add_command(
        app,
        CommandSpec("ekspor", N_("Export needs, offers, pledges, stock, organisations, agenda and work plan as XLSX "
                                 "and CSV with HXL tags (secretariat)"), "/ekspor", aliases=("export",), section="laporan"),
        ekspor,
    )  # fmt: skip
