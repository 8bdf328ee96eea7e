"""The announcements' manifest: /umumkan to the group and privately to every representative, paced, resumable."""

from __future__ import annotations

from bot.features.broadcast import handlers
from bot.kernel.feature import MEMBERS, Access, Feature, Rule

FEATURE = Feature(
    "broadcast",
    handlers=handlers.register,
    access=Access(commands={"umumkan": MEMBERS}, buttons={"bc:": Rule(MEMBERS)}),
    on_startup=(handlers.on_startup,),
    depends_on=("core", "members", "digests"),
)
