"""What every handler needs at hand, held once per Application (``app.bot_data['runtime']``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.kernel.clock import Clock
from bot.kernel.config import Settings
from bot.kernel.db import Database


async def _real_sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


@dataclass
class CommandSpec:
    """A registered command: drives /bantuan, the command menus and the unknown-command hint."""

    name: str
    description: str  # English msgid, translated at render time
    example: str = ""
    aliases: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ("private", "group")
    menu: bool = True
    section: str = "umum"


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    # Waiting belongs to the clock: None means "the clock's own sleep" (a FakeClock advances itself when
    # waited on, so nothing paced by the clock can hang while the fake time stands still).
    sleep: Callable[[float], Awaitable[None]] = None  # type: ignore[assignment]
    commands: list[CommandSpec] = field(default_factory=list)
    dialogs: dict[str, Any] = field(default_factory=dict)
    callbacks: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)

    # Time for rate limits on people (the flood guard). None: the clock. The demo uses the time people
    # actually take to type, since its clock only moves when told to.
    rate_clock: Callable[[], float] | None = None

    def __post_init__(self) -> None:
        if self.sleep is None:
            self.sleep = getattr(self.clock, "sleep", None) or _real_sleep

    def rate_now(self) -> int:
        """Seconds for rate limits on people: the rate clock when set, else the clock."""
        return int(self.rate_clock()) if self.rate_clock is not None else self.clock.timestamp()

    def command_names(self) -> set[str]:
        names: set[str] = set()
        for spec in self.commands:
            names.add(spec.name)
            names.update(spec.aliases)
        return names
