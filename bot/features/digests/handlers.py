"""Digests: /langganan (private digests) and /ringkasan jadwal|harian|mingguan."""

from __future__ import annotations

import logging
import re
from functools import partial
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes, filters

from bot.features.digests import job, parsing, slots, views
from bot.features.digests import service as svc
from bot.features.members.gate import require_cluster, require_member, require_secretariat
from bot.features.sitrep.parts import Parts
from bot.kernel import outbox
from bot.kernel.context import BotContext
from bot.kernel.i18n import N_, Translator
from bot.kernel.outbox import out_file
from bot.kernel.runtime import CommandSpec, Runtime
from bot.kernel.telegram import add_command, command_args, reply

log = logging.getLogger(__name__)
AnyApp = Application[Any, Any, Any, Any, Any, Any]

# Before the stock feature's /ringkasan (group 0, which knows only "stok"): this group takes the digest words
# and stops the update there (ApplicationHandlerStop), so the other handler never answers them too.
DIGEST_GROUP = -10
ENSURE_EVERY_S = 3600
_RINGKASAN_WORDS = re.compile(r"^/\S+\s+(jadwal|schedule|harian|daily|mingguan|weekly)\b", re.IGNORECASE)


# ---- the weekly charts of a preview ----------------------------------------------------------------


async def _send_charts(context: BotContext, chat_id: int, t: Translator, pictures: job.Pictures) -> None:
    """The preview's charts, owed as photo rows on the outbox (retried, never twice)."""
    outs = [out for name, png in pictures
            for out in out_file(chat_id, "photo", f"{name}.png", png, views.chart_caption(t, name))]  # fmt: skip
    if outs:
        await outbox.enqueue(context, outs)


async def ensure_slots(app: AnyApp) -> int:
    runtime: Runtime = app.bot_data["runtime"]
    return int(await runtime.db.write(slots.ensure_slots, runtime.clock.timestamp()))


async def _ensure_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    await ensure_slots(context.application)


async def on_startup(app: AnyApp) -> None:
    """Runs whose message failed or is uncertain are recorded so (a run a direct send left: 'uncertain'); every cluster gets its next slots (clusters set up since the
    last start too; hourly after that)."""
    runtime: Runtime = app.bot_data["runtime"]
    # With another instance running, runs 'sending' may be its own (docs/scale.md, "Several instances").
    changed = await runtime.db.write(svc.sync_runs) if runtime.db.sole_instance else 0
    if changed:
        log.warning("%d digest run(s) failed, uncertain or interrupted: recorded with the reason, not sent again",
                    changed)  # fmt: skip
    await ensure_slots(app)
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            _ensure_tick, interval=ENSURE_EVERY_S, first=ENSURE_EVERY_S, name="digest-slots",
            job_kwargs={"id": "digest-slots", "replace_existing": True, "misfire_grace_time": None, "coalesce": True},
        )  # fmt: skip


# ---- /ringkasan jadwal | harian | mingguan --------------------------------------------------------


async def _schedule(update: Update, context: BotContext, args: str) -> None:
    t = context.t
    request = parsing.parse_schedule(args)
    if request is None:
        actor = await require_cluster(update, context)
        if actor is not None:
            state = await context.runtime.db.read(slots.schedule_state, actor.cluster.id)
            await reply(update, context, views.schedule_text(t, actor.cluster, state))
        return
    actor = await require_secretariat(update, context)
    if actor is None or update.effective_user is None:
        return
    if isinstance(request, parsing.ParseProblem):
        await reply(update, context, views.problem_text(t, request, views.SCHEDULE_EXAMPLES[1]))
        return
    runtime = context.runtime
    state = await runtime.db.write(partial(slots.set_schedule, cluster_id=actor.cluster.id, frequency=request.frequency,
                                           at=request.at, user_id=update.effective_user.id, now=runtime.clock.timestamp()))  # fmt: skip
    await reply(update, context, views.schedule_text(t, actor.cluster, state, saved=True))


async def _preview(update: Update, context: BotContext, frequency: str) -> None:
    actor = await require_cluster(update, context)
    chat = update.effective_chat
    if actor is None or chat is None:
        return
    runtime = context.runtime
    now = runtime.clock.timestamp()
    digest = await runtime.db.read_heavy(partial(svc.preview, cluster_id=actor.cluster.id, frequency=frequency, now=now,
                                                 parts=Parts.of(runtime), sections=job.sections(runtime)))  # fmt: skip
    if digest is None:
        return
    await reply(update, context, views.digest_text(context.t, digest, actor.cluster.timezone))
    if frequency == "weekly" and digest.has_news:
        drawn = await job.draw(
            context.t, await runtime.db.read_heavy(svc.chart_data, actor.cluster.id, digest.scope.since, now), actor.cluster, now
        )
        await _send_charts(context, chat.id, context.t, drawn)


async def ringkasan(update: Update, context: BotContext) -> None:
    word, _, rest = command_args(update).partition(" ")
    word = word.lower()
    if word in ("jadwal", "schedule"):
        await _schedule(update, context, rest)
    else:
        await _preview(update, context, "daily" if word in ("harian", "daily") else "weekly")
    raise ApplicationHandlerStop


# ---- /langganan -----------------------------------------------------------------------------------


async def langganan(update: Update, context: BotContext) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    t = context.t
    if chat.type != "private":
        await reply(update, context, views.private_only(t, "/langganan"))
        return
    actor = await require_member(update, context)
    if actor is None:
        return
    runtime = context.runtime
    request = parsing.parse_subscription(command_args(update), actor.cluster.province)
    if request is None:
        result = await runtime.db.read(partial(svc.my_subscriptions, cluster_id=actor.cluster.id, user_id=user.id))
        await reply(update, context, views.subscriptions_text(t, result))
        return
    if isinstance(request, parsing.ParseProblem):
        await reply(update, context, views.problem_text(t, request, views.SUBSCRIBE_EXAMPLE))
        return
    result = await runtime.db.write(partial(svc.subscribe, cluster_id=actor.cluster.id, user_id=user.id, request=request,
                                            now=runtime.clock.timestamp()))  # fmt: skip
    text = views.subscribed_text(t, result) if request.action == "subscribe" else views.unsubscribed_text(t, result)
    await reply(update, context, text)


def register(app: AnyApp) -> None:
    add_command(
        app,
        CommandSpec("langganan", N_("Receive the cluster digest privately, daily or weekly, for your regions and "
                                    "item categories"), views.SUBSCRIBE_EXAMPLE, aliases=("subscribe",),
                    scopes=("private",), section="laporan"),
        langganan,
    )  # fmt: skip
    add_command(
        app,
        CommandSpec("ringkasan", N_("Digests: /ringkasan harian or mingguan shows one now; the secretariat sets "
                                    "their times with /ringkasan jadwal"), views.SCHEDULE_EXAMPLES[0],
                    aliases=("summary",), menu=False, section="laporan"),
        ringkasan,
        chat_filter=filters.Regex(_RINGKASAN_WORDS),
        group=DIGEST_GROUP,
    )  # fmt: skip
