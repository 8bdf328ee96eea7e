"""Views of reporting stock: the answer to a report, help, the group redirect and the guided report's questions."""

from __future__ import annotations

from bot.features.stock.callbacks import (
    FlowButton,
)
from bot.features.stock.service import (
    LineResult,
    Saved,
    StockDraft,
)
from bot.features.stock.storage import StockLine
from bot.features.stock.views.common import CONDITION_LABELS, amount, expiry_examples, line_text, stock_example
from bot.kernel.i18n import Translator
from bot.kernel.views import Button, Reply, esc, in_sentence
from bot.shared import posting
from bot.shared import quantity as qty_mod

# ---- reporting ------------------------------------------------------------------------------------


def error_reason(t: Translator, error: posting.PostError | None, missing_region: bool) -> str:
    """Why one line was not understood, quoting the part that was not."""
    if missing_region or error is None:
        return t.gettext("which kabupaten/kota? Add e.g. <i>HSS</i> or <i>Banjarbaru</i>")
    bad = esc(error.text)
    if error.code == posting.MISSING_QUANTITY:
        return t.gettext("no quantity found (e.g. <i>500 kg</i>)")
    if error.code == posting.VAGUE_QUANTITY:
        return t.gettext("“{bad}” is not a number").format(bad=bad)
    if error.code == posting.MULTIPLE_QUANTITIES:
        return t.gettext("more than one quantity (“{bad}”): one item per line").format(bad=bad)
    if error.code == posting.MISSING_ITEM:
        return t.gettext("which item?")
    if error.code == posting.UNKNOWN_REGION:
        return t.gettext("unknown kabupaten/kota “{bad}”").format(bad=bad)
    if error.code == qty_mod.NEGATIVE:
        return t.gettext("the quantity cannot be negative (“{bad}”)").format(bad=bad)
    if error.code == qty_mod.TOO_LARGE:
        return t.gettext("the quantity “{bad}” is too large").format(bad=bad)
    if error.code == posting.TOO_LONG:
        return t.gettext("the line is too long")
    if error.field == "date":
        return t.gettext("date not understood: “{bad}” (e.g. <i>{example}</i>)").format(
            bad=bad, example=expiry_examples()[0]
        )
    return t.gettext("not understood: “{bad}”").format(bad=bad)


def report_result(t: Translator, results: list[LineResult], saved: list[Saved], tz: str, truncated: bool) -> str:
    """Per line: what was understood and stored, or what was not understood. Only stored lines count."""
    by_number = {s.number: s for s in saved}
    good = [r for r in results if r.draft is not None]
    bad = [r for r in results if r.draft is None]
    lines: list[str] = []
    if saved:
        lines.append(t.ngettext("Saved: {n} stock line.", "Saved: {n} stock lines.", len(saved)).format(n=len(saved)))
    for result in good:
        entry = by_number.get(result.number)
        if entry is None:
            continue
        text = f"✅ {result.number}. {line_text(t, entry.line, tz)}"
        if entry.previous is not None:
            text += " " + t.gettext("(was {q})").format(q=amount(t, entry.previous, entry.line.unit))
        lines.append(text)
    if bad:
        if lines:
            lines.append("")
        lines.append(t.ngettext("{n} line was not saved:", "{n} lines were not saved:", len(bad)).format(n=len(bad)))
        for result in bad:
            lines.append(f"❌ {result.number}. <code>{esc(result.text[:80])}</code> — "
                         f"{error_reason(t, result.error, result.missing_region)}")  # fmt: skip
        lines += ["", t.gettext("Fix those lines and send only them again, one item per line, e.g.:"),
                  f"<code>{esc(stock_example())}</code>"]  # fmt: skip
        if not saved:
            lines.append(t.gettext("Nothing was saved."))
    if truncated:
        lines.append(t.gettext("Only the first 100 lines were read; send a file (CSV/XLSX) for longer lists."))
    return "\n".join(lines)


def stock_help(t: Translator) -> str:
    return "\n".join([
        t.gettext("<b>Report stock</b> (only you and your organisation see the figures)"),
        t.gettext("One line, or several lines in one message (one item per line):"),
        f"<code>{esc(stock_example())}</code>",
        t.gettext("A new report for the same item and place replaces the figure; the history is kept."),
        t.gettext("/stok saya — your stock, with buttons to adjust · /stok lapor — step by step"),
        t.gettext("Members only ever see cluster figures that sum at least 3 organisations."),
        t.gettext("/stok sekretariat ya|tidak — whether the secretariat may see your figures (now: yes by default)"),
    ])  # fmt: skip


def group_redirect(t: Translator, bot_username: str, typed: bool) -> Reply:
    text = t.gettext("Stock is reported privately; the group only sees cluster totals (/ringkasan stok).")
    if typed:
        text += "\n" + t.gettext("Nothing was saved here. Please send it to me privately.")
    return Reply(
        text, [[Button(t.gettext("📦 Report stock privately"), url=f"https://t.me/{bot_username}?start=stok_lapor")]]
    )


# ---- guided flow ----------------------------------------------------------------------------------


def ask_item(t: Translator) -> str:
    return "\n".join([
        t.gettext("<b>Stock report</b> (1/6) · Which item? e.g. <i>beras</i>, <i>terpal</i>, <i>air mineral</i>"),
        t.gettext("Experienced users can write it in one line:"), f"<code>{esc(stock_example())}</code>",
        t.gettext("Cancel with /batal."),
    ])  # fmt: skip


def ask_quantity(t: Translator, item: str, unit: str) -> str:
    return t.gettext("(2/6) · How much {item} do you hold? e.g. <i>500 {unit}</i>").format(
        item=esc(in_sentence(item)), unit=esc(unit)
    )


def ask_region(t: Translator, codes: list[tuple[str, str]]) -> Reply:
    buttons = [Button(label, FlowButton.of("reg", code).pack()) for code, label in codes]
    return Reply(t.gettext("(3/6) · In which kabupaten/kota is it stored? Tap one or type it."),
                 [buttons[i : i + 3] for i in range(0, len(buttons), 3)])  # fmt: skip


def ask_location(t: Translator) -> Reply:
    return Reply(t.gettext("(4/6) · Which warehouse or place? e.g. <i>Gudang BPBD Jl. A. Yani</i>"),
                 [[Button(t.gettext("Skip"), FlowButton.of("loc", "-").pack())]])  # fmt: skip


def ask_expiry(t: Translator) -> Reply:
    month, day = expiry_examples()
    return Reply(t.gettext("(5/6) · Expiry date? e.g. <i>{month}</i> or <i>{day}</i>").format(month=month, day=day),
                 [[Button(t.gettext("No expiry date"), FlowButton.of("exp", "-").pack())]])  # fmt: skip


def ask_condition(t: Translator) -> Reply:
    return Reply(t.gettext("(6/6) · In what condition?"),
                 [[Button(t.gettext(label), FlowButton.of("cond", key).pack()) for key, label in CONDITION_LABELS.items()]])  # fmt: skip


def confirm_draft(t: Translator, draft: StockDraft, tz: str) -> Reply:
    line = StockLine(0, 0, 0, draft.item_key, draft.item_name, "", draft.category, draft.quantity, draft.unit,
                     draft.region_code, draft.location, draft.expires_at, draft.condition, 0, 0,
                     draft.district_code)  # fmt: skip
    return Reply(t.gettext("<b>Please check:</b>") + "\n" + line_text(t, line, tz),
                 [[Button(t.gettext("✅ Save"), FlowButton.of("ok").pack()), Button(t.gettext("✖ Cancel"), FlowButton.of("x").pack())]])  # fmt: skip
