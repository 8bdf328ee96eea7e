"""The digests' manifest: daily and weekly digests to the group and to subscribers (/langganan), /ringkasan."""

from __future__ import annotations

from bot.features.digests import handlers, service
from bot.kernel.feature import APPROVED, MEMBERS, Access, Feature

FEATURE = Feature(
    "digests",
    handlers=handlers.register,
    access=Access(commands={"langganan": MEMBERS, "ringkasan": APPROVED}),
    jobs={kind: handlers.digest_job for kind in service.KINDS.values()},
    on_startup=(handlers.on_startup,),
    depends_on=("core", "members", "needs", "sitrep", "stock", "agenda", "workplan"),
)
