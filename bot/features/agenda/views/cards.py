"""The event card and what is said about one event: created, changed, cancelled, reminders, speakers (HTML-escaped)."""

from __future__ import annotations

from bot.features.agenda.callbacks import RsvpButton, SpeakerButton
from bot.features.agenda.service import EventView
from bot.features.agenda.storage import Event, Speaker
from bot.features.agenda.views.common import (
    TYPE_ICONS,
    _detail_lines,
    _dt,
    counts_text,
    duration_text,
    ics_button,
    late_note,
    lead_text,
    type_label,
)
from bot.kernel.i18n import Translator
from bot.kernel.views import Button, Keyboard, Reply, esc


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
            Button(t.gettext("✅ Attending ({n})").format(n=counts.get("yes", 0)), RsvpButton(event.id, "y").pack()),
            Button(t.gettext("🤔 Maybe ({n})").format(n=counts.get("maybe", 0)), RsvpButton(event.id, "m").pack()),
            Button(t.gettext("✖ Not attending ({n})").format(n=counts.get("no", 0)), RsvpButton(event.id, "n").pack()),
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
        Button(t.gettext("✅ We will present"), SpeakerButton(event.id, speaker.organization_id, "y").pack()),
        Button(t.gettext("✖ We cannot"), SpeakerButton(event.id, speaker.organization_id, "n").pack()),
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


def next_occurrence_note(t: Translator, skipped: bool) -> str:
    if skipped:
        return "🔁 " + t.gettext("Next occurrence of the series (slots that passed while I was offline were skipped).")
    return "🔁 " + t.gettext("Next occurrence of the series.")
