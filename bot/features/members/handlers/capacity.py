"""/kapasitas: an organisation's lasting capacity (warehouses, vehicles, equipment, people, topics)."""

from __future__ import annotations

import functools
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application

from bot.features.members import service as svc
from bot.features.members import storage as repo
from bot.features.members import views
from bot.features.members.gate import require_cluster, require_member
from bot.features.members.orgs import parse_capacity_kind, parse_capacity_line
from bot.kernel.context import BotContext
from bot.kernel.i18n import N_
from bot.kernel.outbox import write_and_reply
from bot.kernel.runtime import CommandSpec
from bot.kernel.telegram import add_command, command_args, parse_id, reply
from bot.kernel.views import esc
from bot.shared import regions


async def kapasitas(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    t = context.t
    runtime = context.runtime
    args = command_args(update)
    first, _, rest = args.partition(" ")
    kind = parse_capacity_kind(first) if first else None
    if args and kind is None and first.lower() not in ("hapus", "delete"):
        actor = await require_cluster(update, context)
        if actor is None:
            return
        hits = await runtime.db.read(svc.search_capacity, actor.cluster.id, args)
        await reply(update, context, views.capacity_search(t, args, hits))
        return
    if chat.type != ChatType.PRIVATE:
        await reply(
            update,
            context,
            t.gettext(
                "Edit your organisation's capacity in a private chat with me. "
                "Here you can search it, e.g. <code>/kapasitas perahu</code>."
            ),
        )
        return
    actor = await require_member(update, context)
    if actor is None or actor.org is None:
        return
    now = runtime.clock.timestamp()
    if first.lower() in ("hapus", "delete"):
        number = parse_id(rest.strip().lstrip("#"))
        if number is None:
            await reply(
                update, context, t.gettext("Write the number shown in the list, e.g. <code>/kapasitas hapus 12</code>.")
            )
            return
        await write_and_reply(
            update, context,
            lambda removed: t.gettext("Removed.") if removed else t.gettext("There is no such entry in your list."),
            functools.partial(svc.delete_capacity, org_id=actor.org.id, capacity_id=number),
        )  # fmt: skip
        return
    if kind is not None:
        line = parse_capacity_line(kind, rest)
        if line is None:
            await reply(
                update, context, t.gettext("Tell me what it is after the kind.") + "\n" + views.capacity_help(t)
            )
            return
        region = regions.find_region(line.region_text, actor.cluster.province) if line.region_text else None
        location = "" if region else line.region_text[:80]
        saved = t.gettext("Saved: {name}.").format(name=esc(line.name))
        await write_and_reply(update, context, lambda _: saved, functools.partial(
            svc.add_capacity, org_id=actor.org.id, kind=kind, name=line.name[:80], quantity=line.quantity,
            region_code=region.code if region else None, location=location, now=now))  # fmt: skip
        return
    rows = await runtime.db.read(repo.capacities_of_org, actor.org.id)
    lines = [t.gettext("<b>Capacity of {org}</b>").format(org=esc(actor.org.name))]
    lines += views.capacity_lines(t, rows, with_ids=True) or [t.gettext("Nothing registered yet.")]
    lines += ["", views.capacity_help(t)]
    await reply(update, context, "\n".join(lines))


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    add_command(app, CommandSpec("kapasitas", N_("Your organisation's capacity, or who has something"),
                                 "/kapasitas kendaraan perahu karet 4 HSS", aliases=("capacity",),
                                 section="anggota"), kapasitas)  # fmt: skip
