"""What stock contributes to the situation summary (bot.features.sitrep.parts.SUMMARY_PARTS): stock for the gap
column and the stock section, both from the published table."""

from __future__ import annotations

from collections import defaultdict

from bot.features.sitrep.domain import Sitrep
from bot.features.stock import storage as repo
from bot.features.stock.service.pledges import in_unit
from bot.features.stock.service.published import published
from bot.kernel.sql import Conn
from bot.shared import quantity as qty

# ---- the situation summary (bot.features.sitrep.service's STOCK_SOURCES and CONTRIBUTORS) --------------------

_SAME_DIMENSION = {"mass": ("kg", "g", "ton"), "volume": ("l", "ml"), "count": ("buah", "lusin", "kodi")}


def stock_for_gaps(conn: Conn, cluster_id: int, now: int) -> dict[tuple[str, str], float]:
    """Cluster stock per (catalogue item, unit) for the gap column, from the published table only: the sum of the
    item's published figures (a lower bound when part of it is pooled with other items or hidden), also in every
    commensurable unit (a need in ton finds stock kept in kg). Read only."""
    out: dict[tuple[str, str], float] = defaultdict(float)
    pub = published(conn, cluster_id)
    if pub is None:
        return {}
    for (norm, unit), (known, _complete) in pub.item_totals().items():
        if norm.startswith("~") or known <= 0:
            continue
        dimension = qty.unit_dimension(unit)
        for target in _SAME_DIMENSION.get(dimension or "", (unit,)):
            converted = in_unit(known, unit, target)
            if converted is not None:
                out[(norm, target)] += converted
    return dict(out)


def sitrep_contribution(conn: Conn, cluster_id: int, now: int, report: Sitrep) -> None:
    """How many organisations report stock and the share of lines confirmed within the stale period (as of the
    latest publication, like every stock figure members see). The snapshot's own figures: its rows are not read."""
    snap = repo.latest_snapshot(conn, cluster_id)
    if snap is None:
        return
    report.stock_orgs = int(snap["organizations"])
    lines, stale_lines = int(snap["lines"]), int(snap["stale_lines"])
    if lines:
        report.stock_fresh_share = (lines - stale_lines) / lines
