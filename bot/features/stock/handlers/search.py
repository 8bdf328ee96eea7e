"""Pooled figures and "who has X": /stok total and /ringkasan stok (the published table), /cari and its further
pages, forwarding a search privately to the holders and their answers. Every write and what it owes are one
transaction (outbox)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ChatType

from bot.features.members.gate import current_actor, is_secretariat, require_cluster
from bot.features.members.service import Actor
from bot.features.stock import service as svc
from bot.features.stock import views
from bot.features.stock.callbacks import MoreButton, RequestButton
from bot.kernel.callbacks import stale
from bot.kernel.context import BotContext
from bot.kernel.i18n import translator
from bot.kernel.outbox import commit, out_edit, out_reply, out_send, write_and_reply
from bot.kernel.outbox_storage import Out
from bot.kernel.telegram import command_args, reply
from bot.kernel.views import Reply, esc
from bot.shared import catalogue, regions


async def totals(update: Update, context: BotContext, actor: Actor | None = None) -> None:
    actor = actor or await require_cluster(update, context)
    if actor is None:
        return
    t, name, tz = context.t, actor.cluster.name, actor.cluster.timezone
    await write_and_reply(update, context, lambda pub: views.totals_text(t, pub, name, tz), svc.publish,
                          actor.cluster.id, context.runtime.clock.timestamp())  # fmt: skip


async def ringkasan(update: Update, context: BotContext) -> None:
    args = command_args(update)
    if args.lower() in ("stok", "stock"):
        await totals(update, context)
        return
    head = context.t.gettext("I did not understand “{bad}”.").format(bad=esc(args[:60])) + "\n" if args else ""
    await reply(update, context, head + context.t.gettext("Which summary? Write <code>/ringkasan stok</code> for the "
                                                          "cluster's stock totals."))  # fmt: skip


async def cari(update: Update, context: BotContext) -> None:
    actor = await require_cluster(update, context)
    if actor is None or update.effective_user is None:
        return
    t = context.t
    text = " ".join(command_args(update).split())[:200]
    if not text:
        await reply(update, context, views.search_help(t))
        return
    hits = regions.find_regions_in(text, actor.cluster.province)
    unknown = next((h for h in hits if h.region is None), None)
    if unknown is not None:
        await reply(update, context, views.search_help(
            t, t.gettext("I did not recognise the kabupaten/kota “{bad}”.").format(bad=esc(unknown.text))))  # fmt: skip
        return
    item_text = text
    for hit in sorted(hits, key=lambda h: -h.start):
        item_text = item_text[: hit.start] + " " + item_text[hit.end :]
    item_text = " ".join(item_text.split())
    match = catalogue.match_item(item_text)
    if match.method == "empty":
        await reply(update, context, views.search_help(t))
        return
    region_code = hits[0].region.code if hits and hits[0].region else (actor.org.region_code if actor.org else None)
    runtime = context.runtime
    now = runtime.clock.timestamp()
    active = actor.is_active and actor.org is not None
    chat = update.effective_chat
    private = chat is not None and chat.type == ChatType.PRIVATE
    secretariat = private and await is_secretariat(context, actor, update.effective_user.id)
    tz = actor.cluster.timezone
    await write_and_reply(update, context, lambda result: views.search_reply(t, result, now, tz, active, private),
                          svc.search, actor.cluster.id, match, region_code, now, update.effective_user.id,
                          actor.org.id if active and actor.org else None, secretariat)  # fmt: skip


async def on_more_button(update: Update, context: BotContext, button: MoreButton) -> None:
    """``sm:<search>:<page>``: a further page of a /cari answer (the same for whoever taps)."""
    query = update.callback_query
    if query is None:
        return
    runtime = context.runtime
    actor = await current_actor(update, context)
    cluster_id = await runtime.db.read(lambda conn: svc.request_cluster(conn, request_id=button.request_id))
    if actor is None or actor.cluster.id != cluster_id:
        await stale(update, context)
        return
    t, tz = context.t, actor.cluster.timezone

    def tx(conn: Any) -> tuple[svc.Search | None, list[Out]]:
        result = svc.search_again(conn, button.request_id, runtime.clock.timestamp())
        return result, (out_reply(update, views.search_page(t, result, button.page, tz)) if result is not None else [])

    async def answered(result: svc.Search | None) -> None:
        if result is None:
            await stale(update, context)
        else:
            await query.answer()

    await commit(context, tx, then=answered)


async def on_request_button(update: Update, context: BotContext, button: RequestButton) -> None:
    """``sq:fw:<id>`` (the searcher forwards privately), ``sq:y|n:<id>`` (a holder answers, once)."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    if button.action not in ("fw", "y", "n"):
        await stale(update, context)
        return
    runtime = context.runtime
    t = context.t
    now = runtime.clock.timestamp()
    request_id = button.request_id
    pressed = query.message
    if button.action == "fw":
        actor = await current_actor(update, context)
        if actor is None or not actor.is_active or actor.org is None:
            await stale(update, context)
            return
        holder_t, org_label = translator(actor.cluster.locale), actor.org.label

        def forward_tx(conn: Any) -> tuple[svc.Forwarded, list[Out]]:
            forwarded = svc.forward_request(conn, request_id, user.id, now)
            if not forwarded.ok:
                return forwarded, []
            outs = out_reply(update, views.forwarded_text(t, forwarded.organizations)) if pressed is not None else []
            for uid in forwarded.targets:
                outs += out_send(uid, views.holder_ask(holder_t, request_id, forwarded.item_name, forwarded.item_key,
                                                       forwarded.region_code, org_label))  # fmt: skip
            return forwarded, outs

        async def forwarded_answer(forwarded: svc.Forwarded) -> None:
            if not forwarded.ok:
                await query.answer(views.forward_refused(t, forwarded.reason), show_alert=forwarded.reason == "not_yours")
                return
            await query.answer(views.forwarded_text(t, forwarded.organizations))
            if pressed is not None:
                await context.bot.edit_message_reply_markup(pressed.chat.id, pressed.message_id, reply_markup=None)

        await commit(context, forward_tx, then=forwarded_answer)
        return

    def answer_tx(conn: Any) -> tuple[svc.RequestAnswer, list[Out]]:
        answer = svc.answer_request(conn, request_id, user.id, button.action == "y", now)
        if not answer.ok:
            return answer, []
        outs = out_edit(pressed.chat.id, pressed.message_id, Reply(views.holder_answered(t, answer))) if pressed else []
        if answer.yes:
            outs += out_send(answer.requester_user_id, views.requester_told(t, answer))
        return answer, outs

    async def answered(answer: svc.RequestAnswer) -> None:
        if answer.ok:
            await query.answer(t.gettext("Saved."))
        else:
            await stale(update, context)

    await commit(context, answer_tx, then=answered)
