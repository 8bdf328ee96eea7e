"""Rendering the situation summary: a compact version that always fits one message (the pin), and a
full version split across messages (sent in private)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.features.members.views import region_name
from bot.features.needs.views import INCIDENT_STATUS, PRIORITY_ICONS, item_label
from bot.features.sitrep.domain import Sitrep
from bot.kernel.i18n import Translator
from bot.kernel.views import MAX_MESSAGE, Button, Reply, esc, progress_bar
from bot.shared import catalogue

TOP = {"regions": 6, "urgent": 6, "coverage": 8, "gaps": 6, "offers": 4}


def _category_name(t: Translator, key: str) -> str:
    category = catalogue.get_category(key) if key else None
    if category is None:
        return t.gettext("Uncategorised")
    return category.name_id if t.code == "id" else category.name_en


def _more(t: Translator, hidden: int) -> str:
    return "   " + t.ngettext("… and {n} more item", "… and {n} more items", hidden).format(n=t.number(hidden))


def _lines(t: Translator, report: Sitrep, tz: str, top: dict[str, int] | None) -> list[str]:
    """All sections; ``top`` limits each list (None = full detail)."""

    def cap(name: str, size: int) -> int:
        return size if top is None else min(size, top[name])

    when = t.datetime(datetime.fromtimestamp(report.generated_at, UTC), tz)
    out = [t.gettext("📋 <b>SITUATION SUMMARY — {cluster}</b>").format(cluster=esc(report.cluster_name))]
    out.append(t.gettext("Last updated: {when}").format(when=when))
    out.append("")
    out.append(t.gettext("<b>Incidents</b>"))
    for incident in report.incidents:
        regions_text = ", ".join(region_name(c) for c in incident.region_codes) or "—"
        out.append(
            f"• {esc(incident.title)} — {esc(t.gettext(INCIDENT_STATUS[incident.status]))} ({esc(regions_text)})"
        )
    if not report.incidents:
        out.append("• " + t.gettext("No active incident (preparedness)."))
    out.append("")
    out.append(
        t.gettext("<b>Open needs</b>: {open} · fulfilled: {done} · open offers: {offers}").format(
            open=t.number(report.open_needs), done=t.number(report.fulfilled_needs), offers=t.number(report.open_offers)
        )
    )
    shown = cap("regions", len(report.regions))
    for load in report.regions[:shown]:
        out.append(
            "• "
            + t.gettext("{region}: {n} open, {urgent} urgent, {uncovered} not fully pledged").format(
                region=esc(region_name(load.region_code)),
                n=t.number(load.open_needs),
                urgent=t.number(load.urgent),
                uncovered=t.number(load.uncovered),
            )
        )
    if len(report.regions) > shown:
        out.append(_more(t, len(report.regions) - shown))
    if report.urgent:
        out.append("")
        out.append(t.gettext("<b>Most urgent, still uncovered</b>"))
        shown = cap("urgent", len(report.urgent))
        for need in report.urgent[:shown]:
            out.append(
                f"{PRIORITY_ICONS.get(need.priority, '')} K-{need.number:04d} "
                f"{esc(item_label(t, need.item_key, need.item_name))} — {t.number(need.remaining)} {esc(need.unit)}"
                f" · {esc(region_name(need.region_code))}"
            )
        if report.urgent_total > shown:
            out.append(_more(t, report.urgent_total - shown))
    if report.coverage:
        out.append("")
        out.append(t.gettext("<b>Pledged / sent / received by category</b>"))
        shown = cap("coverage", len(report.coverage))
        for cov in report.coverage[:shown]:
            out.append(
                f"• {esc(_category_name(t, cov.category))} ({t.number(cov.needs)}): "
                f"{progress_bar(cov.pledged, 1.0)} {round(cov.pledged * 100)}% · "
                + t.gettext("sent {s}% · received {r}%").format(s=round(cov.sent * 100), r=round(cov.received * 100))
            )
        if len(report.coverage) > shown:
            out.append(_more(t, len(report.coverage) - shown))
    if report.gaps:
        out.append("")
        out.append(t.gettext("<b>Gaps</b> (needed − pledged − cluster stock)"))
        shown = cap("gaps", len(report.gaps))
        for gap in report.gaps[:shown]:
            out.append(
                f"• {esc(item_label(t, gap.item_key, gap.item_name))}: {t.number(gap.gap)} {esc(gap.unit)} "
                + t.gettext("of {needed}").format(needed=t.number(gap.needed))
            )
        if len(report.gaps) > shown:
            out.append(_more(t, len(report.gaps) - shown))
    if report.unused_offers_total:
        out.append("")
        out.append(t.gettext("<b>Offers not yet used</b>: {n}").format(n=t.number(report.unused_offers_total)))
        shown = cap("offers", len(report.unused_offers))
        for offer in report.unused_offers[:shown]:
            out.append(
                f"• T-{offer.number:04d} {esc(item_label(t, offer.item_key, offer.item_name))} "
                f"{t.number(offer.quantity)} {esc(offer.unit)} — {esc(offer.org_name)}"
            )
        if report.unused_offers_total > shown:
            out.append(_more(t, report.unused_offers_total - shown))
    if report.stock_fresh_share is not None:
        out.append("")
        out.append(
            t.gettext(
                "<b>Stock</b>: {orgs} organisations report stock; {fresh} of figures confirmed in the last 30 days."
            ).format(orgs=t.number(report.stock_orgs), fresh=t.percent(report.stock_fresh_share))
        )
    if report.events:
        out.append("")
        out.append(t.gettext("<b>Coming up</b>"))
        for event in report.events[: 3 if top else len(report.events)]:
            out.append(f"• {esc(event.title)} — {t.short_datetime(datetime.fromtimestamp(event.starts_at, UTC), tz)}")
    return out


def compact(t: Translator, report: Sitrep, tz: str, bot_username: str, cluster_id: int) -> Reply:
    """One message under 4096 characters: shrink the lists until it fits."""
    top = dict(TOP)
    text = "\n".join(_lines(t, report, tz, top))
    while len(text) > MAX_MESSAGE - 200 and any(v > 1 for v in top.values()):
        for key in top:
            top[key] = max(1, top[key] - 1)
        text = "\n".join(_lines(t, report, tz, top))
    if len(text) > MAX_MESSAGE - 100:
        text = text[: MAX_MESSAGE - 150].rsplit("\n", 1)[0] + "\n…"
    keyboard = [[Button(t.gettext("📄 Full report"), url=f"https://t.me/{bot_username}?start=lapsit_{cluster_id}")]]
    return Reply(text, keyboard)


def full(t: Translator, report: Sitrep, tz: str) -> str:
    return "\n".join(_lines(t, report, tz, None))


def history(t: Translator, rows: list[tuple[int, str, int]], tz: str) -> str:
    kinds = {
        "pin": t.gettext("pinned"),
        "edit": t.gettext("updated"),
        "repost": t.gettext("re-posted"),
        "frozen": t.gettext("frozen copy"),
    }
    lines = [t.gettext("<b>Published versions</b>")]
    for version_id, kind, at in rows:
        lines.append(
            f"#{version_id} · {t.short_datetime(datetime.fromtimestamp(at, UTC), tz)} · {esc(kinds.get(kind, kind))}"
        )
    if not rows:
        lines.append(t.gettext("Nothing published yet. The secretariat pins the summary with /lapsit."))
    else:
        lines.append(t.gettext("Post a frozen copy for the record with <code>/lapsit bekukan</code>."))
    return "\n".join(lines)
