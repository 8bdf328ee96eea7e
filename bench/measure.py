"""Measurement core: feed a started Application sequentially or with many updates in flight.

Latency of one update is the time from handing it to the Application (``process_update`` or
``update_queue.put``) to the first ``sendMessage`` the stand-in records for that update's chat.
Throughput is completed updates over wall time, including building each update (``Update.de_json``,
as PTB's Updater does in production). Warm-up runs are discarded.
"""

from __future__ import annotations

import asyncio
import gc
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from time import perf_counter_ns, process_time_ns
from typing import Any

from telegram import Update
from telegram.ext import Application
from telegram.request import RequestData

from bot.devtools.fakeapi import ApiCall, FakeBotApi
from bot.devtools.sim import Simulator
from bot.kernel.clock import FakeClock
from bot.kernel.db import Database

AnyApp = Application[Any, Any, Any, Any, Any, Any]
SEQUENTIAL = "sequential"
CONCURRENT = "concurrent"
MODES = (SEQUENTIAL, CONCURRENT)


class TimedFakeBotApi(FakeBotApi):
    """The stand-in, adding up the time spent inside it so its cost can be told apart from the bot's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.busy_ns = 0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        start = perf_counter_ns()
        try:
            return await super().do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
            )
        finally:
            self.busy_ns += perf_counter_ns() - start


@dataclass(frozen=True, slots=True)
class Request:
    """One update to send: its JSON (without ``update_id``), the chat the reply is expected in, and a
    substring the reply must contain (a wrong or error reply counts as an error, not as a fast update).
    ``reply_method`` is the call that answers it: ``sendMessage`` to ``chat_id``, ``editMessageText`` of the pressed
    message (an amount button: its message says "Tersimpan"), or ``answerCallbackQuery`` for a button whose answer
    is the press's own notice (the stage buttons, RSVP)."""

    raw: dict[str, Any]
    chat_id: int
    expect: str
    reply_method: str = "sendMessage"


@dataclass(frozen=True)
class Workload:
    """``make(lane, seq)`` builds the ``seq``-th request of ``lane``. Lanes must never share a chat: each
    lane is one client with one update in flight. Sequential runs round-robin over the lanes."""

    make: Callable[[int, int], Request]
    lanes: int


@dataclass(slots=True)
class Flight:
    update_id: int
    chat_id: int
    reply_method: str = "sendMessage"
    callback_id: str | None = None
    put_ns: int = 0
    reply_ns: int = 0
    reply: ApiCall | None = None
    done: asyncio.Future[None] | None = None


class Tracker:
    """Matches each update to the first message sent to its chat, and notices when its processing ends."""

    def __init__(self) -> None:
        self._by_chat: dict[int, Flight] = {}
        self._by_update: dict[int, Flight] = {}
        self._by_callback: dict[str, Flight] = {}

    def attach(self, app: AnyApp, api: FakeBotApi) -> None:
        """Listen to the stand-in and wrap the update processor instance (same wrapper for every app)."""
        api.listeners.append(self._on_call)
        processor = app.update_processor
        inner = processor.do_process_update

        async def traced(update: object, coroutine: Awaitable[Any]) -> None:
            try:
                await inner(update, coroutine)
            finally:
                self._on_done(update)

        processor.do_process_update = traced  # type: ignore[method-assign]

    def open(self, update_id: int, chat_id: int, concurrent: bool, reply_method: str = "sendMessage",
             callback_id: str | None = None) -> Flight:  # fmt: skip
        if chat_id in self._by_chat:
            raise RuntimeError(f"two updates in flight for chat {chat_id}: lanes must not share chats")
        flight = Flight(update_id, chat_id, reply_method, callback_id)
        if concurrent:
            flight.done = asyncio.get_running_loop().create_future()
        self._by_chat[chat_id] = flight
        self._by_update[update_id] = flight
        if callback_id is not None:
            self._by_callback[callback_id] = flight
        return flight

    def close(self, flight: Flight) -> None:
        self._by_chat.pop(flight.chat_id, None)
        self._by_update.pop(flight.update_id, None)
        if flight.callback_id is not None:
            self._by_callback.pop(flight.callback_id, None)

    def _on_call(self, call: ApiCall) -> None:
        now = perf_counter_ns()
        if call.method == "answerCallbackQuery":
            flight = self._by_callback.get(str(call.params.get("callback_query_id")))
            if flight is not None and flight.reply_method == call.method and flight.reply is None:
                flight.reply_ns = now
                flight.reply = call
            return
        if call.method not in ("sendMessage", "editMessageText"):  # an answer may edit the pressed message
            return
        chat_id = call.chat_id
        flight = self._by_chat.get(chat_id) if chat_id is not None else None
        if flight is not None and flight.reply_method != call.method:
            return
        if flight is not None and flight.reply is None:
            flight.reply_ns = now
            flight.reply = call

    def _on_done(self, update: object) -> None:
        flight = self._by_update.get(getattr(update, "update_id", -1))
        if flight is not None and flight.done is not None and not flight.done.done():
            flight.done.set_result(None)


