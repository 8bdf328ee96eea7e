"""Texts, keyboards and calendar files for the agenda and the work plan. Every user string is escaped."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.features.agenda import domain
from bot.features.agenda.domain import LineError, Offset, Recurrence
from bot.features.agenda.service import EventView, Suggestion, Summary, WorkNotice
from bot.features.agenda.storage import Event, Speaker, WorkItem, WorkNote
from bot.features.members.models import Cluster
from bot.kernel.i18n import N_, Translator
from bot.kernel.views import Button, Keyboard, Reply, esc
from bot.shared.examples import dated

TYPE_LABELS = {
    "forum": N_("Forum sharing"),
    "training": N_("Training"),
    "meeting": N_("Coordination meeting"),
    "exercise": N_("Simulation/drill"),
}
TYPE_ICONS = {"forum": "💬", "training": "🎓", "meeting": "🤝", "exercise": "🚨"}
WORK_STATUS_LABELS = {
    "not_started": N_("not started"),
    "in_progress": N_("in progress"),
    "done": N_("done"),
    "on_hold": N_("on hold"),
}
WORK_ICONS = {"not_started": "⚪", "in_progress": "🔵", "done": "✅", "on_hold": "⏸"}
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
WORK_EXAMPLE = "/rencana baru Pemetaan gudang penyangga | BPBD Kalsel | {d+30}"


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
    return Button(t.gettext("📅 Add to calendar"), f"ag:i:{event_id}")


def event_card(t: Translator, view: EventView) -> Reply:
    """The announcement in the group: edited in place for every RSVP, edit or cancellation."""
    event, tz = view.event, view.cluster.timezone
    head = f"{TYPE_ICONS.get(event.type, '📌')} <b>{esc(type_label(t, event.type))} · {event.code}</b>"
    lines = [head, f"<b>{esc(event.title)}</b>", *_detail_lines(t, view, tz), counts_text(t, view.counts)]
    if event.status == "cancelled":
        lines.insert(0, "❌ <b>" + t.gettext("CANCELLED") + "</b>")
        if event.cancel_reason:
            lines.insert(1, t.gettext("Reason: {reason}").format(reason=esc(event.cancel_reason)))
        return Reply("\n".join(lines))
    counts = view.counts
    keyboard: Keyboard = [
        [
            Button(t.gettext("✅ Attending ({n})").format(n=counts.get("yes", 0)), f"ag:r:{event.id}:y"),
            Button(t.gettext("🤔 Maybe ({n})").format(n=counts.get("maybe", 0)), f"ag:r:{event.id}:m"),
            Button(t.gettext("✖ Not attending ({n})").format(n=counts.get("no", 0)), f"ag:r:{event.id}:n"),
        ],
        [ics_button(t, event.id)],
    ]
    return Reply("\n".join(lines), keyboard)


def rsvp_answered(t: Translator, answer: str) -> str:
    return {
        "yes": t.gettext("Noted: attending. I will remind you before it starts."),
        "maybe": t.gettext("Noted: maybe. I will remind you before it starts."),
        "no": t.gettext("Noted: not attending."),
    }[answer]


def rsvp_refused(t: Translator, reason: str) -> str:
    if reason == "cancelled":
        return t.gettext("This event was cancelled.")
    if reason == "over":
        return t.gettext("This event is already over.")
    return t.gettext("This button is no longer valid.")


def created_text(t: Translator, view: EventView, posted_here: bool, reminders: str) -> str:
    lines = [
        t.gettext("Saved: {code} {title}.").format(code=view.event.code, title=esc(view.event.title)),
        t.gettext("Reminders: {when}.").format(when=esc(reminders)),
    ]
    if not posted_here:
        lines.insert(1, t.gettext("It is announced in the cluster group with attendance buttons."))
    return "\n".join(lines)


def announce_failed(t: Translator) -> str:
    return t.gettext(
        "Saved, but I could not post the announcement in the group. Check that I am still a member there; "
        "/agenda lists the event."
    )


def event_list(t: Translator, cluster: Cluster, views: list[EventView], limit: int = 15) -> str:
    if not views:
        return t.gettext("No upcoming events. The secretariat adds one with /agenda baru.")
    lines = [t.gettext("<b>Upcoming agenda · {cluster}</b>").format(cluster=esc(cluster.name))]
    for view in views[:limit]:
        event = view.event
        line = (
            f"{TYPE_ICONS.get(event.type, '📌')} <b>{event.code}</b> {esc(event.title)} — "
            f"{esc(t.short_datetime(_dt(event.starts_at), cluster.timezone))}"
        )
        if event.place:
            line += f" · {esc(event.place)}"
        line += f" · ✅ {t.number(view.counts.get('yes', 0))}"
        if view.rule is not None and view.series_active:
            line += " 🔁"
        lines.append(line)
    if len(views) > limit:
        hidden = len(views) - limit
        lines.append(t.ngettext("… and {n} more", "… and {n} more", hidden).format(n=t.number(hidden)))
    lines += [
        "",
        t.gettext("Details: <code>/agenda {code}</code> · calendar file: /agenda kalender").format(
            code=views[0].event.code
        ),
    ]
    return "\n".join(lines)


def event_detail(t: Translator, view: EventView) -> Reply:
    card = event_card(t, view)
    return Reply(card.text, card.keyboard)


def reminder_text(t: Translator, view: EventView, now: int, late_due: int | None = None) -> str:
    event, tz = view.event, view.cluster.timezone
    lines = [
        "⏰ " + t.gettext("<b>Reminder: {title}</b> ({code})").format(title=esc(event.title), code=event.code),
        lead_text(t, event.starts_at, now, tz),
        *_detail_lines(t, view, tz),
    ]
    if late_due is not None:
        lines.append(late_note(t, late_due, tz))
    return "\n".join(lines)


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


def changed_text(t: Translator, view: EventView, before: Event) -> str:
    event, tz = view.event, view.cluster.timezone
    lines = ["✏️ " + t.gettext("<b>Changed: {title}</b> ({code})").format(title=esc(event.title), code=event.code)]
    if before.starts_at != event.starts_at:
        lines.append(
            t.gettext("New time: {new} (was {old}).").format(
                new=esc(t.datetime(_dt(event.starts_at), tz)), old=esc(t.datetime(_dt(before.starts_at), tz))
            )
        )
    if before.duration_min != event.duration_min:
        lines.append(t.gettext("New duration: {new}.").format(new=esc(duration_text(t, event.duration_min))))
    if before.place != event.place:
        lines.append(
            t.gettext("New place: {new} (was {old}).").format(new=esc(event.place or "—"), old=esc(before.place or "—"))
        )
    return "\n".join(lines)


def cancelled_text(t: Translator, view: EventView, series_stopped: bool) -> str:
    event, tz = view.event, view.cluster.timezone
    lines = [
        "❌ "
        + t.gettext("<b>Cancelled: {title}</b> ({code}), planned for {when}.").format(
            title=esc(event.title), code=event.code, when=esc(t.datetime(_dt(event.starts_at), tz))
        )
    ]
    if event.cancel_reason:
        lines.append(t.gettext("Reason: {reason}").format(reason=esc(event.cancel_reason)))
    if series_stopped:
        lines.append(t.gettext("The series ends here: no further occurrences will be scheduled."))
    elif view.rule is not None and view.series_active:
        lines.append(t.gettext("Only this occurrence is cancelled; the series goes on."))
    return "\n".join(lines)


def series_stopped_text(t: Translator, view: EventView) -> str:
    return t.gettext("Saved. The series of {code} {title} ends: no further occurrences.").format(
        code=view.event.code, title=esc(view.event.title)
    )


def change_refused(t: Translator, reason: str, code: str) -> str:
    return {
        "not_found": t.gettext("There is no event {code} in this cluster. /agenda lists them.").format(code=esc(code)),
        "cancelled": t.gettext("{code} is cancelled. Nothing was changed.").format(code=esc(code)),
        "already": t.gettext("{code} is already cancelled. Nothing was changed.").format(code=esc(code)),
        "over": t.gettext("{code} is already over. Nothing was changed.").format(code=esc(code)),
        "unchanged": t.gettext("That is what {code} already says. Nothing was changed.").format(code=esc(code)),
        "not_allowed": t.gettext(
            "Only the speaker's organisation or the secretariat can do this. Nothing was changed."
        ),
    }.get(reason, t.gettext("Nothing was changed."))


def materials_saved(t: Translator, view: EventView) -> str:
    return t.gettext("Saved. Participants will see the materials of {code} on the card and in the reminders.").format(
        code=view.event.code
    )


# ---- speakers -----------------------------------------------------------------------------------------


def late_note(t: Translator, due: int, tz: str) -> str:
    return "⚠️ " + t.gettext("Late: this reminder was due {when}.").format(when=esc(t.datetime(_dt(due), tz)))


def speaker_request(t: Translator, view: EventView, speaker: Speaker, late_due: int | None = None) -> Reply:
    event, tz = view.event, view.cluster.timezone
    text = "\n".join([
        "🎤 " + t.gettext("<b>{org} is the speaker</b> of {type} <b>{title}</b> ({code}).").format(
            org=esc(speaker.label), type=esc(type_label(t, event.type).lower()), title=esc(event.title),
            code=event.code,
        ),
        *_detail_lines(t, view, tz),
        "",
        t.gettext("Please confirm, and share your materials with the participants:"),
        f"<code>/agenda materi {event.code} " + esc(t.gettext("link-or-note")) + "</code>",
    ])  # fmt: skip
    if late_due is not None:
        text += "\n" + late_note(t, late_due, tz)
    keyboard = [[
        Button(t.gettext("✅ We will present"), f"ag:s:{event.id}:{speaker.organization_id}:y"),
        Button(t.gettext("✖ We cannot"), f"ag:s:{event.id}:{speaker.organization_id}:n"),
    ]]  # fmt: skip
    return Reply(text, keyboard)


def speaker_answered(t: Translator, confirmed: bool) -> str:
    if confirmed:
        return t.gettext("✅ Thank you, confirmed. The participants see it on the card.")
    return t.gettext("Noted that you cannot present. The secretariat has been told.")


def speaker_declined(t: Translator, view: EventView, speaker: Speaker) -> str:
    event = view.event
    return "\n".join([
        "🎤 " + t.gettext("{org} cannot present at {code} <b>{title}</b> ({when}).").format(
            org=esc(speaker.label), code=event.code, title=esc(event.title),
            when=esc(t.datetime(_dt(event.starts_at), view.cluster.timezone)),
        ),
        t.gettext("Find another speaker, move it with <code>/agenda ubah {code} waktu …</code> or cancel it with "
                  "<code>/agenda batal {code}</code>.").format(code=event.code),
    ])  # fmt: skip


# ---- feedback and summary -----------------------------------------------------------------------------


def feedback_request(t: Translator, view: EventView, late_due: int | None = None) -> Reply:
    event = view.event
    text = "\n".join([
        "🙏 " + t.gettext("Thank you for joining <b>{title}</b> ({code}).").format(
            title=esc(event.title), code=event.code
        ),
        t.gettext("How useful was it? 1 = not useful, 5 = very useful."),
    ])  # fmt: skip
    if late_due is not None:
        text += "\n" + late_note(t, late_due, view.cluster.timezone)
    keyboard = [
        [Button(str(n), f"ag:f:{event.id}:{n}") for n in range(1, 6)],
        [Button(t.gettext("I did not attend"), f"ag:f:{event.id}:0")],
    ]
    return Reply(text, keyboard)


def ask_comment(t: Translator, event_id: int, rating: int) -> Reply:
    return Reply(
        t.gettext("Thank you ({rating}/5)! Any comment for the organisers? Write it here, or tap Skip.").format(
            rating=rating
        ),
        [[Button(t.gettext("Skip"), f"ag:fs:{event_id}")]],
    )


def feedback_done(t: Translator) -> str:
    return t.gettext("Thank you, your feedback was saved.")


def not_attended_noted(t: Translator) -> str:
    return t.gettext("Noted that you did not attend. Thank you.")


def summary_text(t: Translator, result: Summary, late_due: int | None = None) -> str:
    view = result.view
    event, tz = view.event, view.cluster.timezone
    counts = view.counts
    lines = [
        "📊 " + t.gettext("<b>Summary: {title}</b> ({code})").format(title=esc(event.title), code=event.code),
        f"🗓 {esc(t.datetime(_dt(event.starts_at), tz))} · {esc(duration_text(t, event.duration_min))}",
        t.gettext("Answers: ✅ {yes} attending · 🤔 {maybe} maybe · ✖ {no} not attending").format(
            yes=t.number(counts["yes"]), maybe=t.number(counts["maybe"]), no=t.number(counts["no"])
        ),
        t.gettext("Feedback: {answered} of {asked} answered; {attended} attended, {absent} did not.").format(
            answered=t.number(result.answered),
            asked=t.number(result.asked),
            attended=t.number(result.attended),
            absent=t.number(result.not_attended),
        ),
    ]
    average = result.average
    if average is None:
        lines.append(t.gettext("No ratings yet."))
    else:
        spread = " ".join(f"{k}★×{v}" for k, v in result.ratings.items() if v)
        lines.append(
            t.gettext("Average rating: {avg} / 5 ({spread})").format(avg=t.number(average, 1), spread=esc(spread))
        )
    if result.people["yes"] or result.people["maybe"]:
        lines += ["", t.gettext("<b>Registered attendance</b>")]
        for answer, icon in (("yes", "✅"), ("maybe", "🤔")):
            for person in result.people[answer]:
                org = f" ({esc(person.org_label)})" if person.org_label else ""
                lines.append(f"{icon} {esc(person.name)}{org}")
    if result.comments:
        lines += ["", t.gettext("<b>Comments</b>")]
        lines += [f"• {esc(name)}: “{esc(comment)}”" for name, comment in result.comments]
    if late_due is not None:
        lines.append(
            "⚠️ " + t.gettext("Late: this summary was due {when}.").format(when=esc(t.datetime(_dt(late_due), tz)))
        )
    return "\n".join(lines)


def next_occurrence_note(t: Translator, skipped: bool) -> str:
    if skipped:
        return "🔁 " + t.gettext("Next occurrence of the series (slots that passed while I was offline were skipped).")
    return "🔁 " + t.gettext("Next occurrence of the series.")


# ---- creation: errors and the guided flow -------------------------------------------------------------


def error_head(t: Translator, error: LineError) -> str:
    """The first line of an input error: what was not understood, quoted back."""
    bad = quote(error.text)
    field = error.field
    if field == "format":
        head = t.gettext(
            "I need at least five parts separated by “|”: type | title | date and time | duration | place, then "
            "optionally the speaker and a description."
        )
    elif field == "type":
        head = t.gettext(
            "I did not understand the type “{bad}”. Use forum berbagi, pelatihan, rapat koordinasi or simulasi/gladi."
        ).format(bad=bad)
    elif field == "title":
        head = t.gettext("The title “{bad}” must be 3–120 characters long.").format(bad=bad)
    elif field == "when":
        head = t.gettext("I did not understand the date and time “{bad}”.").format(bad=bad)
    elif field == "when_weekday" and error.actual is not None:
        head = t.gettext("“{bad}”: the weekday does not match the date, which is {day}.").format(
            bad=bad, day=t.date(error.actual)
        )
    elif field == "when_time":
        head = t.gettext("“{bad}” has no time of day. Add one, e.g. <i>{example}</i>.").format(
            bad=bad, example=esc(dated("{wd+7} 09.00"))
        )
    elif field == "when_past":
        head = t.gettext("“{bad}” is already in the past.").format(bad=bad)
    elif field == "when_far":
        head = t.gettext("“{bad}” is too far ahead (at most two years).").format(bad=bad)
    elif field == "duration":
        head = t.gettext(
            "I did not understand the duration “{bad}”. Write e.g. <i>2 jam</i> or <i>90 menit</i>."
        ).format(bad=bad)
    elif field == "place":
        head = t.gettext("The place “{bad}” must be 2–200 characters (or “-” if not yet known).").format(bad=bad)
    elif field == "recurrence":
        head = t.gettext(
            "I did not understand the repetition “{bad}”. Write e.g. <i>setiap minggu</i>, <i>tiap 2 minggu</i> or "
            "<i>setiap Kamis pertama</i>."
        ).format(bad=bad)
    elif field == "recurrence_weekday":
        head = t.gettext("The repetition “{bad}” falls on another weekday than the first date.").format(bad=bad)
    elif field == "recurrence_nth":
        head = t.gettext("The first date does not fit the repetition “{bad}”.").format(bad=bad)
    elif field == "description":
        head = t.gettext("The description is too long (at most 1000 characters).")
    elif field == "deadline":
        head = t.gettext("I did not understand the deadline “{bad}”.").format(bad=bad)
    elif field == "deadline_past":
        head = t.gettext("The deadline “{bad}” is already in the past.").format(bad=bad)
    else:
        head = t.gettext("I did not understand “{bad}”.").format(bad=bad)
    return head


def line_error(t: Translator, error: LineError, example: str = NEW_EXAMPLE) -> str:
    return "\n".join(
        [
            error_head(t, error),
            t.gettext("Write it like this:"),
            f"<code>{esc(dated(example))}</code>",
            t.gettext("Nothing was saved."),
        ]
    )


def unknown_speaker(t: Translator, name: str, suggestions: list[str]) -> str:
    lines = [
        t.gettext("“{bad}” is not an approved member organisation of this cluster.").format(bad=quote(name)),
    ]
    if suggestions:
        lines.append(t.gettext("Did you mean: {names}?").format(names=esc(", ".join(suggestions))))
    lines += [
        t.gettext("Write the organisation's short name (see /anggota), or “-” for no speaker. Example:"),
        f"<code>{esc(dated(NEW_EXAMPLE))}</code>",
        t.gettext("Nothing was saved."),
    ]
    return "\n".join(lines)


def unknown_speaker_step(t: Translator, name: str, suggestions: list[str]) -> str:
    """The guided flow's answer to an unknown speaker: same step, with suggestions."""
    lines = [t.gettext("“{bad}” is not an approved member organisation of this cluster.").format(bad=quote(name))]
    if suggestions:
        lines.append(t.gettext("Did you mean: {names}?").format(names=esc(", ".join(suggestions))))
    lines.append(t.gettext("Write the organisation's short name, tap a suggestion above, or write “-” for no speaker."))
    return "\n".join(lines)


