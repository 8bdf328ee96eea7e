"""Reading the buttons of a recorded Bot API call."""

from __future__ import annotations

from bot.devtools.fakeapi import ApiCall


def data_of(call: ApiCall, label: str) -> str:
    """The callback data of the button labelled ``label``."""
    return next(b["callback_data"] for row in call.buttons for b in row if b["text"] == label)
