"""Creating an event: the one-line form's errors and the guided flow's questions and buttons."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.features.agenda import domain
from bot.features.agenda.callbacks import NewFlowButton
from bot.features.agenda.domain import LineError, Recurrence
from bot.features.agenda.speakers import Suggestion
from bot.features.agenda.views.common import NEW_EXAMPLE, TYPE_ICONS, _dt, duration_text, quote, rule_text, type_label
from bot.kernel.i18n import Translator
from bot.kernel.views import Button, Keyboard, Reply, esc
from bot.shared.examples import dated

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


def ask_type(t: Translator) -> Reply:
    text = "\n".join([
        t.gettext("<b>New event</b>"),
        t.gettext("1/8 · What kind of event is it?"),
        t.gettext("Cancel at any time with /batal."),
    ])  # fmt: skip
    keyboard = [
        [Button(f"{TYPE_ICONS[k]} {type_label(t, k)}", NewFlowButton.of("type", k)) for k in domain.EVENT_TYPES[:2]],
        [Button(f"{TYPE_ICONS[k]} {type_label(t, k)}", NewFlowButton.of("type", k)) for k in domain.EVENT_TYPES[2:]],
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
        [[Button(duration_text(t, m), NewFlowButton.of("dur", m)) for m in DURATION_CHOICES]],
    )


def ask_place(t: Translator) -> str:
    return t.gettext("5/8 · Where? A room or an online link. Example: <i>Aula BPBD Kalsel</i> (“-” if not yet known)")


def ask_speaker(t: Translator, suggestions: list[Suggestion]) -> Reply:
    lines = [t.gettext("6/8 · Who is the speaker? Write the organisation's short name, or tap:")]
    if suggestions:
        lines.append(t.gettext("Suggested from the organisations' teachable topics:"))
        lines += [f"• {esc(s.label)}: {esc(s.topic)}" for s in suggestions]
    keyboard: Keyboard = [[Button(f"🎤 {s.label}", NewFlowButton.of("spk", s.org_id))] for s in suggestions]
    keyboard.append([Button(t.gettext("No speaker"), NewFlowButton.of("spk", 0))])
    return Reply("\n".join(lines), keyboard)


def ask_repeat(t: Translator, starts_at: int, tz: str) -> Reply:
    first = _dt(starts_at)
    local_day = first.astimezone(ZoneInfo(tz)).date()
    keyboard: Keyboard = [[Button(t.gettext("Once"), NewFlowButton.of("rep", "none"))]]
    keyboard += [
        [Button(rule_text(t, rule, first, tz), NewFlowButton.of("rep", rule.encode()))]
        for rule in domain.recurrence_choices(local_day)
    ]
    return Reply(t.gettext("7/8 · Does it repeat?"), keyboard)


def ask_description(t: Translator) -> Reply:
    return Reply(
        t.gettext("8/8 · A short description for the participants (or tap Skip)."),
        [[Button(t.gettext("Skip"), NewFlowButton.of("desc", "-"))]],
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
    keyboard = [[Button(t.gettext("✅ Announce"), NewFlowButton.of("ok")), Button(t.gettext("✖ Cancel"), NewFlowButton.of("x"))]]
    return Reply("\n".join(lines), keyboard)


def use_buttons(t: Translator) -> str:
    return t.gettext("Please use the buttons above, or /batal to cancel.")


def guided_in_private(t: Translator, bot_username: str, cluster_id: int) -> Reply:
    return Reply(
        t.gettext("Step-by-step creation happens in a private chat with me (or write everything in one line here):")
        + f"\n<code>{esc(NEW_EXAMPLE)}</code>",
        [[Button(t.gettext("📝 New event"), url=f"https://t.me/{bot_username}?start=agenda_new-{cluster_id}")]],
    )
