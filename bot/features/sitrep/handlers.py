"""/lapsit: the pinned situation summary kept current by editing the pin; /hitung: needs calculator."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application

from bot.features.members import storage as members_repo
from bot.features.members.gate import current_actor, is_secretariat, require_cluster, require_secretariat
from bot.features.members.models import Cluster
from bot.features.members.service import resolve_actor
from bot.features.needs import service as needs_svc
from bot.features.needs import storage as needs_repo
from bot.features.sitrep import service as svc
from bot.features.sitrep import storage as repo
from bot.features.sitrep import views
from bot.features.sitrep.callbacks import CalcButton
from bot.features.sitrep.parts import Parts
from bot.kernel.callbacks import stale
from bot.kernel.context import BotContext
from bot.kernel.i18n import N_, translator
from bot.kernel.jobs_storage import JobRow
from bot.kernel.outbox import commit, enqueue, fate, out_edit, out_pin, out_reply, out_send, out_unpin
from bot.kernel.outbox_storage import Out, Result
from bot.kernel.runtime import CommandSpec
from bot.kernel.scheduling import ClaimBody, PreparedClaimTx
from bot.kernel.sql import Conn
from bot.kernel.telegram import add_command, command_args, parse_id, reply
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
    report = await runtime.db.read_heavy(svc.build, cluster, runtime.clock.timestamp(), parts)
    return views.compact(translator(cluster.locale), report, cluster.timezone, app.bot.username, cluster.id)


SITREP_CARD = "sitrep_card"  # outbox message kind: a summary card (its version id is the row's ref)


def _card_key(cluster_id: int) -> str:
    return f"sitrep:{cluster_id}"  # the pinned card's edits coalesce: the last state wins


def _pin_key(version_id: int) -> str:
    return f"sitrep-pin:{version_id}"


async def publish(app: AnyApp, cluster: Cluster, by: int | None, kind: str = "pin") -> str | None:
    """Post the summary, pin it silently, unpin the bot's previous summary (other pins untouched): one version and
    its outbox rows in one transaction, delivered in order. Returns an error text for the secretariat if pinning
    was refused."""
    runtime = app.bot_data["runtime"]
    card = await _render(app, cluster)
    now = runtime.clock.timestamp()

    def tx(conn: Any) -> tuple[int, list[Out]]:
        previous = repo.pin_state(conn, cluster.id)
        version_id = svc.publish(conn, cluster_id=cluster.id, text=card.text, kind=kind, by=by, now=now)
        outs = out_send(cluster.chat_id, card, notify=False, on_sent=SITREP_CARD, ref=version_id)
        outs += out_pin(cluster.chat_id, key=_pin_key(version_id), on_sent=SITREP_CARD, ref=version_id)
        if previous is not None:
            outs += out_unpin(previous.chat_id, previous.message_id)
        return version_id, outs

    outcomes: dict[str, Result] = {}
    version_id = await commit(app, tx, outcomes=outcomes)
    outcome = outcomes.get(_pin_key(version_id))  # the inline delivery's own outcome (no read)
    return _refused_pin(cluster, outcome.status, outcome.reason) if outcome is not None else None


def _refused_pin(cluster: Cluster, status: str, reason: str | None) -> str | None:
    """The secretariat's warning when Telegram refused the pin (a right missing); a pin left to the background
    sender's retries says nothing."""
    if status != "failed":
        return None
    return _missing_right_text(translator(cluster.locale), (reason or "").removeprefix("400 "))


def card_posted(conn: Any, version_id: int, chat_id: int, message_id: int) -> None:
    svc.card_posted(conn, version_id, chat_id, message_id)


async def _prepare_refresh(app: AnyApp, job: JobRow, now: int, late: bool) -> ClaimBody:
    """The card is rendered first, outside the job's transaction (a heavy read on the read-only connection)."""
    runtime = app.bot_data["runtime"]
    cluster = await runtime.db.read(members_repo.cluster_by_id, int(job.payload.get("cluster_id", 0)))
    state = await runtime.db.read(repo.pin_state, cluster.id) if cluster else None
    if cluster is None or state is None:
        return _nothing("nothing pinned")
    card = await _render(app, cluster)
    if svc.text_hash(card.text) == state.text_hash:
        return _nothing("unchanged")

    def body(conn: Conn, job: JobRow, now: int, late: bool) -> tuple[tuple[str, str], list[Out]]:
        version_id = svc.record_edit(conn, cluster.id, card.text, now)
        outs = out_edit(state.chat_id, state.message_id, card, key=_card_key(cluster.id), on_sent=SITREP_CARD,
                        ref=version_id)  # fmt: skip
        # pins only if the edit had to post the card again (card_at resolves a repost, not a plain edit)
        outs += out_pin(state.chat_id, key=_pin_key(version_id), on_sent=SITREP_CARD, ref=version_id)
        return ("done", f"{EDITED}{version_id}"), outs

    return body


def _nothing(note: str) -> ClaimBody:
    def body(conn: Conn, job: JobRow, now: int, late: bool) -> tuple[tuple[str, str], list[Out]]:
        return ("done", note), []

    return body


EDITED = "edited, version "  # the job's note after an edit: the version whose pin ``_after_refresh`` checks


async def _after_refresh(app: AnyApp, job: JobRow, result: tuple[str, str]) -> None:
    """A repost whose pin Telegram refused: the secretariat is told (through the outbox)."""
    if not result[1].startswith(EDITED):
        return
    runtime = app.bot_data["runtime"]
    cluster = await runtime.db.read(members_repo.cluster_by_id, int(job.payload.get("cluster_id", 0)))
    recorded = await fate(app, _pin_key(int(result[1].removeprefix(EDITED)))) if cluster else None
    problem = _refused_pin(cluster, *recorded) if cluster is not None and recorded is not None else None
    if cluster is not None and problem:
        await enqueue(app, out_send(cluster.chat_id, problem))


# Edit the pinned summary in place (through the outbox: retried, coalesced); if the pinned message was deleted,
# the outbox posts it again and the pin row that follows pins the new one. One ``claim_tx`` transaction: a crash
# after the claim runs it again (once), so a refresh is never lost.
refresh_job = PreparedClaimTx(_prepare_refresh, _after_refresh)


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
        now = runtime.clock.timestamp()

        def freeze_tx(conn: Any) -> tuple[int, list[Out]]:
            version_id = svc.publish(conn, cluster_id=actor.cluster.id, text=card.text, kind="frozen", by=user.id,
                                     now=now)  # fmt: skip
            outs = out_send(actor.cluster.chat_id, frozen, on_sent=SITREP_CARD, ref=version_id)
            if chat.id != actor.cluster.chat_id:  # asked in private: say where it went
                outs += out_reply(update, t.gettext("Saved. The frozen copy is posted in the cluster's group."))
            return version_id, outs

        await commit(context, freeze_tx)
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
    actor = await runtime.db.read(resolve_actor, cluster, user.id)
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
    report = await runtime.db.read_heavy(svc.build, cluster, runtime.clock.timestamp(), parts)
    await reply(update, context, views.full(context.t, report, cluster.timezone))


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
                    CalcButton(request.people, request.days, region.code).pack(),
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


async def on_calc_button(update: Update, context: BotContext, button: CalcButton) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    t = context.t
    if (
        regions.get_region(button.region) is None
        or not (1 <= button.people <= standards.MAX_PEOPLE and 1 <= button.days <= standards.MAX_DAYS)
    ):
        await stale(update, context)
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
    people, days, region_code = button.people, button.days, button.region
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
    app.add_handler(CalcButton.handler(on_calc_button))
