"""/butuh: posting needs (one line, several items in one line, the guided form), the double-post guard, and the
escalation of an urgent need nobody answered."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application

from bot.features.members import storage as members_repo
from bot.features.members.gate import require_member
from bot.features.members.service import Actor
from bot.features.needs import lifecycle, views
from bot.features.needs import service as svc
from bot.features.needs.callbacks import DuplicateButton
from bot.features.needs.events import NEED_POSTED
from bot.features.needs.handlers import input as needs_input
from bot.features.needs.handlers import need_form
from bot.features.needs.handlers.cards import NEED_CARD, need_card
from bot.kernel import dialogs
from bot.kernel import storage as core_repo
from bot.kernel.callbacks import stale
from bot.kernel.context import BotContext
from bot.kernel.i18n import translator
from bot.kernel.jobs_storage import JobRow
from bot.kernel.outbox import commit, out_reply, out_send
from bot.kernel.outbox_storage import Out
from bot.kernel.scheduling import claim_tx
from bot.kernel.sql import Conn
from bot.kernel.telegram import command_args, reply
from bot.shared import posting

NEED_DIALOG = "need"
DUPLICATE_DIALOG = "needdup"
AnyApp = Application[Any, Any, Any, Any, Any, Any]


async def butuh(update: Update, context: BotContext) -> None:
    actor = await require_member(update, context)
    if actor is None:
        return
    line = command_args(update)
    if not line:
        await _start_need_dialog(update, context, actor)
        return
    now = context.runtime.clock.now()
    several = posting.split_items(line, now, actor.cluster.timezone)
    # Several items in one line: one card per item and one answer for all (or nothing when one is wrong).
    drafts = [needs_input.parse_need(part, actor.cluster, now, context.t) for part in several or [line]]
    wrong = next((d for d in drafts if isinstance(d, str)), None)
    if wrong is not None:
        await reply(update, context, wrong)
        return
    unclear = next((d.unclear for d in drafts if not isinstance(d, str) and d.unclear), "")
    if unclear:
        # Words that were not understood are shown back, not silently kept as a note.
        await reply(update, context, needs_input.unclear_text(context.t, line, unclear))
        return
    await publish_needs(update, context, actor, [d for d in drafts if not isinstance(d, str)])


async def publish_needs(
    update: Update,
    context: BotContext,
    actor: Actor,
    drafts: Sequence[svc.NeedDraft],
    *,
    allow_duplicate: bool = False,
    clear_dialog: bool = False,
) -> list[str]:
    """Post the needs in ONE transaction with their cards (each carrying its matching offers), the holders'
    notices, what other features owe for a new need and one answer to the poster; returns the codes posted.

    The public way for other features to post needs (the situation feature's /hitung). A draft the double-post
    guard holds back is not posted: the poster is asked about it (the first one) in the same transaction.
    ``clear_dialog``: the poster's open dialog ends with the posting."""
    runtime = context.runtime
    assert actor.org is not None and update.effective_user is not None and update.effective_chat is not None
    cluster, user_id, chat_id = actor.cluster, update.effective_user.id, update.effective_chat.id
    org_id, bot_username, t = actor.org.id, context.bot.username, context.t
    now = runtime.clock.timestamp()
    several = len(drafts) > 1

    def tx(conn: Conn) -> tuple[list[str], list[Out]]:
        """The needs, their cards, the matches, the notices and the answer: one transaction."""
        if clear_dialog:
            core_repo.clear_dialog(conn, chat_id, user_id)
        group_t = translator(cluster.locale)
        outs: list[Out] = []
        codes: list[str] = []
        held: tuple[svc.NeedDraft, Any] | None = None
        for draft in drafts:
            draft = svc.with_incident(conn, cluster.id, draft)
            posted = svc.post_need(conn, cluster.id, org_id, user_id, draft, now, False, allow_duplicate)
            if posted.duplicate_of is not None:
                held = held or (draft, posted.duplicate_of)
                continue
            need = posted.need
            assert need is not None
            codes.append(need.code)
            card = views.with_matches(need_card(conn, cluster, need, bot_username), group_t,
                                      [m.offer for m in posted.matches])  # fmt: skip
            outs += out_send(cluster.chat_id, card, key=f"need:{need.id}", on_sent=NEED_CARD, ref=need.id)
            offers = {m.offer.id: m.offer for m in posted.matches}
            for notify_id, offer_ids in posted.notify.items():
                for offer_id in offer_ids[:1]:
                    outs += out_send(notify_id, views.match_notice(group_t, need, offers[offer_id]))
            # Other features add what they owe for a new need (the stock feature: holders of matching stock).
            for hook in runtime.contributions(NEED_POSTED):
                outs += hook(conn, need, now)
        if several and codes:
            outs += out_reply(update, views.posted_several(t, codes))
        elif codes and chat_id != cluster.chat_id:
            outs += out_reply(update, views.posted_elsewhere(t, codes[0]))
        if held is not None:
            # The double-post guard: ask before a second card for the same need.
            dialogs.save_tx(conn, chat_id=chat_id, user_id=user_id, kind=DUPLICATE_DIALOG, step="confirm",
                            data={"draft": dict(held[0].__dict__)}, now=now)  # fmt: skip
            outs += out_reply(update, views.duplicate_need(t, held[1], now))
        return codes, outs

    return await commit(context, tx)


async def publish_need(
    update: Update, context: BotContext, actor: Actor, draft: svc.NeedDraft, *, allow_duplicate: bool = False
) -> str | None:
    """Post one need (see ``publish_needs``); its code, or None when the double-post guard held it back."""
    codes = await publish_needs(update, context, actor, [draft], allow_duplicate=allow_duplicate)
    return codes[0] if codes else None


async def _start_need_dialog(update: Update, context: BotContext, actor: Actor) -> None:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    await dialogs.save(context, chat_id=chat.id, user_id=user.id, kind=NEED_DIALOG, step="item",
                       data={"cluster_id": actor.cluster.id}, ask=need_form.ask_item(context.t), update=update)  # fmt: skip


async def on_need_text(update: Update, context: BotContext, dialog: core_repo.Dialog) -> None:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    actor = await require_member(update, context)
    if actor is None:
        return
    step = need_form.NeedStep(dialog.step, dict(dialog.data))
    result = need_form.need_dialog_text(step, message.text or "", actor.cluster, context.runtime.clock.now(), context.t)
    await _advance_need(update, context, actor, result)


async def _advance_need(update: Update, context: BotContext, actor: Actor, result: need_form.StepResult) -> None:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    if result.draft is not None:
        await publish_needs(update, context, actor, [result.draft], clear_dialog=True)
        return
    if result.step is not None:
        await dialogs.save(context, chat_id=chat.id, user_id=user.id, kind=NEED_DIALOG, step=result.step.name,
                           data=result.step.data, ask=result.reply, update=update)  # fmt: skip
        return
    if result.reply is not None:
        await reply(update, context, result.reply)


async def on_need_button(update: Update, context: BotContext) -> None:
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    if query is None or query.data is None or chat is None or user is None:
        return
    runtime = context.runtime
    dialog = await runtime.db.read(core_repo.get_dialog, chat.id, user.id)
    if dialog is None or dialog.kind != NEED_DIALOG or dialog.expires_at < runtime.clock.timestamp():
        await stale(update, context)
        return
    actor = await require_member(update, context)
    if actor is None:
        return
    step = need_form.NeedStep(dialog.step, dict(dialog.data))
    result = need_form.need_dialog_button(step, query.data, actor.cluster, runtime.clock.now(), context.t)
    if result is None:
        await stale(update, context)
        return
    await query.answer()
    await _advance_need(update, context, actor, result)


async def on_duplicate_button(update: Update, context: BotContext, button: DuplicateButton) -> None:
    """ndup:yes posts the need the guard held back; ndup:no drops it."""
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    if query is None or chat is None or user is None:
        return
    runtime = context.runtime
    dialog = await runtime.db.read(core_repo.get_dialog, chat.id, user.id)
    if (
        dialog is None
        or dialog.kind != DUPLICATE_DIALOG
        or dialog.expires_at < runtime.clock.timestamp()
        or button.answer not in ("yes", "no")
    ):
        await stale(update, context)
        return
    actor = await require_member(update, context)
    if actor is None:
        return
    await runtime.db.write(core_repo.clear_dialog, chat.id, user.id)
    await query.answer()
    if query.message is not None:
        with contextlib.suppress(BadRequest):
            await context.bot.edit_message_reply_markup(query.message.chat.id, query.message.message_id)
    if button.answer == "no":
        await reply(update, context, context.t.gettext("Not sent. The need that is already open stays as it is."))
        return
    try:
        draft = svc.NeedDraft(**dialog.data.get("draft", {}))
    except TypeError:
        await reply(update, context, context.t.gettext("This button is no longer valid."))
        return
    await publish_need(update, context, actor, draft, allow_duplicate=True)


async def on_duplicate_text(update: Update, context: BotContext, dialog: core_repo.Dialog) -> None:
    await reply(update, context, context.t.gettext("Tap 📤 Send anyway or ✖ Do not send above (or /batal)."))


@claim_tx
def escalate_job(conn: Conn, job: JobRow, now: int, late: bool) -> tuple[tuple[str, str], list[Out]]:
    """The escalation to the group and the secretariat, written with the job's status (one ``claim_tx``
    transaction: a crash after the claim runs it again, once; after the commit the outbox delivers it)."""
    escalation = lifecycle.escalation_due(conn, int(job.payload.get("need_id", 0)), now)
    if escalation is None:
        return ("done", "covered"), []
    need = escalation.need
    cluster = members_repo.cluster_by_id(conn, need.cluster_id)
    if cluster is None:
        return ("missed", "no cluster"), []
    t = translator(cluster.locale)
    hours = max(1.0, round((now - need.created_at) / 3600, 1))
    text = views.escalation_text(t, need, hours)
    outs = out_send(cluster.chat_id, text)
    for uid in escalation.secretariat_user_ids:
        outs += out_send(uid, text)
    return ("done", ""), outs
