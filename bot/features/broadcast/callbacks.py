"""The announcement's button family: ``bc:go:<id>`` sends the previewed announcement, ``bc:no:<id>`` cancels it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.callbacks import Callback

ACTIONS = ("go", "no")


@dataclass(frozen=True)
class BroadcastButton(Callback, prefix="bc"):
    action: str  # go | no
    broadcast_id: int
