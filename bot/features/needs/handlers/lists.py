"""/kebutuhan and /tawaran: the open lists with their filters and pages, and one need by its code
(``/kebutuhan K-0003``, with ``jumlah`` / ``tenggat`` / ``lokasi`` edits by its organisation or the secretariat)."""

from __future__ import annotations

import re
from typing import Any

from telegram import Update

from bot.features.members.gate import current_actor, is_secretariat, require_member
from bot.features.members.service import Actor
from bot.features.needs import lifecycle, list_views, views
from bot.features.needs import storage as repo
from bot.features.needs.callbacks import NeedListPage, OfferListPage
from bot.features.needs.handlers import input as needs_input
from bot.features.needs.handlers import list_input
from bot.features.needs.handlers.cards import refresh_need_card
from bot.kernel.callbacks import stale
from bot.kernel.context import BotContext
from bot.kernel.i18n import translator
from bot.kernel.telegram import command_args, edit, reply, send
from bot.kernel.views import Reply, esc
from bot.shared import dates


async def _reader(update: Update, context: BotContext) -> Actor | None:
    """Anyone the cluster knows may read the lists; a stranger is told how to register."""
    actor = await current_actor(update, context)
    return actor if actor is not None else await require_member(update, context)


async def _open_list(
    context: BotContext, actor: Actor, filters_: list_input.ListFilters, page: int, kind: str, title: str
) -> Reply:
    """One page of the open needs (``kind`` "nl") or offers ("ol") with these filters; the same code for both
    lists and for the first page (the command) and the next ones (the page buttons)."""
    db, t = context.runtime.db, context.t
    org_id = actor.org.id if filters_.mine and actor.org else None
    prefix = kind + ":" + filters_.encode()
    if kind == "nl":
        needs = await db.read(repo.list_needs, actor.cluster.id, "open", filters_.region_code, filters_.item_key,
                              filters_.category, filters_.priority, filters_.incident_id, org_id)  # fmt: skip
        return list_views.needs_list(t, needs, page, title, prefix)
    offers = await db.read(repo.list_offers, actor.cluster.id, "open", filters_.region_code, filters_.item_key,
                           filters_.category, org_id)  # fmt: skip
    return list_views.offers_list(t, offers, page, title, prefix)


def _title(context: BotContext, kind: str, label: str = "") -> str:
    title = context.t.gettext("Open needs") if kind == "nl" else context.t.gettext("Open offers")
    return title + (f" — {label}" if label else "")


async def kebutuhan(update: Update, context: BotContext) -> None:
    actor = await _reader(update, context)
    if actor is None:
        return
    single = _NEED_CODE_RE.match(command_args(update).strip())
    if single is not None:
        await _one_need(update, context, actor, int(single.group(1)), (single.group(2) or "").strip())
        return
    filters_ = list_input.parse_list_filters(command_args(update), actor.cluster)
    if filters_.mine and not actor.is_active:
        await require_member(update, context)
        return
    content = await _open_list(context, actor, filters_, 0, "nl", _title(context, "nl", filters_.label))
    await reply(update, context, content)


async def tawaran(update: Update, context: BotContext) -> None:
    actor = await _reader(update, context)
    if actor is None:
        return
    filters_ = list_input.parse_list_filters(command_args(update), actor.cluster)
    content = await _open_list(context, actor, filters_, 0, "ol", _title(context, "ol", filters_.label))
    await reply(update, context, content)


async def on_list_page(update: Update, context: BotContext, button: NeedListPage | OfferListPage) -> None:
    query = update.callback_query
    if query is None or query.message is None:
        return
    actor = await current_actor(update, context)
    filters_ = list_input.ListFilters.decode(button.filters)
    if actor is None or filters_ is None:
        await stale(update, context)
        return
    await query.answer()
    content = await _open_list(context, actor, filters_, button.page, button.prefix, _title(context, button.prefix))
    await edit(context, query.message.chat.id, query.message.message_id, content)


