"""Start the real Application against the Bot API stand-in (tests, demo, benchmarks)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.app import build_application, runtime_of, shutdown, startup
from bot.devtools.fakeapi import FakeBotApi
from bot.devtools.sim import Simulator
from bot.kernel.clock import FakeClock
from bot.kernel.config import Settings
from bot.kernel.runtime import Runtime
from bot.kernel.sql import is_postgresql_url


@dataclass
class Harness:
    app: Application[Any, Any, Any, Any, Any, Any]
    api: FakeBotApi
    sim: Simulator
    clock: FakeClock
    slept: list[float] = field(default_factory=list)

    @property
    def runtime(self) -> Runtime:
        return runtime_of(self.app)


@asynccontextmanager
async def running(
    db_path: Path | str, clock: FakeClock | None = None, api: FakeBotApi | None = None, settings: Settings | None = None
) -> AsyncIterator[Harness]:
    """A started Application on ``db_path``; a second ``running`` on the same path is a restart."""
    clock = clock or FakeClock()
    api = api or FakeBotApi(clock=clock.timestamp)
    if settings is None:
        pg = is_postgresql_url(db_path)
        settings = Settings(database_url=str(db_path)) if pg else Settings(db_path=Path(db_path))
    app = build_application(settings, request=api, rate_limit=False, clock=clock)
    harness = Harness(app, api, Simulator(app, api, clock.timestamp), clock)

    async def fake_sleep(seconds: float) -> None:
        harness.slept.append(seconds)
        clock.advance(__import__("datetime").timedelta(seconds=seconds))

    harness.runtime.sleep = fake_sleep
    await app.initialize()
    await startup(app)
    try:
        yield harness
    finally:
        await shutdown(app)
        await app.shutdown()
