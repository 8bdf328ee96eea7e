"""Settings: the cluster's reminder offsets (/agenda pengingat) and time zone (/zona)."""

from __future__ import annotations

from telegram import Update

from bot.features.agenda import domain
from bot.features.agenda import service as svc
from bot.features.agenda.handlers.common import _ZONE_WORDS
from bot.features.agenda.points import RESCHEDULE
from bot.features.agenda.views import lists
from bot.features.members.gate import require_cluster, require_secretariat
from bot.kernel.context import BotContext
from bot.kernel.outbox import write_and_reply
from bot.kernel.telegram import command_args, reply
from bot.shared import dates

# ---- settings: reminder offsets, time zone --------------------------------------------------------------


async def _reminders(update: Update, context: BotContext, args: str) -> None:
    t = context.t
    runtime = context.runtime
    if not args:
        actor = await require_cluster(update, context)
        if actor is None:
            return
        current = await runtime.db.read(svc.cluster_offsets, actor.cluster.id)
        await reply(update, context, lists.reminders_current(t, current))
        return
    actor = await require_secretariat(update, context)
    if actor is None or update.effective_user is None:
        return
    if args.lower() in ("standar", "default", "bawaan"):
        offsets: tuple[domain.Offset, ...] | str = domain.DEFAULT_OFFSETS
    else:
        offsets = domain.parse_offsets(args)
    if isinstance(offsets, str):
        await reply(update, context, lists.reminders_error(t, offsets))
        return
    chosen = offsets
    await write_and_reply(
        update, context, lambda moved: lists.reminders_saved(t, chosen, moved),
        svc.set_offsets, actor.cluster.id, offsets, update.effective_user.id, runtime.clock.timestamp(),
        runtime.contributions(RESCHEDULE),
    )  # fmt: skip


async def zona(update: Update, context: BotContext) -> None:
    args = command_args(update).strip()
    t = context.t
    runtime = context.runtime
    if not args:
        actor = await require_cluster(update, context)
        if actor is not None:
            await reply(update, context, lists.zone_current(t, actor.cluster))
        return
    actor = await require_secretariat(update, context)
    if actor is None or update.effective_user is None:
        return
    name = _ZONE_WORDS.get(args.lower(), args)
    if dates.zone_of(name) is None:
        await reply(update, context, lists.zone_error(t, args))
        return
    await write_and_reply(
        update, context, lambda moved: lists.zone_saved(t, name, moved),
        svc.set_timezone, actor.cluster.id, name, update.effective_user.id, runtime.clock.timestamp(),
        runtime.contributions(RESCHEDULE),
    )  # fmt: skip
