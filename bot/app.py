"""The one composition root: ``build_application`` wires settings, storage, clock and every feature.

The production bot, the local demo, the tests and the benchmarks all build their Application here;
only the ``request`` (real HTTPS vs the in-process stand-in), the clock and the rate limiter differ.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable
from typing import Any
from zoneinfo import ZoneInfo

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    Defaults,
)
from telegram.request import BaseRequest

from bot import scheduling
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.handlers import (
    agenda,
    broadcast,
    capacity,
    cluster,
    core,
    digests,
    directory,
    export,
    handover,
    needs,
    plumbing,
    registration,
    sitrep,
    stock,
    workplan,
)
from bot.handlers.context import BotContext
from bot.handlers.inputs import CleanApplication
from bot.i18n import SUPPORTED, translator
from bot.runtime import Runtime
from bot.storage.db import Database

log = logging.getLogger(__name__)
# A syntactically valid token for the stand-in (demo, tests, benchmarks); never sent anywhere real.
OFFLINE_TOKEN = "123456789:OFFLINE-klaster-logistik-bot-token-000"

# The one explicit list of features. Order matters only for the fallbacks, which come last.
FEATURES = [
    plumbing.register,
    scheduling.register,
    core.register,
    cluster.register,
    registration.register,
    directory.register,
    handover.register,
    capacity.register,
    needs.register,
    stock.register,
    sitrep.register,
    digests.register,
    broadcast.register,
    export.register,
    agenda.register,
    workplan.register,
]


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, strictly ordered within one chat.

    Sequential processing would make every member wait for every other member's Bot API round
    trip; fully concurrent processing would let two quick taps of one user race in a dialog.
    """

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = 0
        chat = getattr(update, "effective_chat", None)
        user = getattr(update, "effective_user", None)
        if chat is not None:
            key = chat.id
        elif user is not None:
            key = user.id
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        async with lock:
            await coroutine

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def build_application(
    settings: Settings,
    request: BaseRequest | None = None,
    rate_limit: bool = True,
    clock: Clock | None = None,
    db: Database | None = None,
) -> Application[Any, Any, Any, Any, Any, Any]:
    token = settings.token if request is None else (settings.token or OFFLINE_TOKEN)
    if token is None:
        token = settings.require_token()
    builder = (
        ApplicationBuilder()
        .application_class(CleanApplication)  # control and bidi characters out of every update (handlers/inputs.py)
        .token(token)
        .base_url(settings.bot_base_url)
        .base_file_url(settings.file_base_url)
        .context_types(ContextTypes(context=BotContext))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                tzinfo=ZoneInfo(settings.timezone),
            )
        )
        .concurrent_updates(PerChatUpdateProcessor())
        .job_queue(scheduling.BotJobQueue())
        .post_init(startup)
        .post_shutdown(shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if rate_limit:
        # Telegram's own limits (30 msg/s overall, 20/min per group); retries honour RetryAfter.
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))  # type: ignore[arg-type]
    app = builder.build()
    app.bot_data["runtime"] = Runtime(
        settings=settings, db=db or Database(settings.db_path), clock=clock or SystemClock()
    )
    for register in FEATURES:
        register(app)
    plumbing.register_fallbacks(app)
    return app


async def set_command_menus(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Command menus per scope (private chats, groups) in Indonesian (default) and English."""
    runtime: Runtime = app.bot_data["runtime"]
    for scope_name, scope in (("private", BotCommandScopeAllPrivateChats()), ("group", BotCommandScopeAllGroupChats())):
        for lang in SUPPORTED:
            t = translator(lang)
            seen: dict[str, str] = {}
            for spec in runtime.commands:
                if spec.menu and scope_name in spec.scopes and spec.name not in seen:
                    seen[spec.name] = t.gettext(spec.description)[:256]
            commands = [BotCommand(name, description) for name, description in seen.items()]
            language_code = None if lang == "id" else lang
            try:
                await app.bot.set_my_commands(commands, scope=scope, language_code=language_code)
            except TelegramError:
                log.warning("could not set command menu %s/%s", scope_name, lang, exc_info=True)


async def startup(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Open storage, set menus, rebuild scheduled work. Runs as post_init in production; the demo
    and the tests call it after ``app.initialize()`` themselves."""
    runtime: Runtime = app.bot_data["runtime"]
    await runtime.db.open()
    await set_command_menus(app)
    for hook in runtime.extras.get("startup_hooks", []):
        await hook(app)


async def shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    runtime: Runtime = app.bot_data["runtime"]
    await runtime.db.close()


def runtime_of(app: Application[Any, Any, Any, Any, Any, Any]) -> Runtime:
    return app.bot_data["runtime"]


__all__ = ["OFFLINE_TOKEN", "BotContext", "build_application", "runtime_of", "shutdown", "startup"]
