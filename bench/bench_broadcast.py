"""Announcement to 1,000 chats against a Bot API stand-in that enforces Telegram's limits.

The stand-in (``LimitedBotApi``, a ``FakeBotApi``) accepts at most 30 messages (sends and edits) in any one
second and 20 per minute into one group, and answers anything beyond with 429 "retry after", as Telegram does.
The bot runs unchanged (real Application, ``/umumkan`` → preview → confirm, background sending, database
records) on a *scaled* clock: the runtime's clock and sleep, and the stand-in's clock, run ``SCALE`` times faster
than wall time, so 1,000 messages at 30/s (about 33 s on the bot's clock) take a few seconds of real time.

Reported: the time from the confirmation to the final report and the span from the first to the last
announcement (on the bot's clock) against the limit's minimum ((n − 1) / 30 s), messages lost or duplicated,
429 answers, and the real time taken. Target: within 10 % of the minimum, nothing lost.

Run: ``python -m bench.bench_broadcast [N] [--scale S]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sqlite3
import sys
import tempfile
import time
from collections import Counter, deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.devtools.fakeapi import ApiCall, FakeBotApi
from bot.devtools.harness import running
from bot.devtools.sim import SimUser
from bot.features.broadcast import handlers as broadcast_handlers

PER_SECOND = 30
GROUP_PER_MINUTE = 20
SCALE = 10.0
TARGET_RATIO = 1.10
GROUP_ID = -1001234567890
ADMIN = SimUser(1001, "Rina", "Sekretariat", "rina_bpbd")
FIRST_REP = 100_000
START = datetime(2025, 8, 21, 1, 0, tzinfo=UTC)


class ScaledClock:
    """The bot's clock running ``scale`` times faster than wall time (a ``bot.kernel.clock.Clock``)."""

    def __init__(self, scale: float, start: datetime = START) -> None:
        self.scale = scale
        self._start = start.timestamp()
        self._origin = time.perf_counter()

    def seconds(self) -> float:
        return self._start + (time.perf_counter() - self._origin) * self.scale

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.seconds(), UTC)

    def timestamp(self) -> int:
        return int(self.seconds())

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.scale)

    def advance(self, delta: timedelta) -> datetime:  # the harness installs a fake sleep calling this; replaced below
        return self.now()


