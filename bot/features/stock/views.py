"""Texts and keyboards for private stock reports, the cluster's stock picture, /cari and stock imports.

Member-facing renderers (``totals_text``, ``search_reply``, ``search_page``) render only the published table
(``bot.features.stock.service.Published``, docs/privacy.md); the asker's own figures and the secretariat's
per-organisation rows are separate fields, shown only in a private chat.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.features.members.views import region_name
from bot.features.needs.storage import Need
from bot.features.needs.views import item_label
from bot.features.stock import importer
from bot.features.stock.callbacks import (
    LINE_PAGES,
    DeductButton,
    FlowButton,
    ImportButton,
    LineButton,
    MoreButton,
    ReminderButton,
    RequestButton,
    StockPledgeButton,
    VisibilityButton,
)
from bot.features.stock.service import (
    Adjusted,
    DeductAsk,
    LineResult,
    LineStatus,
    MyStock,
    Published,
    Reminder,
    RequestAnswer,
    Saved,
    Search,
    StockDraft,
    StockMatch,
)
from bot.features.stock.storage import StockLine
from bot.kernel.i18n import N_, Translator
from bot.kernel.views import Button, Keyboard, Reply, esc, in_sentence, page_nav
from bot.shared import catalogue, posting, regions
from bot.shared import quantity as qty_mod
from bot.shared.examples import dated

PAGE = 8
STOCK_EXAMPLE_TEMPLATE = "/stok beras 2.500 kg gudang Banjarbaru kedaluwarsa {m+12}"


def stock_example() -> str:
    """The one-line example, its expiry a year from this month (never a fixed date that goes stale)."""
    return dated(STOCK_EXAMPLE_TEMPLATE)


def _expiry_examples() -> tuple[str, str]:
    """A month a year ahead ("12/2027") and the last day of that month ("31/12/2027")."""
    month = dated("{m+12}")
    number, year = (int(part) for part in month.split("/"))
    return month, f"{calendar.monthrange(year, number)[1]}/{month}"
SEARCH_EXAMPLE = "/cari terpal HSS"
CONDITION_LABELS = {"baik": N_("good"), "rusak_ringan": N_("lightly damaged"), "rusak_berat": N_("badly damaged")}
EXPIRY_CATEGORIES = ("pangan", "kesehatan", "bayi")


def _day(t: Translator, ts: int, tz: str) -> str:
    return t.short_date(datetime.fromtimestamp(ts, ZoneInfo(tz)))


def amount(t: Translator, value: float, unit: str) -> str:
    return f"{t.number(value)} {esc(unit)}"


def category_label(t: Translator, key: str) -> str:
    category = catalogue.get_category(key) if key else None
    if category is None:
        return t.gettext("Other items")
    return category.name_id if t.code == "id" else category.name_en


def where(line: StockLine) -> str:
    """Kec. Daha Utara, Kab. Hulu Sungai Selatan · gudang PMI (the kecamatan as the needs' cards write it)."""
    parts = [region_name(line.region_code)] if line.region_code else []
    district = regions.get_district(line.district_code)
    if district is not None:
        parts = [f"Kec. {district.name}, {parts[0]}" if parts else f"Kec. {district.name}"]
    if line.location:
        parts.append(line.location)
    return " · ".join(parts)


def line_text(t: Translator, line: StockLine, tz: str) -> str:
    """Beras — 2.500 kg · Kota Banjarbaru · gudang BPBD · kedaluwarsa 31 Des 2026."""
    text = f"{esc(item_label(t, line.item_key, line.item_name))} — {amount(t, line.quantity, line.unit)}"
    if where(line):
        text += f" · {esc(where(line))}"
    if line.expires_at:
        text += " · " + t.gettext("expires {day}").format(day=_day(t, line.expires_at, tz))
    if line.condition != "baik":
        text += f" · {esc(t.gettext(CONDITION_LABELS[line.condition]))}"
    return text


def _flags(t: Translator, status: LineStatus) -> str:
    flags = []
    if status.expired:
        flags.append("⛔ " + t.gettext("expired"))
    elif status.near_expiry:
        flags.append("⏳ " + t.gettext("expires soon"))
    if status.stale:
        flags.append("⚠️ " + t.gettext("not confirmed for a long time"))
    return f" ({', '.join(flags)})" if flags else ""


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
            bad=bad, example=_expiry_examples()[0]
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
    month, day = _expiry_examples()
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


# ---- my stock -------------------------------------------------------------------------------------


def my_stock_page(t: Translator, mine: MyStock, org_name: str, page: int, tz: str) -> Reply:
    pages = max(1, -(-len(mine.lines) // PAGE))
    page = max(0, min(page, pages - 1))
    visibility = secretariat_state(t, mine.secretariat)
    lines = [t.gettext("<b>Stock of {org}</b> — {visibility}").format(org=esc(org_name), visibility=esc(visibility))]
    keyboard: Keyboard = []
    shown = mine.lines[page * PAGE : (page + 1) * PAGE]
    for index, status in enumerate(shown, start=page * PAGE + 1):
        lines.append(f"{index}. {line_text(t, status.line, tz)}{_flags(t, status)}")
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
        line_text(t, line, tz) + _flags(t, status),
        t.gettext("Last confirmed: {day}").format(day=_day(t, line.confirmed_at, tz)),
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


# ---- cluster totals -------------------------------------------------------------------------------


def _when(t: Translator, ts: int, tz: str) -> str:
    return t.short_datetime(datetime.fromtimestamp(ts, UTC), tz)


def _published_note(t: Translator, pub: Published, tz: str) -> list[str]:
    lines = [t.gettext("Published figures of {when}: updated at most hourly; every figure sums the stock of at "
                       "least 3 organisations (docs/privacy.md).").format(when=_when(t, pub.published_at, tz))]  # fmt: skip
    if pub.held:
        lines.append(t.gettext("Some figures keep an earlier publication until changes of at least 3 organisations "
                               "mask each other."))  # fmt: skip
    return lines


def totals_text(t: Translator, pub: Published | None, cluster_name: str, tz: str, per_region: int = 4) -> str:
    """The cluster picture: only the published table (the same for everyone who asks)."""
    lines = [t.gettext("📦 <b>Stock in the cluster {name}</b>").format(name=esc(cluster_name))]
    if pub is None or not pub.lines:
        lines.append(t.gettext("No stock has been reported yet. Members report it privately with /stok."))
        return "\n".join(lines)
    lines.append(t.ngettext("{n} organisation reports stock", "{n} organisations report stock", pub.organizations)
                 .format(n=t.number(pub.organizations)) + " · " +
                 t.ngettext("{n} line", "{n} lines", pub.lines).format(n=t.number(pub.lines)))  # fmt: skip
    fresh = pub.lines - pub.stale_lines
    lines.append(t.gettext("Freshness: {fresh} of {all} lines confirmed in the last {days} days; average age {age} days.").format(
        fresh=t.number(fresh), all=t.number(pub.lines), days=pub.stale_days, age=t.number(pub.mean_age_days, 0)))  # fmt: skip
    if pub.near_expiry_lines or pub.expired_lines:
        lines.append("⏳ " + t.ngettext("{soon} line expires within {days} days; {expired} already expired.",
                                        "{soon} lines expire within {days} days; {expired} already expired.",
                                        pub.near_expiry_lines).format(
            soon=t.number(pub.near_expiry_lines), days=pub.expiry_days, expired=t.number(pub.expired_lines)))  # fmt: skip
    lines += ["", t.gettext("<b>By item category</b>")]
    by_category: dict[str, list[str]] = {}
    partial = False
    for category, unit in pub.tables():
        known, complete, orgs_n = pub.table_total(category, unit)
        orgs = t.ngettext("{n} org.", "{n} orgs.", orgs_n).format(n=orgs_n)
        if complete:
            cell = f"{amount(t, known, unit)} ({orgs})"
        elif known > 0:
            partial = True
            cell = t.gettext("at least {q}").format(q=amount(t, known, unit)) + f" ({orgs})"
        else:
            partial = True
            cell = t.gettext("hidden") + f" ({orgs})"
        by_category.setdefault(category, []).append(cell)
    for category, cells in by_category.items():
        lines.append(f"• {esc(category_label(t, category))}: {'; '.join(cells)}")
    regions_seen: dict[str, list[str]] = {}
    for (code, category, unit), value in sorted(pub.region_totals().items()):
        regions_seen.setdefault(code, []).append(f"{esc(category_label(t, category))} {amount(t, value, unit)}")
    if regions_seen:
        lines += ["", t.gettext("<b>By kabupaten/kota</b> (where at least 3 organisations hold an item)")]
    for code, cells in regions_seen.items():
        more = len(cells) - per_region
        text = "; ".join(cells[:per_region])
        if more > 0:
            text += " " + t.gettext("… and {n} more").format(n=more)
        lines.append(f"📍 {esc(region_name(code) if code else t.gettext('unknown'))}: {text}")
    if partial:
        lines += ["", t.gettext("“hidden”: stock of fewer than 3 organisations is not shown, so no figure reveals one "
                                "organisation's stock.")]  # fmt: skip
    lines += ["", *_published_note(t, pub, tz)]
    return "\n".join(lines)


# ---- /cari ----------------------------------------------------------------------------------------


SEARCH_PAGE = 12  # entries per message; the rest behind "more"


def search_help(t: Translator, problem: str = "") -> str:
    head = problem or t.gettext("Which item are you looking for?")
    return "\n".join([head, t.gettext("Write it like this:"), f"<code>{esc(SEARCH_EXAMPLE)}</code>"])


def _search_entries(t: Translator, result: Search, tz: str) -> list[str]:
    """Every entry of the answer, in order: published stock, capacity register, open offers."""
    out: list[str] = []
    for row in result.rows:
        label = esc(item_label(t, row.item_key, row.item_name))
        orgs = t.ngettext("{n} org.", "{n} orgs.", row.contributors).format(n=row.contributors)
        if row.level == "cell":
            out.append(f"📦 {label} · {esc(region_name(row.region_code))}: {amount(t, row.quantity or 0, row.unit)} "
                       f"({orgs})")  # fmt: skip
        elif row.level == "item":
            out.append("📦 " + t.gettext("{item} in other kabupaten/kota: {q} ({orgs})").format(
                item=label, q=amount(t, row.quantity or 0, row.unit), orgs=orgs))  # fmt: skip
        elif row.level == "holders" and not row.complete:
            out.append("📦 " + t.ngettext(
                "{item}: {n} organisation holds it; its stock is not shown apart (too few holders to show).",
                "{item}: {n} organisations hold it; part of it is pooled with other items or hidden (too few "
                "holders to show).", row.contributors).format(item=label, n=row.contributors))  # fmt: skip
    for hit in result.capacity:
        figure = f"{t.number(hit.quantity)} · " if hit.quantity is not None else ""
        place = f" · {esc(region_name(hit.region_code))}" if hit.region_code else ""
        out.append("🛠 " + t.gettext("Capacity register: {org}: {figure}{name}{place}").format(
            org=esc(hit.org_name), figure=figure, name=esc(hit.name), place=place))  # fmt: skip
    for offer in result.offers:
        place = f" · {esc(region_name(offer.region_code))}" if offer.region_code else ""
        out.append("🎁 " + t.gettext("Open offer {code}: {org}: {q} {item}{place}").format(
            code=offer.code, org=esc(offer.org_name), q=amount(t, offer.available, offer.unit),
            item=esc(item_label(t, offer.item_key, offer.item_name)), place=place))  # fmt: skip
    return out


def search_page(t: Translator, result: Search, page: int, tz: str) -> Reply:
    """A further page of the same answer (the "more" button)."""
    entries = _search_entries(t, result, tz)
    pages = max(1, -(-len(entries) // SEARCH_PAGE))
    page = max(0, min(page, pages - 1))
    item = esc(item_label(t, result.item_key, result.item_name))
    lines = [t.gettext("🔎 <b>{item}</b> in the cluster").format(item=item) + " " +
             t.gettext("(page {page} of {pages})").format(page=page + 1, pages=pages)]  # fmt: skip
    lines += entries[page * SEARCH_PAGE : (page + 1) * SEARCH_PAGE]
    keyboard: Keyboard = []
    if page + 1 < pages and result.request_id is not None:
        keyboard = [[Button(t.gettext("➕ More"), MoreButton(result.request_id, page + 1).pack())]]
    return Reply("\n".join(lines), keyboard)


def search_reply(t: Translator, result: Search, now: int, tz: str, can_forward: bool, private: bool = True) -> Reply:
    """The same answer for everyone; the asker's own stock only in a private chat ("Your stock: …")."""
    item = esc(item_label(t, result.item_key, result.item_name))
    origin = region_name(result.region_code) if result.region_code else ""
    head = t.gettext("🔎 <b>{item}</b> in the cluster").format(item=item)
    if origin:
        head += " — " + t.gettext("nearest to {region} first").format(region=esc(origin))
    lines = [head]
    entries = _search_entries(t, result, tz)
    pages = max(1, -(-len(entries) // SEARCH_PAGE))
    if not entries:
        lines.append(t.gettext("Nothing found for this item in the published stock, the capacity register or the open offers."))
    lines += entries[:SEARCH_PAGE]
    if pages > 1:
        lines.append(t.gettext("… {n} more: tap “More”.").format(n=len(entries) - SEARCH_PAGE))
    if private and result.own:
        own = "; ".join(f"{esc(item_label(t, h.item_key, h.item_name))} {amount(t, h.quantity, h.unit)} · "
                        f"{esc(region_name(h.region_code))}" for h in result.own[:8])  # fmt: skip
        lines.append(t.gettext("Your stock (not shown to others): {lines}").format(lines=own))
    elif not private:
        lines.append(t.gettext("Your own stock: /stok saya in our private chat."))
    if private and result.by_org:
        lines.append(t.gettext("<b>Per organisation</b> (secretariat only; organisations that allow it):"))
        for h in result.by_org[:20]:
            lines.append(f"  · {esc(h.org_name)}: {esc(item_label(t, h.item_key, h.item_name))} "
                         f"{amount(t, h.quantity, h.unit)} · {esc(region_name(h.region_code))} · " +
                         t.gettext("confirmed {day}").format(day=_day(t, h.confirmed_at, tz)))  # fmt: skip
    if result.published_at is not None and result.rows:
        lines.append(t.gettext("Stock figures: publication of {when}; each sums at least 3 organisations.").format(
            when=_when(t, result.published_at, tz)))  # fmt: skip
    keyboard: Keyboard = []
    if result.request_id is not None and pages > 1:
        keyboard.append([Button(t.gettext("➕ More"), MoreButton(result.request_id, 1).pack())])
    if result.request_id is not None and result.holders and (can_forward or not private):
        # in the group the same line and button for every asker (a non-member's tap is refused)
        lines.append(t.gettext("I can forward your request privately to the holders; they answer with one tap."))
        keyboard.append([Button(t.gettext("📨 Ask the holders privately"), RequestButton("fw", result.request_id).pack())])
    elif result.holders:
        lines.append(t.gettext("Registered representatives can ask the holders privately through me."))
    return Reply("\n".join(lines), keyboard)


def forwarded_text(t: Translator, organizations: int) -> str:
    return t.ngettext("Sent privately to {n} organisation. I will tell you who answers yes.",
                      "Sent privately to {n} organisations. I will tell you who answers yes.", organizations
                      ).format(n=organizations)  # fmt: skip


def forward_refused(t: Translator, reason: str) -> str:
    if reason == "not_yours":
        return t.gettext("Only the person who searched can forward this request.")
    if reason == "already":
        return t.gettext("This request was already forwarded.")
    if reason == "nobody":
        return t.gettext("Nobody holds current stock of it any more.")
    return t.gettext("This button is no longer valid.")


def holder_ask(t: Translator, request_id: int, item_name: str, item_key: str | None, region_code: str,
               requester_org: str) -> Reply:  # fmt: skip
    text = t.gettext("{org} is looking for <b>{item}</b>{where}. Your organisation reported stock of it. Can you help?").format(
        org=esc(requester_org), item=esc(in_sentence(item_label(t, item_key, item_name))),
        where=(" " + t.gettext("for {region}").format(region=esc(region_name(region_code)))) if region_code else "")  # fmt: skip
    text += "\n" + t.gettext("Only a “yes” shares your organisation's name and your contact with them.")
    return Reply(text, [[Button(t.gettext("✅ Yes, we can help"), RequestButton("y", request_id).pack()),
                         Button(t.gettext("✖ Not now"), RequestButton("n", request_id).pack())]])  # fmt: skip


def holder_answered(t: Translator, answer: RequestAnswer) -> str:
    if answer.yes:
        return t.gettext("Thank you. I passed your contact to them.")
    return t.gettext("Noted. Nothing was shared.")


def requester_told(t: Translator, answer: RequestAnswer) -> str:
    return t.gettext("{org} can help with {item}. Contact: {contact}").format(
        org=esc(answer.org_name), item=esc(in_sentence(answer.item_name)), contact=esc(answer.contact))  # fmt: skip


# ---- reminders ------------------------------------------------------------------------------------


def stale_reminder(t: Translator, reminder: Reminder, tz: str, late: bool) -> Reply:
    lines = [t.ngettext("⚠️ This stock line has not been confirmed for {days} days:",
                        "⚠️ These stock lines have not been confirmed for {days} days:", len(reminder.lines))
             .format(days=reminder.days)]  # fmt: skip
    lines += [f"• {line_text(t, line, tz)}" for line in reminder.lines[:15]]
    if len(reminder.lines) > 15:
        lines.append(t.gettext("… and {n} more").format(n=len(reminder.lines) - 15))
    lines.append(t.gettext("Is it still correct? Stale figures are left out of matching and /cari."))
    if late:
        lines.append(t.gettext("(sent late)"))
    return Reply("\n".join(lines), [[Button(t.gettext("✅ All still correct"), ReminderButton("ok", reminder.org_id).pack()),
                                     Button(t.gettext("📦 Update"), LineButton("pg", 0).pack())]])  # fmt: skip


def expiry_reminder(t: Translator, reminder: Reminder, tz: str, late: bool) -> Reply:
    lines = [t.gettext("⏳ Expiring within {days} days — distribute or replace it in time:").format(days=reminder.days)]
    lines += [f"• {line_text(t, line, tz)}" for line in reminder.lines[:15]]
    if len(reminder.lines) > 15:
        lines.append(t.gettext("… and {n} more").format(n=len(reminder.lines) - 15))
    if late:
        lines.append(t.gettext("(sent late)"))
    return Reply("\n".join(lines), [[Button(t.gettext("📦 My stock"), LineButton("pg", 0).pack())]])


def confirmed_all(t: Translator, count: int) -> str:
    return t.ngettext("Saved: {n} line confirmed as still correct.", "Saved: {n} lines confirmed as still correct.",
                      count).format(n=count)  # fmt: skip


# ---- needs and stock ------------------------------------------------------------------------------


def stock_match_notice(t: Translator, need: Need, match: StockMatch) -> Reply:
    """Private to a holder: a new need matches their stock; one tap pledges from it."""
    offer = min(match.amount, need.remaining) if need.remaining > 0 else match.amount
    text = t.gettext("New need {code}: {item}, {rest} still open in {region}. Your stock: {line}.").format(
        code=need.code, item=esc(item_label(t, need.item_key, need.item_name)), rest=amount(t, need.remaining, need.unit),
        region=esc(region_name(need.region_code)), line=f"{amount(t, match.line.quantity, match.line.unit)} · "
        f"{esc(where(match.line))}")  # fmt: skip
    button = Button(t.gettext("🤝 Pledge {q} from stock").format(q=f"{t.number(offer)} {need.unit}"),
                    StockPledgeButton(need.id, match.line.id).pack())  # fmt: skip
    return Reply(text, [[button]])


def stock_pledge_refused(t: Translator, reason: str) -> str:
    return {
        "need_closed": t.gettext("This need is already closed. Thank you!"),
        "covered": t.gettext("This need is already fully pledged. Thank you!"),
        "empty": t.gettext("That stock line is empty now."),
        "unit": t.gettext(
            "Your stock is counted in a unit that does not fit this need; pledge with the need's button."
        ),
    }.get(reason, t.gettext("This button is no longer valid."))


def deduct_ask(t: Translator, ask: DeductAsk, need_code: str, tz: str) -> Reply:
    text = t.gettext("{code} confirmed receipt of your pledge from stock. Reduce {line} by {q}?").format(
        code=need_code, line=line_text(t, ask.line, tz), q=amount(t, ask.amount, ask.line.unit))  # fmt: skip
    return Reply(text, [[Button(t.gettext("✅ Reduce my stock"), DeductButton("y", ask.pledge_id).pack()),
                         Button(t.gettext("✖ Keep as is"), DeductButton("n", ask.pledge_id).pack())]])  # fmt: skip


# ---- import ---------------------------------------------------------------------------------------

_ROW_ERRORS = {
    "org_missing": N_("organisation missing"),
    "org_unknown": N_("unknown organisation “{bad}”"),
    "item_missing": N_("item missing"),
    "item_code_unknown": N_("unknown item code “{bad}”"),
    "quantity_missing": N_("quantity missing"),
    "quantity_bad": N_("quantity not understood: “{bad}”"),
    "unit_unknown": N_("unknown unit “{bad}”"),
    "region_unknown": N_("unknown kabupaten/kota “{bad}”"),
    "region_missing": N_("kabupaten/kota missing"),
    "district_unknown": N_("unknown kecamatan “{bad}” (in this kabupaten/kota)"),
    "expiry_bad": N_("date not understood: “{bad}”"),
    "condition_bad": N_("condition not understood: “{bad}” (baik, rusak ringan, rusak berat)"),
}


def import_help(t: Translator) -> str:
    headers = " | ".join(header for _, header, _ in importer.STOCK_COLUMNS)
    return "\n".join([
        t.gettext("Send the stock file (CSV or XLSX) now, in the bot's export format:"),
        f"<code>{esc(headers)}</code>",
        t.gettext("A second row of HXL hashtags (#org, #item+name …) is optional. Cancel with /batal."),
    ])  # fmt: skip


def import_problem(t: Translator, checked: importer.Checked) -> str:
    if checked.problem == importer.MISSING_COLUMNS:
        head = t.gettext("I could not find the columns {columns} in the first rows.").format(
            columns=esc(", ".join(checked.missing))
        )
    elif checked.problem == importer.TOO_BIG:
        head = t.gettext("The file is too large (at most 2 MB).")
    elif checked.problem == importer.TOO_MANY_ROWS:
        head = t.gettext("The file has too many rows (at most {n}).").format(n=t.number(importer.MAX_ROWS))
    elif checked.problem == importer.EMPTY:
        head = t.gettext("The file has no data rows.")
    elif checked.problem in _FILE_PROBLEMS:
        head = t.gettext(_FILE_PROBLEMS[checked.problem]).format(
            cells=t.number(importer.MAX_CELL_CHARS), columns=t.number(importer.MAX_COLUMNS),
            seconds=t.number(importer.PARSE_TIMEOUT_S, 0))  # fmt: skip
    else:
        head = t.gettext("I can only read CSV or XLSX files.")
    return "\n".join([head, import_help(t), t.gettext("Nothing was saved.")])


_FILE_PROBLEMS = {
    importer.UNREADABLE: N_("This file is not a table I can read (a damaged XLSX, or not really an XLSX or CSV)."),
    importer.TOO_COMPLEX: N_("This file is too complex to read (I stop after {seconds} seconds or when it needs too "
                             "much memory). Split it into smaller files, or save it again as a plain XLSX or CSV."),
    importer.CELL_TOO_LONG: N_("A cell of the file is too long (at most {cells} characters)."),
    importer.TOO_MANY_COLUMNS: N_("The file has too many columns (at most {columns})."),
}


def import_report(t: Translator, checked: importer.Checked, import_id: int | None) -> Reply:
    """Row-numbered errors; nothing applied yet; the sender decides whether to load only the valid rows."""
    lines = [t.gettext("<b>File checked</b>: {good} valid rows, {bad} rows with errors.").format(
        good=t.number(len(checked.rows)), bad=t.number(checked.error_rows))]  # fmt: skip
    shown = importer.MAX_ERRORS_SHOWN  # one message, however long the file
    for error in checked.errors[:shown]:
        bad = error.text if len(error.text) <= 60 else error.text[:59] + "…"
        reason = t.gettext(_ROW_ERRORS.get(error.code, N_("not understood: “{bad}”"))).format(bad=esc(bad))
        lines.append("❌ " + t.gettext("Row {row}: {reason}").format(row=error.row, reason=reason))
    if len(checked.errors) > shown:
        lines.append(t.gettext("… and {n} more").format(n=len(checked.errors) - shown))
    lines.append(t.gettext("Nothing was saved yet. Fix the file and send it again, or load only the valid rows."))
    keyboard: Keyboard = []
    if import_id is not None and checked.rows:
        keyboard = [[Button(t.gettext("Load the {n} valid rows").format(n=len(checked.rows)), ImportButton("ok", import_id).pack()),
                     Button(t.gettext("✖ Cancel"), ImportButton("x", import_id).pack())]]  # fmt: skip
    return Reply("\n".join(lines), keyboard)


def import_done(t: Translator, count: int) -> str:
    return t.ngettext("Saved: {n} stock line loaded from the file.", "Saved: {n} stock lines loaded from the file.",
                      count).format(n=t.number(count))  # fmt: skip