# ---- one need: /kebutuhan K-0003 [jumlah|tenggat|lokasi …] --------------------------------------------

_NEED_CODE_RE = re.compile(r"^K-?0*(\d{1,9})(?:\s+(.*))?$", re.IGNORECASE | re.DOTALL)
_EDIT_WORDS = {"jumlah": "quantity", "quantity": "quantity", "tenggat": "needed_by", "deadline": "needed_by",
               "lokasi": "location", "tempat": "location", "place": "location"}  # fmt: skip
MAX_LOCATION_CHARS = 200


async def _one_need(update: Update, context: BotContext, actor: Actor, number: int, rest: str) -> None:
    runtime, t = context.runtime, context.t
    assert update.effective_user is not None
    need = await runtime.db.read(repo.need_by_number, actor.cluster.id, number)
    if need is None:
        await reply(update, context, t.gettext("There is no need K-{n:04d} in this cluster.").format(n=number))
        return
    if not rest:
        incident = (
            await runtime.db.read(repo.incident_by_id, actor.cluster.id, need.incident_id) if need.incident_id else None
        )
        card = views.need_card(t, need, actor.cluster.timezone, context.bot.username, incident)
        own = actor.is_active and actor.org is not None and actor.org.id == need.organization_id
        if need.status == "open" and (own or await is_secretariat(context, actor, update.effective_user.id)):
            card = Reply(card.text + "\n\n" + list_views.edit_hint(t, need), card.keyboard)
        await reply(update, context, card)
        return
    word, _, value = rest.strip().partition(" ")
    field_name = _EDIT_WORDS.get(word.lower())
    value = value.strip()
    if field_name is None or not value:
        await reply(update, context, list_views.edit_hint(t, need))
        return
    changes: dict[str, Any] = {}
    if field_name == "quantity":
        amount = needs_input.parse_pledge_amount(value, need.unit, t)
        if isinstance(amount, str):
            await reply(update, context, amount)
            return
        changes["quantity"] = amount
    elif field_name == "needed_by":
        when = dates.parse_datetime(value, runtime.clock.now(), actor.cluster.timezone)
        if not isinstance(when, dates.ParsedDate):
            await reply(update, context, t.gettext("I did not understand the date “{bad}”.").format(bad=esc(value[:40])))
            return
        deadline = when.value if when.has_time else when.value.replace(hour=23, minute=59)
        if deadline < runtime.clock.now():
            await reply(update, context, t.gettext("The date {day} is in the past.").format(day=t.date(deadline)))
            return
        changes["needed_by"] = int(deadline.timestamp())
    else:
        changes["location"] = " ".join(value.split())[:MAX_LOCATION_CHARS]
    secretariat = await is_secretariat(context, actor, update.effective_user.id)
    org_id = actor.org.id if actor.is_active and actor.org else None
    result = await runtime.db.write(
        lifecycle.edit_need, need.id, actor.cluster.id, org_id, secretariat, update.effective_user.id,
        runtime.clock.timestamp(), changes.get("quantity"), changes.get("needed_by"), changes.get("location"),
    )  # fmt: skip
    if not result.ok:
        reasons = {
            "not_allowed": t.gettext("Only the organisation that posted the need or the secretariat can change it."),
            "closed": t.gettext("This need is already closed. Thank you!"),
            "bad_quantity": t.gettext("The amount must be more than 0."),
            "unchanged": t.gettext("Nothing changed: that is already the value."),
        }
        await reply(update, context, reasons.get(result.reason, t.gettext("This button is no longer valid.")))
        return
    assert result.need is not None and result.before is not None
    await reply(update, context, list_views.need_edited(t, result.before, result.need, actor.cluster.timezone))
    await refresh_need_card(context, result.need)
    group_t = translator(actor.cluster.locale)
    for uid in result.notify_user_ids:
        if uid != update.effective_user.id:
            await send(context, uid, list_views.need_edited(group_t, result.before, result.need, actor.cluster.timezone, True))
