"""/stok: the dispatcher of its sub-commands, reports in lines, and the guided report (six questions, buttons)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ChatType

from bot.features.members.gate import is_secretariat, require_cluster, require_member
from bot.features.members.service import Actor
from bot.features.stock import service as svc
from bot.features.stock import views
from bot.features.stock.callbacks import FlowButton
from bot.features.stock.handlers import imports, lists, search, settings
from bot.features.stock.handlers.common import CONDITION_WORDS, KIND, ask
from bot.kernel import storage as core_repo
from bot.kernel.callbacks import stale
from bot.kernel.context import BotContext
from bot.kernel.outbox import commit, out_edit, out_reply
from bot.kernel.outbox_storage import Out
from bot.kernel.storage import Dialog
from bot.kernel.telegram import command_args, reply
from bot.kernel.views import Reply, esc
from bot.shared import catalogue, regions
from bot.shared import dates as dates_mod
from bot.shared import quantity as qty
from bot.shared.regions import fold

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
            await settings.stale_setting(update, context, rest.strip())
        elif sub in ("total", "ringkasan", "summary"):
            await search.totals(update, context)
        else:
            await reply(update, context, views.group_redirect(context.t, context.bot.username, typed=bool(args)))
        return
    if sub in ("saya", "mine"):
        await lists.my_stock(update, context)
    elif sub in ("sekretariat", "secretariat", "publik", "public"):
        await settings.secretariat(update, context, rest.strip().lower() if sub in ("sekretariat", "secretariat") else "")
    elif sub == "basi":
        await settings.stale_setting(update, context, rest.strip())
    elif sub in ("total", "ringkasan", "summary"):
        await search.totals(update, context)
    elif sub in ("impor", "import"):
        await imports.start_import(update, context, rest.strip())
    elif sub in ("lapor", "report"):
        await _start_flow(update, context)
    elif sub in ("bantuan", "help"):
        await reply(update, context, views.stock_help(context.t))
    elif not args:
        actor = await require_cluster(update, context)
        if actor is None or update.effective_user is None:
            return
        if await is_secretariat(context, actor, update.effective_user.id):
            await search.totals(update, context, actor)
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
    await ask(update, context, KIND, "item", {"cluster_id": actor.cluster.id}, views.ask_item(context.t))


def _region_buttons(actor: Actor) -> list[tuple[str, str]]:
    return [(r.code, r.short or r.name) for r in regions.regions(actor.cluster.province)]


def _draft(data: dict[str, Any]) -> svc.StockDraft:
    return svc.StockDraft(data.get("item_key"), data["item_name"], data.get("category", ""), float(data["quantity"]),
                          data["unit"], data["region_code"], data.get("location", ""), data.get("expires_at"),
                          data.get("condition", "baik"), data.get("district_code"))  # fmt: skip


async def _after_location(update: Update, context: BotContext, actor: Actor, data: dict[str, Any]) -> None:
    if data.get("category") in views.EXPIRY_CATEGORIES:
        await ask(update, context, KIND, "expiry", data, views.ask_expiry(context.t))
    else:
        await ask(update, context, KIND, "condition", data, views.ask_condition(context.t))


async def _to_confirm(update: Update, context: BotContext, actor: Actor, data: dict[str, Any]) -> None:
    await ask(update, context, KIND, "confirm", data, views.confirm_draft(context.t, _draft(data), actor.cluster.timezone))


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
        await ask(update, context, KIND, "quantity", data, views.ask_quantity(t, data["item_name"], data["default_unit"]))
    elif dialog.step == "quantity":
        result = qty.parse_quantity(text, allow_zero=True)
        if isinstance(result, qty.QuantityError) or result.value > qty.MAX_QUANTITY:
            bad = result.text if isinstance(result, qty.QuantityError) and result.text else text
            await reply(update, context, t.gettext("I did not understand the amount “{bad}”.").format(bad=esc(bad))
                        + "\n" + views.ask_quantity(t, data["item_name"], data.get("default_unit", "buah")))  # fmt: skip
            return
        data["quantity"], data["unit"] = svc.base_quantity(result.value, result.unit or data.get("default_unit", "buah"),
                                                           result.pack)  # fmt: skip
        await ask(update, context, KIND, "region", data, views.ask_region(t, _region_buttons(actor)))
    elif dialog.step == "region":
        hits = [h for h in regions.find_regions_in(text, actor.cluster.province) if h.region is not None]
        region = hits[0].region if hits else regions.find_region(text, actor.cluster.province)
        district = next((h.district for h in regions.find_districts_in(text, actor.cluster.province)
                         if region is None or h.district.regency == region.code), None)  # fmt: skip
        if region is None and district is not None:  # "Daha Utara": the kecamatan names its kabupaten
            region = regions.get_region(district.regency)
        if region is None:
            await reply(update, context, t.gettext("I did not recognise the kabupaten/kota “{bad}”.").format(bad=esc(text))
                        + " " + t.gettext("Tap one of the buttons or type e.g. <i>Banjarbaru</i> or <i>HSS</i>."))  # fmt: skip
            return
        data["region_code"] = region.code
        data["district_code"] = district.code if district is not None else None
        await ask(update, context, KIND, "location", data, views.ask_location(t))
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
        await ask(update, context, KIND, "condition", data, views.ask_condition(t))
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

async def on_flow_button(update: Update, context: BotContext, button: FlowButton) -> None:
    """``sf:<action>[:<value>]``, valid only for the dialog's current step."""
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    if query is None or chat is None or user is None:
        return
    runtime = context.runtime
    t = context.t
    dialog = await runtime.db.read(core_repo.get_dialog, chat.id, user.id)
    action, value = button.action, button.value
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
        await stale(update, context)
        return
    actor = await require_member(update, context)
    if actor is None or actor.org is None:
        return
    await query.answer()
    data = dict(dialog.data)
    pressed = query.message
    if action == "x":

        def cancel_tx(conn: Any) -> tuple[None, list[Out]]:
            core_repo.clear_dialog(conn, chat.id, user.id)
            cancelled = Reply(t.gettext("Cancelled. Nothing was saved."))
            return None, (out_edit(chat.id, pressed.message_id, cancelled) if pressed is not None else [])

        await commit(context, cancel_tx)
        return
    if action == "reg":
        data["region_code"], data["district_code"] = value, None
        await ask(update, context, KIND, "location", data, views.ask_location(t))
    elif action == "loc":
        data["location"] = ""
        await _after_location(update, context, actor, data)
    elif action == "exp":
        data["expires_at"] = None
        await ask(update, context, KIND, "condition", data, views.ask_condition(t))
    elif action == "cond":
        data["condition"] = value
        await _to_confirm(update, context, actor, data)
    elif action == "ok":
        cluster, org_id, draft = actor.cluster, actor.org.id, _draft(data)

        def tx(conn: Any) -> tuple[None, list[Out]]:
            saved = svc.save_flow(conn, cluster_id=cluster.id, org_id=org_id, user_id=user.id, draft=draft,
                                  chat_id=chat.id, now=runtime.clock.timestamp())  # fmt: skip
            result = svc.LineResult(1, "", draft)
            return None, out_reply(update, views.report_result(t, [result], saved, cluster.timezone, False))

        async def drop_buttons(_: None) -> None:  # after the commit: a failure here cannot undo the report
            if pressed is not None:
                await context.bot.edit_message_reply_markup(chat.id, pressed.message_id, reply_markup=None)

        await commit(context, tx, then=drop_buttons)


# ---- deep links ---------------------------------------------------------------------------------------------


async def deeplink(update: Update, context: BotContext, arg: str) -> None:
    """``/start stok_lapor`` and ``/start stok_saya`` from the group's buttons."""
    if arg == "saya":
        await lists.my_stock(update, context)
    else:
        await _start_flow(update, context)

