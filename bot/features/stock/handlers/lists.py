"""One's own stock: the list, a line's card and its buttons (add, subtract, empty, remove, still correct), and the
amount typed after ➕/➖. Every change and its answer are one transaction (outbox)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ChatType

from bot.features.members.gate import require_member
from bot.features.stock import service as svc
from bot.features.stock import views
from bot.features.stock.callbacks import LineButton
from bot.features.stock.handlers.common import ADJUST_KIND, ask
from bot.kernel import storage as core_repo
from bot.kernel.callbacks import stale
from bot.kernel.context import BotContext
from bot.kernel.outbox import commit, out_edit, out_reply
from bot.kernel.outbox_storage import Out
from bot.kernel.storage import Dialog
from bot.kernel.telegram import edit, reply
from bot.kernel.views import Reply, esc
from bot.shared import quantity as qty

LINE_ACTIONS = {"pg", "v", "add", "sub", "zero", "del", "ok"}


async def my_stock(update: Update, context: BotContext, page: int = 0, edit_message: bool = False) -> None:
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


async def on_line_button(update: Update, context: BotContext, button: LineButton) -> None:
    """``sk:pg:<page>``, ``sk:v:<id>`` and the actions ``sk:add|sub|zero|del|ok:<id>`` on one's own lines."""
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    if query is None or chat is None or user is None:
        return
    if button.action not in LINE_ACTIONS or chat.type != ChatType.PRIVATE:
        await stale(update, context)
        return
    action, number = button.action, button.number
    actor = await require_member(update, context)
    if actor is None or actor.org is None:
        return
    runtime = context.runtime
    now = runtime.clock.timestamp()
    if action == "pg":
        await query.answer()
        await my_stock(update, context, number, edit_message=True)
        return
    mine = await runtime.db.read(svc.my_stock, actor.org.id, now)
    status = next((s for s in mine.lines if s.line.id == number), None)
    if status is None:
        await stale(update, context)
        return
    await query.answer()
    t = context.t
    if action == "v":
        await reply(update, context, views.line_card(t, status, actor.cluster.timezone))
    elif action in ("add", "sub"):
        await ask(update, context, ADJUST_KIND, "amount", {"stock_id": number, "action": action},
                  views.ask_adjust(t, status.line, action == "add"))  # fmt: skip
    else:
        service_action = {"zero": "empty", "del": "remove", "ok": "confirm"}[action]
        org_id, tz, pressed = actor.org.id, actor.cluster.timezone, query.message

        def tx(conn: Any) -> tuple[svc.Adjusted, list[Out]]:
            """The change and the card's new state in one transaction: "Tersimpan" cannot be lost after it."""
            result = svc.adjust(conn, org_id, number, service_action, 0.0, user.id, now)
            text = views.adjusted_text(t, result, tz) if result.ok else views.adjust_refused(t, result)
            content = Reply(text)
            if result.ok and not result.removed:  # the card stays usable: its buttons act on the updated line
                updated = next((s for s in svc.my_stock(conn, org_id, now).lines if s.line.id == number), None)
                if updated is not None:
                    content = Reply(text, views.line_card(t, updated, tz).keyboard)
            return result, (out_edit(chat.id, pressed.message_id, content) if pressed is not None else [])

        await commit(context, tx)


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

        def gone_tx(conn: Any) -> tuple[None, list[Out]]:
            core_repo.clear_dialog(conn, chat.id, user.id)
            return None, out_reply(update, t.gettext("That stock line no longer exists. Nothing was changed."))

        await commit(context, gone_tx)
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
    org_id, tz, amount = actor.org.id, actor.cluster.timezone, value

    def tx(conn: Any) -> tuple[svc.Adjusted, list[Out]]:
        """The change and its answer in one transaction (outbox)."""
        outcome = svc.adjust_from_dialog(conn, org_id=org_id, stock_id=stock_id,
                                         action="add" if action == "add" else "subtract", amount=amount,
                                         user_id=user.id, chat_id=chat.id, now=runtime.clock.timestamp())  # fmt: skip
        answer = views.adjusted_text(t, outcome, tz) if outcome.ok else views.adjust_refused(t, outcome)
        return outcome, out_reply(update, answer)

    await commit(context, tx)