def new_help(t: Translator) -> str:
    return "\n".join([
        t.gettext("<b>New event</b> (secretariat). In one line:"),
        f"<code>{esc(dated(NEW_EXAMPLE))}</code>",
        t.gettext("Types: forum berbagi, pelatihan, rapat koordinasi, simulasi/gladi. Repeating: add e.g. "
                  "<i>setiap Kamis pertama</i> or <i>tiap 2 minggu</i> after the date."),
        t.gettext("Or step by step: /agenda baru in a private chat with me."),
    ])  # fmt: skip


def agenda_help(t: Translator) -> str:
    return "\n".join([
        t.gettext("<b>Agenda commands</b>"),
        "/agenda — " + t.gettext("upcoming events"),
        "<code>/agenda A-0001</code> — " + t.gettext("one event, with attendance buttons"),
        "<code>/agenda baru …</code> — " + t.gettext("new event (secretariat)"),
        "<code>/agenda ubah A-0001 waktu Jumat 5/9 10.00</code> — " + t.gettext("move it; also “tempat” or “durasi”"),
        "<code>/agenda batal A-0001 alasan</code> — " + t.gettext("cancel it (“semua” ends a series)"),
        "<code>/agenda materi A-0001 link</code> — " + t.gettext("the speaker's materials"),
        "<code>" + t.gettext("/agenda pengingat 1d16:00,1h") + "</code> — "
        + t.gettext("when reminders go out (secretariat)"),
        "<code>/agenda ringkasan A-0001</code> — " + t.gettext("attendance and feedback (secretariat)"),
        "/agenda kalender — " + t.gettext("all upcoming events as a calendar file"),
    ])  # fmt: skip


