"""Digests: the slots' job handler, /langganan (private digests) and /ringkasan jadwal|harian|mingguan."""

from __future__ import annotations

import asyncio
import logging
import re
from functools import partial
from typing import Any

from telegram import Message, Update
from telegram.error import TelegramError, TimedOut
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes, filters

from bot.features.digests import charts, parsing, slots, views
from bot.features.digests import service as svc
from bot.features.members.gate import require_cluster, require_member, require_secretariat
from bot.features.members.models import Cluster
from bot.features.sitrep.parts import Parts
from bot.kernel.context import BotContext
from bot.kernel.i18n import N_, Translator, translator
from bot.kernel.jobs_storage import JobRow
from bot.kernel.pacer import Pacer, shared_pacer
from bot.kernel.runtime import CommandSpec, Runtime
from bot.kernel.telegram import add_command, call_with_retries, command_args, reply, send

log = logging.getLogger(__name__)
AnyApp = Application[Any, Any, Any, Any, Any, Any]

# Before the stock feature's /ringkasan (group 0, which knows only "stok"): this group takes the digest words
# and stops the update there (ApplicationHandlerStop), so the other handler never answers them too.
DIGEST_GROUP = -10
ENSURE_EVERY_S = 3600
_RINGKASAN_WORDS = re.compile(r"^/\S+\s+(jadwal|schedule|harian|daily|mingguan|weekly)\b", re.IGNORECASE)


def _sections(runtime: Runtime) -> tuple[svc.Section, ...]:
    """What the installed features add to the digest (the agenda's coming week)."""
    return tuple(runtime.contributions(svc.DIGEST_SECTIONS))


# ---- sending --------------------------------------------------------------------------------------


async def _deliver(app: AnyApp, pacer: Pacer, chat_id: int, text: str) -> tuple[str, Message | None, str]:
    """One digest into one chat: (run status, message, reason). A timeout may have delivered it: 'uncertain'."""
    await pacer.acquire(chat_id)
    try:
        message = await send(app, chat_id, text)
    except TimedOut as exc:
        log.warning("digest to %s timed out: %s", chat_id, exc)
        return "uncertain", None, f"timed out: {exc}"
    except TelegramError as exc:
        log.warning("digest to %s failed: %s", chat_id, exc)
        return "failed", None, str(exc) or type(exc).__name__
    return ("sent", message, "") if message is not None else ("unreachable", None, "")


async def _send_photo(app: AnyApp, pacer: Pacer, chat_id: int, photo: bytes | str, caption: str) -> str | None:
    """Send a chart (bytes the first time, then Telegram's file id); returns the file id to reuse."""
    runtime: Runtime = app.bot_data["runtime"]
    await pacer.acquire(chat_id)

    async def _do(cid: int) -> Message:
        return await app.bot.send_photo(cid, photo, caption=caption)

    try:
        message = await call_with_retries(runtime, chat_id, _do)
    except TelegramError as exc:
        log.warning("chart to %s failed: %s", chat_id, exc)
        return None
    return message.photo[-1].file_id if message is not None and message.photo else None


async def _draw(
    t: Translator, data: svc.ChartData, cluster: Cluster | None = None, now: int | None = None
) -> list[tuple[str, bytes | str]]:
    """The weekly pictures (headed with the cluster and the date), drawn off the event loop (matplotlib takes
    tens of milliseconds)."""
    out: list[tuple[str, bytes | str]] = []
    needs_png = await asyncio.to_thread(charts.needs_chart, t, data.categories, cluster, now)
    if needs_png:
        out.append(("needs", needs_png))
    stock_png = await asyncio.to_thread(charts.stock_chart, t, data.stock, data.stock_hidden, cluster, now)
    if stock_png:
        out.append(("stock", stock_png))
    return out


async def _send_charts(
    app: AnyApp, pacer: Pacer, chat_id: int, t: Translator, pictures: list[tuple[str, bytes | str]]
) -> list[tuple[str, bytes | str]]:
    reused: list[tuple[str, bytes | str]] = []
    for kind, photo in pictures:
        file_id = await _send_photo(app, pacer, chat_id, photo, views.chart_caption(t, kind))
        reused.append((kind, file_id or photo))
    return reused


