"""The storage kernel (bot/kernel/db.py): the cost of one hand-off, and a write's latency while a summary is built.

``handoff``: the round trip of one ``Database.read``/``write`` of a function that does (almost) nothing, per call.
``behind``: 100,000 needs (the old 70 % open mix); a background task builds the situation summary again and again,
either on the writer's thread (``db.read``, as before) or on the read-only connection (``db.read_heavy``), while
small writes (one UPDATE of a need, one transaction each) arrive at random moments; their p50/p99/max.

Run: ``python -m bench.bench_db [handoff|behind] [needs]``. ``BENCH_DB_MODULE=/path/to/db.py`` measures another
``Database`` (e.g. the aiosqlite one from git history) with the same code.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.bench_sitrep import NOW, _load
from bot.features.members.storage import cluster_by_id
from bot.features.sitrep import service as sitrep_svc
from bot.kernel.db import apply_migrations, open_sync

WRITE_P99_TARGET_MS = 10.0


def _database_class() -> Any:
    path = os.environ.get("BENCH_DB_MODULE")
    if not path:
        from bot.kernel.db import Database

        return Database
    spec = importlib.util.spec_from_file_location("bench_db_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.Database


def _noop(conn: Any) -> None:
    return None


def _touch(conn: Any, need_id: int, now: int) -> None:
    conn.execute("UPDATE needs SET updated_at = ? WHERE id = ?", (now, need_id))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


async def handoff(calls: int = 3000, rounds: int = 5) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        db = _database_class()(Path(scratch) / "handoff.db")
        await db.open()
        try:
            figures: dict[str, Any] = {"calls": calls, "rounds": rounds}
            for name, call in (("read", db.read), ("write", db.write)):
                per_call = []
                for _ in range(rounds):
                    start = time.perf_counter()
                    for _ in range(calls):
                        await call(_noop)
                    per_call.append((time.perf_counter() - start) / calls * 1e6)
                figures[f"{name}_us_per_call"] = round(statistics.median(per_call), 1)
            return figures
        finally:
            await db.close()


async def _summaries(build: Any, cluster: Any, stop: asyncio.Event, builds: list[int]) -> None:
    while not stop.is_set():
        await build(sitrep_svc.build, cluster, NOW)
        builds.append(1)


async def behind(needs: int = 100_000, writes: int = 400) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "behind.db"
        conn = open_sync(path)
        apply_migrations(conn)
        cluster_id = _load(conn, needs, needs // 5, needs // 10, 0)
        cluster = cluster_by_id(conn, cluster_id)
        assert cluster is not None
        start = time.perf_counter()
        sitrep_svc.build(conn, cluster, NOW)
        build_ms = round((time.perf_counter() - start) * 1000, 1)
        conn.close()
        db = _database_class()(path)
        await db.open()
        figures: dict[str, Any] = {"needs": needs, "writes": writes, "summary_build_ms": build_ms}
        rng = random.Random(3)
        try:
            for mode in ("alone", "read", "read_heavy"):
                stop = asyncio.Event()
                builds: list[int] = []
                build = db.read if mode == "read" else getattr(db, "read_heavy", None)
                background = None
                if mode != "alone" and build is not None:  # the old Database has no reader: nothing to compare
                    background = asyncio.create_task(_summaries(build, cluster, stop, builds))
                await asyncio.sleep(0.05)
                latencies = []
                for n in range(writes):
                    await asyncio.sleep(rng.uniform(0, 0.004))
                    begin = time.perf_counter()
                    await db.write(_touch, rng.randint(1, needs), NOW + n)
                    latencies.append((time.perf_counter() - begin) * 1000)
                stop.set()
                if background is not None:
                    await background
                figures[mode] = {
                    "p50_ms": _pct(latencies, 0.50), "p99_ms": _pct(latencies, 0.99),
                    "max_ms": round(max(latencies), 3), "summaries_built": len(builds),
                }  # fmt: skip
            figures["ok"] = figures["read_heavy"]["p99_ms"] < WRITE_P99_TARGET_MS
            return figures
        finally:
            await db.close()


def main(argv: list[str]) -> int:
    which = argv[0] if argv else "both"
    out: dict[str, Any] = {}
    if which in ("handoff", "both"):
        out["handoff"] = asyncio.run(handoff())
    if which in ("behind", "both"):
        out["behind"] = asyncio.run(behind(*(int(a) for a in argv[1:2])))
    print(json.dumps(out, indent=2))
    return 0 if out.get("behind", {}).get("ok", True) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