def ask_type(t: Translator) -> Reply:
    text = "\n".join([
        t.gettext("<b>New event</b>"),
        t.gettext("1/8 · What kind of event is it?"),
        t.gettext("Cancel at any time with /batal."),
    ])  # fmt: skip
    keyboard = [
        [Button(f"{TYPE_ICONS[k]} {type_label(t, k)}", f"agn:type:{k}") for k in domain.EVENT_TYPES[:2]],
        [Button(f"{TYPE_ICONS[k]} {type_label(t, k)}", f"agn:type:{k}") for k in domain.EVENT_TYPES[2:]],
    ]
    return Reply(text, keyboard)


def ask_title(t: Translator) -> str:
    return t.gettext("2/8 · The title? Example: <i>Manajemen Gudang Darurat</i>")


def ask_when(t: Translator) -> str:
    return t.gettext("3/8 · When does it start (in the cluster's time zone)? Example: <i>{example}</i> or "
                     "<i>besok 14.00</i>").format(example=esc(dated("{wd+7} 09.00")))  # fmt: skip


DURATION_CHOICES = (60, 120, 180, 480)


def ask_duration(t: Translator) -> Reply:
    return Reply(
        t.gettext("4/8 · How long? Tap or write e.g. <i>90 menit</i>."),
        [[Button(duration_text(t, m), f"agn:dur:{m}") for m in DURATION_CHOICES]],
    )


