"""/kejadian: the incident list, declaring an incident and changing its status (secretariat)."""

from __future__ import annotations

from telegram import Update

from bot.features.members.gate import current_actor, require_member, require_secretariat
from bot.features.needs import list_views
from bot.features.needs import service as svc
from bot.features.needs import storage as repo
from bot.features.needs.handlers import incident_input
from bot.kernel.context import BotContext
from bot.kernel.outbox import commit, out_reply
from bot.kernel.outbox_storage import Out
from bot.kernel.sql import Conn
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
    now, t, cluster, by = runtime.clock.timestamp(), context.t, actor.cluster, update.effective_user.id

    def tx(conn: Conn) -> tuple[None, list[Out]]:
        """The declaration or the status change and its answer: one transaction."""
        if command.action == "new":
            incident = svc.declare_incident(conn, cluster_id=cluster.id, type_=command.type, title=command.title,
                                            region_codes=command.region_codes, status=command.status,
                                            started_at=command.started_at, by=by, now=now)  # fmt: skip
            text = t.gettext("Saved. Incident declared:") + "\n" + list_views.incident_line(t, incident, cluster.timezone)
            return None, out_reply(update, text)
        updated = svc.change_incident_status(conn, cluster_id=cluster.id, incident_id=command.incident_id,
                                             status=command.status, now=now)  # fmt: skip
        if updated is None:
            text = t.gettext("There is no incident #{n} in this cluster. Type /kejadian for the list.").format(
                n=command.incident_id
            )
            return None, out_reply(update, text)
        return None, out_reply(update, t.gettext("Saved.") + "\n" + list_views.incident_line(t, updated, cluster.timezone))

    await commit(context, tx)
