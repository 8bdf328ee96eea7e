"""One's own stock: the list, a line's card, adjusting it, and the secretariat setting."""

from __future__ import annotations

from bot.features.needs.views import item_label
from bot.features.stock.callbacks import (
    LINE_PAGES,
    LineButton,
    VisibilityButton,
)
from bot.features.stock.service import (
    Adjusted,
    LineStatus,
    MyStock,
)
from bot.features.stock.storage import StockLine
from bot.features.stock.views.common import PAGE, amount, day_text, line_flags, line_text, stock_example
from bot.kernel.i18n import Translator
from bot.kernel.views import Button, Keyboard, Reply, esc, in_sentence, page_nav

# ---- my stock -------------------------------------------------------------------------------------


def my_stock_page(t: Translator, mine: MyStock, org_name: str, page: int, tz: str) -> Reply:
    pages = max(1, -(-len(mine.lines) // PAGE))
    page = max(0, min(page, pages - 1))
    visibility = secretariat_state(t, mine.secretariat)
    lines = [t.gettext("<b>Stock of {org}</b> — {visibility}").format(org=esc(org_name), visibility=esc(visibility))]
    keyboard: Keyboard = []
    shown = mine.lines[page * PAGE : (page + 1) * PAGE]
    for index, status in enumerate(shown, start=page * PAGE + 1):
        lines.append(f"{index}. {line_text(t, status.line, tz)}{line_flags(t, status)}")
    numbers = [Button(str(i), LineButton("v", s.line.id).pack()) for i, s in enumerate(shown, start=page * PAGE + 1)]
    keyboard += [numbers[i : i + 4] for i in range(0, len(numbers), 4)]
    if not mine.lines:
        lines.append(t.gettext("No stock reported yet.") + "\n" + f"<code>{esc(stock_example())}</code>")
    else:
        lines.append(t.gettext("Tap a number to adjust, empty or remove a line."))
        if any(s.stale for s in mine.lines):
            lines.append(
                "⚠️ " + t.gettext("Not confirmed for {days} days or more: please check.").format(days=mine.stale_days)
            )
        lines.append(t.gettext("Page {page} of {pages}").format(page=page + 1, pages=pages))
    nav = page_nav(page, pages, LINE_PAGES)
    if nav:
        keyboard.append(nav)
    return Reply("\n".join(lines), keyboard)


def line_card(t: Translator, status: LineStatus, tz: str) -> Reply:
    line = status.line
    text = "\n".join([
        line_text(t, line, tz) + line_flags(t, status),
        t.gettext("Last confirmed: {day}").format(day=day_text(t, line.confirmed_at, tz)),
    ])  # fmt: skip
    keyboard = [
        [Button(t.gettext("➕ Add"), LineButton("add", line.id).pack()), Button(t.gettext("➖ Subtract"), LineButton("sub", line.id).pack())],
        [Button(t.gettext("⛔ Empty (habis)"), LineButton("zero", line.id).pack()), Button(t.gettext("🗑 Remove"), LineButton("del", line.id).pack())],
        [Button(t.gettext("✅ Still correct"), LineButton("ok", line.id).pack()), Button(t.gettext("◀ My stock"), LineButton("pg", 0).pack())],
    ]  # fmt: skip
    return Reply(text, keyboard)


def ask_adjust(t: Translator, line: StockLine, add: bool) -> str:
    text = t.gettext("How much to add to {item}? e.g. <i>50 {unit}</i>") if add else \
        t.gettext("How much to subtract from {item}? e.g. <i>50 {unit}</i>")  # fmt: skip
    return text.format(item=esc(in_sentence(item_label(t, line.item_key, line.item_name))), unit=esc(line.unit)) + "\n" + \
        t.gettext("Cancel with /batal.")  # fmt: skip


def adjusted_text(t: Translator, result: Adjusted, tz: str) -> str:
    assert result.line is not None
    if result.removed:
        return t.gettext("Removed: {line}").format(line=line_text(t, result.line, tz))
    previous = amount(t, result.previous or 0, result.line.unit)
    return t.gettext("Saved: {line} (was {q})").format(line=line_text(t, result.line, tz), q=previous)


def adjust_refused(t: Translator, result: Adjusted) -> str:
    if result.reason == "too_much" and result.line is not None:
        return t.gettext("You only have {q}; nothing was changed.").format(
            q=amount(t, result.line.quantity, result.line.unit)
        )
    if result.reason == "bad_quantity":
        return t.gettext("The amount must be more than 0. Nothing was changed.")
    return t.gettext("This button is no longer valid.")


def secretariat_state(t: Translator, allowed: bool) -> str:
    if allowed:
        return t.gettext("the secretariat sees your figures; members see only cluster figures")
    return t.gettext("only cluster figures (also for the secretariat)")


def secretariat_text(t: Translator, org_name: str, allowed: bool) -> str:
    if allowed:
        return t.gettext("Saved. The secretariat may see the stock figures of {org}; members still see only cluster "
                         "figures of at least 3 organisations.").format(org=esc(org_name))  # fmt: skip
    return t.gettext("Saved. The stock of {org} now appears only in cluster figures of at least 3 organisations, "
                     "also for the secretariat (from the next publication).").format(org=esc(org_name))  # fmt: skip


def profile_line(t: Translator, allowed: bool) -> str:
    state = t.gettext("the secretariat may see its figures") if allowed else \
        t.gettext("only cluster figures (also for the secretariat)")  # fmt: skip
    return t.gettext("<b>Stock</b>: {state} (/stok sekretariat)").format(state=esc(state))


def registration_question(t: Translator, org_id: int, org_name: str) -> Reply:
    """Asked once a new organisation registers; the default stays if nobody taps."""
    text = "\n".join([
        t.gettext("<b>Stock figures of {org}</b>: may the secretariat see them per organisation, to coordinate? "
                  "Default: yes.").format(org=esc(org_name)),
        t.gettext("Other members never see them: they see only cluster figures that sum at least 3 organisations. "
                  "You can change this later with /stok sekretariat."),
    ])  # fmt: skip
    return Reply(text, [[Button(t.gettext("✅ Yes, the secretariat may"), VisibilityButton("y", org_id).pack()),
                         Button(t.gettext("✖ No, cluster figures only"), VisibilityButton("n", org_id).pack())]])  # fmt: skip


def secretariat_help(t: Translator, allowed: bool, bad: str = "") -> str:
    lines = [t.gettext("I did not understand “{bad}”.").format(bad=esc(bad))] if bad else []
    lines.append(t.gettext("Your organisation's stock: {state}.").format(state=esc(secretariat_state(t, allowed))))
    lines.append(t.gettext("Write <code>/stok sekretariat ya</code> to let the secretariat see your figures (it "
                           "coordinates with them), or <code>/stok sekretariat tidak</code>."))  # fmt: skip
    return "\n".join(lines)
