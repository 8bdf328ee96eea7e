"""SQL for stock lines, their history, the running totals, /cari requests, file imports and stock pledges.

Sizing: the cluster picture must stay under 200 ms with 1,000,000 stock rows (bench/bench_stock.py). So:

* Triggers (migration 0005) keep running totals in the same transaction as every stock change: per
  organisation (``stock_totals``, ``stock_item_totals``: exact contributor counts), and from those the sums the
  picture reads (``stock_region_sums``, ``stock_category_sums``, ``stock_item_sums``: a few hundred rows at any
  stock size). The privacy flag is copied into them, so the privacy rule needs no join.
* "How many lines are stale / expire soon" sums per-day counts (``stock_days``) and counts only the two partial
  days at the edges through an index: exact, and independent of how many lines fall in the range.
* ``/cari`` and stock matching read one item of one cluster through the covering index ``stock_item``
  (``INDEXED BY``: without ANALYZE statistics the planner would pick ``stock_confirmed`` and visit the table).
* ``bulk_insert`` sets the per-row triggers aside and ``rebuild_totals`` recomputes the same figures in one pass;
  a property test checks that triggers and recomputation agree after any sequence of changes.

``EXPLAIN QUERY PLAN`` with 1,000,000 rows and 1,000 organisations (SQLite 3.40)::

    totals_by_category   SEARCH stock_category_sums USING PRIMARY KEY (cluster_id=?)
    totals_by_region     SEARCH stock_region_sums USING PRIMARY KEY (cluster_id=?)
    contributing_orgs    SEARCH o USING COVERING INDEX organizations_cluster (cluster_id=?)
                         CORRELATED SCALAR SUBQUERY 1
                         SEARCH t USING COVERING INDEX stock_totals_org (cluster_id=? AND organization_id=?)
    count_stale          SEARCH stock_days USING PRIMARY KEY (cluster_id=? AND kind=? AND day<?)
                         SEARCH stock USING COVERING INDEX stock_confirmed (cluster_id=? AND confirmed_at>? AND
                         confirmed_at<?)                       (one partial day)
    count_near_expiry    SEARCH stock_days USING PRIMARY KEY (cluster_id=? AND kind=? AND day>? AND day<?)
                         SEARCH stock USING COVERING INDEX stock_expiry (cluster_id=? AND expires_at>? AND
                         expires_at<?)                         (two partial days)
    holders (/cari)      SEARCH stock USING COVERING INDEX stock_item (cluster_id=? AND norm_item=?)
                         USE TEMP B-TREE FOR GROUP BY          (one item's holders: ~15,000 entries)
    item_sums            SEARCH stock_item_sums USING PRIMARY KEY (cluster_id=?)

Measured there: cluster_totals 5.9 ms, /cari 17 ms, the summary's stock sources 2.3 ms (medians of 7). Since the
published table (migration 0011, docs/privacy.md) /cari and the summary read that table instead; taking a
snapshot (hourly) reads ``current_holdings`` through ``stock_item``: 0.6-0.9 s at 200,000 rows.

By part: ``lines`` (stock lines, history, reminders), ``totals`` (the running totals, bulk loading),
``search`` (holders of an item, forwarded requests), ``imports``, ``pledges`` (stock pledges), ``published`` (the
published table). This module re-exports them (``from bot.features.stock import storage as repo``).
"""

from __future__ import annotations

from bot.features.stock.storage.imports import (
    create_import,
    decide_import,
    import_by_id,
)
from bot.features.stock.storage.lines import (
    LINE_COLUMNS,
    StockInput,
    StockLine,
    add_history,
    confirm_lines,
    delete_line,
    expiring_lines,
    find_line,
    first_unreminded_confirmation,
    first_unreminded_expiry,
    history_of_line,
    line_by_id,
    line_of,
    lines_of_org,
    mark_notified,
    orgs_with_stock,
    set_quantity,
    stale_lines,
    upsert_line,
)
from bot.features.stock.storage.pledges import (
    link_pledge,
    set_stock_pledge_status,
    stock_pledge,
)
from bot.features.stock.storage.published import (
    basis,
    closed_orgs,
    current_holdings,
    free_text_items,
    holders_by_org,
    latest_snapshot,
    own_holdings,
    published_rows,
    replace_basis,
    save_snapshot,
    secretariat_flags,
    set_stock_secretariat,
)
from bot.features.stock.storage.search import (
    answer_request,
    create_request,
    holder_lines,
    holders,
    mark_forwarded,
    orgs_public,
    request_by_id,
    set_stock_public,
)
from bot.features.stock.storage.totals import (
    bulk_insert,
    cluster_lines,
    contributing_orgs,
    count_expired,
    count_near_expiry,
    count_stale,
    explain,
    item_sums,
    rebuild_totals,
    totals_by_category,
    totals_by_region,
)

__all__ = [
    "LINE_COLUMNS",
    "StockInput",
    "StockLine",
    "add_history",
    "answer_request",
    "basis",
    "bulk_insert",
    "closed_orgs",
    "cluster_lines",
    "confirm_lines",
    "contributing_orgs",
    "count_expired",
    "count_near_expiry",
    "count_stale",
    "create_import",
    "create_request",
    "current_holdings",
    "decide_import",
    "delete_line",
    "expiring_lines",
    "explain",
    "find_line",
    "first_unreminded_confirmation",
    "first_unreminded_expiry",
    "free_text_items",
    "history_of_line",
    "holder_lines",
    "holders",
    "holders_by_org",
    "import_by_id",
    "item_sums",
    "latest_snapshot",
    "line_by_id",
    "line_of",
    "lines_of_org",
    "link_pledge",
    "mark_forwarded",
    "mark_notified",
    "orgs_public",
    "orgs_with_stock",
    "own_holdings",
    "published_rows",
    "rebuild_totals",
    "replace_basis",
    "request_by_id",
    "save_snapshot",
    "secretariat_flags",
    "set_quantity",
    "set_stock_pledge_status",
    "set_stock_public",
    "set_stock_secretariat",
    "stale_lines",
    "stock_pledge",
    "totals_by_category",
    "totals_by_region",
    "upsert_line",
]
