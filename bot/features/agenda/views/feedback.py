"""Feedback after a training (the question, the comment step) and the attendance summary for the secretariat."""

from __future__ import annotations

from bot.features.agenda.callbacks import RatingButton, SkipCommentButton
from bot.features.agenda.followup import Summary
from bot.features.agenda.service import EventView
from bot.features.agenda.views.common import _dt, duration_text, late_note
from bot.kernel.i18n import Translator
from bot.kernel.views import Button, Reply, esc

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
        [Button(str(n), RatingButton(event.id, n).pack()) for n in range(1, 6)],
        [Button(t.gettext("I did not attend"), RatingButton(event.id, 0).pack())],
    ]
    return Reply(text, keyboard)


def ask_comment(t: Translator, event_id: int, rating: int) -> Reply:
    return Reply(
        t.gettext("Thank you ({rating}/5)! Any comment for the organisers? Write it here, or tap Skip.").format(
            rating=rating
        ),
        [[Button(t.gettext("Skip"), SkipCommentButton(event_id).pack())]],
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
