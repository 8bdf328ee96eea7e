"""/stok (private reports, my stock, totals, import), /ringkasan stok, /cari; stock reminders; pledging from stock.

Figures an organisation reported are shown only to its own representatives (and, privately, to the secretariat
if the organisation allows it: /stok sekretariat). Every figure anyone else sees (/ringkasan stok, /cari, the
summary, digests) comes from the published table (docs/privacy.md); /ringkasan stok and /cari take the period's
snapshot first, the hourly job takes the next one.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.features.members import service as members_svc
from bot.features.members import storage as members_repo
from bot.features.members.gate import (
    current_actor,
    is_secretariat,
    require_cluster,
    require_member,
    require_secretariat,
)
from bot.features.members.service import Actor
from bot.features.needs import storage as needs_repo
from bot.features.needs import views as needs_views
from bot.features.needs.handlers import cards as needs_handlers
from bot.features.needs.storage import Need, Pledge
from bot.features.stock import importer, views
from bot.features.stock import service as svc
from bot.features.stock import storage as stock_repo
from bot.kernel import storage as core_repo
from bot.kernel.context import BotContext
from bot.kernel.i18n import N_, Translator, translator
from bot.kernel.jobs_storage import JobRow
from bot.kernel.outbox import commit, out_reply, out_send
from bot.kernel.outbox_storage import Out
from bot.kernel.runtime import CommandSpec
from bot.kernel.storage import Dialog
from bot.kernel.telegram import add_command, command_args, edit, is_id, reply, send
from bot.kernel.views import Reply, esc
from bot.shared import catalogue, regions
from bot.shared import dates as dates_mod
from bot.shared import quantity as qty
from bot.shared.regions import fold

KIND = "stock"
ADJUST_KIND = "stock_adjust"
IMPORT_KIND = "stock_import"
DIALOG_TTL_S = 30 * 60
AnyApp = Application[Any, Any, Any, Any, Any, Any]
YES = {"ya", "yes", "y", "on", "1", "boleh", "publik"}
NO = {"tidak", "tdk", "no", "n", "off", "0", "jangan", "privat", "private"}
CONDITION_WORDS = {"baik": "baik", "bagus": "baik", "layak": "baik", "rusak ringan": "rusak_ringan",
                   "rusak berat": "rusak_berat", "rusak": "rusak_berat"}  # fmt: skip


def _invalid(context: BotContext) -> str:
    return context.t.gettext("This button is no longer valid.")


async def _save_dialog(context: BotContext, chat_id: int, user_id: int, kind: str, step: str,
                       data: dict[str, Any]) -> None:  # fmt: skip
    runtime = context.runtime
    await runtime.db.write(core_repo.set_dialog, chat_id, user_id, kind, step, data,
                           runtime.clock.timestamp() + DIALOG_TTL_S)  # fmt: skip


# ---- /stok ----------------------------------------------------------------------------------------


async def stok(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    args = command_args(update)
    first_line = args.split("\n", 1)[0]
    word, _, rest = first_line.partition(" ")
    sub = word.lower()
    if chat.type != ChatType.PRIVATE:
        if sub == "basi":
            await _stale_setting(update, context, rest.strip())
        elif sub in ("total", "ringkasan", "summary"):
            await _totals(update, context)
        else:
            await reply(update, context, views.group_redirect(context.t, context.bot.username, typed=bool(args)))
        return
    if sub in ("saya", "mine"):
        await _my_stock(update, context)
    elif sub in ("sekretariat", "secretariat", "publik", "public"):
        await _secretariat(update, context, rest.strip().lower() if sub in ("sekretariat", "secretariat") else "")
    elif sub == "basi":
        await _stale_setting(update, context, rest.strip())
    elif sub in ("total", "ringkasan", "summary"):
        await _totals(update, context)
    elif sub in ("impor", "import"):
        await _start_import(update, context, rest.strip())
    elif sub in ("lapor", "report"):
        await _start_flow(update, context)
    elif sub in ("bantuan", "help"):
        await reply(update, context, views.stock_help(context.t))
    elif not args:
        actor = await require_cluster(update, context)
        if actor is None or update.effective_user is None:
            return
        if await is_secretariat(context, actor, update.effective_user.id):
            await _totals(update, context, actor)
            return
        await _start_flow(update, context)
    else:
        await _report_lines(update, context, args)


async def _report_lines(update: Update, context: BotContext, text: str) -> None:
    actor = await require_member(update, context)
    if actor is None or actor.org is None or update.effective_user is None:
        return
    runtime = context.runtime
    cluster = actor.cluster
    results = svc.parse_report(text, runtime.clock.now(), cluster.timezone, cluster.province, actor.org.region_code)
    truncated = len([line for line in text.splitlines() if line.strip()]) > svc.MAX_LINES
    drafts = [(r.number, r.draft) for r in results if r.draft is not None]
    org_id, user_id, t = actor.org.id, update.effective_user.id, context.t

    def tx(conn: Any) -> tuple[None, list[Out]]:
        """The report and its answer in one transaction (outbox): "Tersimpan" cannot be lost or precede it."""
        saved = svc.report(conn, cluster.id, org_id, user_id, drafts, runtime.clock.timestamp()) if drafts else []
        return None, out_reply(update, views.report_result(t, results, saved, cluster.timezone, truncated))

    await commit(context, tx)


# ---- guided report --------------------------------------------------------------------------------


async def _start_flow(update: Update, context: BotContext) -> None:
    actor = await require_member(update, context)
    chat, user = update.effective_chat, update.effective_user
    if actor is None or chat is None or user is None:
        return
    await _save_dialog(context, chat.id, user.id, KIND, "item", {"cluster_id": actor.cluster.id})
    await reply(update, context, views.ask_item(context.t))


def _region_buttons(actor: Actor) -> list[tuple[str, str]]:
    return [(r.code, r.short or r.name) for r in regions.regions(actor.cluster.province)]


def _draft(data: dict[str, Any]) -> svc.StockDraft:
    return svc.StockDraft(data.get("item_key"), data["item_name"], data.get("category", ""), float(data["quantity"]),
                          data["unit"], data["region_code"], data.get("location", ""), data.get("expires_at"),
                          data.get("condition", "baik"))  # fmt: skip


async def _after_location(update: Update, context: BotContext, actor: Actor, data: dict[str, Any]) -> None:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    if data.get("category") in views.EXPIRY_CATEGORIES:
        await _save_dialog(context, chat.id, user.id, KIND, "expiry", data)
        await reply(update, context, views.ask_expiry(context.t))
    else:
        await _save_dialog(context, chat.id, user.id, KIND, "condition", data)
        await reply(update, context, views.ask_condition(context.t))


async def _to_confirm(update: Update, context: BotContext, actor: Actor, data: dict[str, Any]) -> None:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    await _save_dialog(context, chat.id, user.id, KIND, "confirm", data)
    await reply(update, context, views.confirm_draft(context.t, _draft(data), actor.cluster.timezone))


async def on_flow_text(update: Update, context: BotContext, dialog: Dialog) -> None:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    actor = await require_member(update, context)
    if actor is None:
        return
    t = context.t
    text = " ".join((message.text or "").split())[:200]
    data = dict(dialog.data)
    if dialog.step == "item":
        match = catalogue.match_item(text)
        if match.method == "empty" or len(text) < 2:
            await reply(update, context, views.ask_item(t))
            return
        data["item_key"], data["item_name"], data["category"] = svc.item_fields(match)
        data["default_unit"] = match.item.unit if match.item else "buah"
        await _save_dialog(context, chat.id, user.id, KIND, "quantity", data)
        await reply(update, context, views.ask_quantity(t, data["item_name"], data["default_unit"]))
    elif dialog.step == "quantity":
        result = qty.parse_quantity(text, allow_zero=True)
        if isinstance(result, qty.QuantityError) or result.value > qty.MAX_QUANTITY:
            bad = result.text if isinstance(result, qty.QuantityError) and result.text else text
            await reply(update, context, t.gettext("I did not understand the amount “{bad}”.").format(bad=esc(bad))
                        + "\n" + views.ask_quantity(t, data["item_name"], data.get("default_unit", "buah")))  # fmt: skip
            return
        data["quantity"], data["unit"] = svc.base_quantity(result.value, result.unit or data.get("default_unit", "buah"),
                                                           result.pack)  # fmt: skip
        await _save_dialog(context, chat.id, user.id, KIND, "region", data)
        await reply(update, context, views.ask_region(t, _region_buttons(actor)))
    elif dialog.step == "region":
        hits = [h for h in regions.find_regions_in(text, actor.cluster.province) if h.region is not None]
        region = hits[0].region if hits else regions.find_region(text, actor.cluster.province)
        if region is None:
            await reply(update, context, t.gettext("I did not recognise the kabupaten/kota “{bad}”.").format(bad=esc(text))
                        + " " + t.gettext("Tap one of the buttons or type e.g. <i>Banjarbaru</i> or <i>HSS</i>."))  # fmt: skip
            return
        data["region_code"] = region.code
        await _save_dialog(context, chat.id, user.id, KIND, "location", data)
        await reply(update, context, views.ask_location(t))
    elif dialog.step == "location":
        data["location"] = text[:80]
        await _after_location(update, context, actor, data)
    elif dialog.step == "expiry":
        parsed = dates_mod.parse_datetime(text, context.runtime.clock.now(), actor.cluster.timezone)
        if isinstance(parsed, dates_mod.DateError):
            await reply(update, context, t.gettext("I did not understand the date “{bad}”.").format(bad=esc(parsed.text or text))
                        + "\n" + views.ask_expiry(t).text)  # fmt: skip
            return
        data["expires_at"] = svc.end_of_day(parsed.value)
        await _save_dialog(context, chat.id, user.id, KIND, "condition", data)
        await reply(update, context, views.ask_condition(t))
    elif dialog.step == "condition":
        condition = CONDITION_WORDS.get(fold(text))
        if condition is None:
            prompt = views.ask_condition(t)
            await reply(update, context, Reply(t.gettext("I did not understand “{bad}”.").format(bad=esc(text)) + "\n"
                                               + prompt.text, prompt.keyboard))  # fmt: skip
            return
        data["condition"] = condition
        await _to_confirm(update, context, actor, data)
    else:
        await reply(update, context, t.gettext("Please use the buttons above, or /batal to cancel."))


def _save_flow_tx(conn: Any, cluster_id: int, org_id: int, user_id: int, draft: svc.StockDraft, chat_id: int,
                  now: int) -> list[svc.Saved]:  # fmt: skip
    """Store and close the dialog together: a crash cannot leave one without the other."""
    saved = svc.report(conn, cluster_id, org_id, user_id, [(1, draft)], now)
    core_repo.clear_dialog(conn, chat_id, user_id)
    return saved


async def on_flow_button(update: Update, context: BotContext) -> None:
    """``sf:<action>[:<value>]``, valid only for the dialog's current step."""
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    if query is None or query.data is None or chat is None or user is None:
        return
    runtime = context.runtime
    t = context.t
    dialog = await runtime.db.read(core_repo.get_dialog, chat.id, user.id)
    parts = query.data.split(":")
    action, value = (parts[1] if len(parts) > 1 else ""), (parts[2] if len(parts) > 2 else "")
    expected = {"reg": "region", "loc": "location", "exp": "expiry", "cond": "condition", "ok": "confirm", "x": None}
    valid_value = {
        "reg": regions.get_region(value) is not None, "loc": value == "-", "exp": value == "-",
        "cond": value in svc.CONDITIONS, "ok": True, "x": True,
    }  # fmt: skip
    if (
        action not in expected
        or not valid_value[action]
        or dialog is None
        or dialog.kind != KIND
        or dialog.expires_at < runtime.clock.timestamp()
        or (expected[action] is not None and dialog.step != expected[action])
    ):
        await query.answer(_invalid(context))
        return
    actor = await require_member(update, context)
    if actor is None or actor.org is None:
        return
    await query.answer()
    data = dict(dialog.data)
    if action == "x":
        await runtime.db.write(core_repo.clear_dialog, chat.id, user.id)
        if query.message is not None:
            await edit(context, chat.id, query.message.message_id, Reply(t.gettext("Cancelled. Nothing was saved.")))
        return
    if action == "reg":
        data["region_code"] = value
        await _save_dialog(context, chat.id, user.id, KIND, "location", data)
        await reply(update, context, views.ask_location(t))
    elif action == "loc":
        data["location"] = ""
        await _after_location(update, context, actor, data)
    elif action == "exp":
        data["expires_at"] = None
        await _save_dialog(context, chat.id, user.id, KIND, "condition", data)
        await reply(update, context, views.ask_condition(t))
    elif action == "cond":
        data["condition"] = value
        await _to_confirm(update, context, actor, data)
    elif action == "ok":
        if query.message is not None:
            await context.bot.edit_message_reply_markup(chat.id, query.message.message_id, reply_markup=None)
        cluster, org_id, draft = actor.cluster, actor.org.id, _draft(data)

        def tx(conn: Any) -> tuple[None, list[Out]]:
            saved = _save_flow_tx(conn, cluster.id, org_id, user.id, draft, chat.id, runtime.clock.timestamp())
            result = svc.LineResult(1, "", draft)
            return None, out_reply(update, views.report_result(t, [result], saved, cluster.timezone, False))

        await commit(context, tx)


