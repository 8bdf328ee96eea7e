"""Need and offer cards, pledge prompts and lists. Cards are edited in place as pledges move."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.features.members.views import region_name
from bot.features.needs.callbacks import (
    DuplicateButton,
    NeedCardButton,
    OfferButton,
    PledgeAmountButton,
    PledgeStateButton,
)
from bot.features.needs.storage import Incident, Need, Offer, Pledge
from bot.kernel.i18n import N_, Translator
from bot.kernel.views import Button, Keyboard, Reply, esc, progress_bar
from bot.shared import catalogue, regions

PRIORITY_LABELS = {1: N_("URGENT"), 2: N_("high"), 3: N_("medium"), 4: N_("low")}
PRIORITY_ICONS = {1: "🔴", 2: "🟠", 3: "🟡", 4: "🟢"}
INCIDENT_TYPES = {
    "banjir": N_("Flood"),
    "karhutla": N_("Forest and land fire"),
    "longsor": N_("Landslide"),
    "puting_beliung": N_("Whirlwind"),
    "gempa": N_("Earthquake"),
    "lainnya": N_("Other disaster"),
}
INCIDENT_STATUS = {
    "siaga": N_("emergency alert (siaga darurat)"),
    "tanggap": N_("emergency response (tanggap darurat)"),
    "transisi": N_("transition to recovery (transisi darurat)"),
    "selesai": N_("closed"),
}
PLEDGE_STATUS = {"pledged": N_("pledged"), "sent": N_("sent"), "received": N_("received"), "cancelled": N_("cancelled")}
PAGE = 8


def item_label(t: Translator, item_key: str | None, item_name: str) -> str:
    item = catalogue.get_item(item_key) if item_key else None
    if item is None:
        return item_name
    return item.name_id if t.code == "id" else item.name_en


def qty(t: Translator, value: float, unit: str) -> str:
    return f"{t.number(value)} {esc(unit)}"


def _pct(done: float, total: float) -> int:
    return round(100 * done / total) if total else 0


def when_text(t: Translator, ts: int | None, tz: str) -> str:
    """The day, with the time when one was given (a bare day is stored as 23.59 of that day)."""
    if not ts:
        return "—"
    when = datetime.fromtimestamp(ts, UTC)
    local = when.astimezone(ZoneInfo(tz))
    if (local.hour, local.minute) == (23, 59):
        return t.date(when, tz)
    return t.datetime(when, tz)


def place_text(region_code: str | None, district_code: str | None) -> str:
    """"Kec. Daha Utara, Kab. Hulu Sungai Selatan" (the kecamatan when known, then the kabupaten/kota)."""
    where = region_name(region_code) if region_code else ""
    district = regions.get_district(district_code)
    if district is not None:
        where = f"Kec. {district.name}, {where}" if where else f"Kec. {district.name}"
    return where


def own_words_line(t: Translator, item_key: str | None, item_name: str) -> str | None:
    """"🏷 Air minum kemasan · Pangan" under a card whose member wrote "air mineral" (None when the same)."""
    item = catalogue.get_item(item_key) if item_key else None
    if item is None or catalogue_fold(item_name) == catalogue_fold(item.name_id):
        return None
    category = catalogue.get_category(item.category) if item.category else None
    name = item.name_id if t.code == "id" else item.name_en
    parts = [name] + ([category.name_id if t.code == "id" else category.name_en] if category is not None else [])
    return "🏷 " + esc(" · ".join(parts))


def catalogue_fold(text: str) -> str:
    return regions.fold(text or "")


def need_card(t: Translator, need: Need, tz: str, bot_username: str, incident: Incident | None = None) -> Reply:
    label = esc(need.item_name if need.item_key and own_words_line(t, need.item_key, need.item_name) else item_label(t, need.item_key, need.item_name))
    head = f"{PRIORITY_ICONS.get(need.priority, '')} <b>{need.code} · {label}</b> — {esc(t.gettext(PRIORITY_LABELS[need.priority]))}"
    lines = [head]
    own = own_words_line(t, need.item_key, need.item_name)
    if own is not None:
        lines.append(own)
    lines.append(
        t.gettext("Needed: {q} · Still open: {rest}").format(
            q=qty(t, need.quantity, need.unit), rest=qty(t, need.remaining, need.unit)
        )
    )
    where = place_text(need.region_code, need.district_code)
    if need.location:
        where = f"{where} · {need.location}" if where else need.location
    if where:
        lines.append(f"📍 {esc(where)}")
    details = []
    if need.beneficiaries:
        unit = "KK" if need.beneficiary_unit == "kk" else t.gettext("people")
        details.append("👥 " + t.gettext("for {n} {unit}").format(n=t.number(need.beneficiaries), unit=esc(unit)))
    if need.needed_by:
        details.append("⏰ " + t.gettext("by {day}").format(day=when_text(t, need.needed_by, tz)))
    if details:
        lines.append(" · ".join(details))
    source = f"🏢 {esc(need.org_name)}"
    if incident is not None:
        source += f" · {esc(incident.title)}"
    lines.append(source)
    lines.append(
        t.gettext("Pledged") + f"  {progress_bar(need.pledged, need.quantity)} "
        f"{t.number(need.pledged)}/{t.number(need.quantity)} ({_pct(need.pledged, need.quantity)}%)"
    )
    lines.append(
        t.gettext("Sent") + f"  {progress_bar(need.sent, need.quantity)} "
        f"{t.number(need.sent)}/{t.number(need.quantity)} ({_pct(need.sent, need.quantity)}%)"
    )
    lines.append(
        t.gettext("Received") + f"  {progress_bar(need.received, need.quantity)} "
        f"{t.number(need.received)}/{t.number(need.quantity)} ({_pct(need.received, need.quantity)}%)"
    )
    if need.pledged > need.quantity:
        lines.append("ℹ️ " + t.gettext("Over-pledged by {q}").format(q=qty(t, need.pledged - need.quantity, need.unit)))
    if need.item_key is None:
        lines.append("🏷 " + t.gettext("Item not in the catalogue yet: the secretariat will map it."))
    if need.note:
        lines.append(f"📝 {esc(need.note)}")
    keyboard: Keyboard = []
    if need.status == "open":
        keyboard = [
            [
                Button(t.gettext("🤝 I'll help"), NeedCardButton("help", need.id).pack()),
                Button(t.gettext("ℹ️ Detail"), NeedCardButton("info", need.id).pack()),
            ],
            [
                Button(t.gettext("✅ Fulfilled"), NeedCardButton("done", need.id).pack()),
                Button(t.gettext("✖ Cancel need"), NeedCardButton("cancel", need.id).pack()),
            ],
        ]
    elif need.status == "fulfilled":
        lines.append("✅ <b>" + t.gettext("FULFILLED") + "</b>")
    else:
        lines.append("✖ <b>" + t.gettext("CANCELLED") + "</b>")
    return Reply("\n".join(lines), keyboard)


def offer_card(t: Translator, offer: Offer, tz: str) -> Reply:
    label = esc(item_label(t, offer.item_key, offer.item_name))
    lines = [f"🎁 <b>{offer.code} · {label}</b>"]
    lines.append(
        t.gettext("Offered: {q} · Still available: {rest}").format(
            q=qty(t, offer.quantity, offer.unit), rest=qty(t, offer.available, offer.unit)
        )
    )
    where = place_text(offer.region_code, offer.district_code)
    if offer.location:
        where = f"{where} · {offer.location}" if where else offer.location
    if where:
        lines.append(f"📍 {esc(where)}")
    if offer.available_until:
        lines.append("⏳ " + t.gettext("available until {day}").format(day=when_text(t, offer.available_until, tz)))
    if offer.conditions:
        lines.append(f"📝 {esc(offer.conditions)}")
    lines.append(f"🏢 {esc(offer.org_name)}")
    keyboard: Keyboard = []
    if offer.status == "open":
        keyboard = [[Button(t.gettext("✖ Withdraw"), OfferButton("wd", offer.id).pack())]]
    elif offer.status == "taken":
        lines.append("✅ <b>" + t.gettext("FULLY COMMITTED") + "</b>")
    else:
        lines.append("✖ <b>" + t.gettext("WITHDRAWN") + "</b>")
    return Reply("\n".join(lines), keyboard)


def duplicate_need(t: Translator, same: Need, now: int) -> Reply:
    """The double-post guard's question: the same need is already open; post a second one anyway?"""
    minutes = max(1, round((now - same.created_at) / 60))
    where = region_name(same.region_code) if same.region_code else ""
    what = f"{esc(item_label(t, same.item_key, same.item_name))} {qty(t, same.quantity, same.unit)}"
    text = t.ngettext(
        "The same need already exists: <b>{code}</b> ({what}{where}, posted {n} minute ago). Send it anyway?",
        "The same need already exists: <b>{code}</b> ({what}{where}, posted {n} minutes ago). Send it anyway?",
        minutes,
    ).format(code=same.code, what=what, where=f", {esc(where)}" if where else "", n=t.number(minutes))
    keyboard = [[Button(t.gettext("📤 Send anyway"), DuplicateButton("yes").pack()),
                 Button(t.gettext("✖ Do not send"), DuplicateButton("no").pack())]]  # fmt: skip
    return Reply(text, keyboard)


