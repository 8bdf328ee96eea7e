"""/umumkan: the secretariat's announcement, previewed and confirmed, then sent in the background.

The sending runs as a task outside the update (a long announcement must not hold the secretariat's chat), in
``services.broadcast.run``; this module only maps one Bot API call to an outcome and edits the status message.
An announcement interrupted by a restart continues at the next start.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from functools import partial
from typing import Any

from telegram import Message, Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from bot.features.broadcast import service as svc
from bot.features.broadcast import views
from bot.features.broadcast.callbacks import ACTIONS, BroadcastButton
from bot.features.broadcast.service import Outcome
from bot.features.members.gate import require_secretariat
from bot.kernel.callbacks import stale
from bot.kernel.context import BotContext
from bot.kernel.i18n import N_, translator
from bot.kernel.outbox import commit, out_edit, out_send
from bot.kernel.outbox_storage import Out
from bot.kernel.pacer import Pacer, shared_pacer
from bot.kernel.runtime import CommandSpec, Runtime
from bot.kernel.sql import Conn
from bot.kernel.telegram import add_command, call_with_retries, command_args, edit, reply, send
from bot.kernel.views import Reply, split_message

log = logging.getLogger(__name__)
AnyApp = Application[Any, Any, Any, Any, Any, Any]
STATUS_MESSAGE = "broadcast.status"  # the outbox's message kind of the status message (preview → progress → report)


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def _edit(app: AnyApp, chat_id: int, message_id: int, text: str) -> None:
    """Edit the status message; if it is gone, post the text anew (the secretariat must see the result)."""
    if not await edit(app, chat_id, message_id, Reply(text)):
        await send(app, chat_id, text)


def _deliverer(app: AnyApp, pacer: Pacer, text: str) -> svc.Deliver:
    runtime: Runtime = app.bot_data["runtime"]

    async def deliver(chat_id: int) -> Outcome:
        attempts = 0

        async def _do(cid: int) -> Message:
            nonlocal attempts
            attempts += 1
            if attempts > 1:
                await pacer.acquire(cid)  # a retry is a message too: unaccounted, it would cause the next 429
            try:
                return await app.bot.send_message(cid, text)
            except RetryAfter as exc:
                pacer.hold(_seconds(exc.retry_after))  # every sender waits, not only this one
                raise

        try:
            message = await call_with_retries(runtime, chat_id, _do)
        except TimedOut:
            return Outcome("uncertain", error="timeout")
        except BadRequest as exc:
            return Outcome("failed", error=exc.message)
        except (RetryAfter, NetworkError) as exc:
            return Outcome("retry", error=str(exc))
        except TelegramError as exc:
            return Outcome("failed", error=str(exc))
        if message is None:
            return Outcome("blocked")
        return Outcome("sent", message.message_id)

    return deliver


async def _run(app: AnyApp, broadcast_id: int, locale: str | None) -> None:
    runtime: Runtime = app.bot_data["runtime"]
    loaded = await runtime.db.read(svc.load, broadcast_id)
    if loaded is None:
        return
    broadcast, cluster = loaded
    if broadcast.status_chat_id is None:
        return
    status_chat, status_message = broadcast.status_chat_id, broadcast.status_message_id or 0
    t = translator(locale or cluster.locale)
    text = views.announcement(translator(cluster.locale), cluster, broadcast.text)
    pacer = shared_pacer(runtime)

    async def progress(sent: int, total: int) -> None:
        await pacer.acquire(status_chat)
        try:  # a progress line is not owed (the final report is): a failed edit must not stop the sending
            await _edit(app, status_chat, status_message, views.progress_text(t, sent, total))
        except TelegramError:
            log.warning("progress of announcement %s not shown", broadcast_id, exc_info=True)

    await svc.run(runtime.db, broadcast_id, _deliverer(app, pacer, text), progress, pacer, runtime.clock.timestamp)

    def finish_tx(conn: Conn) -> tuple[svc.Report, list[Out]]:
        """'done' and the final report it owes, in one transaction (retried by the outbox, across restarts)."""
        result = svc.finish(conn, broadcast_id=broadcast_id, now=runtime.clock.timestamp())
        parts = split_message(views.final_report(t, result))
        outs = _status_edit(broadcast_id, status_chat, status_message, parts[0])
        for part in parts[1:]:
            outs += out_send(status_chat, part)
        return result, outs

    await commit(app, finish_tx)


def _status_edit(broadcast_id: int, chat_id: int, message_id: int, text: str) -> list[Out]:
    """The status message's new state (the last one wins; posted again if it was deleted)."""
    return out_edit(chat_id, message_id, Reply(text), key=f"broadcast:{broadcast_id}", on_sent=STATUS_MESSAGE,
                    ref=broadcast_id)  # fmt: skip