@dataclass
class Target:
    """A started Application on the stand-in, with a tracker attached.

    With a ``clock``, every update moves the bot's fake clock on by ``tick``: 100 members sending
    thousands of updates per wall-clock second would otherwise trip the per-user flood guard, which
    counts updates per bot-clock window. Bot time thus models a plausible per-member rate while the
    wall clock measures throughput.
    """

    app: AnyApp
    api: TimedFakeBotApi
    sim: Simulator
    db: Database | None = None
    clock: FakeClock | None = None
    tick: timedelta = timedelta(0)
    tracker: Tracker = field(default_factory=Tracker)

    def __post_init__(self) -> None:
        self.tracker.attach(self.app, self.api)

    def handoffs(self) -> int:
        return self.db.handoffs if self.db is not None else 0

    def update(self, request: Request) -> Update:
        if self.clock is not None:
            self.clock.advance(self.tick)
        raw = dict(request.raw)
        raw["update_id"] = self.sim.next_update_id()
        if "callback_query" in raw:  # a press's id is unique, so its answer can be told apart
            raw["callback_query"] = {**raw["callback_query"], "id": f"cb{raw['update_id']}"}
        return Update.de_json(raw, self.app.bot)

    def open(self, update: Update, request: Request, concurrent: bool) -> Flight:
        callback_id = update.callback_query.id if update.callback_query is not None else None
        return self.tracker.open(update.update_id, request.chat_id, concurrent, request.reply_method, callback_id)

    def reset(self) -> None:
        """Forget recorded calls and messages between runs (keeps every run's heap alike)."""
        self.api.calls.clear()
        # Messages the setup adopted (ids below the stand-in's first, 1000: the messages buttons sit on) stay.
        adopted = {key: m for key, m in self.api.messages.items() if key[1] < 1000}
        self.api.messages.clear()
        self.api.messages.update(adopted)


async def settle(target: Target, limit_s: float = 2.0) -> None:
    """Let the outbox's background sender deliver what the slice's updates owe (bounded), so the calls they
    cause are counted in the slice that caused them."""
    deadline = perf_counter_ns() + int(limit_s * 1e9)
    seen = -1
    while perf_counter_ns() < deadline and len(target.api.calls) != seen:
        seen = len(target.api.calls)
        await asyncio.sleep(0.02)


def percentile(sorted_values: list[int], p: float) -> int:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not sorted_values:
        return 0
    rank = min(len(sorted_values), max(1, math.ceil(len(sorted_values) * p / 100)))
    return sorted_values[rank - 1]


@dataclass
class RunStats:
    mode: str
    updates: int = 0
    elapsed_ns: int = 0
    latencies_ns: list[int] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    handoffs: int = 0
    api_calls: int = 0  # Bot API calls recorded by the stand-in (answers, cards, edits, notices, outbox sends)
    api_ns: int = 0
    cpu_ns: int = 0  # process CPU time (all threads): steadier than wall time on a shared machine

    def record(self, flight: Flight, expect: str) -> None:
        self.updates += 1
        reply = flight.reply
        if reply is None or reply.error is not None or expect not in reply.text:
            self.errors += 1
            if not self.first_error:
                self.first_error = "no reply" if reply is None else (reply.error or reply.text)[:200]
            return
        self.latencies_ns.append(flight.reply_ns - flight.put_ns)

    def metrics(self) -> dict[str, float]:
        lat = sorted(self.latencies_ns)
        n = max(1, self.updates)
        ms = 1e-6
        return {
            "updates": self.updates,
            "elapsed_s": round(self.elapsed_ns / 1e9, 3),
            "throughput_per_s": round(self.updates / (self.elapsed_ns / 1e9), 1) if self.elapsed_ns else 0.0,
            # The stand-in runs on the event loop; production pays a network round trip there instead.
            "throughput_excl_standin_per_s": round(self.updates / ((self.elapsed_ns - self.api_ns) / 1e9), 1)
            if self.elapsed_ns > self.api_ns
            else 0.0,
            "p50_ms": round(percentile(lat, 50) * ms, 3),
            "p90_ms": round(percentile(lat, 90) * ms, 3),
            "p99_ms": round(percentile(lat, 99) * ms, 3),
            "max_ms": round((lat[-1] if lat else 0) * ms, 3),
            "mean_ms": round(sum(lat) / len(lat) * ms, 3) if lat else 0.0,
            "errors": self.errors,
            "db_handoffs_per_update": round(self.handoffs / n, 3),
            "api_calls_per_update": round(self.api_calls / n, 3),
            "api_us_per_update": round(self.api_ns / n / 1000, 1),
            "cpu_us_per_update": round(self.cpu_ns / n / 1000, 1),
        }


