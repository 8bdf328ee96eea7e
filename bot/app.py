"""The one composition root: ``build_application`` wires settings, storage, clock and every feature.

The production bot, the local demo, the tests and the benchmarks all build their Application here;
only the ``request`` (real HTTPS vs the in-process stand-in), the clock and the rate limiter differ.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import weakref
from collections.abc import Awaitable
from typing import Any
from zoneinfo import ZoneInfo

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    LinkPreviewOptions,
    Update,
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
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.features.agenda.feature import FEATURE as AGENDA
from bot.features.broadcast.feature import FEATURE as BROADCAST
from bot.features.core.feature import FEATURE as CORE
from bot.features.digests.feature import FEATURE as DIGESTS
from bot.features.export.feature import FEATURE as EXPORT
from bot.features.members.feature import FEATURE as MEMBERS
from bot.features.needs.feature import FEATURE as NEEDS
from bot.features.sitrep.feature import FEATURE as SITREP
from bot.features.status.feature import FEATURE as STATUS
from bot.features.stock.feature import FEATURE as STOCK
from bot.features.workplan.feature import FEATURE as WORKPLAN
from bot.kernel import outbox, plumbing, scheduling
from bot.kernel import outbox_storage as outbox_repo
from bot.kernel.clock import Clock, SystemClock
from bot.kernel.config import Settings
from bot.kernel.context import BotContext
from bot.kernel.db import Database, UpdateClaim, current_claim, nothing
from bot.kernel.feature import Feature, install
from bot.kernel.i18n import SUPPORTED, translator
from bot.kernel.inputs import CleanApplication
from bot.kernel.runtime import Runtime

log = logging.getLogger(__name__)
# A syntactically valid token for the stand-in (demo, tests, benchmarks); never sent anywhere real.
OFFLINE_TOKEN = "123456789:OFFLINE-klaster-logistik-bot-token-000"

# The one explicit list of features (bot/kernel/feature.py). Handlers are registered in this order within a
# group; the fallbacks (unknown command or button) come last, after every feature.
FEATURES: list[Feature] = [
    plumbing.FEATURE,  # kernel: the pre-handler (claim, locale, actor), the read gate, service messages
    outbox.FEATURE,  # kernel: the background sender of every message the bot owes
    scheduling.FEATURE,  # kernel: due jobs claimed from the database, the job queue as a cache
    CORE,  # /start and deep links, /bantuan, /bahasa, /batal
    MEMBERS,  # the cluster's group, registration, directory, handover, capacity; who is acting
    NEEDS,  # needs, offers, pledges, incidents
    STOCK,  # stock reports, the published table, /cari
    SITREP,  # the situation summary and its pinned card
    DIGESTS,  # daily and weekly digests, subscriptions
    BROADCAST,  # announcements
    EXPORT,  # spreadsheets
    AGENDA,  # forums, trainings, meetings
    WORKPLAN,  # the work plan
    STATUS,  # delivery health for the secretariat
]


class BotApplication(CleanApplication):
    """Every update, however it enters (polling, the inbox at start-up, the demo's and tests' simulator), is
    claimed exactly once: by its first write, in the transaction of its effects (``Database.write``), or — when
    its processing wrote nothing (a read, a refusal, a dropped flood) — here, once it has been processed."""

    async def process_update(self, update: object) -> None:
        runtime: Runtime | None = self.bot_data.get("runtime")
        if not isinstance(update, Update) or runtime is None:
            await super().process_update(update)
            return
        claim = UpdateClaim(update.update_id, runtime.clock.timestamp())
        token = current_claim.set(claim)
        try:
            await super().process_update(update)
            if claim.armed and not claim.committed and not claim.duplicate and not claim.failed:
                try:
                    await runtime.db.write(nothing)  # the claim, its bookkeeping and whatever was deferred
                    claim.committed = True
                except Exception:
                    log.warning("could not mark update %s processed", claim.update_id, exc_info=True)
        finally:
            current_claim.reset(token)  # the caller's context (a test, the demo) carries no claim afterwards


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


class InboxRequest(BaseRequest):
    """The getUpdates transport: each batch Telegram hands out is committed to the inbox (one group commit per
    batch) before it is returned to python-telegram-bot's updater, which asks for the next offset, and so
    confirms the batch to Telegram, only after that. Every other call passes through unchanged."""

    def __init__(self, inner: BaseRequest) -> None:
        self.inner = inner
        self.db: Database | None = None
        self.clock: Clock | None = None

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        code, payload = await self.inner.do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        if code == 200 and url.endswith("/getUpdates") and self.db is not None and self.db.is_open:
            batch = [(int(u["update_id"]), json.dumps(u, ensure_ascii=False))
                     for u in json.loads(payload).get("result") or []]  # fmt: skip
            if batch:
                now = self.clock.timestamp() if self.clock is not None else 0
                await self.db.write(outbox_repo.store_batch, batch, now)
        return code, payload


def build_application(
    settings: Settings,
    request: BaseRequest | None = None,
    rate_limit: bool = True,
    clock: Clock | None = None,
    db: Database | None = None,
) -> Application[Any, Any, Any, Any, Any, Any]:
    # python-telegram-bot's future behaviour (durations as timedelta), opted into here rather than by importing
    # the package: PTB reads the variable when it converts a duration, long after this.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    token = settings.token if request is None else (settings.token or OFFLINE_TOKEN)
    if token is None:
        token = settings.require_token()
    processor = PerChatUpdateProcessor()
    inbox = InboxRequest(request if request is not None else HTTPXRequest(connection_pool_size=1))
    builder = (
        ApplicationBuilder()
        # Control and bidi characters out of every update (handlers/inputs.py); every update claimed once.
        .application_class(BotApplication)
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
        .concurrent_updates(processor)
        .job_queue(scheduling.BotJobQueue())
        .post_init(startup)
        .post_shutdown(shutdown)
    )
    if request is not None:
        builder = builder.request(request)
    builder = builder.get_updates_request(inbox)
    if rate_limit:
        # Telegram's own limits (30 msg/s overall, 20/min per group) for the calls outside the outbox. No retries
        # here: the outbox's sender (and call_with_retries) retry, one layer only.
        builder = builder.rate_limiter(AIORateLimiter(max_retries=0))  # type: ignore[arg-type]
    app = builder.build()
    runtime = Runtime(settings=settings, db=db or Database(settings.database), clock=clock or SystemClock())
    runtime.outbox_paced = rate_limit  # the tests' fake clock is not advanced by pacing
    app.bot_data["runtime"] = runtime
    inbox.db, inbox.clock = runtime.db, runtime.clock
    install(app, FEATURES)
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
    if not await runtime.db.begin_instance():
        log.warning("another bot instance is running on this database: start-up recovery skipped (its sends, "
                    "claims and announcements in flight are its own, not a crash's)")  # fmt: skip
    await set_command_menus(app)
    try:
        for hook in runtime.startup_hooks:
            await hook(app)
    finally:
        await runtime.db.end_recovery()
    await process_inbox(app)


async def process_inbox(app: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """Updates stored but not processed before a crash go first, in update order (ordered within a chat by the
    update processor); Telegram's redelivered copies of them are then recognised as processed."""
    runtime: Runtime = app.bot_data["runtime"]
    pending = await runtime.db.read(outbox_repo.pending_updates)
    for _, payload in pending:
        update = Update.de_json(json.loads(payload), app.bot)
        if update is not None:
            await app.update_queue.put(update)
    if pending:
        log.warning("processing %d update(s) left in the inbox by a restart", len(pending))
    return len(pending)


async def shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    runtime: Runtime = app.bot_data["runtime"]
    for hook in runtime.shutdown_hooks:
        await hook(app)
    await runtime.db.close()


def runtime_of(app: Application[Any, Any, Any, Any, Any, Any]) -> Runtime:
    return app.bot_data["runtime"]


__all__ = ["OFFLINE_TOKEN", "BotContext", "build_application", "runtime_of", "shutdown", "startup"]