def confirm_move(t: Translator, need: Need, pledge: Pledge, wanted: str) -> Reply:
    """A reply "sudah dikirim" / "sudah diterima" to a pledge notice: one tap confirms it."""
    amount = qty(t, pledge.quantity, need.unit)
    if wanted == "sent":
        text = t.gettext("Mark the pledge of {org} ({q}) for {code} as sent?").format(
            org=esc(pledge.org_name), q=amount, code=need.code
        )
        button = Button(t.gettext("📦 Yes, sent"), PledgeStateButton("sent", pledge.id).pack())
    else:
        text = t.gettext("Mark the pledge of {org} ({q}) for {code} as received?").format(
            org=esc(pledge.org_name), q=amount, code=need.code
        )
        button = Button(t.gettext("✅ Yes, received"), PledgeStateButton("recv", pledge.id).pack())
    return Reply(text, [[button]])


def posted_several(t: Translator, codes: list[str]) -> str:
    """One answer for a line that named several items (one card each)."""
    return t.ngettext(
        "Saved: {n} need from one message, one card each: {codes}.",
        "Saved: {n} needs from one message, one card each: {codes}.",
        len(codes),
    ).format(n=t.number(len(codes)), codes=", ".join(codes))


def offers_posted_several(t: Translator, codes: list[str]) -> str:
    """One answer for an offer line that named several items (one card each)."""
    return t.ngettext(
        "Saved: {n} offer from one message, one card each: {codes}.",
        "Saved: {n} offers from one message, one card each: {codes}.",
        len(codes),
    ).format(n=t.number(len(codes)), codes=", ".join(codes))


