"""Webhook mode end to end (issue #18 parts 3-4): the real bot serves its webhook on a free local port, the
in-process stand-in answers the Bot API (setWebhook included), and real update JSON is POSTed over HTTP."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import build_application, runtime_of, shutdown, startup
from bot.devtools.fakeapi import FakeBotApi
from bot.devtools.harness import running
from bot.devtools.httpapi import HttpBotApi
from bot.devtools.sim import Simulator
from bot.kernel import webhook
from bot.kernel.clock import FakeClock
from bot.kernel.config import ConfigError, Settings, load_settings
from bot.ops import heartbeat
from tests.support.db import q
from tests.support.people import ADMIN, DONOR, GROUP_ID, MEMBER, OTHER
from tests.support.world import member

SECRET = "s3cret-Token_for-tests"
PUBLIC_URL = "https://bot.example.test/tg/hook"
WAIT_S = 10.0


@dataclass
class WebhookBot:
    app: Any
    api: FakeBotApi
    sim: Simulator
    clock: FakeClock
    base: str

    async def post(self, update: dict[str, Any], secret: str | None = SECRET, path: str = "/tg/hook") -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[webhook.SECRET_HEADER] = secret
        async with httpx.AsyncClient() as client:
            return await client.post(self.base + path, content=json.dumps(update), headers=headers, timeout=WAIT_S)

    async def healthz(self) -> httpx.Response:
        async with httpx.AsyncClient() as client:
            return await client.get(self.base + "/healthz", timeout=WAIT_S)


def _chats(api: FakeBotApi) -> None:
    api.add_chat(GROUP_ID, "supergroup", "Klaster Logistik Kalsel")
    api.set_bot_rights(GROUP_ID)
    api.set_member(GROUP_ID, ADMIN.json(), "creator")
    for user in (MEMBER, OTHER, DONOR):
        api.set_member(GROUP_ID, user.json(), "member")


@asynccontextmanager
async def webhook_bot(db_path: Path, clock: FakeClock | None = None, beat: bool = False) -> AsyncIterator[WebhookBot]:
    """The bot in webhook mode exactly as ``klasterbot run --webhook`` runs it (``webhook.serve``), on port 0."""
    clock = clock or FakeClock()
    api = FakeBotApi(clock=clock.timestamp)
    _chats(api)
    settings = Settings(db_path=db_path, webhook_secret=SECRET, webhook_port=0)
    app = build_application(settings, request=api, rate_limit=False, clock=clock)
    if beat:
        heartbeat.install(app)
    stop = asyncio.Event()
    ready: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(webhook.serve(app, settings, PUBLIC_URL, stop, ready.set_result))
    done, _ = await asyncio.wait({task, ready}, timeout=WAIT_S, return_when=asyncio.FIRST_COMPLETED)
    if ready not in done:
        stop.set()
        await task  # raises what went wrong
        raise AssertionError("webhook server did not start")
    try:
        yield WebhookBot(app, api, Simulator(app, api, clock.timestamp), clock, f"http://127.0.0.1:{ready.result()}")
    finally:
        stop.set()
        await asyncio.wait_for(task, WAIT_S)


async def until(predicate: Any, what: str) -> None:
    """Bounded wait for the bot's own tasks (update queue, outbox sender) to get somewhere."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_S
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def cluster(bot: WebhookBot) -> None:
    await bot.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
    await member(bot, MEMBER, "Palang Merah Indonesia Kalsel | PMI Kalsel | ngo | Bjm | Kepala Gudang")  # type: ignore[arg-type]


