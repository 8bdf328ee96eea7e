"""/kejadian: the incident list, declaring an incident and changing its status (secretariat)."""

from __future__ import annotations

from telegram import Update

from bot.features.members.gate import current_actor, require_member, require_secretariat
from bot.features.needs import list_views
from bot.features.needs import storage as repo
from bot.features.needs.handlers import incident_input
from bot.kernel.context import BotContext
from bot.kernel.telegram import command_args, reply


async def kejadian(update: Update, context: BotContext) -> None:
    args = command_args(update)
    if not args:
        actor = await current_actor(update, context)
        if actor is None:
            actor = await require_member(update, context)
            if actor is None:
                return
        incidents = await context.runtime.db.read(repo.incidents, actor.cluster.id)
        await reply(update, context, incident_input.incidents_text(context.t, incidents, actor.cluster.timezone))
        return
    actor = await require_secretariat(update, context)
    if actor is None or update.effective_user is None:
        return
    runtime = context.runtime
    command = incident_input.parse_incident_command(args, actor.cluster, runtime.clock.now(), context.t)
    if isinstance(command, str):
        await reply(update, context, command)
        return
    now = runtime.clock.timestamp()
    if command.action == "new":
        incident = await runtime.db.write(
            repo.create_incident,
            actor.cluster.id,
            command.type,
            command.title,
            command.region_codes,
            command.status,
            command.started_at,
            update.effective_user.id,
            now,
        )
        await reply(
            update,
            context,
            context.t.gettext("Saved. Incident declared:")
            + "\n"
            + list_views.incident_line(context.t, incident, actor.cluster.timezone),
        )
        return
    existing = await runtime.db.read(repo.incident_by_id, actor.cluster.id, command.incident_id)
    if existing is None:
        await reply(
            update,
            context,
            context.t.gettext("There is no incident #{n} in this cluster. Type /kejadian for the list.").format(
                n=command.incident_id
            ),
        )
        return
    await runtime.db.write(repo.set_incident_status, existing.id, command.status, now)
    updated = await runtime.db.read(repo.incident_by_id, actor.cluster.id, existing.id)
    assert updated is not None
    await reply(
        update,
        context,
        context.t.gettext("Saved.") + "\n" + list_views.incident_line(context.t, updated, actor.cluster.timezone),
    )
