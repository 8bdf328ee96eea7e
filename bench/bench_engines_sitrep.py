"""The situation summary at 1M stock rows on both engines (``python -m bench.bench_engines --sitrep``).

The data is ``bench/bench_sitrep.py``'s (100,000 needs, 20,000 offers, 100,000 pledges, 1,000,000 stock rows in
one cluster), loaded by its own loader. On PostgreSQL the loader runs on the kernel's adapter through a thin
loading shim: SQLite's PRAGMAs are skipped, ``BEGIN IMMEDIATE`` is ``BEGIN``, the stock triggers are disabled for
the bulk insert (``ALTER TABLE … DISABLE TRIGGER USER``) and the running totals rebuilt once, as on SQLite; the
executemany batches go through psycopg's pipeline. The build itself runs on the plain adapter.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from bench import bench_sitrep
from bench.bench_stock import NOW, _median_ms


class _LoadingShim:
    engine = "postgresql"

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        text = sql.strip()
        if text.upper().startswith("PRAGMA"):
            return self._conn.execute("SELECT 1")
        if text.upper() == "BEGIN IMMEDIATE":
            text = "BEGIN"
        if "sqlite_master" in text:  # the stock triggers: set aside by DISABLE TRIGGER instead (see run_pg)
            return self._conn.execute("SELECT 1 WHERE false")
        if isinstance(parameters, dict):
            text = re.sub(r":([a-z_]+)\b", lambda m: str(int(parameters[m.group(1)])), text)
            parameters = ()
        return self._conn.execute(text, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> Any:
        if "INSERT INTO stock " in sql:
            self._conn.execute("ALTER TABLE stock DISABLE TRIGGER USER")
            try:
                return self._conn.executemany(sql, parameters)
            finally:
                self._conn.execute("ALTER TABLE stock ENABLE TRIGGER USER")
        return self._conn.executemany(sql, parameters)


def run_pg(url: str) -> dict[str, Any]:
    from bot.features.members.storage import cluster_by_id
    from bot.features.sitrep import service as sitrep_svc
    from bot.features.sitrep import views as sitrep_views
    from bot.kernel.i18n import translator
    from bot.kernel.pg_adapter import PgConn
    from bot.kernel.pg_migrations import apply_migrations_pg

    conn = PgConn(url)
    try:
        apply_migrations_pg(conn.raw)
        start = time.perf_counter()
        shim = _LoadingShim(conn)
        cluster_id = bench_sitrep._load(shim, 100_000, 20_000, 100_000, 1_000_000)
        parts = bench_sitrep._with_stock()
        shim.execute("BEGIN")
        sitrep_svc.prepare(shim, cluster_id, NOW, parts)
        shim.execute("COMMIT")
        conn.execute("ANALYZE")
        load_s = time.perf_counter() - start
        cluster = cluster_by_id(conn, cluster_id)
        assert cluster is not None
        t = translator("id")

        def build() -> Any:
            return sitrep_svc.build(conn, cluster, NOW, parts)

        def build_and_render() -> str:
            return sitrep_views.compact(t, build(), cluster.timezone, "KlasterBot", cluster.id).text

        return {"stock_rows": 1_000_000, "needs": 100_000, "load_s": round(load_s, 1), "build_ms": _median_ms(build),
                "build_and_render_ms": _median_ms(build_and_render), "pinned_text_chars": len(build_and_render())}
    finally:
        conn.close()


def both(database: Callable[[], AbstractContextManager[str]]) -> dict[str, Any]:
    sqlite = bench_sitrep.run()
    with database() as url:
        postgresql = run_pg(url)
    return {"sqlite": sqlite, "postgresql": postgresql}
