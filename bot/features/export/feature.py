"""The export's manifest: /ekspor (XLSX and CSV with HXL tags) for the secretariat."""

from __future__ import annotations

from bot.features.export import handlers
from bot.kernel.feature import MEMBERS, Access, Feature

FEATURE = Feature(
    "export",
    handlers=handlers.register,
    access=Access(commands={"ekspor": MEMBERS}),
    depends_on=("core", "members", "stock", "agenda", "workplan"),
)
