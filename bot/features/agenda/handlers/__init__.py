"""/agenda and /zona: the handlers by sub-feature (events, creating, RSVP and speakers, calendar files, zone and
reminder settings, feedback, scheduled jobs), wired here. Thin: parsing in the domain, rules in the service and
follow-up use cases, texts in the views."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from bot.features.agenda.callbacks import (
    AgendaPage,
    IcsButton,
    NewFlowButton,
    RatingButton,
    RsvpButton,
    SkipCommentButton,
    SpeakerButton,
)
from bot.features.agenda.handlers.calendar import on_ics
from bot.features.agenda.handlers.common import NEW_EXAMPLE_SHORT
from bot.features.agenda.handlers.create import on_new_button
from bot.features.agenda.handlers.events import agenda, on_list_more
from bot.features.agenda.handlers.feedback import on_rating, on_skip
from bot.features.agenda.handlers.rsvp import on_rsvp, on_speaker
from bot.features.agenda.handlers.zone import zona
from bot.kernel.i18n import N_
from bot.kernel.runtime import CommandSpec
from bot.kernel.telegram import add_command

AnyApp = Application[Any, Any, Any, Any, Any, Any]


def register(app: AnyApp) -> None:
    add_command(
        app,
        CommandSpec(
            "agenda",
            N_("Forum sharing, trainings and meetings: list, RSVP, calendar; the secretariat creates and edits them"),
            NEW_EXAMPLE_SHORT,
            aliases=("events",),
            section="agenda",
        ),
        agenda,
    )
    add_command(
        app,
        CommandSpec("zona", N_("The cluster's time zone (the secretariat changes it)"), "/zona WIB",
                    aliases=("timezone",), section="agenda"),
        zona,
    )  # fmt: skip
    app.add_handler(RsvpButton.handler(on_rsvp))
    app.add_handler(AgendaPage.handler(on_list_more))
    app.add_handler(IcsButton.handler(on_ics))
    app.add_handler(SpeakerButton.handler(on_speaker))
    app.add_handler(RatingButton.handler(on_rating))
    app.add_handler(SkipCommentButton.handler(on_skip))
    app.add_handler(NewFlowButton.handler(on_new_button))
