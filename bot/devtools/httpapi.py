"""The Bot API stand-in served over real HTTP on 127.0.0.1, for tests that run the bot as a real process
(``klasterbot run`` with ``TELEGRAM_API_BASE_URL`` pointing here): long polling, offsets and redelivery
behave as Telegram's do, so killing the process mid-stream is a faithful crash.

getUpdates follows Telegram: an update is handed out on every call until a later call asks for an ``offset``
above its ``update_id`` (that, and only that, confirms it); nothing is confirmed on delivery.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from bot.devtools.fakeapi import ApiCall, FakeBotApi

_PATH_RE = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>\w+)$")
_JSONISH = re.compile(r"^(?:-?\d+(?:\.\d+)?|true|false|null|[\[{].*)$", re.S)


def _decode(value: str) -> Any:
    if _JSONISH.match(value):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class HttpBotApi:
    """Thread-safe: the HTTP server threads and the test thread share one FakeBotApi under a lock."""

    def __init__(self, latency: tuple[float, float] = (0.0, 0.0), seed: int = 0) -> None:
        """``latency``: each call other than getUpdates is answered after a random delay in this range (seconds),
        *after* it was recorded, like a request Telegram received whose answer is still on its way."""
        self.fake = FakeBotApi()
        self.latency = latency
        self._rng = random.Random(seed)
        self.updates: list[dict[str, Any]] = []
        self.confirmed_offset = 0
        self.get_updates_calls = 0
        self.deliveries: dict[int, int] = {}  # update_id → times handed out (redelivery after a crash)
        self._cond = threading.Condition()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- test side ------------------------------------------------------------------------------
    def push(self, update: dict[str, Any]) -> None:
        with self._cond:
            self.updates.append(update)
            self._cond.notify_all()

    def fake_redeliveries(self) -> int:
        """How many times an update was handed out again because its offset was never confirmed."""
        with self._cond:
            return sum(n - 1 for n in self.deliveries.values() if n > 1)

    def pending(self) -> int:
        with self._cond:
            return len([u for u in self.updates if u["update_id"] >= self.confirmed_offset])

    def calls(self, method: str | None = None) -> list[ApiCall]:
        with self._cond:
            return [c for c in self.fake.calls if method is None or c.method == method]

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> str:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return None

            def do_GET(self) -> None:
                self.do_POST()

            def do_POST(self) -> None:
                match = _PATH_RE.match(self.path.split("?")[0])
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if match is None:
                    self._send(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                    return
                params = api._params(self.headers.get("Content-Type", ""), body)
                status, payload = api._handle(match.group("method"), params)
                self._send(status, payload)

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the bot process was killed mid-request: exactly what the crash tests do

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # ---- server side ----------------------------------------------------------------------------
    @staticmethod
    def _params(content_type: str, body: bytes) -> dict[str, Any]:
        if not body:
            return {}
        if "application/json" in content_type:
            return dict(json.loads(body))
        if "multipart/form-data" in content_type:
            return {}  # files are not needed by the process tests
        return {k: _decode(v[0]) for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}

    def _handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method == "getUpdates":
            with self._cond:
                conflict = self.fake.webhook_conflict(ApiCall(method, params))
            if conflict is not None:
                return conflict
            return 200, {"ok": True, "result": self._get_updates(params)}
        with self._cond:
            call = ApiCall(method, params)
            self.fake.calls.append(call)
            status, body = self.fake._dispatch(call)
            delay = self._rng.uniform(*self.latency) if self.latency[1] > 0 else 0.0
        if delay:
            time.sleep(delay)
        return status, body

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        self.get_updates_calls += 1
        timeout = min(float(params.get("timeout") or 0), 0.5)
        deadline = time.monotonic() + timeout
        with self._cond:
            if offset:
                # Telegram forgets updates below the offset: that is the confirmation.
                self.confirmed_offset = max(self.confirmed_offset, offset)
            while True:
                pending = [u for u in self.updates if u["update_id"] >= self.confirmed_offset]
                remaining = deadline - time.monotonic()
                if pending or remaining <= 0:
                    for update in pending[:100]:
                        self.deliveries[update["update_id"]] = self.deliveries.get(update["update_id"], 0) + 1
                    return pending[:100]
                self._cond.wait(remaining)