def need_update(update_id: int, text: str = "/butuh 10 buah genset HSS") -> dict[str, Any]:
    """Real update JSON as Telegram posts it: a member's command in the cluster group."""
    return {"update_id": update_id, "message": {
        "message_id": update_id % 1_000_000, "date": 1_700_000_000,
        "chat": {"id": GROUP_ID, "type": "supergroup", "title": "Klaster Logistik Kalsel"},
        "from": MEMBER.json(), "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]}}  # fmt: skip


def saved_replies(api: FakeBotApi) -> list[str]:
    """The answer to a need posted in the group: its card there (K-0001)."""
    return [c.text for c in api.sent(GROUP_ID, "sendMessage") if "K-0001" in c.text and c.error is None]


def needs(db_path: Path) -> int:
    return int(q(db_path, "SELECT COUNT(*) FROM needs")[0][0])  # type: ignore[arg-type]


async def test_webhook_sets_the_webhook_and_a_posted_need_is_stored_and_answered(db_path: Path) -> None:
    async with webhook_bot(db_path) as bot:
        hook = [c for c in bot.api.calls if c.method == "setWebhook"]
        assert len(hook) == 1 and hook[0].params["url"] == PUBLIC_URL
        assert hook[0].params["secret_token"] == SECRET and "drop_pending_updates" in hook[0].params
        assert bot.api.webhook["url"] == PUBLIC_URL
        info = await bot.app.bot.get_webhook_info()
        assert info.url == PUBLIC_URL
        await cluster(bot)
        answer = await bot.post(need_update(910_001))
        assert answer.status_code == 200 and answer.json() == {"ok": True}
        await until(lambda: saved_replies(bot.api), "the need's card in the group")
        assert "Dibutuhkan: 10 buah" in saved_replies(bot.api)[0]
        assert q(db_path, "SELECT quantity, unit, status FROM needs") == [(10.0, "buah", "open")]
        assert q(db_path, "SELECT COUNT(*) FROM processed_updates WHERE update_id = 910001") == [(1,)]
        assert q(db_path, "SELECT COUNT(*) FROM inbox") == [(0,)]


async def test_webhook_wrong_or_missing_secret_is_refused_with_403_and_nothing_stored(db_path: Path) -> None:
    async with webhook_bot(db_path) as bot:
        await cluster(bot)
        calls_before = len(bot.api.calls)
        for secret in (None, "wrong-secret", SECRET + "x", ""):
            answer = await bot.post(need_update(910_101), secret=secret)
            assert answer.status_code == 403, secret
        answer = await bot.post(need_update(910_101), path="/tg/other")  # another path: not the webhook
        assert answer.status_code == 404
        await asyncio.sleep(0.2)  # would the update have been queued, its processing starts at once
        assert needs(db_path) == 0
        assert q(db_path, "SELECT COUNT(*) FROM inbox") == [(0,)]
        assert q(db_path, "SELECT COUNT(*) FROM processed_updates WHERE update_id = 910101") == [(0,)]
        assert len(bot.api.calls) == calls_before
        bad = await bot.post({"no": "update"})
        assert bad.status_code == 400 and q(db_path, "SELECT COUNT(*) FROM inbox") == [(0,)]


async def test_webhook_the_same_update_posted_twice_makes_one_need(db_path: Path) -> None:
    async with webhook_bot(db_path) as bot:
        await cluster(bot)
        first, second = await asyncio.gather(bot.post(need_update(910_201)), bot.post(need_update(910_201)))
        assert first.status_code == second.status_code == 200
        await until(lambda: saved_replies(bot.api), "the card")
        third = await bot.post(need_update(910_201))  # Telegram's retry after it missed our 200
        assert third.status_code == 200
        await until(lambda: q(db_path, "SELECT COUNT(*) FROM inbox") == [(0,)], "the inbox to empty")
        await asyncio.sleep(0.2)
        assert needs(db_path) == 1
        assert len(saved_replies(bot.api)) == 1
        assert q(db_path, "SELECT COUNT(*) FROM processed_updates WHERE update_id = 910201") == [(1,)]


async def test_webhook_an_update_answered_200_survives_a_crash_before_processing(db_path: Path) -> None:
    """The process dies after answering 200 and before the handler ran: the update is in the inbox, so the
    restarted bot processes it, once; Telegram's later redelivery of it changes nothing."""
    clock = FakeClock()
    async with webhook_bot(db_path, clock) as bot:
        await cluster(bot)
    # A bot whose update processing never runs (its Application is not started): the webhook server alone.
    api = FakeBotApi(clock=clock.timestamp)
    _chats(api)
    app = build_application(Settings(db_path=db_path), request=api, rate_limit=False, clock=clock)
    await app.initialize()
    await startup(app)
    server = webhook.WebhookServer(app, SECRET, "/tg/hook")
    port = await server.start("127.0.0.1", 0)
    try:
        async with httpx.AsyncClient() as client:
            answer = await client.post(f"http://127.0.0.1:{port}/tg/hook", content=json.dumps(need_update(910_301)),
                                       headers={webhook.SECRET_HEADER: SECRET}, timeout=WAIT_S)  # fmt: skip
        assert answer.status_code == 200
        assert [u for (u,) in q(db_path, "SELECT update_id FROM inbox")] == [910_301]  # durable before the 200
        assert needs(db_path) == 0 and app.update_queue.qsize() == 1
    finally:
        await server.stop()  # the "crash": the queued update is dropped with the process
        await shutdown(app)
        await app.shutdown()
    async with webhook_bot(db_path, clock) as bot:  # restart: start-up queues the inbox first
        await until(lambda: saved_replies(bot.api), "the restarted bot's card")
        again = await bot.post(need_update(910_301))
        assert again.status_code == 200
        await until(lambda: q(db_path, "SELECT COUNT(*) FROM inbox") == [(0,)], "the inbox to empty")
        await asyncio.sleep(0.2)
        assert needs(db_path) == 1 and len(saved_replies(bot.api)) == 1
        assert q(db_path, "SELECT COUNT(*) FROM processed_updates WHERE update_id = 910301") == [(1,)]


async def test_webhook_an_unstorable_update_is_not_acknowledged(db_path: Path) -> None:
    """When the inbox write fails, Telegram must not get 200 (it would never deliver the update again)."""
    async with webhook_bot(db_path) as bot:
        await cluster(bot)
        original = webhook.outbox_repo.store_batch

        def locked(*args: Any) -> int:
            raise RuntimeError("database is locked")

        webhook.outbox_repo.store_batch = locked  # type: ignore[assignment]
        try:
            answer = await bot.post(need_update(910_401))
        finally:
            webhook.outbox_repo.store_batch = original  # type: ignore[assignment]
        assert answer.status_code == 503
        await asyncio.sleep(0.2)
        assert needs(db_path) == 0
        assert (await bot.post(need_update(910_401))).status_code == 200  # Telegram's retry
        await until(lambda: needs(db_path) == 1, "the retried need")


async def test_webhook_healthz_200_when_healthy_503_when_heartbeat_or_telegram_is_stale(db_path: Path) -> None:
    async with webhook_bot(db_path, beat=True) as bot:
        healthy = await bot.healthz()
        assert healthy.status_code == 200, healthy.text
        body = healthy.json()
        assert body["healthy"] is True and body["problems"] == [] and body["telegram_ok_age_s"] == 0
        bot.clock.advance(timedelta(seconds=301))  # no beat for five minutes: loop stuck or database refusing
        stale = await bot.healthz()
        assert stale.status_code == 503 and "heartbeat" in stale.json()["problems"][0]
        bot.api.fail("getMe", "server", times=1)
        assert await heartbeat.beat(bot.app) is False  # a fresh beat, but Telegram did not answer for 301 s
        down = await bot.healthz()
        assert down.status_code == 503 and "Telegram" in down.json()["problems"][0]
        assert await heartbeat.beat(bot.app) is True
        assert (await bot.healthz()).status_code == 200
        await runtime_of(bot.app).db.close()  # the bot's own connection is gone
        gone = await bot.healthz()
        assert gone.status_code == 503 and "database" in gone.json()["problems"][0]
        await runtime_of(bot.app).db.open()


async def test_webhook_settings_and_secret_rules() -> None:
    settings = load_settings({"KLASTER_WEBHOOK_URL": PUBLIC_URL, "KLASTER_WEBHOOK_PORT": "8443",
                              "KLASTER_WEBHOOK_LISTEN": "0.0.0.0", "KLASTER_WEBHOOK_SECRET": SECRET}, dotenv=None)  # fmt: skip
    assert (settings.webhook_url, settings.webhook_port, settings.webhook_listen) == (PUBLIC_URL, 8443, "0.0.0.0")
    assert webhook.webhook_path(settings, PUBLIC_URL) == "/tg/hook"
    assert webhook.webhook_path(Settings(webhook_path="inner"), PUBLIC_URL) == "/inner"
    assert settings.require_webhook_secret() == SECRET
    for bad in ("", "with space", "x" * 257, "ümlaut"):
        with pytest.raises(ConfigError):
            Settings(webhook_secret=bad).require_webhook_secret()
    with pytest.raises(ConfigError):
        load_settings({"KLASTER_WEBHOOK_PORT": "70000"}, dotenv=None)
    with pytest.raises(ConfigError):
        webhook.check_url("ftp://bot.example.test/")


async def test_fake_api_set_webhook_behaves_like_telegram() -> None:
    api = FakeBotApi()
    app = build_application(Settings(db_path=Path(":memory:")), request=api, rate_limit=False)
    await app.bot.initialize()
    from telegram.error import BadRequest, Conflict

    with pytest.raises(BadRequest, match=r"(?i)https url"):
        await app.bot.set_webhook("http://bot.example.test/hook")
    with pytest.raises(BadRequest, match=r"(?i)ports"):
        await app.bot.set_webhook("https://bot.example.test:8080/hook")
    assert await app.bot.set_webhook(PUBLIC_URL, secret_token=SECRET)
    with pytest.raises(Conflict):
        await app.bot.get_updates(timeout=0)
    assert await app.bot.delete_webhook()
    assert (await app.bot.get_webhook_info()).url == ""
    assert await app.bot.get_updates(timeout=0) == ()
    await app.bot.shutdown()


# ---- the real process: `klasterbot run --webhook`, SIGKILLed right after its 200 -----------------------------

TOKEN = "123456789:WEBHOOK-klaster-logistik-00000000000"


async def _seed(db: Path) -> None:
    async with running(db) as h:
        h.clock.set(datetime.now(UTC))
        _chats(h.api)
        await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
        await member(h, MEMBER, "Palang Merah Indonesia Kalsel | PMI Kalsel | ngo | Bjm | Kepala Gudang")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(predicate: Any, what: str, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}:\n{log.read_text()[-3000:]}")


def _http(method: str, url: str, body: dict[str, Any] | None = None, secret: str | None = SECRET) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[webhook.SECRET_HEADER] = secret
    try:
        return httpx.request(method, url, content=json.dumps(body) if body else None, headers=headers,
                             timeout=WAIT_S).status_code  # fmt: skip
    except httpx.TransportError:
        return 0


def test_webhook_process_killed_right_after_200_processes_the_update_once_after_restart(tmp_path: Path) -> None:
    db = tmp_path / "klaster.db"
    asyncio.run(_seed(db))
    api = HttpBotApi(latency=(0.05, 0.2))  # Bot API answers take a while, as Telegram's do
    base = api.start()
    port = _free_port()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": base, "KLASTER_DB": str(db),
           "KLASTER_WEBHOOK_SECRET": SECRET, "KLASTER_WEBHOOK_PORT": str(port), "KLASTER_LOG_LEVEL": "INFO"}  # fmt: skip
    hook, health_url = f"http://127.0.0.1:{port}/tg/hook", f"http://127.0.0.1:{port}/healthz"
    log = tmp_path / "bot.log"

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "bot", "run", "--webhook", PUBLIC_URL], env=env, cwd=tmp_path,
                                stdout=subprocess.DEVNULL, stderr=log.open("ab"))  # fmt: skip

    proc = start()
    try:
        _wait(lambda: _http("GET", health_url) == 200, "/healthz 200 from the running bot", log)
        assert [c.params.get("url") for c in api.calls("setWebhook")] == [PUBLIC_URL]
        assert _http("POST", hook, need_update(920_001), secret="wrong") == 403
        assert _http("POST", hook, need_update(920_001)) == 200
        proc.kill()  # SIGKILL the moment the 200 arrived
        proc.wait(30)
        stored = q(db, "SELECT COUNT(*) FROM inbox")[0][0], needs(db)
        print(f"after SIGKILL: inbox rows, needs = {stored}")
        assert stored in ((1, 0), (0, 1))  # in the inbox, or processed with its effect: never neither
        assert _http("GET", health_url) == 0  # nothing listens while it is down
        proc = start()
        _wait(lambda: needs(db) == 1 and q(db, "SELECT COUNT(*) FROM inbox") == [(0,)], "the need after restart", log)
        _wait(lambda: _http("GET", health_url) == 200, "/healthz 200 after restart", log)
        assert _http("POST", hook, need_update(920_001)) == 200  # Telegram's retry of the delivery
        time.sleep(1.0)
        assert needs(db) == 1
        assert q(db, "SELECT COUNT(*) FROM processed_updates WHERE update_id = 920001") == [(1,)]
        _wait(lambda: len([c for c in api.calls("sendMessage") if c.chat_id == GROUP_ID and "K-0001" in c.text])
              + q(db, "SELECT COUNT(*) FROM outbox WHERE status = 'uncertain'")[0][0] >= 1, "the card", log)  # fmt: skip
        cards = [c for c in api.calls("sendMessage") if c.chat_id == GROUP_ID and "K-0001" in c.text]
        uncertain = q(db, "SELECT COUNT(*) FROM outbox WHERE status = 'uncertain'")[0][0]
        assert len(cards) == 1 or (not cards and uncertain == 1)  # posted once, or recorded uncertain: never twice
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        api.stop()
    assert proc.returncode == 0, log.read_text()[-3000:]


def test_run_webhook_refuses_a_missing_secret_or_a_bad_url_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from bot.__main__ import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("KLASTER_DB", str(tmp_path / "klaster.db"))
    monkeypatch.delenv("KLASTER_WEBHOOK_SECRET", raising=False)
    monkeypatch.delenv("KLASTER_WEBHOOK_URL", raising=False)
    assert main(["run", "--webhook", PUBLIC_URL]) == 2
    assert "KLASTER_WEBHOOK_SECRET is not set" in capsys.readouterr().err
    monkeypatch.setenv("KLASTER_WEBHOOK_SECRET", SECRET)
    assert main(["run", "--webhook", "ftp://bot.example.test/"]) == 2
    assert "not an http(s) URL" in capsys.readouterr().err
    monkeypatch.setenv("KLASTER_WEBHOOK_URL", PUBLIC_URL)
    monkeypatch.setenv("KLASTER_WEBHOOK_SECRET", "not allowed!")
    assert main(["run"]) == 2  # the URL from the environment selects webhook mode just as --webhook does
    assert "KLASTER_WEBHOOK_SECRET must be" in capsys.readouterr().err
    assert not (tmp_path / "klaster.db").exists()
