"""/lapsit: the pinned situation summary kept current by editing the pin; /hitung: needs calculator."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application, CallbackQueryHandler

from bot.features.members import storage as members_repo
from bot.features.members.gate import current_actor, is_secretariat, require_cluster, require_secretariat
from bot.features.members.storage import Cluster
from bot.features.needs import service as needs_svc
from bot.features.needs import storage as needs_repo
from bot.features.sitrep import service as svc
from bot.features.sitrep import storage as repo
from bot.features.sitrep import views
from bot.features.sitrep.parts import Parts
from bot.kernel.context import BotContext
from bot.kernel.i18n import N_, translator
from bot.kernel.jobs_storage import JobRow
from bot.kernel.runtime import CommandSpec
from bot.kernel.telegram import add_command, command_args, edit, parse_id, reply, send
from bot.kernel.views import Button, Reply, esc
from bot.shared import regions, standards

log = logging.getLogger(__name__)
AnyApp = Application[Any, Any, Any, Any, Any, Any]


def _missing_right_text(t: Any, error: str) -> str:
    if "rights" in error.lower() or "administrator" in error.lower() or "admin" in error.lower():
        return "⚠️ " + t.gettext(
            "I could not pin the situation summary: I need to be an administrator with the right "
            "“Pin messages”. The summary was posted but not pinned."
        )
    return "⚠️ " + t.gettext("I could not pin the situation summary ({error}).").format(error=esc(error))


async def _render(app: AnyApp, cluster: Cluster) -> Reply:
    runtime = app.bot_data["runtime"]
    parts = Parts.of(runtime)
    await runtime.db.write(svc.prepare, cluster.id, runtime.clock.timestamp(), parts)
    report = await runtime.db.read(svc.build, cluster, runtime.clock.timestamp(), parts)
    return views.compact(translator(cluster.locale), report, cluster.timezone, app.bot.username, cluster.id)


async def publish(app: AnyApp, cluster: Cluster, by: int | None, kind: str = "pin") -> str | None:
    """Post the summary, pin it silently, unpin the bot's previous summary (other pins untouched).
    Returns an error text for the secretariat if pinning failed."""
    runtime = app.bot_data["runtime"]
    card = await _render(app, cluster)
    previous = await runtime.db.read(repo.pin_state, cluster.id)
    message = await send(app, cluster.chat_id, card.text, card.keyboard, notify=False)
    if message is None:
        return None
    problem = None
    try:
        if previous is not None:
            try:
                await app.bot.unpin_chat_message(cluster.chat_id, message_id=previous.message_id)
            except BadRequest:
                log.info("previous sitrep pin %s already gone", previous.message_id)
        await app.bot.pin_chat_message(cluster.chat_id, message.message_id, disable_notification=True)
    except (BadRequest, Forbidden) as exc:
        problem = _missing_right_text(translator(cluster.locale), exc.message)
    await runtime.db.write(
        svc.record_pin, cluster.id, message.chat.id, message.message_id, card.text, kind, by, runtime.clock.timestamp()
    )
    return problem


async def refresh_job(app: AnyApp, job: JobRow, now: int, late: bool) -> tuple[str, str]:
    """Edit the pinned summary in place; re-post and pin only if the pinned message was deleted."""
    runtime = app.bot_data["runtime"]
    cluster = await runtime.db.read(members_repo.cluster_by_id, int(job.payload.get("cluster_id", 0)))
    state = await runtime.db.read(repo.pin_state, cluster.id) if cluster else None
    if cluster is None or state is None:
        return "done", "nothing pinned"
    card = await _render(app, cluster)
    if svc.text_hash(card.text) == state.text_hash:
        return "done", "unchanged"

    try:
        still_there = await edit(app, state.chat_id, state.message_id, card)
    except BadRequest as exc:
        await send(app, cluster.chat_id, _missing_right_text(translator(cluster.locale), exc.message))
        return "done", "edit failed"
    if not still_there:
        problem = await publish(app, cluster, None, "repost")
        if problem:
            await send(app, cluster.chat_id, problem)
        return "done", "reposted"
    await runtime.db.write(svc.record_edit, cluster.id, card.text, now)
    return "done", "edited"


async def lapsit(update: Update, context: BotContext) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    actor = await require_cluster(update, context)
    if actor is None:
        return
    runtime = context.runtime
    t = context.t
    arg = command_args(update).lower()
    if arg in ("riwayat", "history"):
        rows = await runtime.db.read(repo.versions, actor.cluster.id)
        await reply(
            update,
            context,
            views.history(t, [(r["id"], r["kind"], r["published_at"]) for r in rows], actor.cluster.timezone),
        )
        return
    secretariat = await is_secretariat(context, actor, user.id)
    if arg in ("bekukan", "freeze"):
        if not secretariat:
            await reply(update, context, t.gettext("Only the cluster secretariat can do this."))
            return
        card = await _render(context.application, actor.cluster)
        frozen = t.gettext("🧊 Frozen copy for the record") + "\n" + card.text
        message = await send(context, actor.cluster.chat_id, frozen)
        await runtime.db.write(
            repo.add_version,
            actor.cluster.id,
            "frozen",
            card.text,
            message.message_id if message else None,
            user.id,
            runtime.clock.timestamp(),
        )
        if chat.id != actor.cluster.chat_id:  # asked in private: say where it went
            await reply(update, context, t.gettext("Saved. The frozen copy is posted in the cluster's group."))
        return
    if arg:
        await reply(
            update,
            context,
            t.gettext("Write <code>/lapsit</code>, <code>/lapsit riwayat</code> or <code>/lapsit bekukan</code>."),
        )
        return
    if secretariat and chat.type != ChatType.PRIVATE:
        problem = await publish(context.application, actor.cluster, user.id)
        if problem:
            await reply(update, context, problem)
        return
    card = await _render(context.application, actor.cluster)
    await reply(update, context, card)


async def deeplink_full(update: Update, context: BotContext, arg: str) -> None:
    """The full report, split across messages, for a member of that cluster."""
    runtime = context.runtime
    cluster_id = parse_id(arg)
    cluster = await runtime.db.read(members_repo.cluster_by_id, cluster_id) if cluster_id is not None else None
    user = update.effective_user
    if cluster is None or user is None:
        await reply(update, context, context.t.gettext("This link is no longer valid."))
        return
    actor = await runtime.db.read(_actor, cluster, user.id)
    if not (actor.is_active or await is_secretariat(context, actor, user.id)):
        await reply(
            update,
            context,
            context.t.gettext(
                "Only approved representatives of member organisations can do this. Register first with /daftar "
                "in a private chat with me."
            ),
        )
        return
    parts = Parts.of(runtime)
    await runtime.db.write(svc.prepare, cluster.id, runtime.clock.timestamp(), parts)
    report = await runtime.db.read(svc.build, cluster, runtime.clock.timestamp(), parts)
    await reply(update, context, views.full(context.t, report, cluster.timezone))


def _actor(conn: Any, cluster: Cluster, user_id: int) -> Any:
    from bot.features.members.service import resolve_actor

    return resolve_actor(conn, cluster, user_id)


# ---- needs calculator -----------------------------------------------------------------------------


async def hitung(update: Update, context: BotContext) -> None:
    t = context.t
    request = standards.parse_request(command_args(update))
    if isinstance(request, str):
        head = (
            t.gettext("The numbers are out of range (1–5.000.000 people, 1–365 days).")
            if request == "range"
            else t.gettext("Tell me how many people and for how many days.")
        )
        await reply(
            update,
            context,
            head + "\n" + t.gettext("Write it like this:") + "\n<code>/hitung 1.200 jiwa 7 hari HSS</code>",
        )
        return
    lines = standards.estimate(request.people, request.days)
    text = [
        t.gettext("<b>Estimated basic needs</b> for {people} people, {days} days").format(
            people=t.number(request.people), days=t.number(request.days)
        )
    ]
    if request.households is not None:
        size, size_source = standards.household_size(t.code)
        text.append(
            t.gettext("{kk} KK × {size} people per KK ≈ {people} people ({source})").format(
                kk=t.number(request.households), size=t.number(size, 1), people=t.number(request.people),
                source=esc(size_source),
            )
        )
    sources = []
    for index, line in enumerate(lines, start=1):
        label = line.standard.label_in(t.code)
        text.append(f"• {esc(label)}: <b>{t.number(line.amount, 1)} {esc(line.standard.unit)}</b> [{index}]")
        sources.append(f"[{index}] {esc(line.standard.source_in(t.code))}")
    text += ["", t.gettext("<i>Sources</i>"), *sources]
    keyboard = []
    actor = await current_actor(update, context)
    region = regions.find_region(request.rest, actor.cluster.province) if actor and request.rest else None
    if (
        actor is not None
        and region is not None
        and update.effective_user is not None
        and await is_secretariat(context, actor, update.effective_user.id)
    ):
        keyboard = [
            [
                Button(
                    t.gettext("➕ Turn into needs for {region}").format(region=region.short or region.name),
                    f"hc:{request.people}:{request.days}:{region.code}",
                )
            ]
        ]
    elif actor is not None and region is None:
        text.append("")
        text.append(
            t.gettext(
                "Add a kabupaten/kota (e.g. <code>/hitung 1.200 jiwa 7 hari HSS</code>) so the "
                "secretariat can turn this into needs with one tap."
            )
        )
    await reply(update, context, Reply("\n".join(text), keyboard))


async def on_calc_button(update: Update, context: BotContext) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    t = context.t
    parts = query.data.split(":")
    valid = len(parts) == 4 and parse_id(parts[1]) is not None and parse_id(parts[2]) is not None
    if (
        not valid
        or regions.get_region(parts[3]) is None
        or not (1 <= int(parts[1]) <= standards.MAX_PEOPLE and 1 <= int(parts[2]) <= standards.MAX_DAYS)
    ):
        await query.answer(t.gettext("This button is no longer valid."))
        return
    actor = await require_secretariat(update, context)
    if actor is None:
        return
    if actor.org is None or not actor.is_active:
        await query.answer(
            t.gettext("Register your own organisation first (/daftar): needs are posted in its name."), show_alert=True
        )
        return
    await query.answer(t.gettext("Saved."))
    runtime = context.runtime
    people, days, region_code = int(parts[1]), int(parts[2]), parts[3]
    active = await runtime.db.read(needs_repo.incidents, actor.cluster.id)
    incident = next((i for i in active if region_code in i.region_codes), None)
    drafts = [
        needs_svc.NeedDraft(
            line.standard.item_key,
            line.standard.label_in(t.code),
            None,
            float(line.amount),
            line.standard.unit,
            region_code,
            priority=2,
            beneficiaries=people,
            beneficiary_unit="jiwa",
            note=t.gettext("Estimated with /hitung: {people} people, {days} days").format(
                people=t.number(people), days=t.number(days)
            ),
            incident_id=incident.id if incident else None,
        )
        for line in standards.estimate(people, days)
        if line.standard.item_key and line.amount > 0
    ]
    from bot.features.needs.handlers.posting import publish_needs
    from bot.shared import catalogue

    ready = []
    for draft in drafts:
        item = catalogue.get_item(draft.item_key or "")
        ready.append(needs_svc.NeedDraft(
            **{
                **draft.__dict__,
                "category": item.category if item else None,
                "item_name": item.name_id if item else draft.item_name,
            }
        ))
    await publish_needs(update, context, actor, ready)  # one transaction, one answer for all


def register(app: AnyApp) -> None:
    add_command(
        app,
        CommandSpec(
            "lapsit",
            N_("Situation summary (the secretariat pins it and it stays current)"),
            "/lapsit riwayat",
            aliases=("sitrep",),
            section="lapsit",
        ),
        lapsit,
    )
    add_command(
        app,
        CommandSpec(
            "hitung",
            N_("Estimate basic needs from minimum standards"),
            "/hitung 1.200 jiwa 7 hari HSS",
            aliases=("calc",),
            section="lapsit",
        ),
        hitung,
    )
    app.add_handler(CallbackQueryHandler(on_calc_button, pattern=r"^hc:"))
