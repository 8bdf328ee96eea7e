"""Reminders, digests, escalations: the database is the truth, the job queue a cache.

Every piece of scheduled work is a ``scheduled_jobs`` row with its due time. ``run_due`` claims due
rows in one transaction before anything is sent, so a second runner, a restart or a replayed tick can
never send the same row twice. A job made with ``claim_tx`` is ONE transaction: its final status and the
messages it owes (outbox rows) are written together, so at start a claim such a job left is known to owe
nothing yet and is run again (once), while the rows of one that committed are pending and sent by the outbox.
Only a claim left by a job that sends by itself is recorded 'interrupted' (with the reason; not re-sent: it
may have sent part). Late rows are handed to their handler with ``late=True`` (it sends with a "terlambat" note
while still useful, or records them missed), and the job queue is refilled with exact-time jobs for
the next few minutes only: start-up cost does not grow with the number of future reminders.

APScheduler's default misfire grace time is one second, which silently drops a job that fires late
(e.g. after a busy loop); every job here is added with ``misfire_grace_time=None``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from telegram.ext import Application, ContextTypes, JobQueue

from bot.kernel import jobs_storage as jobs_repo
from bot.kernel.feature import TICK, Contribution, Feature
from bot.kernel.jobs_storage import JobRow
from bot.kernel.outbox import commit
from bot.kernel.outbox_storage import Out
from bot.kernel.runtime import Runtime
from bot.kernel.sql import Conn

log = logging.getLogger(__name__)

LOOKAHEAD_S = 10 * 60
TICK_S = 30
LATE_AFTER_S = 120  # a job that runs this much after its due time is "late"

AnyApp = Application[Any, Any, Any, Any, Any, Any]
# A handler returns the final status: "done" (sent) or "missed" (deliberately not sent), and a note.
JobHandler = Callable[[AnyApp, JobRow, int, bool], Awaitable[tuple[str, str]]]
# A ``claim_tx`` job body: (conn, job, now, late) -> ((status, note), the messages it owes).
ClaimBody = Callable[[Conn, JobRow, int, bool], tuple[tuple[str, str], Sequence[Out]]]


@dataclass(frozen=True)
class ClaimTx:
    """A job whose whole effect is one transaction: the body's changes, its messages as outbox rows and the
    claim's final status commit together (then the rows are delivered). A crash before that commit leaves the
    claim with nothing owed, so it is safe to run again; a crash after it leaves the rows pending, sent after the
    restart. Each message is then sent once, or recorded failed/uncertain with the reason on its outbox row."""

    body: ClaimBody

    async def __call__(self, app: AnyApp, job: JobRow, now: int, late: bool) -> tuple[str, str]:
        def tx(conn: Conn) -> tuple[tuple[str, str], Sequence[Out]]:
            (status, note), outs = self.body(conn, job, now, late)
            jobs_repo.finish(conn, job.id, status, now, note)
            return (status, note), outs

        return await commit(app, tx)


def claim_tx(body: ClaimBody) -> ClaimTx:
    """Decorator: ``@claim_tx def reminder_job(conn, job, now, late) -> ((status, note), outs)``."""
    return ClaimTx(body)


# Work a ``claim_tx`` job needs that must not run inside its transaction (drawing a chart, a heavy read on the
# read-only connection): it returns the body to run in the transaction.
Prepare = Callable[[AnyApp, JobRow, int, bool], Awaitable[ClaimBody]]
# What looks at the delivery's outcome afterwards (a refused pin reported): (app, job, (status, note)).
After = Callable[[AnyApp, JobRow, tuple[str, str]], Awaitable[None]]


@dataclass(frozen=True)
class PreparedClaimTx:
    """A ``ClaimTx`` whose body is made by ``prepare`` first, outside the transaction. ``prepare`` writes nothing
    the job owes, so a crash during it leaves the claim owing nothing, and the job is run again after a restart,
    like any ``claim_tx`` job. ``after`` runs once the transaction committed and its rows were delivered (what it
    owes in turn goes through the outbox; its failure is logged, the job stays done)."""

    prepare: Prepare
    after: After | None = None

    async def __call__(self, app: AnyApp, job: JobRow, now: int, late: bool) -> tuple[str, str]:
        result = await ClaimTx(await self.prepare(app, job, now, late))(app, job, now, late)
        if self.after is not None:
            try:
                await self.after(app, job, result)
            except Exception:
                log.exception("after job %s (%s %s)", job.id, job.kind, job.ref)
        return result


def claim_tx_prepared(prepare: Prepare) -> PreparedClaimTx:
    """Decorator: ``@claim_tx_prepared async def job(app, job, now, late) -> body`` (body as for ``claim_tx``)."""
    return PreparedClaimTx(prepare)


class BotJobQueue(JobQueue[Any]):
    """PTB's job queue with APScheduler defaults that never drop a late job silently.

    The defaults go through ``scheduler_configuration`` (applied when the queue is attached to the
    Application): calling ``scheduler.configure`` later would replace PTB's executor.
    """

    @property
    def scheduler_configuration(self) -> dict[str, Any]:
        config = dict(super().scheduler_configuration)
        config["job_defaults"] = {"misfire_grace_time": None, "coalesce": True}
        return config


async def run_due(app: AnyApp) -> int:
    """Claim and run every due job; returns how many ran. Safe to call from anywhere, any time."""
    runtime: Runtime = app.bot_data["runtime"]
    handlers: dict[str, JobHandler] = runtime.job_handlers  # the manifests' ``jobs``
    now = runtime.clock.timestamp()
    claimed = await runtime.db.write(jobs_repo.claim_due, now)
    for job in claimed:
        handler = handlers.get(job.kind)
        status, note = "missed", "no handler"
        if handler is not None:
            try:
                status, note = await handler(app, job, now, now - job.due_at > LATE_AFTER_S)
            except Exception:
                log.exception("job %s (%s %s) failed", job.id, job.kind, job.ref)
                status, note = "missed", "error"
        await runtime.db.write(jobs_repo.finish, job.id, status, runtime.clock.timestamp(), note)
    return len(claimed)


async def _fire(context: ContextTypes.DEFAULT_TYPE) -> None:
    await run_due(context.application)


async def _tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    await run_due(context.application)
    await sync_queue(context.application)


async def sync_queue(app: AnyApp) -> int:
    """Put exact-time jobs for the next few minutes into the job queue (idempotent by job id)."""
    if app.job_queue is None:
        return 0
    runtime: Runtime = app.bot_data["runtime"]
    upcoming = await runtime.db.read(jobs_repo.pending_before, runtime.clock.timestamp() + LOOKAHEAD_S)
    for job_id, due_at in upcoming:
        app.job_queue.run_once(
            _fire,
            when=datetime.fromtimestamp(due_at, UTC),
            name=f"sched:{job_id}",
            job_kwargs={"id": f"sched:{job_id}", "replace_existing": True, "misfire_grace_time": None},
        )
    return len(upcoming)


async def on_startup(app: AnyApp) -> None:
    runtime: Runtime = app.bot_data["runtime"]
    rerun = [kind for kind, handler in runtime.job_handlers.items() if isinstance(handler, ClaimTx | PreparedClaimTx)]
    again = interrupted = 0
    if runtime.db.sole_instance:  # else claims are another running instance's (docs/scale.md)
        again, interrupted = await runtime.db.write(jobs_repo.recover_claims, rerun, runtime.clock.timestamp())
    if again:
        log.warning("%d scheduled job(s) claimed before a restart owed nothing yet and run again", again)
    if interrupted:
        log.warning("%d scheduled job(s) were interrupted by a crash and are not re-sent", interrupted)
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            _tick, interval=runtime.settings.tick_seconds, first=1, name="scheduler-tick",
            job_kwargs={"id": "scheduler-tick", "replace_existing": True, "misfire_grace_time": None, "coalesce": True},
        )  # fmt: skip
    await run_due(app)
    await sync_queue(app)


async def _tick_hook(app: AnyApp) -> None:
    await run_due(app)


FEATURE = Feature("scheduling", on_startup=(on_startup,), contributes=(Contribution(TICK, _tick_hook),))
