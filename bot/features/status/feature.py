"""The delivery health's manifest: /status for the secretariat (inbox, outbox, unreachable members)."""

from __future__ import annotations

from bot.features.status import handlers
from bot.kernel.feature import MEMBERS, Access, Feature

FEATURE = Feature("status", handlers=handlers.register, access=Access(commands={"status": MEMBERS}), depends_on=("members",))
