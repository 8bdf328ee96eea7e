"""Render the weekly digest's charts from demo-like data into a folder (the pictures in docs/charts/).

    .venv/bin/python -m bot.devtools.chart_gallery docs/charts

The figures are those of the demo cluster (Kalimantan Selatan, WITA) in a flood week: what the digest sends to
the group. Deterministic: the same data and date give the same PNG bytes (no software metadata).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.features.digests import charts
from bot.features.digests.service import CategoryBar, RegionStock
from bot.features.members.models import Cluster
from bot.kernel.i18n import translator

CLUSTER = Cluster(1, -1001234567890, "Klaster Logistik Kalimantan Selatan", "Kalimantan Selatan", "63",
                  "Asia/Makassar", "id")  # fmt: skip
NOW = int(datetime(2025, 8, 25, 0, 0, tzinfo=UTC).timestamp())  # Monday 25 August 2025, 08.00 WITA
CATEGORIES = [
    CategoryBar("pangan", 14, 0.62, 0.35),
    CategoryBar("hunian", 6, 0.85, 0.40),
    CategoryBar("air_bersih", 5, 0.30, 0.10),
    CategoryBar("kesehatan", 4, 0.50, 0.50),
    CategoryBar("kebersihan", 3, 0.15, 0.0),
    CategoryBar("bayi", 2, 1.0, 0.75),
]
STOCK = [
    RegionStock("63.71", "kg", 1_250_000), RegionStock("63.72", "kg", 48_500), RegionStock("63.03", "kg", 12_300),
    RegionStock("63.06", "kg", 2_500), RegionStock("63.71", "l", 36_000), RegionStock("63.72", "l", 8_400),
    RegionStock("63.06", "l", 950), RegionStock("63.71", "lembar", 1_800), RegionStock("63.06", "lembar", 300),
]  # fmt: skip


def render(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for code in ("id", "en"):
        t = translator(code)
        for name, png in (
            ("needs", charts.needs_chart(t, CATEGORIES, CLUSTER, NOW)),
            ("stock", charts.stock_chart(t, STOCK, hidden=True, cluster=CLUSTER, now=NOW)),
        ):
            assert png is not None
            path = folder / f"{name}-{code}.png"
            path.write_bytes(png)
            written.append(path)
    return written


def main(argv: list[str]) -> int:
    for path in render(Path(argv[0] if argv else "docs/charts")):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
