"""Webhook mode (``klasterbot run --webhook URL``): Telegram POSTs each update to the bot's own HTTP server.

Every update is committed to the inbox (``storage.outbox.store_batch``, the table the polling path fills through
``app.InboxRequest``) *before* 200 is answered, then put on ``Application.update_queue``; a crash after the 200
loses nothing, because ``app.process_inbox`` queues the stored update at the next start. A retried delivery
(Telegram sends the same ``update_id`` again when it saw no 200 in time) is stored once and stops at the
pre-handler's claim (``storage.db.claim_update`` / ``core.begin_update``), so it changes nothing. A request
without Telegram's ``X-Telegram-Bot-Api-Secret-Token`` header, or with another secret, gets 403 and nothing is
stored. ``GET /healthz`` answers 200 with a short JSON when the database answers and the last Telegram call
succeeded recently (``bot/ops/health.py``), else 503.

Why not python-telegram-bot's own ``Updater.start_webhook``: its ``TelegramHandler`` puts the parsed update on
the queue and answers 200 with no public hook to commit first, serves one path only (no ``/healthz``), and
compares the secret with ``!=``. This module uses the same server library PTB's ``[webhooks]`` extra installs
(tornado) and only PTB's public pieces (``Update.de_json``, ``Application.update_queue``, ``Bot.set_webhook``).
See docs/design-notes.md, "Webhook mode".
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import signal
import socket
from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import tornado.netutil
import tornado.web
from telegram import Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer

from bot.kernel import outbox_storage as outbox_repo
from bot.kernel.config import ConfigError, Settings
from bot.kernel.runtime import Runtime
from bot.ops import health
from bot.ops import storage as ops_repo

log = logging.getLogger(__name__)

AnyApp = Application[Any, Any, Any, Any, Any, Any]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
# Telegram's updates are a few kilobytes; a message is at most 4096 characters (a reply quotes one more).
MAX_BODY_BYTES = 1 << 20
HEALTH_DB_TIMEOUT_S = 5.0


def webhook_path(settings: Settings, url: str) -> str:
    """The path the server serves: ``KLASTER_WEBHOOK_PATH``, else the public URL's own path (``/`` if none)."""
    path = settings.webhook_path or urlsplit(url).path or "/"
    return path if path.startswith("/") else f"/{path}"


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigError(f"--webhook {url!r} is not an http(s) URL (Telegram needs a public HTTPS URL).")
    return url


class _Json(tornado.web.RequestHandler):
    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.clear_header("Server")  # no software version to the internet

    def answer(self, status: int, body: dict[str, Any]) -> None:
        self.set_status(status)
        self.finish(json.dumps(body, ensure_ascii=False, sort_keys=True))


