"""Member-facing figures, rendered only from the published table (``Published``, docs/privacy.md): the cluster's
stock totals and /cari (the asker's own figures and the secretariat's per-organisation rows are separate fields,
shown only in a private chat)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.features.members.views import region_name
from bot.features.needs.views import item_label
from bot.features.stock.callbacks import (
    MoreButton,
    RequestButton,
)
from bot.features.stock.service import (
    Published,
    RequestAnswer,
    Search,
)
from bot.features.stock.views.common import SEARCH_EXAMPLE, amount, category_label, day_text
from bot.kernel.i18n import Translator
from bot.kernel.views import Button, Keyboard, Reply, esc, in_sentence

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
                         t.gettext("confirmed {day}").format(day=day_text(t, h.confirmed_at, tz)))  # fmt: skip
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