# ---- my stock: adjust, empty, remove, confirm -----------------------------------------------------


async def _my_stock(update: Update, context: BotContext, page: int = 0, edit_message: bool = False) -> None:
    actor = await require_member(update, context)
    if actor is None or actor.org is None:
        return
    mine = await context.runtime.db.read(svc.my_stock, actor.org.id, context.runtime.clock.timestamp())
    content = views.my_stock_page(context.t, mine, actor.org.label, page, actor.cluster.timezone)
    query = update.callback_query
    if edit_message and query is not None and query.message is not None:
        await edit(context, query.message.chat.id, query.message.message_id, content)
    else:
        await reply(update, context, content)


async def on_line_button(update: Update, context: BotContext) -> None:
    """``sk:pg:<page>``, ``sk:v:<id>`` and the actions ``sk:add|sub|zero|del|ok:<id>`` on one's own lines."""
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    if query is None or query.data is None or chat is None or user is None:
        return
    parts = query.data.split(":")
    actions = {"pg", "v", "add", "sub", "zero", "del", "ok"}
    if len(parts) != 3 or parts[1] not in actions or not is_id(parts[2]) or chat.type != ChatType.PRIVATE:
        await query.answer(_invalid(context))
        return
    action, number = parts[1], int(parts[2])
    actor = await require_member(update, context)
    if actor is None or actor.org is None:
        return
    runtime = context.runtime
    now = runtime.clock.timestamp()
    if action == "pg":
        await query.answer()
        await _my_stock(update, context, number, edit_message=True)
        return
    mine = await runtime.db.read(svc.my_stock, actor.org.id, now)
    status = next((s for s in mine.lines if s.line.id == number), None)
    if status is None:
        await query.answer(_invalid(context))
        return
    await query.answer()
    t = context.t
    if action == "v":
        await reply(update, context, views.line_card(t, status, actor.cluster.timezone))
    elif action in ("add", "sub"):
        await _save_dialog(context, chat.id, user.id, ADJUST_KIND, "amount", {"stock_id": number, "action": action})
        await reply(update, context, views.ask_adjust(t, status.line, action == "add"))
    else:
        service_action = {"zero": "empty", "del": "remove", "ok": "confirm"}[action]
        result = await runtime.db.write(svc.adjust, actor.org.id, number, service_action, 0.0, user.id, now)
        text = views.adjusted_text(t, result, actor.cluster.timezone) if result.ok else views.adjust_refused(t, result)
        content = Reply(text)
        if result.ok and not result.removed:  # the card stays usable: its buttons act on the updated line
            mine = await runtime.db.read(svc.my_stock, actor.org.id, now)
            updated = next((s for s in mine.lines if s.line.id == number), None)
            if updated is not None:
                content = Reply(text, views.line_card(t, updated, actor.cluster.timezone).keyboard)
        if query.message is not None:
            await edit(context, chat.id, query.message.message_id, content)


