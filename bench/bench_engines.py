"""The same workload on SQLite and PostgreSQL side by side, in one run (issue #18 part 5).

``python -m bench.bench_engines [--seconds S] [--only NAME ...] [--sitrep]``

For each engine a fresh bot (the real Application, 50 cluster groups, 100 approved members) runs the writing
commands (/butuh with a match, /stok, a pledge press) and a read (/anggota) plus /kapasitas, in both modes, each
interleaved with slices of the echo floor of the same run, so the ratios of the two engines are comparable even
on a busy machine. Reported per engine: throughput and p99 as ratios to the floor, database hand-offs and CPU per
update. PostgreSQL: the server ``KLASTER_TEST_PG`` names (a database of its own is created), else a throwaway
server (``tests/support/pgserver.py``). ``--sitrep``: the situation summary's build at 1M stock rows on both
engines (``bench/bench_sitrep.py``'s data, loaded on PostgreSQL with executemany in large batches).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from bench import scenarios
from bench.suite import Bench, Config, Result, finish

HERE = Path(__file__).resolve().parent
SCENARIOS = (scenarios.butuh_write, scenarios.stok_report, scenarios.pledge_press, scenarios.kapasitas_write,
             scenarios.anggota_group)  # fmt: skip
ENGINES = ("sqlite", "postgresql")


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh database on ``KLASTER_TEST_PG``'s server, or on a throwaway server of our own."""
    import psycopg

    admin = os.environ.get("KLASTER_TEST_PG")
    with contextlib.ExitStack() as stack:
        if not admin:
            from tests.support.pgserver import server

            admin = stack.enter_context(server())
        name = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{admin.rpartition('/')[0]}/{name}"
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _engine(config: Config, database: Path | str, scratch: Path, only: list[str] | None) -> list[Result]:
    selected = [s for s in SCENARIOS if only is None or any(o in s.__name__ for o in only)]
    results: list[Result] = []
    async with AsyncExitStack() as stack:
        bench = Bench(config, scratch, stack, database)
        await bench.bot()
        for scenario in (scenarios.echo_floor, *selected):
            print(f"… {scenario.__name__}", file=sys.stderr, flush=True)
            results += await scenario(bench)
    finish(results)
    return results


def _row(result: Result) -> dict[str, Any]:
    m, r = result.metrics, result.ratios
    return {"throughput_per_s": m.get("throughput_per_s"), "throughput_ratio": r.get("throughput"),
            "p99_ms": m.get("p99_ms"), "p99_ratio": r.get("p99"), "handoffs": m.get("db_handoffs_per_update"),
            "cpu_us": m.get("cpu_us_per_update"), "errors": m.get("errors", 0)}  # fmt: skip


def table(by_engine: dict[str, list[Result]]) -> str:
    keys = [r.key for r in by_engine[ENGINES[0]]]
    rows = {e: {r.key: _row(r) for r in results} for e, results in by_engine.items()}
    lines = ["| scenario/mode | SQLite ×floor | PostgreSQL ×floor | SQLite p99 ms (×floor) | "
             "PostgreSQL p99 ms (×floor) | hand-offs SQLite / PG | CPU µs SQLite / PG |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]  # fmt: skip
    for key in keys:
        s, p = rows["sqlite"].get(key), rows["postgresql"].get(key)
        if s is None or p is None:
            continue
        if key.startswith(scenarios.FLOOR):
            lines.append(f"| {key} | {s['throughput_per_s']}/s | {p['throughput_per_s']}/s | {s['p99_ms']} | "
                         f"{p['p99_ms']} | — | {s['cpu_us']} / {p['cpu_us']} |")  # fmt: skip
            continue
        lines.append(f"| {key} | {s['throughput_ratio']} | {p['throughput_ratio']} | {s['p99_ms']} "
                     f"({s['p99_ratio']}) | {p['p99_ms']} ({p['p99_ratio']}) | {s['handoffs']} / {p['handoffs']} | "
                     f"{s['cpu_us']} / {p['cpu_us']} |")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_engines", description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0, help="measured seconds per scenario/mode slice set")
    parser.add_argument("--warmup", type=float, default=0.3)
    parser.add_argument("--slices", type=int, default=2)
    parser.add_argument("--only", nargs="+", metavar="NAME")
    parser.add_argument("--sitrep", action="store_true", help="also the summary build at 1M stock rows")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "engines.json")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    config = Config(seconds=args.seconds, warmup_s=args.warmup, slices=args.slices)
    by_engine: dict[str, list[Result]] = {}
    with tempfile.TemporaryDirectory(prefix="klaster-engines-") as scratch:
        print("== sqlite", file=sys.stderr, flush=True)
        by_engine["sqlite"] = asyncio.run(_engine(config, Path(scratch) / "bench.db", Path(scratch), args.only))
        with postgres_database() as url:
            print("== postgresql", file=sys.stderr, flush=True)
            by_engine["postgresql"] = asyncio.run(_engine(config, url, Path(scratch), args.only))
    doc: dict[str, Any] = {"config": {"seconds": args.seconds, "warmup_s": args.warmup, "slices": args.slices,
                                      "concurrency": config.concurrency, "members": config.members},
                           "results": {e: [r.json() for r in rs] for e, rs in by_engine.items()}}  # fmt: skip
    if args.sitrep:
        from bench.bench_engines_sitrep import both

        doc["sitrep"] = both(postgres_database)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    print(table(by_engine))
    if "sitrep" in doc:
        print(json.dumps(doc["sitrep"], indent=2))
    failed = [f"{e}:{r.key}" for e, rs in by_engine.items() for r in rs if r.metrics.get("errors")]
    if failed:
        print(f"wrong replies in: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
