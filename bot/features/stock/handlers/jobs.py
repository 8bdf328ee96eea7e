"""The stock feature's scheduled jobs: the stale and near-expiry reminders (outbox rows of the transaction that
marks them sent, so a failed send is retried and never lost), the hourly publication of the pooled table, and
the reminder's "all still correct" button."""

from __future__ import annotations

from functools import partial
from typing import Any

from telegram import Update

from bot.features.members.gate import current_actor
from bot.features.stock import service as svc
from bot.features.stock import views
from bot.features.stock.callbacks import ReminderButton
from bot.kernel.callbacks import stale
from bot.kernel.context import BotContext
from bot.kernel.i18n import translator
from bot.kernel.jobs_storage import JobRow
from bot.kernel.outbox import commit, out_edit, out_send
from bot.kernel.outbox_storage import Out
from bot.kernel.scheduling import claim_tx
from bot.kernel.sql import Conn
from bot.kernel.views import Reply


def _remind(conn: Conn, job: JobRow, now: int, late: bool, *, is_stale: bool) -> tuple[tuple[str, str], list[Out]]:
    """The reminder to the organisation's representatives, written with its mark and the job's status (one
    ``claim_tx`` transaction: a crash after the claim runs it again, once; after the commit the outbox delivers)."""
    org_id = int(job.payload.get("org_id", 0))
    reminder = svc.stale_due(conn, org_id, now) if is_stale else svc.expiry_due(conn, org_id, now)
    if reminder is None:
        return ("done", "nothing due"), []
    cluster = svc.cluster_of(conn, reminder.cluster_id)
    if cluster is None:
        return ("missed", "no cluster"), []
    if not reminder.user_ids:
        return ("missed", "no active representative"), []
    t = translator(cluster.locale)
    content = views.stale_reminder(t, reminder, cluster.timezone, late) if is_stale else \
        views.expiry_reminder(t, reminder, cluster.timezone, late)  # fmt: skip
    outs = [out for uid in reminder.user_ids for out in out_send(uid, content)]
    return ("done", f"{len(reminder.lines)} lines"), outs


stale_job = claim_tx(partial(_remind, is_stale=True))
expiry_job = claim_tx(partial(_remind, is_stale=False))


@claim_tx
def publish_job(conn: Conn, job: JobRow, now: int, late: bool) -> tuple[tuple[str, str], list[Out]]:
    """The fixed cadence: the cluster's next snapshot of the published table (held tables stay as they were). A
    ``claim_tx`` job, so a claim a crash left runs again and the hourly chain does not break."""
    pub = svc.publish(conn, int(job.payload.get("cluster_id", 0)), now)
    return ("done", f"snapshot {pub.snapshot}" if pub is not None else "no stock"), []


async def on_reminder_button(update: Update, context: BotContext, button: ReminderButton) -> None:
    """``sr:ok:<org>``: every stale line of one's own organisation is still correct."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    actor = await current_actor(update, context)
    if (button.action != "ok" or actor is None or not actor.is_active or actor.org is None
            or actor.org.id != button.org_id):  # fmt: skip
        await stale(update, context)
        return
    runtime = context.runtime
    t, org_id, pressed = context.t, actor.org.id, query.message

    def tx(conn: Any) -> tuple[int, list[Out]]:
        count = svc.confirm_all_stale(conn, org_id, user.id, runtime.clock.timestamp())
        content = Reply(views.confirmed_all(t, count))
        return count, (out_edit(pressed.chat.id, pressed.message_id, content) if pressed is not None else [])

    async def answered(_: int) -> None:
        await query.answer(t.gettext("Saved."))

    await commit(context, tx, then=answered)
