"""Texts of digests, digest schedules and subscriptions.

A digest with nothing new in its period is one line (never skipped silently); otherwise each section of
``service.Digest`` is rendered in the order of ``service.SECTIONS``. Lines never carry a
tag across a newline, so a long digest splits cleanly (``bot.kernel.views.split_message``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.features.digests.parsing import ParseProblem
from bot.features.digests.service import Digest, SubscriptionResult
from bot.features.digests.slots import ScheduleState, SlotTime
from bot.features.digests.storage import Subscription
from bot.features.members.models import Cluster
from bot.features.members.views import region_name
from bot.features.needs.views import PRIORITY_ICONS, item_label
from bot.kernel.i18n import Translator, zone_abbr
from bot.kernel.views import esc
from bot.shared import catalogue

SCHEDULE_EXAMPLES = ("/ringkasan jadwal harian 07.00", "/ringkasan jadwal mingguan senin 07.00",
                     "/ringkasan jadwal harian mati")  # fmt: skip
SUBSCRIBE_EXAMPLE = "/langganan mingguan HSS, HST pangan kesehatan"


def _when(t: Translator, ts: int, tz: str) -> str:
    return t.short_datetime(datetime.fromtimestamp(ts, UTC), tz)


def _day(t: Translator, ts: int, tz: str) -> str:
    return t.date(datetime.fromtimestamp(ts, UTC), tz)


def frequency_label(t: Translator, frequency: str) -> str:
    return t.gettext("daily") if frequency == "daily" else t.gettext("weekly")


def category_name(t: Translator, key: str) -> str:
    category = catalogue.get_category(key) if key else None
    if category is None:
        return t.gettext("Uncategorised")
    return category.name_id if t.code == "id" else category.name_en


def filters_text(t: Translator, region_codes: tuple[str, ...], categories: tuple[str, ...]) -> str:
    parts = []
    if region_codes:
        parts.append(", ".join(region_name(c) for c in region_codes))
    if categories:
        parts.append(", ".join(category_name(t, c) for c in categories))
    return esc(" · ".join(parts)) if parts else t.gettext("everything in the cluster")


# ---- digests --------------------------------------------------------------------------------------


def _header(t: Translator, digest: Digest) -> str:
    cluster = esc(digest.scope.cluster.name)
    if digest.scope.frequency == "daily":
        return t.gettext("🗞 <b>Daily digest — {cluster}</b>").format(cluster=cluster)
    return t.gettext("🗞 <b>Weekly digest — {cluster}</b>").format(cluster=cluster)


def _more(t: Translator, hidden: int, command: str = "") -> str:
    text = "   " + t.ngettext("… and {n} more", "… and {n} more", hidden).format(n=t.number(hidden))
    return f"{text}: {command}" if command else text


def empty_line(t: Translator, digest: Digest, tz: str) -> str:
    """Nothing new in the period: one line, so the silence is visible."""
    day = _day(t, digest.until, tz)
    if digest.scope.frequency == "daily":
        text = t.gettext("{header} ({day}): nothing new since yesterday.")
    else:
        text = t.gettext("{header} ({day}): nothing new this week.")
    line = text.format(header=_header(t, digest), day=day)
    if digest.open_total:
        line += " " + t.ngettext(
            "{n} need is still open: /kebutuhan", "{n} needs are still open: /kebutuhan", digest.open_total
        ).format(n=t.number(digest.open_total))
    return line


def _needs(t: Translator, digest: Digest) -> list[str]:
    if not digest.open_total and not digest.new_needs:
        return []
    out = [t.gettext("<b>Open needs</b>: {open} · new in this period: {new}").format(
        open=t.number(digest.open_total), new=t.number(digest.new_needs))]  # fmt: skip
    for need in digest.open_needs:
        fresh = " 🆕" if need.created_at >= digest.scope.since else ""
        out.append(
            f"{PRIORITY_ICONS.get(need.priority, '')} K-{need.number:04d} "
            f"{esc(item_label(t, need.item_key, need.item_name))} — "
            + (t.gettext("{q} {unit} still open").format(q=t.number(need.remaining), unit=esc(need.unit))
               if need.remaining > 0 else t.gettext("fully pledged, not all received yet"))
            + f" · {esc(region_name(need.region_code))} · {esc(need.org_name)}{fresh}"
        )
    if digest.open_total > len(digest.open_needs):
        out.append(_more(t, digest.open_total - len(digest.open_needs), "/kebutuhan"))
    return out


def _offers(t: Translator, digest: Digest) -> list[str]:
    if not digest.offers_total:
        return []
    out = [t.gettext("<b>New offers</b>: {n}").format(n=t.number(digest.offers_total))]
    for offer in digest.offers:
        out.append(
            f"• T-{offer.number:04d} {esc(item_label(t, offer.item_key, offer.item_name))} "
            f"{t.number(offer.quantity)} {esc(offer.unit)} — {esc(offer.org_name)} · {esc(region_name(offer.region_code))}"
        )
    if digest.offers_total > len(digest.offers):
        out.append(_more(t, digest.offers_total - len(digest.offers), "/tawaran"))
    return out


def _delivered(t: Translator, digest: Digest) -> list[str]:
    if not digest.delivered_total:
        return []
    out = [t.gettext("<b>Pledges received</b>: {n}").format(n=t.number(digest.delivered_total))]
    for item in digest.delivered:
        out.append(
            f"• K-{item.need_number:04d} {esc(item_label(t, item.item_key, item.item_name))}: "
            + t.gettext("{q} {unit} from {org}").format(
                q=t.number(item.quantity), unit=esc(item.unit), org=esc(item.org_name)
            )
        )
    if digest.delivered_total > len(digest.delivered):
        out.append(_more(t, digest.delivered_total - len(digest.delivered)))
    return out


def _gaps(t: Translator, digest: Digest) -> list[str]:
    if not digest.gaps:
        return []
    out = [t.gettext("<b>Gaps</b> (needed − pledged − cluster stock)")]
    for gap in digest.gaps:
        out.append(
            f"• {esc(item_label(t, gap.item_key, gap.item_name))}: "
            + t.gettext("{gap} {unit} of {needed} still missing").format(
                gap=t.number(gap.gap), unit=esc(gap.unit), needed=t.number(gap.needed)
            )
        )
    if digest.gaps_total > len(digest.gaps):
        out.append(_more(t, digest.gaps_total - len(digest.gaps)))
    return out


def _stock(t: Translator, digest: Digest, tz: str) -> list[str]:
    alerts = digest.stock
    if alerts is None:
        return []
    parts = []
    if alerts.stale:
        parts.append(t.ngettext("{n} line not confirmed for over {days} days",
                                "{n} lines not confirmed for over {days} days", alerts.stale)
                     .format(n=t.number(alerts.stale), days=alerts.stale_days))  # fmt: skip
    if alerts.near_expiry:
        parts.append(t.ngettext("{n} line expires within {days} days", "{n} lines expire within {days} days",
                                alerts.near_expiry).format(n=t.number(alerts.near_expiry), days=alerts.expiry_days))  # fmt: skip
    if alerts.expired:
        parts.append(t.ngettext("{n} line already expired", "{n} lines already expired", alerts.expired)
                     .format(n=t.number(alerts.expired)))  # fmt: skip
    if digest.scope.for_group:
        return [t.gettext("<b>Stock</b>: {parts}. Holders are reminded privately.").format(parts="; ".join(parts))]
    out = [t.gettext("<b>Your organisation's stock</b>: {parts}.").format(parts="; ".join(parts))]
    for line, flag in alerts.own_lines[:5]:
        if flag == "stale":
            note = t.gettext("not confirmed since {day}").format(day=_when(t, line.confirmed_at, tz))
        elif flag == "expiry":
            note = t.gettext("expires {day}").format(day=_day(t, line.expires_at or 0, tz))
        else:
            note = t.gettext("expired {day}").format(day=_day(t, line.expires_at or 0, tz))
        out.append(f"• {esc(item_label(t, line.item_key, line.item_name))} — {t.number(line.quantity)} "
                   f"{esc(line.unit)} · {esc(region_name(line.region_code))}: {note}")  # fmt: skip
    if len(alerts.own_lines) > 5:
        out.append(_more(t, len(alerts.own_lines) - 5))
    out.append(t.gettext("Confirm or correct them with /stok saya."))
    return out


def _representation(t: Translator, digest: Digest) -> list[str]:
    if not digest.orgs_without_rep:
        return []
    names = digest.orgs_without_rep
    shown = ", ".join(esc(n) for n in names[:8])
    if len(names) > 8:
        shown += " " + t.ngettext("… and {n} more", "… and {n} more", len(names) - 8).format(n=len(names) - 8)
    return [t.gettext("<b>Organisations without an active representative</b>: {n}").format(n=t.number(len(names))),
            "• " + shown]  # fmt: skip


def _coming_week(t: Translator, digest: Digest, tz: str) -> list[str]:
    if not digest.events and not digest.deadlines:
        return []
    lines = [t.gettext("<b>Coming week</b>")]
    lines += [f"📅 {_when(t, starts, tz)} — {esc(title)}" for title, starts in digest.events]
    lines += ["⏳ " + t.gettext("{title} ({org}), due {day}").format(title=esc(title), org=esc(org), day=_day(t, due, tz))
              for title, org, due in digest.deadlines]  # fmt: skip
    return lines


def digest_text(t: Translator, digest: Digest, tz: str, late_due: int | None = None) -> str:
    """The whole digest, or one line when nothing happened in the period."""
    if not digest.has_news:
        return empty_line(t, digest, tz)
    scope = digest.scope
    lines = [_header(t, digest)]
    lines.append(
        t.gettext("{day} · since {since}").format(day=_day(t, digest.until, tz), since=_when(t, scope.since, tz))
    )
    if scope.filtered:
        lines.append(
            t.gettext("Your filter: {filters}").format(filters=filters_text(t, scope.region_codes, scope.categories))
        )
    if late_due is not None:
        lines.append(t.gettext("⏰ Late: this digest was due {when}.").format(when=_when(t, late_due, tz)))
    for section in (_needs(t, digest), _offers(t, digest), _delivered(t, digest), _gaps(t, digest),
                    _stock(t, digest, tz), _representation(t, digest), _coming_week(t, digest, tz)):  # fmt: skip
        if section:
            lines += ["", *section]
    lines += ["", t.gettext("More: /kebutuhan · /tawaran · digests in private: /langganan")]
    return "\n".join(lines)


def chart_caption(t: Translator, kind: str) -> str:
    if kind == "needs":
        return t.gettext("📊 Needed, pledged and received by item category (whole cluster)")
    return t.gettext("📦 Stock by kabupaten/kota (cluster totals)")


# ---- schedule -------------------------------------------------------------------------------------


def weekday_name(t: Translator, weekday: int) -> str:
    return str(t.locale.days["format"]["wide"][weekday - 1])


def _clock(t: Translator, at: SlotTime) -> str:
    return f"{at.hour:02d}.{at.minute:02d}" if t.code == "id" else f"{at.hour:02d}:{at.minute:02d}"


def schedule_text(t: Translator, cluster: Cluster, state: ScheduleState, saved: bool = False) -> str:
    abbr = zone_abbr(ZoneInfo(cluster.timezone), datetime.now(UTC))
    lines = [t.gettext("Saved.")] if saved else []
    lines.append(t.gettext("🗓 <b>Digest schedule — {cluster}</b>").format(cluster=esc(cluster.name)))
    for frequency in ("daily", "weekly"):
        at = state.times.get(frequency)
        label = t.gettext("Daily") if frequency == "daily" else t.gettext("Weekly")
        if at is None:
            lines.append(t.gettext("{label}: off").format(label=label))
            continue
        if frequency == "daily":
            when = t.gettext("every day at {time} {zone}").format(time=_clock(t, at), zone=abbr)
        else:
            when = t.gettext("every {weekday} at {time} {zone}").format(
                weekday=weekday_name(t, at.weekday or 1), time=_clock(t, at), zone=abbr
            )
        line = f"{label}: {when}"
        due = state.next_due.get(frequency)
        if due:
            line += " · " + t.gettext("next: {when}").format(when=_when(t, due, cluster.timezone))
        lines.append(line)
    lines.append(t.gettext("The secretariat changes it, for example:"))
    lines += [f"<code>{esc(example)}</code>" for example in SCHEDULE_EXAMPLES]
    return "\n".join(lines)


def problem_text(t: Translator, problem: ParseProblem, example: str) -> str:
    if problem.code == "frequency":
        head = t.gettext("Daily or weekly? Write harian or mingguan.")
    elif problem.code == "time":
        head = t.gettext("I did not understand the time “{bad}”. Write it like 07.00.").format(bad=esc(problem.text))
    elif problem.code == "region":
        head = t.gettext("I did not recognise the kabupaten/kota “{bad}”.").format(bad=esc(problem.text))
    else:
        head = t.gettext("I did not understand “{bad}”.").format(bad=esc(problem.text))
    return (head + "\n" + t.gettext("For example: {example}").format(example=f"<code>{esc(example)}</code>") + "\n"
            + t.gettext("Nothing was saved."))  # fmt: skip


# ---- subscriptions --------------------------------------------------------------------------------


def subscription_help(t: Translator) -> str:
    return "\n".join([
        t.gettext("📬 <b>Digests in private</b>"),
        t.gettext("I send you the cluster's digest here, daily or weekly, if you like only for your kabupaten/kota "
                  "and item categories."),
        t.gettext("For example:"),
        "<code>/langganan harian</code> — " + t.gettext("everything, every day"),
        f"<code>{esc(SUBSCRIBE_EXAMPLE)}</code>",
        "<code>/langganan berhenti</code> — " + t.gettext("stop all digests"),
    ])  # fmt: skip


def _subscription_line(t: Translator, sub: Subscription) -> str:
    label = t.gettext("Daily") if sub.frequency == "daily" else t.gettext("Weekly")
    return f"• {label}: {filters_text(t, sub.region_codes, sub.categories)}"


def subscriptions_text(t: Translator, result: SubscriptionResult, with_help: bool = True) -> str:
    if result.subscriptions:
        lines = [t.gettext("Your digest subscriptions:")] + [_subscription_line(t, s) for s in result.subscriptions]
    else:
        lines = [t.gettext("You have no digest subscription.")]
    for sub in result.subscriptions:
        if result.schedule.get(sub.frequency) is None:
            lines.append("ℹ️ " + t.gettext("The secretariat has switched the {frequency} digest off for now; you will "
                                          "get it again once it is back on.").format(
                frequency=frequency_label(t, sub.frequency)))  # fmt: skip
    if with_help:
        lines += ["", subscription_help(t)]
    return "\n".join(lines)


def subscribed_text(t: Translator, result: SubscriptionResult) -> str:
    return t.gettext("Saved.") + "\n" + subscriptions_text(t, result, with_help=False)


def unsubscribed_text(t: Translator, result: SubscriptionResult) -> str:
    if not result.changed:
        return t.gettext("You had no digest subscription to stop.")
    return t.gettext("Done: no more of those digests here.") + "\n" + subscriptions_text(t, result, with_help=False)


def private_only(t: Translator, command: str) -> str:
    return t.gettext("Please use {command} in a private chat with me.").format(command=command)