def with_matches(card: Reply, t: Translator, offers: list[Offer]) -> Reply:
    """The new need's card with its matching offers under it: one message, not a card and a match list."""
    if not offers:
        return card
    return Reply(card.text + "\n\n" + matches_text(t, offers), card.keyboard)


def offer_with_matches(card: Reply, t: Translator, needs: list[Need]) -> Reply:
    """The new offer's card with the open needs it could cover under it: one message, as a new need's card."""
    if not needs:
        return card
    return Reply(card.text + "\n\n" + matching_needs_text(t, needs), card.keyboard)


def posted_elsewhere(t: Translator, code: str) -> str:
    return t.gettext("Saved as {code} and posted in the cluster group.").format(code=code)


def matches_text(t: Translator, offers: list[Offer]) -> str:
    lines = [t.gettext("Matching offers:")]
    for offer in offers:
        where = region_name(offer.region_code) if offer.region_code else "—"
        lines.append(f"• {offer.code} {esc(offer.org_name)}: {qty(t, offer.available, offer.unit)} ({esc(where)})")
    return "\n".join(lines)


def matching_needs_text(t: Translator, needs: list[Need]) -> str:
    lines = [t.gettext("Open needs this offer could cover:")]
    for need in needs:
        lines.append(
            f"• {need.code} {esc(item_label(t, need.item_key, need.item_name))}: "
            f"{qty(t, need.remaining, need.unit)} — {esc(region_name(need.region_code))}"
        )
    return "\n".join(lines)


def match_notice(t: Translator, need: Need, offer: Offer) -> Reply:
    """Private note to an offer's organisation: one tap pledges from the offer."""
    from bot.features.needs.service import in_unit

    available = in_unit(offer.available, offer.unit, need.unit)
    amount = min(available, need.remaining) if available is not None else need.remaining
    text = t.gettext("Your offer {offer} matches the new need {need}: {item}, {rest} still open in {region}.").format(
        offer=offer.code,
        need=need.code,
        item=esc(item_label(t, need.item_key, need.item_name)),
        rest=qty(t, need.remaining, need.unit),
        region=esc(region_name(need.region_code)),
    )
    button = Button(
        t.gettext("🤝 Pledge {q} from {offer}").format(q=f"{t.number(amount)} {need.unit}", offer=offer.code),
        PledgeAmountButton("o", need.id, str(offer.id)).pack(),
    )
    return Reply(text, [[button]])


