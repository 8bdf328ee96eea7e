"""What every handler needs at hand, held once per Application (``app.bot_data['runtime']``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.storage.db import Database


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
    sleep: Callable[[float], Awaitable[None]] = _real_sleep
    commands: list[CommandSpec] = field(default_factory=list)
    dialogs: dict[str, Any] = field(default_factory=dict)
    callbacks: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)

    def command_names(self) -> set[str]:
        names: set[str] = set()
        for spec in self.commands:
            names.add(spec.name)
            names.update(spec.aliases)
        return names