async def _sequential(target: Target, workload: Workload, seconds: float, stats: RunStats) -> None:
    app, tracker = target.app, target.tracker
    lanes = workload.lanes
    start = perf_counter_ns()
    deadline = start + int(seconds * 1e9)
    n = 0
    while perf_counter_ns() < deadline:
        request = workload.make(n % lanes, n // lanes)
        update = target.update(request)
        flight = target.open(update, request, concurrent=False)
        flight.put_ns = perf_counter_ns()
        await app.process_update(update)
        tracker.close(flight)
        stats.record(flight, request.expect)
        n += 1
    stats.elapsed_ns += perf_counter_ns() - start


async def _concurrent(target: Target, workload: Workload, seconds: float, stats: RunStats) -> None:
    queue, tracker = target.app.update_queue, target.tracker
    start = perf_counter_ns()
    deadline = start + int(seconds * 1e9)

    async def lane(index: int) -> None:
        seq = 0
        while perf_counter_ns() < deadline:
            request = workload.make(index, seq)
            seq += 1
            update = target.update(request)
            flight = target.open(update, request, concurrent=True)
            flight.put_ns = perf_counter_ns()
            await queue.put(update)
            assert flight.done is not None
            await flight.done
            tracker.close(flight)
            stats.record(flight, request.expect)

    await asyncio.gather(*(lane(i) for i in range(workload.lanes)))
    stats.elapsed_ns += perf_counter_ns() - start


async def _warm(target: Target, workload: Workload, mode: str, seconds: float) -> None:
    if not target.app.running:
        raise RuntimeError("start the Application first (concurrent runs go through app.update_queue)")
    if seconds > 0:
        await (_sequential if mode == SEQUENTIAL else _concurrent)(target, workload, seconds, RunStats(mode))
    target.reset()
    gc.collect()


async def _slice(target: Target, workload: Workload, seconds: float, stats: RunStats) -> float:
    """Run one measured slice, add it to ``stats``; returns the slice's throughput (updates/s)."""
    runner = _sequential if stats.mode == SEQUENTIAL else _concurrent
    updates, elapsed = stats.updates, stats.elapsed_ns
    handoffs, api_ns, cpu_ns = target.handoffs(), target.api.busy_ns, process_time_ns()
    calls = len(target.api.calls)
    await runner(target, workload, seconds, stats)
    await settle(target)
    stats.api_calls += len(target.api.calls) - calls
    stats.cpu_ns += process_time_ns() - cpu_ns
    stats.handoffs += target.handoffs() - handoffs
    stats.api_ns += target.api.busy_ns - api_ns
    target.reset()
    return (stats.updates - updates) / max(1, stats.elapsed_ns - elapsed) * 1e9


async def measure(target: Target, workload: Workload, mode: str, seconds: float, warmup_s: float) -> RunStats:
    """Warm up, then run ``mode`` for ``seconds`` (lanes finish their last update after the deadline)."""
    await _warm(target, workload, mode, warmup_s)
    stats = RunStats(mode)
    await _slice(target, workload, seconds, stats)
    return stats


@dataclass
class Paired:
    """A scenario measured in slices interleaved with the floor, so that both see the same machine."""

    stats: RunStats
    floor: RunStats
    pair_ratios: list[float]  # per slice pair: scenario throughput / floor throughput
    floor_rates: list[float]  # the floor's throughput in each of its slices (shows how steady the machine was)


async def measure_paired(
    target: Target, workload: Workload, floor: Target, floor_workload: Workload, mode: str, seconds: float,
    warmup_s: float, slices: int,
) -> Paired:  # fmt: skip
    """``seconds`` each for the scenario and the floor, in ``slices`` pairs ordered ABBA (cancels linear drift)."""
    await _warm(floor, floor_workload, mode, warmup_s)
    await _warm(target, workload, mode, warmup_s)
    paired = Paired(RunStats(mode), RunStats(mode), [], [])
    part = seconds / slices
    for index in range(slices):
        if index % 2 == 0:
            floor_rate = await _slice(floor, floor_workload, part, paired.floor)
            rate = await _slice(target, workload, part, paired.stats)
        else:
            rate = await _slice(target, workload, part, paired.stats)
            floor_rate = await _slice(floor, floor_workload, part, paired.floor)
        paired.pair_ratios.append(round(rate / floor_rate, 3) if floor_rate else 0.0)
        paired.floor_rates.append(round(floor_rate, 1))
    return paired
