"""The export's shapes: one table (a sheet: Indonesian headers, HXL hashtags, rows) and one cluster's export."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.features.members.models import Cluster
from bot.shared.regions import fold


@dataclass
class Sheet:
    name: str  # sheet title (Indonesian) and, folded, the CSV file's stem
    columns: tuple[tuple[str, str], ...]  # (Indonesian header, HXL hashtag)
    rows: list[list[Any]] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return "-".join(fold(self.name).split())


@dataclass
class Export:
    cluster: Cluster
    generated_at: int
    sheets: list[Sheet]

    @property
    def stem(self) -> str:
        return self.stem_with()

    def stem_with(self, cluster_number: bool = False) -> str:
        """``klaster-logistik-kalsel-2025-08-21``; with ``cluster_number`` ``…-kalsel-k2-2025-08-21`` (two clusters
        of one name in one folder)."""
        day = datetime.fromtimestamp(self.generated_at, ZoneInfo(self.cluster.timezone)).date().isoformat()
        number = f"-k{self.cluster.id}" if cluster_number else ""
        return f"{'-'.join(fold(self.cluster.name).split()) or 'klaster'}{number}-{day}"