def ask_pledge(t: Translator, need: Need) -> Reply:
    text = t.gettext(
        "<b>{code} · {item}</b>: {rest} still open. How much will your organisation pledge? "
        "Tap an amount or type a number (e.g. <i>150</i> or <i>1,5 ton</i>)."
    ).format(
        code=need.code, item=esc(item_label(t, need.item_key, need.item_name)), rest=qty(t, need.remaining, need.unit)
    )
    options: list[float] = []
    rest = need.remaining
    if rest > 0:
        options.append(rest)
        for part in (rest / 2, rest / 4):
            rounded = float(int(part))
            if rounded >= 1 and rounded not in options:
                options.append(rounded)
    buttons = [Button(f"{t.number(v)} {need.unit}", PledgeAmountButton("q", need.id, f"{v:g}").pack()) for v in options]
    return Reply(text, [buttons] if buttons else [])


def pledge_saved(t: Translator, need: Need, pledge: Pledge) -> Reply:
    text = t.gettext("Saved: {org} pledged {q} for {code}. Tell me when it is on its way.").format(
        org=esc(pledge.org_name), q=qty(t, pledge.quantity, need.unit), code=need.code
    )
    if need.pledged > need.quantity:
        text += "\n" + t.gettext("Note: this need is now over-pledged by {q}.").format(
            q=qty(t, need.pledged - need.quantity, need.unit)
        )
    return Reply(text, pledge_buttons(t, pledge))


def pledge_buttons(t: Translator, pledge: Pledge) -> Keyboard:
    if pledge.status == "pledged":
        return [
            [
                Button(t.gettext("📦 Sent"), PledgeStateButton("sent", pledge.id).pack()),
                Button(t.gettext("✖ Cancel pledge"), PledgeStateButton("cancel", pledge.id).pack()),
            ]
        ]
    if pledge.status == "sent":
        return [[Button(t.gettext("✖ Cancel pledge"), PledgeStateButton("cancel", pledge.id).pack())]]
    return []


def owner_notice(t: Translator, need: Need, pledge: Pledge) -> Reply:
    """To the need's organisation: a pledge was made or sent; they confirm receipt."""
    if pledge.status == "sent":
        text = t.gettext("{org} sent {q} for your need {code}. Confirm when it arrives.")
    else:
        text = t.gettext("{org} pledged {q} for your need {code}.")
    text = text.format(org=esc(pledge.org_name), q=qty(t, pledge.quantity, need.unit), code=need.code)
    keyboard = (
        [[Button(t.gettext("✅ Received"), PledgeStateButton("recv", pledge.id).pack())]] if pledge.status in ("pledged", "sent") else []
    )
    return Reply(text, keyboard)


def pledge_moved(t: Translator, need: Need, pledge: Pledge) -> str:
    status = t.gettext(PLEDGE_STATUS[pledge.status])
    return t.gettext("{code}: {org}'s pledge of {q} is now “{status}”.").format(
        code=need.code, org=esc(pledge.org_name), q=qty(t, pledge.quantity, need.unit), status=esc(status)
    )


def escalation_text(t: Translator, need: Need, hours: float) -> str:
    return "⚠️ " + t.gettext(
        "{code} ({item}, {region}) is still not covered after {hours} hours: {rest} open. "
        "Secretariat: please follow up."
    ).format(
        code=need.code,
        item=esc(item_label(t, need.item_key, need.item_name)),
        region=esc(region_name(need.region_code)),
        hours=t.number(hours),
        rest=qty(t, need.remaining, need.unit),
    )


def need_closed_text(t: Translator, need: Need) -> str:
    return "✅ " + t.gettext("{code} ({item}) is fulfilled: everything needed was received. Thank you!").format(
        code=need.code, item=esc(item_label(t, need.item_key, need.item_name))
    )


def pledge_closed_notice(t: Translator, need: Need) -> str:
    if need.status == "fulfilled":
        return t.gettext(
            "{code} was marked fulfilled. If your pledge is still on its way, tell the need's organisation."
        ).format(code=need.code)
    return t.gettext("{code} was cancelled; your pledge for it is no longer needed.").format(code=need.code)
