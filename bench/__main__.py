"""``python -m bench [--seconds S] [--only NAME ...]``: run the scenarios, print the table, write results."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
from contextlib import AsyncExitStack
from dataclasses import asdict
from pathlib import Path
from time import perf_counter_ns

from bench import report
from bench.scenarios import FLOOR, SCENARIOS
from bench.suite import Bench, Config, Result, finish, steadiness
from bench.targets import STOP_PROBLEMS

HERE = Path(__file__).resolve().parent
QUICK = (1.0, 0.3, 2, 1)  # seconds, warm-up, slices, memory runs


def _parse(argv: list[str]) -> argparse.Namespace:
    defaults = Config()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--seconds", type=float, default=defaults.seconds, help="measured seconds per scenario/mode")
    parser.add_argument("--warmup", type=float, default=defaults.warmup_s, help="warm-up seconds per scenario/mode")
    parser.add_argument("--concurrency", type=int, default=defaults.concurrency, help="chats in flight")
    parser.add_argument("--members", type=int, default=defaults.members, help="approved member organisations")
    parser.add_argument("--slices", type=int, default=defaults.slices, help="scenario/floor slice pairs")
    parser.add_argument("--memory-runs", type=int, default=defaults.memory_runs, help="fresh processes per RSS")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run scenarios whose name contains NAME "
                        "(the floor always runs; bench/RESULTS.md is then left alone)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=HERE / "out" / "results.json", help="JSON output path")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    parser.add_argument("--quick", action="store_true", help="short slices (1 s per mode, 0.3 s warm-up, 2 slices, "
                        "1 memory run): the whole suite in 2-4 minutes on 2 shared cores")  # fmt: skip
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.warmup, args.slices, args.memory_runs = QUICK
    if args.members < args.concurrency or args.members % args.concurrency:
        parser.error("--members must be a multiple of --concurrency (each lane owns its members' chats)")
    return args


async def _run(config: Config, only: list[str] | None, scratch: Path) -> tuple[list[Result], list[str], Bench]:
    selected = [s for s in SCENARIOS if only is None or s.__name__ == FLOOR or any(o in s.__name__ for o in only)]
    results: list[Result] = []
    async with AsyncExitStack() as stack:
        bench = Bench(config, scratch, stack)
        # Set the bot up before anything is timed, so the floor and the bot run with the same heap.
        await bench.bot()
        for scenario in selected:
            started = perf_counter_ns()
            print(f"… {scenario.__name__}", file=sys.stderr, flush=True)
            results += await scenario(bench)
            print(f"  {scenario.__name__}: {(perf_counter_ns() - started) / 1e9:.1f} s", file=sys.stderr, flush=True)
    finish(results)
    return results, [s.__name__ for s in selected], bench


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    if args.list:
        for scenario in SCENARIOS:
            print(f"{scenario.__name__:22} {' '.join((scenario.__doc__ or '').split())}")
        return 0
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    config = Config(args.seconds, args.warmup, args.slices, args.concurrency, args.members, args.memory_runs)
    started = perf_counter_ns()
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="klaster-bench-") as scratch:
        results, ran, bench = asyncio.run(_run(config, args.only, Path(scratch)))
    spread, warnings = steadiness(results)
    run = {
        "total_s": round((perf_counter_ns() - started) / 1e9, 1),
        **bench.setup_info(),
        "loadavg_start": [round(x, 2) for x in load_start],
        "loadavg_end": [round(x, 2) for x in os.getloadavg()],
        "scenarios": ran,
        "problems": list(STOP_PROBLEMS),
        "floor_spread": spread,
        "warnings": warnings,
    }
    doc = report.document(results, asdict(config), report.machine(), run)
    report.write_json(doc, args.out)
    print(report.printable(results))
    for line in run["problems"] + run["warnings"]:
        print(f"! {line}")
    print(f"\ntotal {run['total_s']} s; JSON: {args.out}")
    if args.only is None:
        report.write_markdown(doc, results, HERE / "RESULTS.md", "python -m bench")
        print(f"table: {HERE / 'RESULTS.md'}")
    failed = [r.key for r in results if r.metrics.get("errors")]
    if failed:
        print(f"wrong replies in: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