def ask_place(t: Translator) -> str:
    return t.gettext("5/8 · Where? A room or an online link. Example: <i>Aula BPBD Kalsel</i> (“-” if not yet known)")


def ask_speaker(t: Translator, suggestions: list[Suggestion]) -> Reply:
    lines = [t.gettext("6/8 · Who is the speaker? Write the organisation's short name, or tap:")]
    if suggestions:
        lines.append(t.gettext("Suggested from the organisations' teachable topics:"))
        lines += [f"• {esc(s.label)}: {esc(s.topic)}" for s in suggestions]
    keyboard: Keyboard = [[Button(f"🎤 {s.label}", f"agn:spk:{s.org_id}")] for s in suggestions]
    keyboard.append([Button(t.gettext("No speaker"), "agn:spk:0")])
    return Reply("\n".join(lines), keyboard)


def ask_repeat(t: Translator, starts_at: int, tz: str) -> Reply:
    first = _dt(starts_at)
    local_day = first.astimezone(ZoneInfo(tz)).date()
    keyboard: Keyboard = [[Button(t.gettext("Once"), "agn:rep:none")]]
    keyboard += [
        [Button(rule_text(t, rule, first, tz), f"agn:rep:{rule.encode()}")]
        for rule in domain.recurrence_choices(local_day)
    ]
    return Reply(t.gettext("7/8 · Does it repeat?"), keyboard)