class LimitedBotApi(FakeBotApi):
    """Rejects with 429 whatever goes beyond 30 messages a second overall or 20 a minute into one group."""

    def __init__(self, clock: ScaledClock) -> None:
        super().__init__(clock=clock.timestamp)
        self.seconds = clock.seconds
        self._recent: deque[float] = deque()
        self._groups: dict[int, deque[float]] = {}
        self.rejected = 0
        self.accepted_at: dict[int, list[float]] = {}

    def _dispatch(self, call: ApiCall) -> tuple[int, dict[str, Any]]:
        if call.method.startswith(("send", "edit")):
            now = self.seconds()
            while self._recent and self._recent[0] <= now - 1.0:
                self._recent.popleft()
            wait = self._recent[0] + 1.0 - now if len(self._recent) >= PER_SECOND else 0.0
            chat_id = call.chat_id or 0
            group = self._groups.setdefault(chat_id, deque()) if chat_id < 0 else None
            if group is not None:
                while group and group[0] <= now - 60.0:
                    group.popleft()
                if len(group) >= GROUP_PER_MINUTE:
                    wait = max(wait, group[0] + 60.0 - now)
            if wait > 0:
                self.rejected += 1
                seconds = max(1, math.ceil(wait))
                return self._error(call, 429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
            self._recent.append(now)
            if group is not None:
                group.append(now)
            status, body = super()._dispatch(call)
            if call.method == "sendMessage" and status == 200:
                self.accepted_at.setdefault(chat_id, []).append(now)
            return status, body
        return super()._dispatch(call)


def _seed(db_path: Path, count: int) -> list[int]:
    ids = [FIRST_REP + i for i in range(count)]
    now = int(START.timestamp())
    conn = sqlite3.connect(db_path)
    try:
        with conn:
            conn.executemany(
                "INSERT INTO users (user_id, first_name, username, updated_at) VALUES (?, ?, ?, ?)",
                [(uid, f"Relawan {i}", f"relawan{i}", now) for i, uid in enumerate(ids)],
            )
            conn.executemany(
                "INSERT INTO organizations (id, cluster_id, name, norm_name, type, status, created_at) "
                "VALUES (?, 1, ?, ?, 'ngo', 'approved', ?)",
                [(10_000 + i, f"Organisasi {i}", f"organisasi {i}", now) for i in range(count)],
            )
            conn.executemany(
                "INSERT INTO members (cluster_id, user_id, organization_id, status, joined_at) VALUES (1, ?, ?, 'active', ?)",
                [(uid, 10_000 + i, now) for i, uid in enumerate(ids)],
            )
    finally:
        conn.close()
    return ids


async def run(n: int = 1000, scale: float = SCALE) -> dict[str, Any]:
    """Announce to ``n`` chats (the group and n − 1 representatives); return the figures."""
    clock = ScaledClock(scale)
    api = LimitedBotApi(clock)
    api.add_chat(GROUP_ID, "supergroup", "Klaster Logistik Kalsel")
    api.set_bot_rights(GROUP_ID)
    api.set_member(GROUP_ID, ADMIN.json(), "creator")
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "bench.db"
        async with running(db_path, clock=clock, api=api) as h:  # type: ignore[arg-type]
            h.runtime.sleep = clock.sleep
            await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
            reps = _seed(db_path, n - 1)
            calls = await h.sim.send(ADMIN, text="/umumkan Rapat koordinasi klaster besok pukul 09.00 di BPBD Kalsel.")
            card = calls[-1]
            await clock.sleep(2.0)  # the secretariat reads the preview before pressing "Send"
            api.rejected = 0
            api.accepted_at.clear()
            wall = time.perf_counter()
            started = clock.seconds()
            await h.sim.press(ADMIN, card, data=card.buttons[0][0]["callback_data"])
            await broadcast_handlers.drain(h.app)
            finished = clock.seconds()
            wall = time.perf_counter() - wall
            handoffs = h.runtime.db.handoffs
    recipients = [GROUP_ID, *reps]
    received = Counter({chat: len(api.accepted_at.get(chat, [])) for chat in recipients})
    times = sorted(t for chat in recipients for t in api.accepted_at.get(chat, []))
    minimum = (n - 1) / PER_SECOND
    total = finished - started
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    return {
        "messages": n,
        "delivered": sum(1 for chat in recipients if received[chat] >= 1),
        "lost": sum(1 for chat in recipients if received[chat] == 0),
        "duplicates": sum(received[chat] - 1 for chat in recipients if received[chat] > 1),
        "rejected_429": api.rejected,
        "minimum_s": round(minimum, 2),
        "total_s": round(total, 2),
        "span_s": round(span, 2),
        "ratio_total": round(total / minimum, 3) if minimum else None,
        "ratio_span": round(span / minimum, 3) if minimum else None,
        "within_10pct": bool(minimum and total <= minimum * TARGET_RATIO),
        "scale": scale,
        "wall_s": round(wall, 2),
        "db_handoffs": handoffs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_broadcast", description=__doc__.split("\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=1000, help="chats to announce to (default 1000)")
    parser.add_argument("--scale", type=float, default=SCALE, help="how much faster the bot's clock runs")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.n, args.scale))
    print(json.dumps(result, indent=2))
    print(
        f"broadcast {result['messages']}: {result['total_s']} s on the bot's clock vs minimum {result['minimum_s']} s "
        f"(×{result['ratio_total']}), lost {result['lost']}, duplicates {result['duplicates']}, "
        f"429s {result['rejected_429']}, {result['wall_s']} s real",
        file=sys.stderr,
    )
    return 0 if result["within_10pct"] and result["lost"] == 0 and result["duplicates"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
