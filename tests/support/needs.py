"""Needs scenario helpers."""

from __future__ import annotations

from bot.devtools.harness import Harness
from tests.support.db import q
from tests.support.people import GROUP_ID


def card_of(h: Harness, need_id: int = 1):
    """The group's card of a need, as the stand-in holds it now."""
    message_id = q(h.runtime.db.path, "SELECT message_id FROM needs WHERE id = ?", need_id)[0][0]
    return h.api.message(GROUP_ID, message_id)
