"""What a scenario receives (``Bench``) and returns (``Result``); ratios and budgets are applied here."""

from __future__ import annotations

import operator
import statistics
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.measure import Paired, RunStats, Target
from bench.targets import BotWorld, start_bot, start_echo

# Metric → ratio name. A result with a ``floor`` gets ``ratios[name] = metric / floor's metric``.
RATIO_METRICS = {
    "throughput_per_s": "throughput",
    "throughput_excl_standin_per_s": "throughput_excl_standin",
    "p99_ms": "p99",
    "cpu_us_per_update": "cpu",
    "rss_mib": "rss",
}
UNSTEADY = 0.3  # warn when the floor's slice throughput varies by more than this over the run
_OPS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}


@dataclass(frozen=True)
class Config:
    seconds: float = 3.0  # measured time per scenario and mode (and as much again for its paired floor)
    warmup_s: float = 0.5
    slices: int = 4  # scenario/floor slice pairs per scenario and mode
    concurrency: int = 50  # lanes (chats) in flight in concurrent mode
    members: int = 100  # approved member organisations (one representative each)
    memory_runs: int = 3  # fresh subprocesses per memory measurement (median reported)


@dataclass(frozen=True)
class Budget:
    """A limit from DESIGN.md "Budgets": ``source`` is ``metrics.<name>`` or ``ratios.<name>``."""

    name: str
    source: str
    op: str
    limit: float

    def check(self, result: Result) -> dict[str, Any]:
        group, _, key = self.source.partition(".")
        value = (result.metrics if group == "metrics" else result.ratios).get(key)
        ok = value is not None and _OPS[self.op](value, self.limit)
        return {"name": self.name, "value": value, "op": self.op, "limit": self.limit, "ok": ok}


@dataclass
class Result:
    """One row of the report. ``scenario``/``mode`` together are the stable key (``key``)."""

    scenario: str
    mode: str
    description: str
    metrics: dict[str, float]
    floor: str | None = None  # key of the result this one is compared with
    ratios: dict[str, float] = field(default_factory=dict)
    budgets: list[Budget] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    paired_floor: dict[str, float] | None = None  # the floor's metrics over the interleaved slices
    pair_ratios: list[float] = field(default_factory=list)
    floor_rates: list[float] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.scenario}/{self.mode}"

    @classmethod
    def from_run(cls, scenario: str, description: str, stats: RunStats, floor: str | None = None,
                 budgets: list[Budget] | None = None) -> Result:  # fmt: skip
        notes = [f"first error: {stats.first_error}"] if stats.errors else []
        return cls(scenario, stats.mode, description, stats.metrics(), floor, budgets=budgets or [], notes=notes)

    @classmethod
    def from_paired(cls, scenario: str, description: str, paired: Paired, floor: str,
                    budgets: list[Budget] | None = None) -> Result:  # fmt: skip
        """Ratios come from the interleaved floor slices: throughput is the median of the slice-pair ratios."""
        result = cls.from_run(scenario, description, paired.stats, floor, budgets)
        result.paired_floor = paired.floor.metrics()
        result.pair_ratios, result.floor_rates = paired.pair_ratios, paired.floor_rates
        result.ratios = _ratios(result.metrics, result.paired_floor)
        result.ratios["throughput"] = round(statistics.median(paired.pair_ratios), 3)
        return result

    def json(self) -> dict[str, Any]:
        out = asdict(self)
        del out["budgets"]
        out["key"] = self.key
        return out


def _ratios(mine: dict[str, float], floor: dict[str, float]) -> dict[str, float]:
    out = {}
    for metric, name in RATIO_METRICS.items():
        value, base = mine.get(metric), floor.get(metric)
        if value is not None and base:
            out[name] = round(value / base, 3)
    return out


def finish(results: list[Result]) -> None:
    """Fill ratios against each result's floor (unless measured paired), then evaluate budgets."""
    by_key = {r.key: r for r in results}
    for result in results:
        floor = by_key.get(result.floor) if result.floor else None
        if floor is not None and not result.ratios:
            result.ratios = _ratios(result.metrics, floor.metrics)
        result.checks = [budget.check(result) for budget in result.budgets]


def steadiness(results: list[Result]) -> tuple[dict[str, float], list[str]]:
    """Spread (max/min) of the floor's slice throughput per mode over the run, and warnings if large."""
    spread, warnings = {}, []
    for mode in sorted({r.mode for r in results if r.floor_rates}):
        rates = [x for r in results if r.mode == mode for x in r.floor_rates if x > 0]
        spread[mode] = round(max(rates) / min(rates), 2)
        if spread[mode] > 1 + UNSTEADY:
            warnings.append(f"the floor's rate varied ×{spread[mode]} between {mode} slices: the machine was busy; "
                            "paired ratios compensate, absolute rates do not")  # fmt: skip
    return spread, warnings


class Bench:
    """Shared state for one run: config, a scratch directory, and lazily started Applications."""

    def __init__(self, config: Config, scratch: Path, stack: AsyncExitStack, database: Path | str | None = None) -> None:
        self.config = config
        self.scratch = scratch
        self.stack = stack
        # The bot's database: a SQLite file in the scratch folder, or a postgresql:// URL (bench/bench_engines.py).
        self.database = database if database is not None else scratch / "bench.db"
        self._echo: Target | None = None
        self._bot: BotWorld | None = None

    async def echo(self) -> Target:
        if self._echo is None:
            self._echo = await start_echo(self.stack)
        return self._echo

    async def bot(self) -> BotWorld:
        if self._bot is None:
            cfg = self.config
            self._bot = await start_bot(self.stack, self.database, cfg.concurrency, cfg.members)
        return self._bot

    def setup_info(self) -> dict[str, float]:
        return {"bot_setup_s": round(self._bot.setup_s, 2)} if self._bot else {}


Scenario = Callable[[Bench], Awaitable[list[Result]]]
