"""/ekspor: the secretariat receives the cluster's tables as one XLSX workbook and CSV files, privately."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import InputFile, Message, Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.features.export import service as svc
from bot.features.export import views
from bot.features.members.gate import require_secretariat
from bot.kernel.context import BotContext
from bot.kernel.i18n import N_
from bot.kernel.pacer import shared_pacer
from bot.kernel.runtime import CommandSpec, Runtime
from bot.kernel.telegram import add_command, call_with_retries, command_args, reply

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
    pacer = shared_pacer(runtime)
    delivered = 0
    for index, (name, content) in enumerate(files):
        await pacer.acquire(user.id)

        async def _do(cid: int, name: str = name, content: bytes = content, first: bool = index == 0) -> Message:
            return await context.bot.send_document(
                cid, InputFile(content, filename=name), caption=caption if first else None
            )

        try:
            message = await call_with_retries(runtime, user.id, _do)
        except TelegramError:
            log.warning("export file %s could not be sent", name, exc_info=True)
            message = None
        if message is None:
            break
        delivered += 1
    if chat.type != "private":
        await reply(update, context, views.export_sent_privately(t) if delivered else views.export_unreachable(t))


def register(app: AnyApp) -> None:
    add_command(
        app,
        CommandSpec("ekspor", N_("Export needs, offers, pledges, stock, organisations, agenda and work plan as XLSX "
                                 "and CSV with HXL tags (secretariat)"), "/ekspor", aliases=("export",), section="laporan"),
        ekspor,
    )  # fmt: skip