def ask_description(t: Translator) -> Reply:
    return Reply(
        t.gettext("8/8 · A short description for the participants (or tap Skip)."),
        [[Button(t.gettext("Skip"), "agn:desc:-")]],
    )


def confirm_new(t: Translator, data: dict[str, object], tz: str, speaker_names: list[str]) -> Reply:
    starts_at = int(str(data["starts_at"]))
    rule = Recurrence.decode(str(data.get("recurrence") or ""))
    lines = [
        t.gettext("<b>Check and announce</b>"),
        f"{TYPE_ICONS.get(str(data['type']), '📌')} {esc(type_label(t, str(data['type'])))}: <b>{esc(data['title'])}</b>",
        f"🗓 {esc(t.datetime(_dt(starts_at), tz))} · {esc(duration_text(t, int(str(data['duration_min']))))}",
        "📍 " + (esc(data["place"]) if data.get("place") else t.gettext("Place to be announced")),
    ]
    if speaker_names:
        lines.append("🎤 " + t.gettext("Speaker: {names}").format(names=esc(", ".join(speaker_names))))
    if rule is not None:
        lines.append(f"🔁 {esc(rule_text(t, rule, _dt(starts_at), tz))}")
    if data.get("description"):
        lines.append(f"📝 {esc(data['description'])}")
    keyboard = [[Button(t.gettext("✅ Announce"), "agn:ok"), Button(t.gettext("✖ Cancel"), "agn:x")]]
    return Reply("\n".join(lines), keyboard)


def use_buttons(t: Translator) -> str:
    return t.gettext("Please use the buttons above, or /batal to cancel.")


def guided_in_private(t: Translator, bot_username: str, cluster_id: int) -> Reply:
    return Reply(
        t.gettext("Step-by-step creation happens in a private chat with me (or write everything in one line here):")
        + f"\n<code>{esc(NEW_EXAMPLE)}</code>",
        [[Button(t.gettext("📝 New event"), url=f"https://t.me/{bot_username}?start=agenda_new-{cluster_id}")]],
    )


# ---- settings -----------------------------------------------------------------------------------------


def reminders_current(t: Translator, offsets: tuple[Offset, ...]) -> str:
    return "\n".join([
        t.gettext("Event reminders go out: {when}.").format(when=esc(offsets_text(t, offsets))),
        t.gettext("They go to the group, and privately to those who answered Attending or Maybe and to the speaker."),
        t.gettext("Change (secretariat): <code>/agenda pengingat 1d16:00,1h</code> — the day before at 16.00 and one "
                  "hour before. Back to the default: <code>/agenda pengingat standar</code>"),
    ])  # fmt: skip


def reminders_saved(t: Translator, offsets: tuple[Offset, ...], moved: int) -> str:
    return (
        t.gettext("Saved. Reminders now go out: {when}.").format(when=esc(offsets_text(t, offsets)))
        + " "
        + (
            t.ngettext(
                "Reminders of {n} upcoming event were moved.", "Reminders of {n} upcoming events were moved.", moved
            )
        ).format(n=moved)
    )


def reminders_error(t: Translator, bad: str) -> str:
    return "\n".join([
        t.gettext("I did not understand the reminder time “{bad}”.").format(bad=quote(bad)),
        t.gettext("Write for example <code>/agenda pengingat 1d16:00,1h</code> (the day before at 16.00, and one hour "
                  "before) or <code>/agenda pengingat 2d09:00,3h,30m</code>; at most five."),
        t.gettext("Nothing was changed."),
    ])  # fmt: skip


def zone_current(t: Translator, cluster: Cluster) -> str:
    return "\n".join([
        t.gettext("The time zone of {cluster} is {tz}.").format(cluster=esc(cluster.name), tz=esc(cluster.timezone)),
        t.gettext("Change (secretariat): <code>/zona WIB</code>, <code>/zona WITA</code>, <code>/zona WIT</code> or "
                  "a name like <code>/zona Asia/Jakarta</code>."),
    ])  # fmt: skip


def zone_saved(t: Translator, tz: str, moved: int) -> str:
    return (
        t.gettext("Saved. The cluster's time zone is now {tz}.").format(tz=esc(tz))
        + " "
        + t.ngettext(
            "Reminders of {n} upcoming event were moved.", "Reminders of {n} upcoming events were moved.", moved
        ).format(n=moved)
    )


def zone_error(t: Translator, bad: str) -> str:
    return "\n".join([
        t.gettext("I do not know the time zone “{bad}”.").format(bad=quote(bad)),
        t.gettext("Write e.g. <code>/zona WIB</code> (Asia/Jakarta), <code>/zona WITA</code> (Asia/Makassar) or "
                  "<code>/zona WIT</code> (Asia/Jayapura)."),
        t.gettext("Nothing was changed."),
    ])  # fmt: skip


def edit_help(t: Translator, bad: str = "") -> str:
    lines = []
    if bad:
        lines.append(t.gettext("I did not understand “{bad}”.").format(bad=quote(bad)))
    lines += [
        t.gettext("Write the event number, what to change and the new value:"),
        "<code>/agenda ubah A-0001 waktu Jumat 5/9 10.00</code>",
        "<code>/agenda ubah A-0001 tempat Zoom https://zoom.us/j/123</code>",
        "<code>/agenda ubah A-0001 durasi 3 jam</code>",
        t.gettext("Nothing was changed."),
    ]
    return "\n".join(lines)


