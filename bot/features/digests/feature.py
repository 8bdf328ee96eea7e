"""The digests' manifest: daily and weekly digests to the group and to subscribers (/langganan), /ringkasan."""

from __future__ import annotations

from bot.features.digests import handlers, job, slots, storage
from bot.kernel.feature import APPROVED, MEMBERS, Access, Contribution, Feature
from bot.kernel.outbox_storage import MESSAGE_KINDS
from bot.kernel.storage import CHAT_MIGRATION

FEATURE = Feature(
    "digests",
    handlers=handlers.register,
    access=Access(commands={"langganan": MEMBERS, "ringkasan": APPROVED}),
    jobs={kind: job.digest_job for kind in slots.KINDS.values()},
    on_startup=(handlers.on_startup,),
    contributes=(
        Contribution(CHAT_MIGRATION, storage.migrate_chat),
        *(Contribution(MESSAGE_KINDS, kind) for kind in job.MESSAGE_KINDS),
    ),
    # needs: its views (priority icons, item labels); the agenda adds its coming week through DIGEST_SECTIONS
    depends_on=("core", "members", "needs", "sitrep", "stock"),
)
