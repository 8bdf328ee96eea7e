"""Stock at scale: 1,000,000 stock rows in one cluster, the cluster totals and the /cari query.

Loads a realistic spread (1,000 organisations in one to three kabupaten/kota each, every catalogue item, several
warehouses, expiry dates on food and medicine, confirmations over the last 60 days) with one executemany in one
transaction into a temporary file database (``storage.stock.bulk_insert``: the per-row running-total triggers
set aside and the totals rebuilt once; a property test shows both give the same figures). Then times
``services.stock.cluster_totals``, ``services.stock.search`` and the situation summary's two stock sources
(median of several runs) and reports resident memory and the query plans.

Run: ``python -m bench.bench_stock [ROWS]``. Target: each query under 200 ms.
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.features.sitrep.domain import Sitrep
from bot.features.stock import service as svc
from bot.features.stock import storage as repo
from bot.kernel.db import apply_migrations, open_sync
from bot.shared import catalogue, regions
from bot.shared.catalogue import match_item

NOW = 1_756_000_000  # a fixed "now" keeps runs comparable
ORGS = 1_000
RUNS = 7
TARGET_MS = 200.0
EXPIRING = ("pangan", "kesehatan", "bayi")


def _rss_mib() -> float:
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * resource.getpagesize() / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rows(count: int, org_ids: list[int], seed: int = 5) -> Iterator[tuple[Any, ...]]:
    rnd = random.Random(seed)
    items = catalogue.items()
    codes = [r.code for r in regions.regions("63")]
    per_org = -(-count // len(org_ids))
    produced = 0
    for org_id in org_ids:
        org_regions = rnd.sample(codes, rnd.randint(1, 3))
        warehouses = -(-per_org // (len(items) * len(org_regions)))
        slots = [(item, code, w) for item in items for code in org_regions for w in range(warehouses)]
        for item, code, w in rnd.sample(slots, min(per_org, len(slots))):
            if produced >= count:
                return
            location = f"Gudang {w + 1}"
            expires = NOW + rnd.randint(-10, 365) * 86400 if item.category in EXPIRING else None
            confirmed = NOW - rnd.randint(0, 60 * 86400)
            yield (org_id, item.key, item.name_id, item.key, item.category, float(rnd.randint(0, 5000)), item.unit,
                   code, location, location.lower(), expires, confirmed)  # fmt: skip
            produced += 1


def _median_ms(fn: Any, runs: int = RUNS) -> float:
    fn()  # warm the page cache and the statement cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 2)


def _plans(conn: Any, fn: Any) -> list[dict[str, Any]]:
    traced: list[str] = []
    conn.set_trace_callback(traced.append)
    try:
        fn()
    finally:
        conn.set_trace_callback(None)
    out = []
    for sql in traced:
        if sql.lstrip().upper().startswith("SELECT"):
            out.append({"sql": " ".join(sql.split())[:160], "plan": repo.explain(conn, sql, ())})
    return out


def run(rows: int = 1_000_000) -> dict[str, Any]:
    """Load ``rows`` stock rows, time the totals and the /cari query; returns the figures."""
    with tempfile.TemporaryDirectory() as scratch:
        conn = open_sync(Path(scratch) / "stock.db")
        try:
            apply_migrations(conn)
            conn.execute("BEGIN")
            cluster_id = conn.execute(
                "INSERT INTO clusters (chat_id, name, created_at) VALUES (-1001, 'Bench', ?) RETURNING id", (NOW,)
            ).fetchone()[0]
            conn.executemany(
                "INSERT INTO organizations (id, cluster_id, name, norm_name, type, status, stock_public, created_at) "
                "VALUES (?, ?, ?, ?, 'ngo', 'approved', ?, ?)",
                [(i, cluster_id, f"Org {i}", f"org {i}", int(i % 10 < 3), NOW) for i in range(1, ORGS + 1)],
            )
            conn.execute("COMMIT")
            start = time.perf_counter()
            conn.execute("BEGIN")
            repo.bulk_insert(conn, cluster_id, _rows(rows, list(range(1, ORGS + 1))), NOW)
            conn.execute("COMMIT")
            load_s = time.perf_counter() - start
            stored = conn.execute("SELECT COUNT(*) FROM stock").fetchone()[0]
            totals_rows = conn.execute("SELECT COUNT(*) FROM stock_totals").fetchone()[0]
            beras = match_item("beras")

            def totals() -> svc.Totals:
                return svc.cluster_totals(conn, cluster_id, NOW)

            def cari() -> svc.Search:
                return svc.search(conn, cluster_id, beras, "63.06", NOW)

            def sitrep_sources() -> None:
                svc.stock_for_gaps(conn, cluster_id, NOW)
                svc.sitrep_contribution(conn, cluster_id, NOW, Sitrep("Bench", NOW))

            totals_ms = _median_ms(totals)
            cari_ms = _median_ms(cari)
            sitrep_ms = _median_ms(sitrep_sources)
            result = totals()
            found = cari()
            return {
                "rows": stored,
                "organisations": ORGS,
                "stock_totals_rows": totals_rows,
                "load_s": round(load_s, 1),
                "totals_ms": totals_ms,
                "cari_ms": cari_ms,
                "sitrep_sources_ms": sitrep_ms,
                "target_ms": TARGET_MS,
                "ok": totals_ms < TARGET_MS and cari_ms < TARGET_MS,
                "rss_mib": round(_rss_mib(), 1),
                "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "categories": len(result.by_category),
                "region_cells": len(result.by_region),
                "stale_lines": result.stale_lines,
                "cari_public_holders": len(found.public),
                "cari_private_groups": len(found.private),
                "plans": {"totals": _plans(conn, totals), "cari": _plans(conn, cari)},
            }
        finally:
            conn.close()


def main(argv: list[str]) -> int:
    rows = int(argv[0]) if argv else 1_000_000
    figures = run(rows)
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
