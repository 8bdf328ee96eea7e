"""The running bot's heartbeat: every ``HEARTBEAT_S`` a job on the bot's own job queue calls ``getMe`` and
writes one row (``ops_heartbeat``). A fresh row proves the event loop runs, the database takes writes (a full
disk stops it) and, through ``telegram_ok_at``, that Telegram answered. ``klasterbot health`` reads it.

Installed by ``klasterbot run`` only: the demo and the tests do not need a beat in their call logs.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from typing import Any

from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.kernel.runtime import Runtime
from bot.ops import HEARTBEAT_S, ROLE, version
from bot.ops import storage as ops_repo

log = logging.getLogger(__name__)

_CALL_TIMEOUT_S = 15.0

AnyApp = Application[Any, Any, Any, Any, Any, Any]


async def beat(app: AnyApp) -> bool:
    """One beat; returns whether Telegram answered. Logs only when the Telegram state changes."""
    runtime: Runtime = app.bot_data["runtime"]
    if runtime.heartbeat is None:
        runtime.heartbeat = {"started_at": runtime.clock.timestamp(), "ok": None}
    state = runtime.heartbeat
    error: str | None = None
    try:
        await app.bot.get_me(read_timeout=_CALL_TIMEOUT_S, connect_timeout=_CALL_TIMEOUT_S)
    except TelegramError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    ok = error is None
    if ok != state["ok"]:
        if ok:
            log.info("heartbeat: Telegram answers")
        else:
            log.warning("heartbeat: Telegram call failed (%s)", error)
        state["ok"] = ok
    await runtime.db.write(
        ops_repo.write_beat, ROLE, state["started_at"], runtime.clock.timestamp(), ok, error, os.getpid(), version()
    )
    return ok


async def _safe_beat(app: AnyApp) -> None:
    try:
        await beat(app)
    except Exception:  # a failed beat must not stop the bot or the next beat; the stale row is the signal
        log.exception("heartbeat failed")


async def _job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await _safe_beat(context.application)


def install(app: AnyApp, interval_s: float = HEARTBEAT_S) -> None:
    """Beat once at start (after the database opened), then every ``interval_s`` seconds."""
    if app.job_queue is None:
        raise RuntimeError("the heartbeat needs the job queue (python-telegram-bot[job-queue])")
    runtime: Runtime = app.bot_data["runtime"]
    runtime.startup_hooks.append(_safe_beat)
    interval = timedelta(seconds=interval_s)
    app.job_queue.run_repeating(_job, interval=interval, first=interval, name="ops-heartbeat")
