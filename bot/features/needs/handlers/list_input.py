"""The filters of /kebutuhan and /tawaran (region, item, category, priority, incident, mine) and their compact
form in the list's page buttons."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.features.members.models import Cluster
from bot.features.needs.handlers.input import PRIORITY_NUMBERS
from bot.kernel.telegram import parse_id
from bot.shared import catalogue, regions

# ---- list filters ---------------------------------------------------------------------------------


@dataclass
class ListFilters:
    region_code: str | None = None
    item_key: str | None = None
    category: str | None = None
    priority: int | None = None
    incident_id: int | None = None
    mine: bool = False
    label: str = field(default="", compare=False)

    def encode(self) -> str:
        """Compact form for callback data (≤ 64 bytes with prefix and page)."""
        return ",".join(
            [
                self.region_code or "",
                (self.item_key or "")[:20],
                (self.category or "")[:14],
                str(self.priority or ""),
                str(self.incident_id or ""),
                "1" if self.mine else "",
            ]
        )

    @classmethod
    def decode(cls, text: str) -> ListFilters | None:
        parts = text.split(",")
        if len(parts) != 6:
            return None
        region, item, category, prio, incident, mine = parts
        if (region and regions.get_region(region) is None) or (item and catalogue.get_item(item) is None):
            return None
        if (prio and prio not in ("1", "2", "3", "4")) or (incident and parse_id(incident) is None):
            return None
        return cls(
            region or None,
            item or None,
            category or None,
            int(prio) if prio else None,
            parse_id(incident) if incident else None,
            mine == "1",
        )


def parse_list_filters(args: str, cluster: Cluster) -> ListFilters:
    """Words after /kebutuhan or /tawaran: region, item or category, priority, #incident, 'saya'."""
    filters = ListFilters()
    text = " ".join(args.split())[:200]
    labels = []
    words = text.lower().split()
    if "saya" in words or "mine" in words:
        filters.mine = True
        labels.append("saya")
    for word in words:
        if word in PRIORITY_NUMBERS:
            filters.priority = PRIORITY_NUMBERS[word]
            labels.append(word)
        if word.startswith("#") and parse_id(word[1:]) is not None:
            filters.incident_id = parse_id(word[1:])
            labels.append(word)
    hits = [h for h in regions.find_regions_in(text, cluster.province) if h.region is not None]
    if hits and hits[0].region is not None:
        filters.region_code = hits[0].region.code
        labels.append(hits[0].region.short or hits[0].region.name)
    rest = " ".join(
        w for w in words if w not in PRIORITY_NUMBERS and w not in ("saya", "mine") and not w.startswith("#")
    )
    for hit in hits:
        rest = rest.replace(hit.text.lower(), " ")
    rest = " ".join(rest.split())
    if rest:
        found = catalogue.find_items_in(rest)
        if found:
            filters.item_key = found[0].item.key
            labels.append(found[0].item.name_id)
        else:
            category = catalogue.find_category(rest)
            if category is not None:
                filters.category = category.key
                labels.append(category.name_id)
    filters.label = ", ".join(labels)
    return filters