def number_help(t: Translator, command: str, bad: str = "") -> str:
    lines = []
    if bad:
        lines.append(t.gettext("I did not understand the event number “{bad}”.").format(bad=quote(bad)))
    lines += [
        t.gettext("Write the number shown on the card, e.g.:"),
        f"<code>{esc(command)} A-0001</code>",
        t.gettext("Nothing was changed."),
    ]
    return "\n".join(lines)


# ---- calendar files -----------------------------------------------------------------------------------


UID_DOMAIN = "klaster-logistik-bot"


def _ics_text(t: Translator, view: EventView, event: Event) -> tuple[str, str]:
    details = [event.description] if event.description else []
    if view.speakers:
        details.append(t.gettext("Speaker: {names}").format(names=", ".join(s.label for s in view.speakers)))
    if event.materials:
        details.append(t.gettext("Materials: {materials}").format(materials=event.materials))
    details.append(f"{event.code} · {view.cluster.name}")
    return f"{type_label(t, event.type)}: {event.title}", "\n".join(details)


def _ics_one(t: Translator, view: EventView, event: Event, uid: str, sequence: int, tz: ZoneInfo,
             **series: object) -> domain.IcsEvent:  # fmt: skip
    summary, description = _ics_text(t, view, event)
    start = _dt(event.starts_at)
    return domain.IcsEvent(
        uid=uid, sequence=sequence, start=start, end=_dt(event.ends_at), summary=summary, location=event.place,
        description=description, cancelled=event.status == "cancelled", categories=type_label(t, event.type), tz=tz,
        alarms=domain.alarm_leads(view.offsets, start, tz), **series,  # type: ignore[arg-type]
    )  # fmt: skip


def _ics_series(t: Translator, view: EventView, tz: ZoneInfo) -> list[domain.IcsEvent]:
    """A series as calendars expect it: one master (the first slot, the rule, the cancelled and skipped slots as
    EXDATE, an UNTIL once stopped) with the latest occurrence's details, plus one override (RECURRENCE-ID) per occurrence
    that differs from the master. SEQUENCE is the sum of the occurrences' own (each edit or cancellation bumps
    one) plus one once stopped, so it rises with every change."""
    assert view.rule is not None and view.event.series_id is not None
    occurrences = list(view.series) or [view.event]
    template = occurrences[-1]
    first = occurrences[0]
    uid = f"{view.calendar_uid}-c{view.cluster.id}-s{view.event.series_id}@{UID_DOMAIN}"
    sequence = sum(e.sequence for e in occurrences) + (0 if view.series_active else 1)
    until = None if view.series_active else _dt(template.occurrence_at)
    slots = {e.occurrence_at for e in occurrences}
    skipped = []  # slots the bot was down over: they never took place
    slot = _dt(first.occurrence_at)
    while True:
        slot = domain.next_occurrence(view.rule, slot, slot, tz)
        if int(slot.timestamp()) >= template.occurrence_at:
            break
        if int(slot.timestamp()) not in slots:
            skipped.append(slot)
    exdates = tuple(sorted([_dt(e.occurrence_at) for e in occurrences if e.status == "cancelled"] + skipped))
    master_start = first.occurrence_at
    everything_cancelled = not view.series_active and all(e.status == "cancelled" for e in occurrences)
    master = dataclasses.replace(
        template, starts_at=master_start, occurrence_at=master_start,
        status="cancelled" if everything_cancelled else "scheduled",
    )  # fmt: skip
    out = [_ics_one(t, view, master, uid, sequence, tz, rrule=domain.ics_rrule(view.rule, until), exdates=exdates)]
    for event in occurrences:
        if event.status == "cancelled":
            continue
        same = (event.starts_at == event.occurrence_at and event.duration_min == template.duration_min
                and event.place == template.place and event.title == template.title
                and event.description == template.description and event.materials == template.materials)  # fmt: skip
        if not same:
            out.append(_ics_one(t, view, event, uid, sequence, tz, recurrence_id=_dt(event.occurrence_at)))
    return out


def ics_events(t: Translator, views: list[EventView]) -> list[domain.IcsEvent]:
    """The calendar entries of ``views``: a single event as one VEVENT, every series once (master + overrides)."""
    out: list[domain.IcsEvent] = []
    seen: set[int] = set()
    for view in views:
        event, tz = view.event, ZoneInfo(view.cluster.timezone)
        if event.series_id is not None and view.rule is not None:
            if event.series_id not in seen:
                seen.add(event.series_id)
                out += _ics_series(t, view, tz)
            continue
        uid = f"{view.calendar_uid}-c{view.cluster.id}-e{event.id}@{UID_DOMAIN}"
        out.append(_ics_one(t, view, event, uid, event.sequence, tz))
    return out


def ics_file(t: Translator, views: list[EventView], stamp: int, name: str = "") -> bytes:
    return domain.ics_calendar(ics_events(t, views), _dt(stamp), name)


def ics_caption(t: Translator, view: EventView) -> str:
    if view.rule is not None:  # the file is the whole series (ics_events), not this one occurrence
        first = _dt((view.series[0] if view.series else view.event).occurrence_at)
        return t.gettext("📅 {code} {title} ({rule}): the file holds the whole series; open it to add every "
                         "occurrence to your calendar.").format(
            code=view.event.code, title=esc(view.event.title),
            rule=esc(rule_text(t, view.rule, first, view.cluster.timezone)),
        )  # fmt: skip
    return t.gettext("📅 {code} {title}: open the file to add it to your calendar.").format(
        code=view.event.code, title=esc(view.event.title)
    )


def cluster_ics_caption(t: Translator, cluster: Cluster, count: int) -> str:
    return t.ngettext(
        "📅 {n} upcoming event of {cluster}: open the file to add it to your calendar.",
        "📅 {n} upcoming events of {cluster}: open the file to add them to your calendar.",
        count,
    ).format(n=count, cluster=esc(cluster.name))