def _adjust_tx(conn: Any, org_id: int, stock_id: int, action: str, amount: float, user_id: int, chat_id: int,
               now: int) -> svc.Adjusted:  # fmt: skip
    result = svc.adjust(conn, org_id, stock_id, action, amount, user_id, now)
    if result.ok or result.reason == "not_found":
        core_repo.clear_dialog(conn, chat_id, user_id)
    return result


async def on_adjust_text(update: Update, context: BotContext, dialog: Dialog) -> None:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    actor = await require_member(update, context)
    if actor is None or actor.org is None:
        return
    t = context.t
    runtime = context.runtime
    stock_id, action = int(dialog.data.get("stock_id", 0)), dialog.data.get("action")
    mine = await runtime.db.read(svc.my_stock, actor.org.id, runtime.clock.timestamp())
    status = next((s for s in mine.lines if s.line.id == stock_id), None)
    if status is None or action not in ("add", "sub"):
        await runtime.db.write(core_repo.clear_dialog, chat.id, user.id)
        await reply(update, context, t.gettext("That stock line no longer exists. Nothing was changed."))
        return
    line = status.line
    text = " ".join((message.text or "").split())
    result = qty.parse_quantity(text)
    value = None
    if not isinstance(result, qty.QuantityError):
        converted = qty.convert(result.value, result.unit, line.unit) if result.unit else result.value
        value = float(converted) if converted is not None else None
    if value is None:
        bad = result.text if isinstance(result, qty.QuantityError) and result.text else text
        await reply(update, context, t.gettext("I did not understand the amount “{bad}”.").format(bad=esc(bad)) + "\n"
                    + views.ask_adjust(t, line, action == "add"))  # fmt: skip
        return
    outcome = await runtime.db.write(_adjust_tx, actor.org.id, stock_id, "add" if action == "add" else "subtract",
                                     value, user.id, chat.id, runtime.clock.timestamp())  # fmt: skip
    if outcome.ok:
        await reply(update, context, views.adjusted_text(t, outcome, actor.cluster.timezone))
    else:
        await reply(update, context, views.adjust_refused(t, outcome))


