"""The situation summary as data, and the pure parts of computing it (gaps, ordering, truncation)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ItemNeed:
    item_key: str | None
    item_name: str
    unit: str
    needed: float
    pledged: float
    received: float


@dataclass(frozen=True)
class Gap:
    item_key: str | None
    item_name: str
    unit: str
    needed: float
    pledged: float
    in_stock: float
    gap: float

    @property
    def share(self) -> float:
        return self.gap / self.needed if self.needed else 0.0


def compute_gaps(items: list[ItemNeed], stock: dict[tuple[str, str], float]) -> list[Gap]:
    """gap = needed − pledged − cluster stock of the same item and unit; only positive gaps, largest share
    first (a 90 % gap on blankets matters more than 10 % on rice even if the kilos are bigger)."""
    gaps = []
    for item in items:
        in_stock = stock.get((item.item_key or "", item.unit), 0.0) if item.item_key else 0.0
        gap = item.needed - item.pledged - in_stock
        if gap > 0:
            gaps.append(Gap(item.item_key, item.item_name, item.unit, item.needed, item.pledged, in_stock, gap))
    return sorted(gaps, key=lambda g: (-g.share, -g.needed, g.item_name))


@dataclass(frozen=True)
class CategoryCoverage:
    category: str
    needs: int
    pledged: float  # 0..1, mean share over the category's open needs
    sent: float
    received: float


@dataclass(frozen=True)
class UrgentNeed:
    number: int
    item_key: str | None
    item_name: str
    remaining: float
    unit: str
    region_code: str | None
    priority: int


@dataclass(frozen=True)
class RegionLoad:
    region_code: str | None
    open_needs: int
    urgent: int  # priority 1 and 2
    uncovered: int


@dataclass(frozen=True)
class IncidentLine:
    title: str
    status: str
    region_codes: tuple[str, ...]


@dataclass(frozen=True)
class OfferLine:
    number: int
    item_key: str | None
    item_name: str
    quantity: float
    unit: str
    region_code: str | None
    org_name: str


@dataclass(frozen=True)
class EventLine:
    title: str
    starts_at: int
    kind: str


@dataclass
class Sitrep:
    cluster_name: str
    generated_at: int
    incidents: list[IncidentLine] = field(default_factory=list)
    regions: list[RegionLoad] = field(default_factory=list)
    urgent: list[UrgentNeed] = field(default_factory=list)
    urgent_total: int = 0
    coverage: list[CategoryCoverage] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    unused_offers: list[OfferLine] = field(default_factory=list)
    unused_offers_total: int = 0
    open_needs: int = 0
    fulfilled_needs: int = 0
    open_offers: int = 0
    stock_orgs: int = 0
    stock_fresh_share: float | None = None  # share of stock lines confirmed recently, None without stock
    events: list[EventLine] = field(default_factory=list)


def region_loads(rows: list[tuple[str | None, int, int, int]]) -> list[RegionLoad]:
    """(region, priority, count, uncovered) rows → per region, most urgent load first."""
    by_region: dict[str | None, list[int]] = {}
    for region, priority, count, uncovered in rows:
        acc = by_region.setdefault(region, [0, 0, 0])
        acc[0] += count
        acc[1] += count if priority <= 2 else 0
        acc[2] += uncovered
    loads = [RegionLoad(r, a[0], a[1], a[2]) for r, a in by_region.items()]
    return sorted(loads, key=lambda x: (-x.urgent, -x.uncovered, -x.open_needs, x.region_code or ""))