def ics_sent_privately(t: Translator) -> str:
    return t.gettext("I sent you the calendar file in a private chat.")


# ---- work plan ----------------------------------------------------------------------------------------


def work_status(t: Translator, status: str) -> str:
    return t.gettext(WORK_STATUS_LABELS.get(status, WORK_STATUS_LABELS["not_started"]))


def deadline_text(t: Translator, item: WorkItem, tz: str) -> str:
    when = _dt(item.deadline_at)
    return t.datetime(when, tz) if item.deadline_precision == "minute" else t.date(when, tz)


def is_overdue(item: WorkItem, now: int, tz: str) -> bool:
    if item.status == "done":
        return False
    end = item.deadline_at if item.deadline_precision == "minute" else item.deadline_at + 86400
    return now >= end


def work_list(t: Translator, cluster: Cluster, items: list[WorkItem], now: int, include_done: bool) -> str:
    if not items and include_done:
        return t.gettext("The work plan is empty. The secretariat adds items with /rencana baru.")
    if not items:
        return t.gettext("No open items in the work plan. Finished items: /rencana semua; new ones (secretariat): "
                         "/rencana baru")  # fmt: skip
    tz = cluster.timezone
    lines = [t.gettext("<b>Work plan · {cluster}</b>").format(cluster=esc(cluster.name))]
    for item in items:
        overdue = is_overdue(item, now, tz)
        line = (
            f"{'⚠️' if overdue else WORK_ICONS.get(item.status, '⚪')} <b>{item.code}</b> {esc(item.title)} — "
            f"{esc(item.org_label)} · "
            + t.gettext("deadline {when}").format(when=esc(deadline_text(t, item, tz)))
            + f" · {esc(work_status(t, item.status))}"
        )
        if overdue:
            line += " · <b>" + t.gettext("overdue") + "</b>"
        lines.append(line)
    lines += [
        "",
        t.gettext("Update: <code>/rencana {code} berjalan note</code> · details: <code>/rencana {code}</code>").format(
            code=items[0].code
        ),
    ]
    if not include_done:
        lines.append(t.gettext("Finished items: /rencana semua"))
    return "\n".join(lines)


WORK_PAGE = 15  # items per message; the rest behind "More" (one message however long the plan grows)


