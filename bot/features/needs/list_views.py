"""Need and offer lists (with their pages), one need's detail and edits, the incident line."""

from __future__ import annotations

from bot.features.members.views import region_name
from bot.features.needs.storage import Incident, Need, Offer, Pledge
from bot.features.needs.views import (
    INCIDENT_STATUS,
    PAGE,
    PLEDGE_STATUS,
    PRIORITY_ICONS,
    item_label,
    qty,
    when_text,
)
from bot.kernel.i18n import Translator
from bot.kernel.views import Reply, esc, page_nav


def edit_hint(t: Translator, need: Need) -> str:
    """How the need's organisation changes it (shown under /kebutuhan K-0003 for the owner)."""
    return "\n".join(
        [
            t.gettext("To change it:"),
            f"<code>/kebutuhan {need.code} jumlah {t.number(need.quantity)}</code>",
            f"<code>/kebutuhan {need.code} tenggat besok 16.00</code>",
            f"<code>/kebutuhan {need.code} lokasi Posko Kandangan</code>",
        ]
    )


def need_edited(t: Translator, before: Need, after: Need, tz: str, notice: bool = False) -> str:
    """What changed, old → new; ``notice`` is the version for the pledgers."""
    changes = []
    if before.quantity != after.quantity:
        changes.append(
            t.gettext("amount {old} → {new}").format(old=qty(t, before.quantity, before.unit), new=qty(t, after.quantity, after.unit))
        )
    if before.needed_by != after.needed_by:
        old = when_text(t, before.needed_by, tz) if before.needed_by else "—"
        changes.append(t.gettext("deadline {old} → {new}").format(old=old, new=when_text(t, after.needed_by, tz) if after.needed_by else "—"))
    if before.location != after.location:
        changes.append(
            t.gettext("place {old} → {new}").format(old=esc(before.location or "—"), new=esc(after.location or "—"))
        )
    what = f"<b>{after.code} · {esc(item_label(t, after.item_key, after.item_name))}</b>"
    if notice:
        return t.gettext("{need}, which your organisation pledged to, was changed by {org}: {changes}.").format(
            need=what, org=esc(after.org_name), changes="; ".join(changes)
        )
    return t.gettext("Saved: {need} changed: {changes}. Pledgers are told.").format(need=what, changes="; ".join(changes))


def need_detail(t: Translator, need: Need, pledges: list[Pledge], tz: str) -> str:
    lines = [f"<b>{need.code} · {esc(item_label(t, need.item_key, need.item_name))}</b>"]
    lines.append(t.gettext("Posted: {day}").format(day=when_text(t, need.created_at, tz)))
    lines.append(
        t.gettext("Needed {q} · pledged {p} · sent {s} · received {r}").format(
            q=qty(t, need.quantity, need.unit),
            p=t.number(need.pledged),
            s=t.number(need.sent),
            r=t.number(need.received),
        )
    )
    lines.append("")
    lines.append(t.gettext("<b>Pledges</b>"))
    for pledge in pledges:
        lines.append(
            f"• {esc(pledge.org_name)}: {qty(t, pledge.quantity, need.unit)} — "
            f"{esc(t.gettext(PLEDGE_STATUS[pledge.status]))}"
        )
    if not pledges:
        lines.append("—")
    return "\n".join(lines)


def needs_list(t: Translator, needs: list[Need], page: int, title: str, nav_prefix: str) -> Reply:
    pages = max(1, (len(needs) + PAGE - 1) // PAGE)
    page = max(0, min(page, pages - 1))
    lines = [f"<b>{esc(title)}</b>"]
    still_open = t.gettext("open")
    for need in needs[page * PAGE : (page + 1) * PAGE]:
        lines.append(
            f"{PRIORITY_ICONS.get(need.priority, '')} {need.code} {esc(item_label(t, need.item_key, need.item_name))}"
            f" — {still_open} {qty(t, need.remaining, need.unit)} · {esc(region_name(need.region_code))}"
            f" · {esc(need.org_name)}"
        )
    if not needs:
        lines.append(t.gettext("Nothing open right now."))
    lines.append(t.gettext("Page {page} of {pages}").format(page=page + 1, pages=pages))
    nav = page_nav(page, pages, nav_prefix)
    return Reply("\n".join(lines), [nav] if nav else [])


def offers_list(t: Translator, offers: list[Offer], page: int, title: str, nav_prefix: str) -> Reply:
    pages = max(1, (len(offers) + PAGE - 1) // PAGE)
    page = max(0, min(page, pages - 1))
    lines = [f"<b>{esc(title)}</b>"]
    for offer in offers[page * PAGE : (page + 1) * PAGE]:
        lines.append(
            f"🎁 {offer.code} {esc(item_label(t, offer.item_key, offer.item_name))} — "
            f"{qty(t, offer.available, offer.unit)} · {esc(region_name(offer.region_code))} · {esc(offer.org_name)}"
        )
    if not offers:
        lines.append(t.gettext("Nothing open right now."))
    lines.append(t.gettext("Page {page} of {pages}").format(page=page + 1, pages=pages))
    nav = page_nav(page, pages, nav_prefix)
    return Reply("\n".join(lines), [nav] if nav else [])


def incident_line(t: Translator, incident: Incident, tz: str) -> str:
    regions_text = ", ".join(region_name(c) for c in incident.region_codes) or "—"
    return (
        f"#{incident.id} <b>{esc(incident.title)}</b> — {esc(t.gettext(INCIDENT_STATUS[incident.status]))}\n"
        f"   {esc(regions_text)} · " + t.gettext("since {day}").format(day=when_text(t, incident.started_at, tz))
    )
