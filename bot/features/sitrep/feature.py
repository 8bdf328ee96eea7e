"""The situation summary's manifest: /lapsit, the pinned card refreshed after changes, /hitung (needs of a
population by the standards)."""

from __future__ import annotations

from bot.features.sitrep import handlers, service, storage
from bot.kernel.feature import MEMBERS, PUBLIC, Access, Contribution, Feature, Rule
from bot.kernel.outbox_storage import MESSAGE_KINDS, MessageKind
from bot.kernel.storage import CHAT_MIGRATION

FEATURE = Feature(
    "sitrep",
    handlers=handlers.register,
    access=Access(
        commands={"lapsit": MEMBERS, "hitung": PUBLIC},
        deeplinks={"lapsit": Rule(MEMBERS)},
        buttons={"hc:": Rule(PUBLIC)},
    ),
    deeplinks={"lapsit": handlers.deeplink_full},
    jobs={storage.REFRESH_KIND: handlers.refresh_job},
    contributes=(
        Contribution(CHAT_MIGRATION, storage.migrate_chat),
        Contribution(MESSAGE_KINDS, MessageKind(handlers.SITREP_CARD, handlers.card_posted, service.card_at)),
    ),
    depends_on=("core", "members", "needs"),
)
