"""The digest slot's job: one ``claim_tx`` transaction (bot.kernel.scheduling) that checks the slot, plans the next
one, claims each recipient's run (``digest_runs``, the guard that a slot reaches a chat once), builds each digest
and owes it as an outbox row, and records the job's status. A crash before that commit leaves the claim owing
nothing (the slot runs again after the restart, once); a crash or a 5xx after it leaves the rows pending, and the
outbox delivers them (429 and 5xx retried, also across restarts; 403/400 failed with the reason; a timeout
uncertain, never resent). A run follows its row: sent rows mark it sent (or 'empty', the one-line digest) through
the message kinds below; failed and uncertain rows are copied onto their runs by ``storage.sync_runs``.

The weekly charts are drawn before the transaction (``prepare``: matplotlib takes tens of milliseconds and must
not hold the writer) and owed as photo rows (bot/kernel/outbox_files.py) after the text, to every chat whose
digest has news.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial
from typing import Any

from telegram.ext import Application

from bot.features.digests import charts, slots, views
from bot.features.digests import service as svc
from bot.features.digests import storage as repo
from bot.features.members.models import Cluster
from bot.features.sitrep import service as sitrep_svc
from bot.features.sitrep.parts import Parts
from bot.kernel.i18n import Translator, translator
from bot.kernel.jobs_storage import JobRow
from bot.kernel.outbox import out_file, out_send
from bot.kernel.outbox_storage import MessageKind, Out
from bot.kernel.runtime import Runtime
from bot.kernel.scheduling import ClaimBody, PreparedClaimTx
from bot.kernel.sql import Conn

AnyApp = Application[Any, Any, Any, Any, Any, Any]

RUN_SENT = "digests.run"  # the digest's (last) message was sent: its run is 'sent'
RUN_SENT_EMPTY = "digests.run_empty"  # the one-line "nothing new" digest was sent: 'empty'
MESSAGE_KINDS = (
    MessageKind(RUN_SENT, partial(repo.run_sent, status="sent")),
    MessageKind(RUN_SENT_EMPTY, partial(repo.run_sent, status="empty")),
)
Pictures = list[tuple[str, bytes]]


def run_key(run_id: int) -> str:
    """The outbox key of a run's message (``outbox_storage.outcome`` tells how it fared)."""
    return f"{repo.RUN_KEY_PREFIX}{run_id}"


def sections(runtime: Runtime) -> tuple[svc.Section, ...]:
    """What the installed features add to the digest (the agenda's coming week)."""
    return tuple(runtime.contributions(svc.DIGEST_SECTIONS))


async def draw(t: Translator, data: svc.ChartData, cluster: Cluster | None = None, now: int | None = None) -> Pictures:
    """The weekly pictures (headed with the cluster and the date), drawn off the event loop."""
    out: Pictures = []
    needs_png = await asyncio.to_thread(charts.needs_chart, t, data.categories, cluster, now)
    if needs_png:
        out.append(("needs", needs_png))
    stock_png = await asyncio.to_thread(charts.stock_chart, t, data.stock, data.stock_hidden, cluster, now)
    if stock_png:
        out.append(("stock", stock_png))
    return out


def digest_outs(
    *, chat_id: int, t: Translator, digest: svc.Digest, late_due: int | None, run_id: int, pictures: Pictures
) -> list[Out]:
    """One run's messages: the digest's text (its last part marks the run when sent), then the charts."""
    text = views.digest_text(t, digest, digest.scope.cluster.timezone, late_due)
    kind = RUN_SENT if digest.has_news else RUN_SENT_EMPTY
    outs = out_send(chat_id, text, key=run_key(run_id), on_sent=kind, ref=run_id)
    if digest.has_news:
        for name, png in pictures:
            outs += out_file(chat_id, "photo", f"{name}.png", png, views.chart_caption(t, name))
    return outs


def slot_body(
    conn: Conn, job: JobRow, now: int, late: bool, *, parts: Parts, sections: tuple[svc.Section, ...],
    pictures: Pictures,
) -> tuple[tuple[str, str], Sequence[Out]]:  # fmt: skip
    repo.sync_runs(conn)  # earlier runs whose rows the outbox finished since
    plan = svc.open_slot(conn, job=job, now=now, late=late, parts=parts, sections=sections)
    if not plan.send or plan.cluster is None:
        return ("missed", plan.note), []
    cluster = plan.cluster
    late_due = plan.due_at if plan.late else None
    outs: list[Out] = []
    chats = 0
    if plan.group_run is not None:
        digest = svc.build(conn, svc.scope_for(plan), now)
        outs += digest_outs(chat_id=plan.group_chat_id, t=translator(cluster.locale), digest=digest, late_due=late_due,
                            run_id=plan.group_run, pictures=pictures)  # fmt: skip
        chats += 1
    for subscription in plan.subscribers:
        claimed = svc.claim_subscriber(conn, plan=plan, subscription=subscription, now=now)
        if claimed is None:
            continue
        run_id, digest = claimed
        st = translator(subscription.locale or cluster.locale)
        outs += digest_outs(chat_id=subscription.user_id, t=st, digest=digest, late_due=late_due, run_id=run_id,
                            pictures=pictures)  # fmt: skip
        chats += 1
    return ("done", f"{chats} chat(s) owed"), outs


async def _prepare(app: AnyApp, job: JobRow, now: int, late: bool) -> ClaimBody:
    """Weekly: the charts are drawn first (outside the transaction); the same pictures go to the group and to
    subscribers."""
    runtime: Runtime = app.bot_data["runtime"]
    pictures: Pictures = []
    parts = Parts.of(runtime)
    if job.kind == slots.KINDS["weekly"] and job.cluster_id is not None:
        cluster = await runtime.db.read(svc.cluster_of, job.cluster_id)
        if cluster is not None:
            # the period's published stock snapshot first (as the slot's transaction takes it): the chart shows it
            await runtime.db.write(sitrep_svc.prepare, cluster.id, now, parts)
            since = job.due_at - slots.PERIOD_S["weekly"]
            data = await runtime.db.read_heavy(svc.chart_data, cluster.id, since, now)
            pictures = await draw(translator(cluster.locale), data, cluster, now)
    return partial(slot_body, parts=parts, sections=sections(runtime), pictures=pictures)


async def _after(app: AnyApp, job: JobRow, result: tuple[str, str]) -> None:
    """Runs whose rows the delivery finished (a 403, a timeout) are recorded so at once; what the background sender
    finishes later is recorded by the next slot and at start (``storage.sync_runs``)."""
    runtime: Runtime = app.bot_data["runtime"]
    await runtime.db.write(repo.sync_runs)


digest_job = PreparedClaimTx(_prepare, _after)
