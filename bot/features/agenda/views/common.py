"""The agenda's shared text pieces: type labels, durations, recurrence and offsets in words, speakers, counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.features.agenda.callbacks import IcsButton
from bot.features.agenda.domain import Offset, Recurrence
from bot.features.agenda.service import EventView
from bot.features.agenda.storage import Speaker
from bot.kernel.i18n import N_, Translator
from bot.kernel.views import Button, esc

TYPE_LABELS = {
    "forum": N_("Forum sharing"),
    "training": N_("Training"),
    "meeting": N_("Coordination meeting"),
    "exercise": N_("Simulation/drill"),
}
TYPE_ICONS = {"forum": "💬", "training": "🎓", "meeting": "🤝", "exercise": "🚨"}
SPEAKER_ICONS = {"confirmed": "✅", "declined": "✖", "asked": "⏳", "pending": "⏳"}
_NTH = {
    1: N_("Every first {weekday} of the month"),
    2: N_("Every second {weekday} of the month"),
    3: N_("Every third {weekday} of the month"),
    4: N_("Every fourth {weekday} of the month"),
    -1: N_("Every last {weekday} of the month"),
}
NEW_EXAMPLE = (
    "/agenda baru pelatihan | Manajemen Gudang Darurat | {wd+7} 09.00 | 2 jam | Aula BPBD Kalsel | PMI Kalsel"
)


def _dt(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def quote(text: object, limit: int = 60) -> str:
    """A user's input quoted back in an answer: escaped, and shortened so a pasted essay stays readable."""
    value = " ".join(str(text).split())
    return esc(value if len(value) <= limit else value[: limit - 1] + "…")


def weekday_name(t: Translator, weekday: int) -> str:
    return str(t.locale.days["format"]["wide"][weekday])


def type_label(t: Translator, type_: str) -> str:
    return t.gettext(TYPE_LABELS.get(type_, TYPE_LABELS["meeting"]))


def duration_text(t: Translator, minutes: int) -> str:
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(t.ngettext("{n} day", "{n} days", days).format(n=days))
    if hours:
        parts.append(t.ngettext("{n} hour", "{n} hours", hours).format(n=hours))
    if mins:
        parts.append(t.ngettext("{n} minute", "{n} minutes", mins).format(n=mins))
    return " ".join(parts)


def rule_text(t: Translator, rule: Recurrence, first: datetime, tz: str) -> str:
    weekday = weekday_name(t, first.astimezone(ZoneInfo(tz)).weekday())
    if rule.freq == "weekly":
        return t.gettext("Every week on {weekday}").format(weekday=weekday)
    if rule.freq == "biweekly":
        return t.gettext("Every two weeks on {weekday}").format(weekday=weekday)
    return t.gettext(_NTH[rule.nth]).format(weekday=weekday_name(t, rule.weekday))


def offsets_text(t: Translator, offsets: tuple[Offset, ...]) -> str:
    parts = []
    for offset in offsets:
        if offset.at is not None:
            clock = f"{offset.at.hour:02d}.{offset.at.minute:02d}"
            if offset.days == 0:
                parts.append(t.gettext("on the day at {time}").format(time=clock))
            else:
                parts.append(
                    t.ngettext("{n} day before at {time}", "{n} days before at {time}", offset.days).format(
                        n=offset.days, time=clock
                    )
                )
        else:
            parts.append(t.gettext("{lead} before").format(lead=duration_text(t, offset.minutes)))
    return ", ".join(parts)


def speakers_text(t: Translator, speakers: list[Speaker], with_status: bool = True) -> str:
    return ", ".join(
        esc(s.label) + (f" {SPEAKER_ICONS.get(s.status, '')}" if with_status else "") for s in speakers
    ).strip()


def _detail_lines(t: Translator, view: EventView, tz: str) -> list[str]:
    event = view.event
    lines = [f"🗓 {esc(t.datetime(_dt(event.starts_at), tz))} · {esc(duration_text(t, event.duration_min))}"]
    lines.append("📍 " + (esc(event.place) if event.place else t.gettext("Place to be announced")))
    if view.speakers:
        lines.append("🎤 " + t.gettext("Speaker: {names}").format(names=speakers_text(t, view.speakers)))
    if view.rule is not None and view.series_active:
        lines.append(f"🔁 {esc(rule_text(t, view.rule, _dt(event.occurrence_at), tz))}")
    if event.description:
        lines.append(f"📝 {esc(event.description)}")
    if event.materials:
        lines.append("📎 " + t.gettext("Materials: {materials}").format(materials=esc(event.materials)))
    return lines


def counts_text(t: Translator, counts: dict[str, int]) -> str:
    return t.gettext("👥 Attending {yes} · Maybe {maybe} · Not attending {no}").format(
        yes=t.number(counts.get("yes", 0)), maybe=t.number(counts.get("maybe", 0)), no=t.number(counts.get("no", 0))
    )


def ics_button(t: Translator, event_id: int) -> Button:
    return Button(t.gettext("📅 Add to calendar"), IcsButton(event_id).pack())


def lead_text(t: Translator, starts_at: int, now: int, tz: str) -> str:
    minutes = max(0, round((starts_at - now) / 60))
    if minutes < 60:
        return t.ngettext("Starts in {n} minute.", "Starts in {n} minutes.", minutes).format(n=minutes)
    if minutes <= 180 and minutes % 60 == 0:
        hours = minutes // 60
        return t.ngettext("Starts in {n} hour.", "Starts in {n} hours.", hours).format(n=hours)
    zone = ZoneInfo(tz)
    start_day = _dt(starts_at).astimezone(zone).date()
    today = _dt(now).astimezone(zone).date()
    clock = esc(t.time(_dt(starts_at), tz))
    if start_day == today:
        return t.gettext("Starts today at {time}.").format(time=clock)
    if start_day == today + timedelta(days=1):
        return t.gettext("Starts tomorrow at {time}.").format(time=clock)
    return t.gettext("Starts {when}.").format(when=esc(t.datetime(_dt(starts_at), tz)))


# ---- speakers -----------------------------------------------------------------------------------------


def late_note(t: Translator, due: int, tz: str) -> str:
    return "⚠️ " + t.gettext("Late: this reminder was due {when}.").format(when=esc(t.datetime(_dt(due), tz)))