# ---- the slot job ---------------------------------------------------------------------------------


async def _send_digest(
    app: AnyApp, pacer: Pacer, chat_id: int, t: Translator, digest: svc.Digest, late_due: int | None, run_id: int
) -> bool:
    """One recorded run: send, then record how it went ('empty' for the one-line digest)."""
    runtime: Runtime = app.bot_data["runtime"]
    tz = digest.scope.cluster.timezone
    status, message, error = await _deliver(app, pacer, chat_id, views.digest_text(t, digest, tz, late_due))
    if status == "sent" and not digest.has_news:
        status = "empty"
    await runtime.db.write(partial(svc.finish_run, run_id=run_id, status=status,
                                   message_id=message.message_id if message else None, now=runtime.clock.timestamp(),
                                   error=error))  # fmt: skip
    return message is not None


async def digest_job(app: AnyApp, job: JobRow, now: int, late: bool) -> tuple[str, str]:
    """A due slot: plan the next one, then the group's digest and each subscriber's, each recorded first.

    The weekly charts are drawn once and sent to the group; subscribers get the same pictures by file id.
    """
    runtime: Runtime = app.bot_data["runtime"]
    plan = await runtime.db.write(partial(svc.open_slot, job=job, now=now, late=late, parts=Parts.of(runtime),
                                          sections=_sections(runtime)))  # fmt: skip
    if not plan.send or plan.cluster is None:
        return "missed", plan.note
    cluster = plan.cluster
    t = translator(cluster.locale)
    pacer = shared_pacer(runtime)
    late_due = plan.due_at if plan.late else None
    weekly = plan.frequency == "weekly"
    pictures: list[tuple[str, bytes | str]] | None = None
    delivered = 0
    if plan.group_run is not None:
        digest = await runtime.db.read_heavy(svc.build, svc.scope_for(plan), now)
        if await _send_digest(app, pacer, plan.group_chat_id, t, digest, late_due, plan.group_run):
            delivered += 1
            if weekly and digest.has_news:
                pictures = await _draw(t, await runtime.db.read_heavy(svc.chart_data, cluster.id, plan.since, now), cluster, now)
                pictures = await _send_charts(app, pacer, plan.group_chat_id, t, pictures)
    for subscription in plan.subscribers:
        claimed = await runtime.db.write(partial(svc.claim_subscriber, plan=plan, subscription=subscription,
                                                 now=runtime.clock.timestamp()))  # fmt: skip
        if claimed is None:
            continue
        run_id, digest = claimed
        st = translator(subscription.locale or cluster.locale)
        if await _send_digest(app, pacer, subscription.user_id, st, digest, late_due, run_id):
            delivered += 1
            if weekly and digest.has_news:
                if pictures is None:
                    pictures = await _draw(t, await runtime.db.read_heavy(svc.chart_data, cluster.id, plan.since, now), cluster, now)
                pictures = await _send_charts(app, pacer, subscription.user_id, st, pictures)
    return "done", f"{delivered} chat(s)"


async def ensure_slots(app: AnyApp) -> int:
    runtime: Runtime = app.bot_data["runtime"]
    return int(await runtime.db.write(slots.ensure_slots, runtime.clock.timestamp()))


async def _ensure_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    await ensure_slots(context.application)


async def on_startup(app: AnyApp) -> None:
    """Runs a crash interrupted become 'uncertain'; every cluster gets its next slots (clusters set up since the
    last start too; hourly after that)."""
    runtime: Runtime = app.bot_data["runtime"]
    interrupted = await runtime.db.write(svc.interrupted_runs)
    if interrupted:
        log.warning("%d digest run(s) were interrupted: recorded uncertain, not sent again", interrupted)
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
                                                 parts=Parts.of(runtime), sections=_sections(runtime)))  # fmt: skip
    if digest is None:
        return
    await reply(update, context, views.digest_text(context.t, digest, actor.cluster.timezone))
    if frequency == "weekly" and digest.has_news:
        drawn = await _draw(
            context.t, await runtime.db.read_heavy(svc.chart_data, actor.cluster.id, digest.scope.since, now), actor.cluster, now
        )
        await _send_charts(context.application, shared_pacer(runtime), chat.id, context.t, drawn)


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
