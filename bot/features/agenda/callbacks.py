"""The agenda's button families (bot/kernel/callbacks.py): each builds its callback data in the views and parses
it in the handlers. The data is byte-identical to the layout old buttons in chats carry (``ag:r:12:y``)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.callbacks import Callback


@dataclass(frozen=True)
class RsvpButton(Callback, prefix="ag:r"):
    """``ag:r:<event>:<y|m|n>`` on the card (and a private copy of it)."""

    event_id: int
    answer: str


@dataclass(frozen=True)
class IcsButton(Callback, prefix="ag:i"):
    """``ag:i:<event>``: the event's calendar file."""

    event_id: int


@dataclass(frozen=True)
class SpeakerButton(Callback, prefix="ag:s"):
    """``ag:s:<event>:<org>:<y|n>``: a speaker organisation confirms or declines."""

    event_id: int
    org_id: int
    answer: str


@dataclass(frozen=True)
class RatingButton(Callback, prefix="ag:f"):
    """``ag:f:<event>:<0-5>`` (0 = did not attend)."""

    event_id: int
    value: int


@dataclass(frozen=True)
class SkipCommentButton(Callback, prefix="ag:fs"):
    """``ag:fs:<event>``: no comment after the rating."""

    event_id: int


@dataclass(frozen=True)
class NewFlowButton(Callback, prefix="agn", rest=True):
    """``agn:<action>[:<value>]`` in the guided creation flow (``agn:type:forum``, ``agn:ok``); the value may hold
    ``:`` (a recurrence rule), so the action and value travel as one field."""

    step: str

    @classmethod
    def of(cls, action: str, value: object = None) -> str:
        return cls(action if value is None else f"{action}:{value}").pack()

    @property
    def action(self) -> str:
        return self.step.partition(":")[0]

    @property
    def value(self) -> str:
        return self.step.partition(":")[2]


@dataclass(frozen=True)
class AgendaPage(Callback, prefix="al"):
    """``al:<page>``: another page of the upcoming agenda (/agenda), edited into the pressed message."""

    page: int