async def _secretariat(update: Update, context: BotContext, answer: str) -> None:
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
    await runtime.db.write(svc.set_secretariat, actor.org.id, allowed, update.effective_user.id,
                           runtime.clock.timestamp())  # fmt: skip
    await reply(update, context, views.secretariat_text(t, actor.org.label, allowed))


def registered_outs(update: Update, t: Translator, org: members_repo.Organization, new_org: bool) -> list[Out]:
    """In the registration's own transaction (outbox): for a new organisation, the visibility question (the default
    stays: allowed)."""
    return out_reply(update, views.registration_question(t, org.id, org.label)) if new_org else []


async def on_visibility_button(update: Update, context: BotContext) -> None:
    """``sv:y|n:<org>``: the organisation's own (pending or active) representative answers the question."""
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    parts = query.data.split(":")
    runtime = context.runtime
    if len(parts) != 3 or parts[1] not in ("y", "n") or not is_id(parts[2]):
        await query.answer(_invalid(context))
        return
    org_id = int(parts[2])
    if not await runtime.db.read(_represents, org_id, user.id):
        await query.answer(_invalid(context))
        return
    allowed = parts[1] == "y"
    await runtime.db.write(svc.set_secretariat, org_id, allowed, user.id, runtime.clock.timestamp())
    await query.answer(context.t.gettext("Saved."))
    org = await runtime.db.read(members_repo.org_by_id, org_id)
    if query.message is not None and org is not None:
        await edit(context, query.message.chat.id, query.message.message_id,
                   Reply(views.secretariat_text(context.t, org.label, allowed)))  # fmt: skip


