"""The work plan's button family (bot/kernel/callbacks.py): ``wp:<item>:<status>`` on reminders and the detail."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.callbacks import Callback


@dataclass(frozen=True)
class StatusButton(Callback, prefix="wp"):
    item_id: int
    status: str


@dataclass(frozen=True)
class WorkPage(Callback, prefix="wl"):
    """``wl:<kind>:<page>``: another page of the work plan; kind ``o`` open items, ``a`` all, ``m`` the asker's
    organisation's."""

    kind: str
    page: int