def work_pages(items: list[WorkItem]) -> int:
    return max(1, -(-len(items) // WORK_PAGE))


def work_list_page(t: Translator, cluster: Cluster, items: list[WorkItem], now: int, include_done: bool, page: int,
                   kind: str) -> Reply:  # fmt: skip
    """One page of the work plan (``work_list`` over that page's items) with ◀ / "➕ More" buttons
    (``wl:<kind>:<page>``; kind ``o`` open items, ``a`` all, ``m`` the asker's organisation's)."""
    pages = work_pages(items)
    page = max(0, min(page, pages - 1))
    shown = items[page * WORK_PAGE : (page + 1) * WORK_PAGE]
    text = work_list(t, cluster, shown, now, include_done)
    if pages > 1:
        head, _, rest = text.partition("\n")
        head += " " + t.gettext("(page {page} of {pages})").format(page=page + 1, pages=pages)
        text = head + "\n" + rest
        hidden = len(items) - (page + 1) * WORK_PAGE
        if hidden > 0:
            text += "\n" + t.gettext("… {n} more: tap “More”.").format(n=hidden)
    nav: list[Button] = []
    if page > 0:
        nav.append(Button("◀", f"wl:{kind}:{page - 1}"))
    if page + 1 < pages:
        nav.append(Button(t.gettext("➕ More"), f"wl:{kind}:{page + 1}"))
    return Reply(text, [nav] if nav else [])


EVENT_PAGE = 15  # events per message on /agenda; the rest behind "More"


def event_pages(views: list[EventView]) -> int:
    return max(1, -(-len(views) // EVENT_PAGE))


def event_list_page(t: Translator, cluster: Cluster, views: list[EventView], page: int) -> Reply:
    """One page of the upcoming agenda (``event_list`` over that page) with ◀ / "➕ More" (``al:<page>``)."""
    pages = event_pages(views)
    page = max(0, min(page, pages - 1))
    shown = views[page * EVENT_PAGE : (page + 1) * EVENT_PAGE]
    text = event_list(t, cluster, shown, limit=EVENT_PAGE)
    if pages > 1:
        head, _, rest = text.partition("\n")
        head += " " + t.gettext("(page {page} of {pages})").format(page=page + 1, pages=pages)
        hidden = len(views) - (page + 1) * EVENT_PAGE
        more = ("\n" + t.gettext("… {n} more: tap “More”.").format(n=hidden)) if hidden > 0 else ""
        body, sep, footer = rest.partition("\n\n")
        text = head + "\n" + body + more + sep + footer
    nav: list[Button] = []
    if page > 0:
        nav.append(Button("◀", f"al:{page - 1}"))
    if page + 1 < pages:
        nav.append(Button(t.gettext("➕ More"), f"al:{page + 1}"))
    return Reply(text, [nav] if nav else [])


def work_detail(t: Translator, cluster: Cluster, item: WorkItem, notes: list[WorkNote], now: int) -> Reply:
    tz = cluster.timezone
    lines = [
        f"{WORK_ICONS.get(item.status, '⚪')} <b>{item.code} · {esc(item.title)}</b>",
        "🏢 " + t.gettext("Responsible: {org}").format(org=esc(item.org_label)),
        "⏳ " + t.gettext("Deadline: {when}").format(when=esc(deadline_text(t, item, tz))),
        "📌 " + t.gettext("Status: {status}").format(status=esc(work_status(t, item.status))),
    ]
    if is_overdue(item, now, tz):
        lines.append("⚠️ <b>" + t.gettext("overdue") + "</b>")
    if notes:
        lines += ["", t.gettext("<b>Progress</b>")]
        for note in notes:
            text = f"• {esc(t.short_datetime(_dt(note.at), tz))} {esc(note.user_name)}"
            if note.to_status:
                text += f": {esc(work_status(t, note.to_status))}"
            if note.note:
                text += f" — {esc(note.note)}"
            lines.append(text)
    return Reply("\n".join(lines), status_buttons(t, item) if item.status != "done" else [])


def status_buttons(t: Translator, item: WorkItem) -> Keyboard:
    choices = [("in_progress", "▶️"), ("done", "✅"), ("on_hold", "⏸")]
    return [[Button(f"{icon} {work_status(t, s)}", f"wp:{item.id}:{s}") for s, icon in choices if s != item.status]]


def work_created(t: Translator, item: WorkItem, tz: str) -> str:
    return t.gettext("Saved: {code} {title} — {org}, deadline {when}. Reminders go to its representative.").format(
        code=item.code, title=esc(item.title), org=esc(item.org_label), when=esc(deadline_text(t, item, tz))
    )


def work_updated(t: Translator, item: WorkItem, tz: str) -> str:
    return t.gettext("Saved: {code} is now “{status}”, deadline {when}.").format(
        code=item.code, status=esc(work_status(t, item.status)), when=esc(deadline_text(t, item, tz))
    )


def work_reminder(t: Translator, notice: WorkNotice, now: int, late_due: int | None = None) -> Reply:
    item, tz = notice.item, notice.cluster.timezone
    lines = [
        "📋 " + t.gettext("<b>Work plan reminder: {title}</b> ({code})").format(title=esc(item.title), code=item.code),
        t.gettext("Responsible: {org} · deadline {when} · status: {status}").format(
            org=esc(item.org_label), when=esc(deadline_text(t, item, tz)), status=esc(work_status(t, item.status))
        ),
    ]
    if notice.to_secretariat:
        lines.append(t.gettext("Nobody represents {org} at the moment, so I am telling the secretariat.").format(
            org=esc(item.org_label)))  # fmt: skip
    lines.append(t.gettext("Update it with the buttons or e.g. <code>/rencana {code} berjalan survei 60%</code>.").format(
        code=item.code))  # fmt: skip
    if late_due is not None:
        lines.append(late_note(t, late_due, tz))
    return Reply("\n".join(lines), status_buttons(t, item))


def work_overdue(t: Translator, notice: WorkNotice, late_due: int | None = None) -> str:
    item, tz = notice.item, notice.cluster.timezone
    lines = [
        "⚠️ "
        + t.gettext("<b>Overdue</b>: {code} {title} ({org}) was due {when}; status: {status}.").format(
            code=item.code,
            title=esc(item.title),
            org=esc(item.org_label),
            when=esc(deadline_text(t, item, tz)),
            status=esc(work_status(t, item.status)),
        ),
        t.gettext(
            "Follow up with the organisation, or set a new deadline: <code>/rencana {code} tenggat 15/10</code>."
        ).format(code=item.code),
    ]
    if late_due is not None:
        lines.append(late_note(t, late_due, tz))
    return "\n".join(lines)


def work_help(t: Translator, bad: str = "") -> str:
    lines = []
    if bad:
        lines.append(t.gettext("I did not understand “{bad}”.").format(bad=quote(bad)))
    lines += [
        t.gettext("<b>Work plan</b>"),
        "/rencana — " + t.gettext("open items; /rencana semua also shows finished ones; /rencana saya your own"),
        f"<code>{esc(WORK_EXAMPLE)}</code> — " + t.gettext("new item (secretariat): title | organisation | deadline"),
        "<code>/rencana R-0001 berjalan survei 60%</code> — "
        + t.gettext("status (belum mulai, berjalan, selesai, tertunda) and a progress note"),
        "<code>/rencana R-0001 catatan …</code> — " + t.gettext("a progress note only"),
        "<code>/rencana R-0001 tenggat 15/10</code> — " + t.gettext("new deadline (secretariat)"),
    ]
    if bad:
        lines.append(t.gettext("Nothing was changed."))
    return "\n".join(lines)


def work_line_error(t: Translator, error: LineError) -> str:
    if error.field == "format":
        head = t.gettext("I need three parts separated by “|”: title | responsible organisation | deadline.")
        return "\n".join([head, t.gettext("Write it like this:"), f"<code>{esc(dated(WORK_EXAMPLE))}</code>",
                          t.gettext("Nothing was saved.")])  # fmt: skip
    return line_error(t, error, WORK_EXAMPLE)


def unknown_org(t: Translator, name: str, suggestions: list[str]) -> str:
    lines = [t.gettext("“{bad}” is not an approved member organisation of this cluster.").format(bad=quote(name))]
    if suggestions:
        lines.append(t.gettext("Did you mean: {names}?").format(names=esc(", ".join(suggestions))))
    lines += [t.gettext("Write it like this:"), f"<code>{esc(dated(WORK_EXAMPLE))}</code>", t.gettext("Nothing was saved.")]
    return "\n".join(lines)


def work_refused(t: Translator, reason: str, code: str) -> str:
    return {
        "not_found": t.gettext("There is no work plan item {code} in this cluster. /rencana lists them.").format(
            code=esc(code)
        ),
        "not_allowed": t.gettext(
            "Only the responsible organisation's representative or the secretariat can update {code} (a new deadline: "
            "the secretariat only). Nothing was changed."
        ).format(code=esc(code)),
        "unchanged": t.gettext("That is what {code} already says. Nothing was changed.").format(code=esc(code)),
    }.get(reason, t.gettext("Nothing was changed."))