def _represents(conn: Any, org_id: int, user_id: int) -> bool:
    org = members_repo.org_by_id(conn, org_id)
    member = members_repo.current_member(conn, org.cluster_id, user_id) if org is not None else None
    return member is not None and member.organization_id == org_id and member.status in ("pending", "active")


async def _stale_setting(update: Update, context: BotContext, value: str) -> None:
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
    await runtime.db.write(svc.set_stale_days, actor.cluster.id, int(value), update.effective_user.id,
                           runtime.clock.timestamp())  # fmt: skip
    await reply(update, context, t.gettext("Saved. Stock now counts as stale after {days} days without "
                                           "confirmation.").format(days=int(value)))  # fmt: skip


# ---- totals, /ringkasan stok, /cari ---------------------------------------------------------------


async def _totals(update: Update, context: BotContext, actor: Actor | None = None) -> None:
    actor = actor or await require_cluster(update, context)
    if actor is None:
        return
    now = context.runtime.clock.timestamp()
    pub = await context.runtime.db.write(svc.publish, actor.cluster.id, now)
    await reply(update, context, views.totals_text(context.t, pub, actor.cluster.name, actor.cluster.timezone))


async def ringkasan(update: Update, context: BotContext) -> None:
    args = command_args(update)
    if args.lower() in ("stok", "stock"):
        await _totals(update, context)
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
    result = await runtime.db.write(svc.search, actor.cluster.id, match, region_code, now, update.effective_user.id,
                                    actor.org.id if active and actor.org else None, secretariat)  # fmt: skip
    await reply(update, context, views.search_reply(t, result, now, actor.cluster.timezone, active, private))


async def on_more_button(update: Update, context: BotContext) -> None:
    """``sm:<search>:<page>``: a further page of a /cari answer (the same for whoever taps)."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    parts = query.data.split(":")
    if len(parts) != 3 or not is_id(parts[1]) or not is_id(parts[2]):
        await query.answer(_invalid(context))
        return
    runtime = context.runtime
    actor = await current_actor(update, context)
    if actor is None or actor.cluster.id != await runtime.db.read(_request_cluster, int(parts[1])):
        await query.answer(_invalid(context))
        return
    result = await runtime.db.write(svc.search_again, int(parts[1]), runtime.clock.timestamp())
    if result is None:
        await query.answer(_invalid(context))
        return
    await query.answer()
    await reply(update, context, views.search_page(context.t, result, int(parts[2]), actor.cluster.timezone))


def _request_cluster(conn: Any, request_id: int) -> int | None:
    row = stock_repo.request_by_id(conn, request_id)
    return int(row["cluster_id"]) if row is not None else None


async def publish_job(app: AnyApp, job: JobRow, now: int, late: bool) -> tuple[str, str]:
    """The fixed cadence: the cluster's next snapshot of the published table (held tables stay as they were)."""
    runtime = app.bot_data["runtime"]
    pub = await runtime.db.write(svc.publish, int(job.payload.get("cluster_id", 0)), now)
    return "done", f"snapshot {pub.snapshot}" if pub is not None else "no stock"


