"""Start-up with 10,000 pending agenda reminders in the database.

The database is the truth and the job queue a cache: at start the scheduler records claims left by a crash,
runs what is due and puts only the next few minutes of jobs into the job queue, so start-up should not grow
with the number of future reminders. Seeded: one cluster, ``n / 2`` upcoming events over the next year with
two reminder rows each (``n`` pending ``agenda.reminder`` rows), a few of them due within the look-ahead.

Measured on the real Application against the Bot API stand-in: the whole start-up (``bot.app.startup``: open
the database and check migrations, command menus, every start-up hook including ``scheduling.on_startup``),
each hook on its own, and how many jobs ended up in the job queue. Target: under 2 s.

Run: ``python -m bench.bench_agenda [N]``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.app import build_application, shutdown, startup
from bot.devtools.fakeapi import FakeBotApi
from bot.kernel.clock import FakeClock
from bot.kernel.config import Settings
from bot.kernel.db import apply_migrations, open_sync

START = datetime(2025, 8, 21, 1, 0, tzinfo=UTC)
TARGET_S = 2.0
SOON = 20  # reminders due within the scheduler's look-ahead (the next ten minutes)


def _seed(db_path: Path, n: int) -> int:
    """``n`` pending reminder rows for ``n // 2`` events, in one transaction; returns the event count."""
    now = int(START.timestamp())
    conn = open_sync(db_path)
    try:
        apply_migrations(conn)
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO clusters (id, chat_id, name, timezone, created_by, created_at) "
            "VALUES (1, -1001234567890, 'Klaster Logistik Kalsel', 'Asia/Makassar', 1001, ?)",
            (now,),
        )
        events = max(1, n // 2)
        span = 365 * 86400
        event_rows, job_rows = [], []
        for i in range(events):
            starts_at = now + 2 * 86400 + (i * span) // events
            event_rows.append((i + 1, 1, i + 1, "meeting", f"Rakor logistik {i + 1}", starts_at, 60, "Aula BPBD",
                               starts_at, 1001, now, now))  # fmt: skip
            payload = json.dumps({"event_id": i + 1, "starts_at": starts_at})
            day_before = now + 60 + 30 * i if i < SOON else starts_at - 17 * 3600
            job_rows.append((1, "agenda.reminder", f"event:{i + 1}:1d16:00", day_before, payload))
            job_rows.append((1, "agenda.reminder", f"event:{i + 1}:1h", starts_at - 3600, payload))
        conn.executemany(
            "INSERT INTO events (id, cluster_id, number, type, title, starts_at, duration_min, place, occurrence_at, "
            "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            event_rows,
        )
        conn.executemany(
            "INSERT INTO scheduled_jobs (cluster_id, kind, ref, due_at, payload) VALUES (?, ?, ?, ?, ?)", job_rows[:n]
        )
        conn.execute("INSERT INTO counters (cluster_id, kind, value) VALUES (1, 'event', ?)", (events,))
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return events
    finally:
        conn.close()


def _timed(
    name: str, hook: Callable[[Any], Awaitable[None]], out: dict[str, float]
) -> Callable[[Any], Awaitable[None]]:
    async def run(app: Any) -> None:
        began = time.perf_counter()
        await hook(app)
        out[name] = round(time.perf_counter() - began, 4)

    return run


async def startup_with_pending_reminders(n: int = 10000) -> dict[str, Any]:
    """Seed ``n`` pending reminder rows, then time a full start-up of the Application on that database."""
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "agenda.db"
        events = _seed(db_path, n)
        clock = FakeClock(START)
        app = build_application(
            Settings(db_path=db_path), request=FakeBotApi(clock=clock.timestamp), rate_limit=False, clock=clock
        )
        runtime = app.bot_data["runtime"]
        hook_times: dict[str, float] = {}
        hooks = runtime.startup_hooks
        runtime.startup_hooks[:] = [
            _timed(f"{getattr(h, '__module__', '?')}.{getattr(h, '__qualname__', '?')}", h, hook_times) for h in hooks
        ]
        await app.initialize()
        handoffs_before = runtime.db.handoffs
        began = time.perf_counter()
        await startup(app)
        elapsed = time.perf_counter() - began
        queued = len(app.job_queue.jobs()) if app.job_queue is not None else 0
        pending = await runtime.db.read(
            lambda conn: conn.execute(
                "SELECT COUNT(*) FROM scheduled_jobs WHERE kind = 'agenda.reminder' AND status = 'pending'"
            ).fetchone()[0]
        )
        handoffs = runtime.db.handoffs - handoffs_before - 1
        await shutdown(app)
        await app.shutdown()
    return {
        "name": "agenda_startup",
        "pending_reminders": n,
        "events": events,
        "startup_s": round(elapsed, 4),
        "scheduling_on_startup_s": hook_times.get("bot.kernel.scheduling.on_startup"),
        "hooks_s": hook_times,
        "db_handoffs": handoffs,
        "queued_jobs": queued,
        "pending_after": pending,
        "target_s": TARGET_S,
        "ok": elapsed < TARGET_S and pending == n,
    }


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 10000
    result = asyncio.run(startup_with_pending_reminders(n))
    print(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
