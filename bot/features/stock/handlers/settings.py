"""Stock settings: may the secretariat see the organisation's figures (``/stok sekretariat ya|tidak``, the question
at registration, its buttons) and after how many days stock counts as stale (``/stok basi N``). Each saved setting
and its "Tersimpan" are one transaction (outbox)."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.features.members.gate import require_member, require_secretariat
from bot.features.members.storage import Organization
from bot.features.stock import service as svc
from bot.features.stock import views
from bot.features.stock.callbacks import VisibilityButton
from bot.features.stock.handlers.common import NO, YES
from bot.kernel.callbacks import stale
from bot.kernel.context import BotContext
from bot.kernel.i18n import Translator
from bot.kernel.outbox import commit, out_edit, out_reply, write_and_reply
from bot.kernel.outbox_storage import Out
from bot.kernel.telegram import is_id, reply
from bot.kernel.views import Reply, esc


async def secretariat(update: Update, context: BotContext, answer: str) -> None:
    """``/stok sekretariat ya|tidak``: may the secretariat see the organisation's figures (default yes)."""
    actor = await require_member(update, context)
    if actor is None or actor.org is None or update.effective_user is None:
        return
    t = context.t
    runtime = context.runtime
    if answer not in YES and answer not in NO:
        allowed = await runtime.db.read(svc.secretariat_allowed, actor.org.id)
        await reply(update, context, views.secretariat_help(t, allowed, answer))
        return
    allowed = answer in YES
    label = actor.org.label
    await write_and_reply(update, context, lambda _: views.secretariat_text(t, label, allowed), svc.set_secretariat,
                          actor.org.id, allowed, update.effective_user.id, runtime.clock.timestamp())  # fmt: skip


def registered_outs(update: Update, t: Translator, org: Organization, new_org: bool) -> list[Out]:
    """In the registration's own transaction (outbox): for a new organisation, the visibility question (the default
    stays: allowed)."""
    return out_reply(update, views.registration_question(t, org.id, org.label)) if new_org else []


async def on_visibility_button(update: Update, context: BotContext, button: VisibilityButton) -> None:
    """``sv:y|n:<org>``: the organisation's own (pending or active) representative answers the question."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    runtime = context.runtime
    org_id = button.org_id
    mine = await runtime.db.read(lambda conn: svc.represents(conn, org_id=org_id, user_id=user.id))
    if button.answer not in ("y", "n") or not mine:
        await stale(update, context)
        return
    allowed = button.answer == "y"
    t, pressed, now = context.t, query.message, runtime.clock.timestamp()

    def tx(conn: Any) -> tuple[None, list[Out]]:
        svc.set_secretariat(conn, org_id, allowed, user.id, now)
        org = svc.org_of(conn, org_id)
        if pressed is None or org is None:
            return None, []
        return None, out_edit(pressed.chat.id, pressed.message_id, Reply(views.secretariat_text(t, org.label, allowed)))

    async def answered(_: None) -> None:
        await query.answer(t.gettext("Saved."))

    await commit(context, tx, then=answered)


async def stale_setting(update: Update, context: BotContext, value: str) -> None:
    actor = await require_secretariat(update, context)
    if actor is None or update.effective_user is None:
        return
    t = context.t
    runtime = context.runtime
    if not is_id(value) or not 1 <= int(value) <= svc.MAX_STALE_DAYS:
        days = await runtime.db.read(svc.stale_days, actor.cluster.id)
        head = t.gettext("I did not understand “{bad}”.").format(bad=esc(value)) + "\n" if value else ""
        await reply(update, context, head + t.gettext(
            "Stock counts as stale after {days} days without confirmation. Change it with a number of days "
            "(1–365), e.g. <code>/stok basi 45</code>.").format(days=days))  # fmt: skip
        return
    days = int(value)
    saved = t.gettext("Saved. Stock now counts as stale after {days} days without confirmation.").format(days=days)
    await write_and_reply(update, context, lambda _: saved, svc.set_stale_days, actor.cluster.id, days,
                          update.effective_user.id, runtime.clock.timestamp())  # fmt: skip
