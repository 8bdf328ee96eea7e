"""Micro-benchmark of formatting and parsing (issue #17 part 6): what one update pays for babel and the parsers.

Times, in-process and without the Application: babel number/date formatting through ``Translator``, a 50-line
stock summary rendered with ``views.stock.line_text`` (item label, amount, region name, expiry date per line),
the free-text parsers on the lines officers type (``parse_post`` for /butuh and /tawar, ``parse_stock_line``
for /stok) and the catalogue/region lookups by key. Median of several rounds, microseconds per call.

Run: ``python -m bench.bench_micro [--rounds N] [--json PATH]``. Targets: the 50-line summary under 1 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter_ns
from typing import Any

from bench import scan_before
from bot.features.stock import views as stock_views
from bot.features.stock.storage import StockLine
from bot.kernel.i18n import translator
from bot.shared import catalogue, dates, posting, regions

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
ZONE = "Asia/Makassar"
NEED_LINES = (
    "75 lembar terpal Tapin tinggi",
    "120 buah genset HSS mendesak",
    "beras 2 ton untuk 300 KK di Kec. Daha Utara HSS paling lambat besok",
    "air bersih 5000 liter Banjarbaru untuk 120 jiwa",
    "popok bayi 40 bungkus Martapura sedang",
)
STOCK_LINES = (
    "beras 2000 kg gudang Posko 3 Banjarbaru",
    "terpal 300 lembar gudang BPBD Banjarmasin",
    "mi instan 150 dus Tapin kedaluwarsa 31/12/2027",
    "beras;2500;kg;Banjarbaru",
    "air mineral 400 dus Barabai rusak ringan",
)
SUMMARY_TARGET_US = 1000.0


def _summary_lines() -> list[StockLine]:
    items = [i for i in catalogue.items()][:25]
    codes = [r.code for r in regions.regions("63")]
    out = []
    for n in range(50):
        item = items[n % len(items)]
        out.append(StockLine(n, 1, 1, item.key, item.name_id, item.key, item.category, 1250.5 + n * 17, item.unit,
                             codes[n % len(codes)], f"Gudang {n}", 1830000000 if n % 3 == 0 else None,
                             "baik" if n % 5 else "rusak_ringan", 0, 0))  # fmt: skip
    return out


def cases() -> dict[str, tuple[Callable[[], object], int]]:
    """name → (one call, how many operations it does): the figure is µs per call of the whole function."""
    t = translator("id")
    lines = _summary_lines()
    items = [i.key for i in catalogue.items()]
    codes = [r.code for r in regions.regions("63")]
    cats = [c.key for c in catalogue.categories()]

    def summary() -> str:
        return "\n".join(stock_views.line_text(t, line, ZONE) for line in lines)

    def summary_cold() -> str:
        for memo in (getattr(t, "_numbers", None), getattr(t, "_days", None)):  # before the memo: no such dicts
            if memo is not None:
                memo.clear()
        return summary()

    def needs() -> list[object]:
        return [posting.parse_post(x, NOW, ZONE) for x in NEED_LINES]

    def stock() -> list[object]:
        return [posting.parse_stock_line(x, NOW, ZONE) for x in STOCK_LINES]

    sentences = NEED_LINES + STOCK_LINES
    for x in sentences:  # the new scanners find what the old ones found (exact names; no Kab./Kota typos here)
        assert catalogue.find_items_in(x) == scan_before.find_items_in(x), x
        assert regions.find_regions_in(x) == scan_before.find_regions_in(x), x
        assert dates.find_datetime(x, NOW, ZONE) == scan_before.find_datetime(x, NOW, ZONE), x

    return {
        "number (Translator.number)": (lambda: t.number(2512.5), 1),
        "date (Translator.short_date)": (lambda: t.short_date(NOW), 1),
        "datetime (Translator.datetime)": (lambda: t.datetime(NOW, ZONE), 1),
        "50-line stock summary (line_text × 50)": (summary, 1),
        "50-line stock summary, number/date memo cleared first": (summary_cold, 1),
        "parse_post (/butuh, /tawar), per line": (needs, len(NEED_LINES)),
        "parse_stock_line (/stok), per line": (stock, len(STOCK_LINES)),
        "catalogue.get_item, per key": (lambda: [catalogue.get_item(k) for k in items], len(items)),
        "catalogue.get_category, per key": (lambda: [catalogue.get_category(k) for k in cats], len(cats)),
        "catalogue.items_in_category, per key": (lambda: [catalogue.items_in_category(k) for k in cats], len(cats)),
        "catalogue.find_category (name)": (lambda: catalogue.find_category("Air bersih"), 1),
        "regions.get_region, per code": (lambda: [regions.get_region(c) for c in codes], len(codes)),
        "catalogue.find_items_in, per sentence (before #17)": (
            lambda: [scan_before.find_items_in(x) for x in sentences], len(sentences)),
        "catalogue.find_items_in, per sentence": (
            lambda: [catalogue.find_items_in(x) for x in sentences], len(sentences)),
        "regions.find_regions_in, per sentence (before #17)": (
            lambda: [scan_before.find_regions_in(x) for x in sentences], len(sentences)),
        "regions.find_regions_in, per sentence": (
            lambda: [regions.find_regions_in(x) for x in sentences], len(sentences)),
        "regions.find_districts_in, per sentence": (
            lambda: [regions.find_districts_in(x) for x in sentences], len(sentences)),
        "dates.find_datetime, per sentence (before #17)": (
            lambda: [scan_before.find_datetime(x, NOW, ZONE) for x in sentences], len(sentences)),
        "dates.find_datetime, per sentence": (
            lambda: [dates.find_datetime(x, NOW, ZONE) for x in sentences], len(sentences)),
    }


def _time(fn: Callable[[], object], ops: int, rounds: int) -> float:
    fn()  # warm caches
    per_round = []
    for _ in range(rounds):
        reps, start = 0, perf_counter_ns()
        while True:
            fn()
            reps += 1
            elapsed = perf_counter_ns() - start
            if elapsed > 20_000_000:  # 20 ms per round
                break
        per_round.append(elapsed / reps / ops / 1000)
    return statistics.median(per_round)


def run(rounds: int) -> dict[str, float]:
    return {name: round(_time(fn, ops, rounds), 2) for name, (fn, ops) in cases().items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_micro", description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    figures = run(args.rounds)
    width = max(map(len, figures))
    for name, us in figures.items():
        print(f"{name:{width}}  {us:10.2f} µs")
    summary = figures["50-line stock summary (line_text × 50)"]
    print(f"\n50-line summary: {summary:.0f} µs (target < {SUMMARY_TARGET_US:.0f} µs)")
    if args.json:
        doc: dict[str, Any] = {"figures_us": figures}
        args.json.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
