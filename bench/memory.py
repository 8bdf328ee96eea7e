"""Idle resident memory, each sample in a fresh interpreter: ``python -m bench.memory floor|bot DIR TOKEN``.

The child starts the Application, lets the job queue's first tick run, collects garbage, and prints
``{"rss_mib": ...}`` read from /proc/self/status (VmRSS). The floor child imports no bot module
beyond the stand-in.
"""

from __future__ import annotations

import asyncio
import gc
import json
import statistics
import sys
from pathlib import Path
from typing import Any

IDLE_S = 1.5  # past the scheduler's first tick (1 s after start)


def rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("VmRSS not found in /proc/self/status")


async def _idle_floor(token: str) -> float:
    from telegram.ext import ApplicationBuilder, MessageHandler, filters

    from bot.devtools.fakeapi import FakeBotApi

    api = FakeBotApi()
    app = ApplicationBuilder().token(token).request(api).get_updates_request(api).concurrent_updates(64).build()

    async def echo(update: Any, context: Any) -> None:
        await update.message.reply_text(update.message.text)

    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    await app.start()
    await asyncio.sleep(IDLE_S)
    gc.collect()
    rss = rss_mib()
    await app.stop()
    await app.shutdown()
    return rss


async def _idle_bot(scratch: Path) -> float:
    from bot.app import build_application, shutdown, startup
    from bot.devtools.fakeapi import FakeBotApi
    from bot.kernel.config import Settings

    app = build_application(Settings(db_path=scratch / "idle.db"), request=FakeBotApi(), rate_limit=False)
    await app.initialize()
    await startup(app)
    await app.start()
    await asyncio.sleep(IDLE_S)
    gc.collect()
    rss = rss_mib()
    await app.stop()
    await shutdown(app)
    await app.shutdown()
    return rss


async def _sample(kind: str, scratch: Path) -> float:
    from bot.app import OFFLINE_TOKEN  # passed on so the floor child need not import bot.app

    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.memory", kind, str(scratch), OFFLINE_TOKEN,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"memory child {kind} failed: {err.decode(errors='replace')[-2000:]}")
    return float(json.loads(out)["rss_mib"])


async def measure_pair(scratch: Path, runs: int) -> tuple[dict[str, float], dict[str, float]]:
    """Median RSS of ``runs`` fresh floor and bot processes (run concurrently: RSS does not depend on CPU)."""
    dirs = [scratch / f"memory-{i}" for i in range(runs)]
    for folder in dirs:
        folder.mkdir(parents=True, exist_ok=True)
    samples = await asyncio.gather(*(_sample(kind, d) for d in dirs for kind in ("floor", "bot")))
    floor, bot = samples[0::2], samples[1::2]

    def summary(values: list[float]) -> dict[str, float]:
        return {"rss_mib": round(statistics.median(values), 1), "min_mib": round(min(values), 1),
                "max_mib": round(max(values), 1), "samples": len(values)}  # fmt: skip

    return summary(floor), summary(bot)


def main(argv: list[str]) -> None:
    kind, scratch, token = argv[0], Path(argv[1]), argv[2]
    rss = asyncio.run(_idle_floor(token) if kind == "floor" else _idle_bot(scratch))
    print(json.dumps({"rss_mib": round(rss, 2)}))


if __name__ == "__main__":
    main(sys.argv[1:])