async def on_request_button(update: Update, context: BotContext) -> None:
    """``sq:fw:<id>`` (the searcher forwards privately), ``sq:y|n:<id>`` (a holder answers, once)."""
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    parts = query.data.split(":")
    if len(parts) != 3 or parts[1] not in ("fw", "y", "n") or not is_id(parts[2]):
        await query.answer(_invalid(context))
        return
    runtime = context.runtime
    t = context.t
    now = runtime.clock.timestamp()
    request_id = int(parts[2])
    if parts[1] == "fw":
        actor = await current_actor(update, context)
        if actor is None or not actor.is_active or actor.org is None:
            await query.answer(_invalid(context))
            return
        forwarded = await runtime.db.write(svc.forward_request, request_id, user.id, now)
        if not forwarded.ok:
            await query.answer(views.forward_refused(t, forwarded.reason), show_alert=forwarded.reason == "not_yours")
            return
        await query.answer(views.forwarded_text(t, forwarded.organizations))
        if query.message is not None:
            await context.bot.edit_message_reply_markup(query.message.chat.id, query.message.message_id,
                                                        reply_markup=None)  # fmt: skip
            await reply(update, context, views.forwarded_text(t, forwarded.organizations))
        holder_t = translator(actor.cluster.locale)
        for uid in forwarded.targets:
            ask = views.holder_ask(holder_t, request_id, forwarded.item_name, forwarded.item_key,
                                   forwarded.region_code, actor.org.label)  # fmt: skip
            await send(context, uid, ask.text, ask.keyboard)
        return
    answer = await runtime.db.write(svc.answer_request, request_id, user.id, parts[1] == "y", now)
    if not answer.ok:
        await query.answer(_invalid(context))
        return
    await query.answer(t.gettext("Saved."))
    if query.message is not None:
        await edit(context, query.message.chat.id, query.message.message_id, Reply(views.holder_answered(t, answer)))
    if answer.yes:
        await send(context, answer.requester_user_id, views.requester_told(t, answer))


# ---- reminders ------------------------------------------------------------------------------------


async def _remind(app: AnyApp, job: JobRow, now: int, late: bool, stale: bool) -> tuple[str, str]:
    runtime = app.bot_data["runtime"]
    org_id = int(job.payload.get("org_id", 0))
    reminder = await runtime.db.write(svc.stale_due if stale else svc.expiry_due, org_id, now)
    if reminder is None:
        return "done", "nothing due"
    cluster = await runtime.db.read(members_repo.cluster_by_id, reminder.cluster_id)
    if cluster is None:
        return "missed", "no cluster"
    if not reminder.user_ids:
        return "missed", "no active representative"
    t = translator(cluster.locale)
    content = views.stale_reminder(t, reminder, cluster.timezone, late) if stale else \
        views.expiry_reminder(t, reminder, cluster.timezone, late)  # fmt: skip
    for uid in reminder.user_ids:
        await send(app, uid, content.text, content.keyboard)
    return "done", f"{len(reminder.lines)} lines"


async def stale_job(app: AnyApp, job: JobRow, now: int, late: bool) -> tuple[str, str]:
    return await _remind(app, job, now, late, stale=True)


async def expiry_job(app: AnyApp, job: JobRow, now: int, late: bool) -> tuple[str, str]:
    return await _remind(app, job, now, late, stale=False)


async def on_reminder_button(update: Update, context: BotContext) -> None:
    """``sr:ok:<org>``: every stale line of one's own organisation is still correct."""
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    parts = query.data.split(":")
    actor = await current_actor(update, context)
    if (len(parts) != 3 or parts[1] != "ok" or not is_id(parts[2]) or actor is None or not actor.is_active
            or actor.org is None or actor.org.id != int(parts[2])):  # fmt: skip
        await query.answer(_invalid(context))
        return
    runtime = context.runtime
    count = await runtime.db.write(svc.confirm_all_stale, actor.org.id, user.id, runtime.clock.timestamp())
    await query.answer(context.t.gettext("Saved."))
    if query.message is not None:
        await edit(
            context, query.message.chat.id, query.message.message_id, Reply(views.confirmed_all(context.t, count))
        )


# ---- import ---------------------------------------------------------------------------------------


async def _start_import(update: Update, context: BotContext, org_text: str) -> None:
    actor = await require_secretariat(update, context)
    chat, user = update.effective_chat, update.effective_user
    if actor is None or chat is None or user is None:
        return
    data: dict[str, Any] = {"cluster_id": actor.cluster.id}
    if org_text:
        org, _ = await context.runtime.db.read(members_svc.find_org, actor.cluster.id, org_text)
        if org is None:
            await reply(update, context, context.t.gettext(
                "No member organisation matches “{query}”. Type /anggota for the list.").format(query=esc(org_text)))  # fmt: skip
            return
        data["org_id"] = org.id
    await _save_dialog(context, chat.id, user.id, IMPORT_KIND, "file", data)
    await reply(update, context, views.import_help(context.t))


async def on_import_dialog(update: Update, context: BotContext, dialog: Dialog) -> None:
    message = update.effective_message
    if message is None:
        return
    if message.document is None:
        await reply(update, context, views.import_help(context.t))
        return
    await _import_file(update, context, dialog.data.get("org_id"))


