"""The situation summary at scale: 100,000 needs/offers/pledges and 1,000,000 stock rows in one cluster.

Times ``services.sitrep.build`` (every aggregate of the summary, the stock feature's parts included, after the
period's stock snapshot was taken) and rendering the compact pinned text, median of several runs.
Run: ``python -m bench.bench_sitrep`` (target: under 200 ms), or ``python -m bench.bench_sitrep curve``: 10k, 100k
and 1M needs, most of them closed, with as many stock rows (target: under 50 ms at every point).
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.bench_stock import NOW, ORGS, _median_ms, _rows
from bot.features.members.storage import cluster_by_id
from bot.features.sitrep import service as sitrep_svc
from bot.features.sitrep import storage as sitrep_repo
from bot.features.sitrep import views as sitrep_views
from bot.features.stock import storage as stock_repo
from bot.kernel.db import apply_migrations, open_sync
from bot.kernel.i18n import translator
from bot.shared import catalogue, regions

TARGET_MS = 200.0


def _load(conn: Any, needs: int, offers: int, pledges: int, stock_rows: int, open_needs: int | None = None) -> int:
    """Bulk load (executemany). ``open_needs``: that many needs (and offers) stay open, the rest of the history is
    fulfilled or cancelled; None: the old mix (70 % open)."""
    rng = random.Random(7)
    # Bulk loading only: a large cache and no fsync; the measurement runs with the bot's own settings again.
    conn.execute("PRAGMA cache_size=-262144")
    conn.execute("PRAGMA synchronous=OFF")
    items = [i for i in catalogue.items()]
    codes = [r.code for r in regions.regions("63")]
    conn.execute("BEGIN")
    cluster_id = conn.execute(
        "INSERT INTO clusters (chat_id, name, created_at) VALUES (-1001, 'Bench', ?) RETURNING id", (NOW,)
    ).fetchone()[0]
    conn.executemany(
        "INSERT INTO organizations (id, cluster_id, name, norm_name, type, status, stock_public, created_at) "
        "VALUES (?, ?, ?, ?, 'ngo', 'approved', ?, ?)",
        [(i, cluster_id, f"Org {i}", f"org {i}", i % 10 < 3, NOW) for i in range(1, ORGS + 1)],
    )
    conn.execute(
        "INSERT INTO incidents (cluster_id, type, title, region_codes, status, started_at, created_by, created_at) "
        "VALUES (?, 'banjir', 'Banjir HSS', '63.06,63.07', 'tanggap', ?, 1, ?)",
        (cluster_id, NOW, NOW),
    )
    need_rows = []
    for n in range(1, needs + 1):
        item = rng.choice(items)
        qty = float(rng.randint(10, 5000))
        pledged = float(rng.randint(0, int(qty)))
        if open_needs is None:
            status = rng.choices(["open", "fulfilled", "cancelled"], [70, 25, 5])[0]
        else:
            status = "open" if n > needs - open_needs else rng.choices(["fulfilled", "cancelled"], [83, 17])[0]
        need_rows.append((n, cluster_id, n, 1, rng.randint(1, ORGS), 1, item.key, item.name_id, item.category, qty,
                          item.unit, rng.choice(codes), rng.randint(1, 4), status, pledged, pledged / 2,
                          pledged / 4, NOW - rng.randint(0, 30 * 86400), NOW))  # fmt: skip
    conn.executemany(
        "INSERT INTO needs (id, cluster_id, number, incident_id, organization_id, created_by, item_key, item_name, "
        "category, quantity, unit, region_code, priority, status, pledged, sent, received, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        need_rows,
    )
    offer_rows = []
    for n in range(1, offers + 1):
        item = rng.choice(items)
        offer_status = "open" if open_needs is None or n > offers - open_needs else "taken"
        offer_rows.append((cluster_id, n, rng.randint(1, ORGS), 1, item.key, item.name_id, item.category,
                           float(rng.randint(10, 999)), item.unit, float(rng.choice([0, 0, 5])), rng.choice(codes),
                           offer_status, NOW, NOW))  # fmt: skip
    conn.executemany(
        "INSERT INTO offers (cluster_id, number, organization_id, created_by, item_key, item_name, category, "
        "quantity, unit, committed, region_code, status, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        offer_rows,
    )
    conn.executemany(
        "INSERT INTO pledges (need_id, organization_id, user_id, quantity, status, created_at, updated_at) "
        "VALUES (?, ?, 1, ?, ?, ?, ?)",
        [
            (
                rng.randint(1, needs),
                rng.randint(1, ORGS),
                float(rng.randint(1, 50)),
                rng.choice(["pledged", "sent", "received"]),
                NOW,
                NOW,
            )
            for _ in range(pledges)
        ],
    )
    conn.execute("COMMIT")
    conn.execute("BEGIN")
    stock_repo.bulk_insert(conn, cluster_id, _rows(stock_rows, list(range(1, ORGS + 1))), NOW)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA cache_size=-16000")
    return int(cluster_id)


def _with_stock() -> Any:
    """The stock feature's parts of the summary, as its manifest contributes them (gap column, stock line, the
    period's published snapshot taken before the build)."""
    from bot.features.sitrep.parts import Parts
    from bot.features.stock import service as stock_svc

    return Parts(stock=(stock_svc.stock_for_gaps,), sections=(stock_svc.sitrep_contribution,),
                 prepare=(stock_svc.ensure_published,))  # fmt: skip


