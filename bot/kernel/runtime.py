"""What every handler needs at hand, held once per Application (``app.bot_data['runtime']``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.kernel.clock import Clock
from bot.kernel.config import Settings
from bot.kernel.db import Database
from bot.kernel.feature import Point, Rule

T = TypeVar("T")


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
class AccessTables:
    """Every installed feature's read declarations, merged (bot/kernel/feature.py ``Access``)."""

    commands: dict[str, str] = field(default_factory=dict)
    subcommands: dict[tuple[str, str], str] = field(default_factory=dict)
    deeplinks: dict[str, Rule] = field(default_factory=dict)
    buttons: dict[str, Rule] = field(default_factory=dict)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    # Waiting belongs to the clock: None means "the clock's own sleep" (a FakeClock advances itself when
    # waited on, so nothing paced by the clock can hang while the fake time stands still).
    sleep: Callable[[float], Awaitable[None]] = None  # type: ignore[assignment]
    commands: list[CommandSpec] = field(default_factory=list)
    # What the installed features brought (bot/kernel/feature.py ``install``), per Application.
    features: list[str] = field(default_factory=list)
    access: AccessTables = field(default_factory=AccessTables)
    dialogs: dict[str, Any] = field(default_factory=dict)
    deeplinks: dict[str, Any] = field(default_factory=dict)
    job_handlers: dict[str, Any] = field(default_factory=dict)
    startup_hooks: list[Any] = field(default_factory=list)
    shutdown_hooks: list[Any] = field(default_factory=list)
    tick_hooks: list[Any] = field(default_factory=list)  # what the demo's clock runs when it jumps
    contributed: dict[str, list[Any]] = field(default_factory=dict)
    # The kernel's own per-Application state.
    service_tasks: set[asyncio.Task[Any]] = field(default_factory=set)  # background loops (the outbox sender)
    work_tasks: set[asyncio.Task[Any]] = field(default_factory=set)  # work someone may wait for (announcements)
    outbox_paced: bool = True  # False in the tests: their fake clock is not advanced by pacing
    outbox_wake: asyncio.Event | None = None
    outbox_task: asyncio.Task[Any] | None = None
    pacer: Any = None  # bot.kernel.pacer.Pacer, made on first use
    flood_guard: Any = None  # bot.kernel.plumbing.FloodGuard, made on first use
    heartbeat: dict[str, Any] | None = None  # bot.ops.heartbeat

    # Time for rate limits on people (the flood guard). None: the clock. The demo uses the time people
    # actually take to type, since its clock only moves when told to.
    rate_clock: Callable[[], float] | None = None

    def __post_init__(self) -> None:
        if self.sleep is None:
            self.sleep = getattr(self.clock, "sleep", None) or _real_sleep

    def rate_now(self) -> int:
        """Seconds for rate limits on people: the rate clock when set, else the clock."""
        return int(self.rate_clock()) if self.rate_clock is not None else self.clock.timestamp()

    def contributions(self, point: Point[T]) -> list[T]:
        """The values the installed features contributed to ``point``, in install order."""
        return list(self.contributed.get(point.name, ()))

    def command_names(self) -> set[str]:
        names: set[str] = set()
        for spec in self.commands:
            names.add(spec.name)
            names.update(spec.aliases)
        return names