async def on_import_caption(update: Update, context: BotContext) -> None:
    """A file sent with the caption ``/stok impor [ORG]``."""
    message = update.effective_message
    if message is None or message.document is None:
        return
    words = (message.caption or "").split(maxsplit=2)
    org_id = None
    if len(words) > 2:
        actor = await require_secretariat(update, context)
        if actor is None:
            return
        org, _ = await context.runtime.db.read(members_svc.find_org, actor.cluster.id, words[2])
        if org is None:
            await reply(update, context, context.t.gettext(
                "No member organisation matches “{query}”. Type /anggota for the list.").format(query=esc(words[2])))  # fmt: skip
            return
        org_id = org.id
    await _import_file(update, context, org_id)


def _orgs_tx(conn: Any, cluster_id: int) -> list[members_repo.Organization]:
    return members_repo.orgs_of_cluster(conn, cluster_id, ("approved",))


def _import_tx(conn: Any, cluster_id: int, user_id: int, file_name: str, checked: importer.Checked, chat_id: int,
               now: int) -> tuple[int, int | None]:  # fmt: skip
    """Apply a valid file, or park the valid rows of a file with errors; closes the dialog either way."""
    core_repo.clear_dialog(conn, chat_id, user_id)
    if checked.errors:
        return 0, svc.import_pending(conn, cluster_id, user_id, file_name, checked.rows, checked.error_rows, now)
    return svc.apply_import(conn, cluster_id, user_id, checked.rows, now), None


async def _import_file(update: Update, context: BotContext, org_id: int | None) -> None:
    actor = await require_secretariat(update, context)
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if actor is None or message is None or message.document is None or chat is None or user is None:
        return
    t = context.t
    runtime = context.runtime
    document = message.document
    name = document.file_name or "stok"
    if (document.file_size or 0) > importer.MAX_BYTES:
        await reply(update, context, views.import_problem(t, importer.Checked(problem=importer.TOO_BIG)))
        return
    file = await context.bot.get_file(document.file_id)
    content = bytes(await file.download_as_bytearray())
    orgs = await runtime.db.read(_orgs_tx, actor.cluster.id)
    default = next((o for o in orgs if o.id == org_id), None)
    checked = await importer.check_file_bounded(content, name, orgs, runtime.clock.now(), actor.cluster.timezone,
                                  actor.cluster.province, default)  # fmt: skip
    if checked.problem is not None:
        await reply(update, context, views.import_problem(t, checked))
        return
    applied, pending = await runtime.db.write(_import_tx, actor.cluster.id, user.id, name, checked, chat.id,
                                              runtime.clock.timestamp())  # fmt: skip
    if pending is None:
        await reply(update, context, views.import_done(t, applied))
    else:
        await reply(update, context, views.import_report(t, checked, pending))


async def on_import_button(update: Update, context: BotContext) -> None:
    """``si:ok|x:<id>``: load only the valid rows, or drop the file. Only the sender, only once."""
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    parts = query.data.split(":")
    if len(parts) != 3 or parts[1] not in ("ok", "x") or not is_id(parts[2]):
        await query.answer(_invalid(context))
        return
    runtime = context.runtime
    decision = await runtime.db.write(svc.decide_import, int(parts[2]), user.id, parts[1] == "ok",
                                      runtime.clock.timestamp())  # fmt: skip
    if not decision.ok:
        await query.answer(_invalid(context))
        return
    await query.answer(context.t.gettext("Saved."))
    text = views.import_done(context.t, decision.applied) if parts[1] == "ok" else \
        context.t.gettext("Cancelled. Nothing was saved.")  # fmt: skip
    if query.message is not None:
        await edit(context, query.message.chat.id, query.message.message_id, Reply(text))


# ---- needs and stock ------------------------------------------------------------------------------


def need_posted_outs(conn: Any, need: Need, now: int) -> list[Out]:
    """``need_posted``, inside the need's own transaction: the holders' notices are outbox rows of it."""
    matches = svc.matching_stock(conn, need, now)
    cluster = members_repo.cluster_by_id(conn, need.cluster_id)
    if not matches or cluster is None:
        return []
    t = translator(cluster.locale)
    outs: list[Out] = []
    for match in matches:
        notice = views.stock_match_notice(t, need, match)
        for uid in match.user_ids:
            outs += out_send(uid, notice)
    return outs


def pledge_moved_outs(conn: Any, pledge: Pledge, now: int) -> list[Out]:
    """``pledge_moved``, inside the move's own transaction."""
    if pledge.status != "received" or pledge.source != "stock":
        return []
    ask = svc.pledge_received(conn, pledge.id, now)
    if ask is None:
        return []
    need = _need_of(conn, pledge.need_id)
    cluster = members_repo.cluster_by_id(conn, ask.line.cluster_id)
    if need is None or cluster is None:
        return []
    content = views.deduct_ask(translator(cluster.locale), ask, need.code, cluster.timezone)
    return [out for uid in ask.user_ids for out in out_send(uid, content)]


def _need_of(conn: Any, need_id: int) -> Need | None:
    return needs_repo.need_by_id(conn, need_id)