def run(
    needs: int = 100_000, offers: int = 20_000, pledges: int = 100_000, stock_rows: int = 1_000_000,
    open_needs: int | None = None,
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        conn = open_sync(Path(scratch) / "sitrep.db")
        try:
            apply_migrations(conn)
            start = time.perf_counter()
            cluster_id = _load(conn, needs, offers, pledges, stock_rows, open_needs)
            parts = _with_stock()
            conn.execute("BEGIN IMMEDIATE")
            sitrep_svc.prepare(conn, cluster_id, NOW, parts)  # the write before every build: this period's stock snapshot
            conn.execute("COMMIT")
            load_s = time.perf_counter() - start
            cluster = cluster_by_id(conn, cluster_id)
            assert cluster is not None
            t = translator("id")

            def build() -> Any:
                return sitrep_svc.build(conn, cluster, NOW, parts)

            def build_and_render() -> str:
                return sitrep_views.compact(t, build(), cluster.timezone, "KlasterBot", cluster.id).text

            build_ms = _median_ms(build)
            total_ms = _median_ms(build_and_render)
            text = build_and_render()
            counts = sitrep_repo.counts(conn, cluster_id)
            return {
                "needs": needs, "open_needs": counts["open_needs"], "offers": offers, "pledges": pledges,
                "stock_rows": stock_rows,
                "load_s": round(load_s, 1), "build_ms": build_ms, "build_and_render_ms": total_ms,
                "pinned_text_chars": len(text), "target_ms": TARGET_MS, "ok": total_ms < TARGET_MS,
            }  # fmt: skip
        finally:
            conn.close()


CURVE_TARGET_MS = 50.0
# (needs, open needs): the history grows, the open backlog stays (2,000); the last point has a backlog of 2 %.
CURVE = ((10_000, 2_000), (100_000, 2_000), (1_000_000, 2_000), (1_000_000, 20_000))


def curve() -> list[dict[str, Any]]:
    """The summary as history grows: most needs closed, as many stock rows as needs, offers 2 % (or the backlog)."""
    points = []
    for needs, open_needs in CURVE:
        figures = run(needs, max(needs // 50, open_needs), needs // 10, needs, open_needs)
        figures["ok"] = figures["build_and_render_ms"] < CURVE_TARGET_MS
        figures["target_ms"] = CURVE_TARGET_MS
        print(json.dumps(figures, ensure_ascii=False), file=sys.stderr, flush=True)
        points.append(figures)
    return points


def main(argv: list[str]) -> int:
    if argv[:1] == ["curve"]:
        points = curve()
        print(json.dumps(points, indent=2, ensure_ascii=False))
        return 0 if all(p["ok"] for p in points) else 1
    figures = run(*(int(a) for a in argv)) if argv else run()
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