class UpdateHandler(_Json):
    """POST one update: secret checked, update committed to the inbox, queued, then 200."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, app: AnyApp, secret: str) -> None:
        self.app = app
        self.secret = secret.encode()

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            log.warning("webhook: request from %s without the right secret token refused", self.request.remote_ip)
            self.answer(HTTPStatus.FORBIDDEN, {"ok": False, "description": "Forbidden"})
            return
        try:
            data = json.loads(self.request.body)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            update_id = int(data["update_id"])
            update = Update.de_json(data, self.app.bot)
        except Exception as exc:
            # Not an update: nothing stored. (Telegram itself never sends one; 400 tells a proxy's test request.)
            log.warning("webhook: body is not a Telegram update (%s); nothing stored", exc)
            self.answer(HTTPStatus.BAD_REQUEST, {"ok": False, "description": "Bad Request: not an update"})
            return
        runtime: Runtime = self.app.bot_data["runtime"]
        payload = json.dumps(data, ensure_ascii=False)
        try:
            stored = await runtime.db.write(outbox_repo.store_batch, [(update_id, payload)], runtime.clock.timestamp())
        except Exception:
            # Not durable, so not acknowledged: Telegram delivers it again later.
            log.exception("webhook: update %s could not be stored; answering 503 so Telegram retries", update_id)
            self.answer(HTTPStatus.SERVICE_UNAVAILABLE, {"ok": False, "description": "Service Unavailable"})
            return
        if not stored:
            log.info("webhook: update %s delivered again (already stored or processed)", update_id)
        # Queued even when delivered again: the pre-handler's claim refuses it if it was processed, and processes
        # it if its first processing failed (rolled back), as a redelivery does in polling mode.
        await self.app.update_queue.put(update)
        self.answer(HTTPStatus.OK, {"ok": True})


class HealthHandler(_Json):
    """GET /healthz: 200 when healthy (``bot/ops/health.py``'s rules, plus the bot's own connection answering)."""

    SUPPORTED_METHODS = ("GET", "HEAD")

    def initialize(self, app: AnyApp, max_age_s: float) -> None:
        self.app = app
        self.max_age_s = max_age_s

    async def get(self) -> None:
        runtime: Runtime = self.app.bot_data["runtime"]
        problems: list[str] = []
        try:
            await asyncio.wait_for(runtime.db.read(ops_repo.schema_version), HEALTH_DB_TIMEOUT_S)
        except Exception as exc:
            problems.append(f"the bot's database connection does not answer: {type(exc).__name__}")
        settings = runtime.settings
        if settings.database_url is not None:  # PostgreSQL: the same rules, asked of the server
            report = await asyncio.to_thread(
                health.check_postgres, settings.database_url, runtime.clock.timestamp(), self.max_age_s
            )
        else:
            report = await asyncio.to_thread(health.check, settings.db_path, runtime.clock.timestamp(), self.max_age_s)
        problems += report.problems
        body: dict[str, Any] = {"healthy": not problems, "problems": problems}
        for key in ("schema_version", "heartbeat_age_s", "telegram_ok_age_s", "last_update_age_s"):
            if key in report.facts:
                body[key] = report.facts[key]
        self.answer(HTTPStatus.OK if not problems else HTTPStatus.SERVICE_UNAVAILABLE, body)

    async def head(self) -> None:
        await self.get()


class WebhookServer:
    """The HTTP server of webhook mode, on the Application's own event loop."""

    def __init__(self, app: AnyApp, secret: str, path: str, max_age_s: float = health.DEFAULT_MAX_AGE_S) -> None:
        if path == HEALTH_PATH:
            raise ConfigError(f"the webhook path cannot be {HEALTH_PATH}")
        routes: list[Any] = [
            (HEALTH_PATH, HealthHandler, {"app": app, "max_age_s": max_age_s}),
            (rf"{re.escape(path.rstrip('/'))}/?", UpdateHandler, {"app": app, "secret": secret}),
        ]
        self.web = tornado.web.Application(routes, log_function=lambda handler: None)
        self.http: HTTPServer | None = None
        self.port = 0

    async def start(self, listen: str, port: int) -> int:
        """Listen on ``listen:port`` (0: a free port); returns the port."""
        sockets = tornado.netutil.bind_sockets(port, address=listen, family=socket.AF_UNSPEC)
        self.http = HTTPServer(self.web, max_body_size=MAX_BODY_BYTES, idle_connection_timeout=60)
        self.http.add_sockets(sockets)
        self.port = int(sockets[0].getsockname()[1])
        return self.port

    async def stop(self) -> None:
        if self.http is not None:
            http, self.http = self.http, None
            http.stop()
            await http.close_all_connections()


async def serve(
    app: AnyApp, settings: Settings, url: str, stop: asyncio.Event, on_ready: Callable[[int], None] | None = None
) -> None:
    """Run the Application in webhook mode until ``stop`` is set; the order python-telegram-bot's own
    ``run_webhook`` uses (initialize, post_init, listen, setWebhook, start … stop, post_stop, shutdown,
    post_shutdown). ``on_ready`` gets the port once updates are processed (the tests listen on port 0)."""
    secret = settings.require_webhook_secret()
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)  # opens the database and queues what a crash left in the inbox
        server = WebhookServer(app, secret, webhook_path(settings, url))
        port = await server.start(settings.webhook_listen, settings.webhook_port)
        try:
            await app.bot.set_webhook(
                url=url, secret_token=secret, allowed_updates=Update.ALL_TYPES, drop_pending_updates=False
            )
            log.info("webhook mode: listening on %s:%s, Telegram posts to %s", settings.webhook_listen, port, url)
            await app.start()
            if on_ready is not None:
                on_ready(port)
            try:
                await stop.wait()
            finally:
                await server.stop()  # no new updates; those already answered 200 are in the inbox
                await app.stop()
                if app.post_stop is not None:
                    await app.post_stop(app)
        finally:
            await server.stop()
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


def run(app: AnyApp, settings: Settings, url: str) -> None:
    """``klasterbot run --webhook URL``: serve until SIGTERM or SIGINT."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await serve(app, settings, url, stop)

    asyncio.run(main())