async def on_stock_pledge(update: Update, context: BotContext) -> None:
    """``sp:<need>:<stock line>`` from the private match notice."""
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    parts = query.data.split(":")
    if len(parts) != 3 or not is_id(parts[1]) or not is_id(parts[2]):
        await query.answer(_invalid(context))
        return
    actor = await current_actor(update, context)
    if actor is None or not actor.is_active or actor.org is None:
        await query.answer(_invalid(context))
        return
    runtime = context.runtime
    result = await runtime.db.write(svc.pledge_from_stock, int(parts[1]), int(parts[2]), actor.org.id, user.id,
                                    runtime.clock.timestamp())  # fmt: skip
    t = context.t
    if not result.ok or result.pledge is None or result.pledge.need is None or result.pledge.pledge is None:
        await query.answer(views.stock_pledge_refused(t, result.reason), show_alert=True)
        return
    await query.answer(t.gettext("Saved."))
    need, pledge = result.pledge.need, result.pledge.pledge
    if query.message is not None:
        await edit(context, query.message.chat.id, query.message.message_id, needs_views.pledge_saved(t, need, pledge))
    await needs_handlers.refresh_need_card(context, need)
    group_t = translator(actor.cluster.locale)
    for uid in result.pledge.notify_user_ids:
        if uid != user.id:
            notice = needs_views.owner_notice(group_t, need, pledge)
            await send(context, uid, notice.text, notice.keyboard)


async def on_deduct(update: Update, context: BotContext) -> None:
    """``sd:y|n:<pledge>``: the holder reduces the stock line by what was delivered, or keeps it."""
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    parts = query.data.split(":")
    actor = await current_actor(update, context)
    if (len(parts) != 3 or parts[1] not in ("y", "n") or not is_id(parts[2]) or actor is None
            or not actor.is_active or actor.org is None):  # fmt: skip
        await query.answer(_invalid(context))
        return
    runtime = context.runtime
    result = await runtime.db.write(svc.deduct_for_pledge, int(parts[2]), actor.org.id, user.id, parts[1] == "y",
                                    runtime.clock.timestamp())  # fmt: skip
    if not result.ok:
        await query.answer(_invalid(context))
        return
    await query.answer(context.t.gettext("Saved."))
    text = views.adjusted_text(context.t, result, actor.cluster.timezone) if parts[1] == "y" else \
        context.t.gettext("Kept as it is. Nothing was changed.")  # fmt: skip
    if query.message is not None:
        await edit(context, query.message.chat.id, query.message.message_id, Reply(text))


# ---- deep links and registration ------------------------------------------------------------------


async def deeplink(update: Update, context: BotContext, arg: str) -> None:
    """``/start stok_lapor`` and ``/start stok_saya`` from the group's buttons."""
    if arg == "saya":
        await _my_stock(update, context)
    else:
        await _start_flow(update, context)


def register(app: AnyApp) -> None:
    add_command(app, CommandSpec("stok", N_("Report your organisation's stock privately; totals for the secretariat"),
                                 N_("/stok beras 2.500 kg gudang Banjarbaru kedaluwarsa {m+12}"), aliases=("stock",),
                                 section="stok"), stok)  # fmt: skip
    add_command(app, CommandSpec("ringkasan", N_("Cluster summaries: /ringkasan stok shows stock totals"),
                                 N_("/ringkasan stok"), aliases=("summary",), section="stok"), ringkasan)  # fmt: skip
    add_command(app, CommandSpec("cari", N_("Who has an item: cluster stock, capacity register and open offers"),
                                 N_("/cari terpal HSS"), aliases=("find",), section="stok"), cari)  # fmt: skip
    app.add_handler(MessageHandler(
        filters.ChatType.PRIVATE & filters.Document.ALL & filters.CaptionRegex(r"^/(stok|stock)(@\w+)?\s+(impor|import)\b"),
        on_import_caption))  # fmt: skip
    app.add_handler(CallbackQueryHandler(on_flow_button, pattern=r"^sf:"))
    app.add_handler(CallbackQueryHandler(on_line_button, pattern=r"^sk:"))
    app.add_handler(CallbackQueryHandler(on_request_button, pattern=r"^sq:"))
    app.add_handler(CallbackQueryHandler(on_more_button, pattern=r"^sm:"))
    app.add_handler(CallbackQueryHandler(on_visibility_button, pattern=r"^sv:"))
    app.add_handler(CallbackQueryHandler(on_reminder_button, pattern=r"^sr:"))
    app.add_handler(CallbackQueryHandler(on_import_button, pattern=r"^si:"))
    app.add_handler(CallbackQueryHandler(on_stock_pledge, pattern=r"^sp:"))
    app.add_handler(CallbackQueryHandler(on_deduct, pattern=r"^sd:"))