def launch(app: AnyApp, broadcast_id: int, locale: str | None) -> asyncio.Task[None]:
    """Send in the background; the task is kept so tests and shutdown can wait for it."""
    runtime: Runtime = app.bot_data["runtime"]
    tasks = runtime.work_tasks

    async def guarded() -> None:
        try:
            await _run(app, broadcast_id, locale)
        except Exception:
            log.exception("announcement %s stopped; it continues at the next start", broadcast_id)

    task = asyncio.get_running_loop().create_task(guarded(), name=f"broadcast:{broadcast_id}")
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return task


async def drain(app: AnyApp) -> None:
    """Wait until every announcement being sent is done (tests, benchmarks)."""
    tasks = app.bot_data["runtime"].work_tasks
    while tasks:
        await asyncio.gather(*list(tasks), return_exceptions=True)


async def umumkan(update: Update, context: BotContext) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    t = context.t
    if chat.type != "private":
        await reply(update, context, views.private_only(t, "/umumkan"))
        return
    actor = await require_secretariat(update, context)
    if actor is None:
        return
    text = command_args(update)
    if not text:
        await reply(update, context, views.announce_help(t))
        return
    rendered = views.announcement(translator(actor.cluster.locale), actor.cluster, text)
    if len(text) > svc.MAX_TEXT or len(split_message(rendered)) > 1:
        await reply(update, context, views.too_long(t, len(text)))
        return
    runtime = context.runtime
    draft = await runtime.db.write(partial(svc.create_draft, cluster_id=actor.cluster.id, user_id=user.id, text=text,
                                           now=runtime.clock.timestamp()))  # fmt: skip
    await reply(update, context, views.preview(t, rendered, draft.id, draft.recipients, draft.unreachable))


async def on_button(update: Update, context: BotContext, button: BroadcastButton) -> None:
    """``bc:go:<id>`` sends (once: compare-and-set), ``bc:no:<id>`` cancels the draft."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.message is None:
        return
    t = context.t
    if button.action not in ACTIONS:
        await stale(update, context)
        return
    actor = await require_secretariat(update, context)
    if actor is None:
        return
    runtime = context.runtime
    broadcast_id = button.broadcast_id
    chat_id, message_id = query.message.chat.id, query.message.message_id
    if button.action == "no":

        def cancel_tx(conn: Conn) -> tuple[bool, list[Out]]:
            done = svc.cancel(conn, broadcast_id=broadcast_id, cluster_id=actor.cluster.id, now=runtime.clock.timestamp())
            text = t.gettext("Cancelled. Nothing was sent.")
            return done, (_status_edit(broadcast_id, chat_id, message_id, text) if done else [])

        async def answer_cancel(done: bool) -> None:
            if done:
                await query.answer(t.gettext("Saved."))
            else:
                await query.answer(views.broadcast_refused(t, "already"), show_alert=True)

        await commit(context, cancel_tx, then=answer_cancel)
        return

    def start_tx(conn: Conn) -> tuple[svc.Started, list[Out]]:
        started = svc.start(conn, broadcast_id=broadcast_id, cluster_id=actor.cluster.id, user_id=user.id,
                            status_chat_id=chat_id, status_message_id=message_id, now=runtime.clock.timestamp())  # fmt: skip
        text = views.progress_text(t, 0, started.total)
        return started, (_status_edit(broadcast_id, chat_id, message_id, text) if started.ok else [])

    async def answer_start(started: svc.Started) -> None:
        if started.ok:
            await query.answer(t.gettext("Sending…"))
        else:
            await query.answer(views.broadcast_refused(t, started.reason), show_alert=True)

    if (await commit(context, start_tx, then=answer_start)).ok:
        launch(context.application, broadcast_id, context.locale)


async def on_startup(app: AnyApp) -> None:
    """Announcements a restart interrupted continue (in-flight recipients are not sent twice)."""
    runtime: Runtime = app.bot_data["runtime"]
    if not runtime.db.sole_instance:
        return  # another instance is running: its announcements in flight are its own (docs/scale.md)
    for broadcast_id in await runtime.db.write(svc.interrupted, runtime.clock.timestamp()):
        log.warning("announcement %s was interrupted; continuing", broadcast_id)
        launch(app, broadcast_id, None)


def register(app: AnyApp) -> None:
    add_command(
        app,
        CommandSpec("umumkan", N_("Announcement to the group and privately to every representative (secretariat)"),
                    views.ANNOUNCE_EXAMPLE, aliases=("announce",), scopes=("private",), section="laporan"),
        umumkan,
    )  # fmt: skip
    app.add_handler(BroadcastButton.handler(on_button))
