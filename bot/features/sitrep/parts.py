"""What other features add to the situation summary: the stock column of the gaps, sections (the agenda's coming
events, the stock feature's holdings), and write-side preparation (the stock feature's published snapshot).

A feature contributes a ``SummaryPart`` to ``SUMMARY_PARTS`` in its manifest; the summary and the digests read
them per Application through ``Parts.of(runtime)`` and hand them to the use cases, so the summary never imports
the features that feed it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.features.sitrep import domain
from bot.kernel.feature import Point
from bot.kernel.runtime import Runtime
from bot.kernel.sql import Conn

# Stock per (item_key, unit) available in the cluster, for the gap column: (conn, cluster_id, now).
StockSource = Callable[[Conn, int, int], dict[tuple[str, str], float]]
# Fills part of the summary: (conn, cluster_id, now, report).
Section = Callable[[Conn, int, int, domain.Sitrep], None]
# Runs in a write transaction before a summary or digest is built: (conn, cluster_id, now).
Prepare = Callable[[Conn, int, int], None]


@dataclass(frozen=True)
class SummaryPart:
    stock: StockSource | None = None
    section: Section | None = None
    prepare: Prepare | None = None


SUMMARY_PARTS: Point[SummaryPart] = Point("sitrep.summary_parts")


@dataclass(frozen=True)
class Parts:
    stock: tuple[StockSource, ...] = ()
    sections: tuple[Section, ...] = ()
    prepare: tuple[Prepare, ...] = ()

    @classmethod
    def of(cls, runtime: Runtime) -> Parts:
        found = runtime.contributions(SUMMARY_PARTS)
        return cls(
            tuple(p.stock for p in found if p.stock is not None),
            tuple(p.section for p in found if p.section is not None),
            tuple(p.prepare for p in found if p.prepare is not None),
        )


NO_PARTS = Parts()  # a summary with nothing added (a bot without the stock and agenda features)
