"""Outbox helpers: the answer nobody may read after a commit, the texts a chat received, time passing for the
background sender."""

from __future__ import annotations

from datetime import timedelta

from bot.devtools.harness import Harness
from bot.kernel import outbox
from tests.support.db import q

NOTHING_SAVED = "tidak ada yang disimpan"


def texts(calls: list, chat_id: int) -> list[str]:
    return [c.text for c in calls if c.method == "sendMessage" and c.chat_id == chat_id and c.error is None]


async def later(h: Harness, seconds: int = 600) -> list:
    """Let time pass and run the background sender's window until nothing is due."""
    before = len(h.api.calls)
    for _ in range(12):
        h.clock.advance(timedelta(seconds=seconds))
        while await outbox.drain(h.app):
            pass
        if q(h.runtime.db.path, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'") == [(0,)]:
            break
    return h.api.calls[before:]
