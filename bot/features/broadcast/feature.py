"""The announcements' manifest: /umumkan to the group and privately to every representative, paced, resumable."""

from __future__ import annotations

from bot.features.broadcast import handlers, storage
from bot.features.broadcast.callbacks import BroadcastButton
from bot.kernel.feature import MEMBERS, Access, Contribution, Feature, Rule
from bot.kernel.outbox_storage import MESSAGE_KINDS, MessageKind
from bot.kernel.storage import CHAT_MIGRATION

FEATURE = Feature(
    "broadcast",
    handlers=handlers.register,
    access=Access(commands={"umumkan": MEMBERS}, buttons={BroadcastButton.prefix + ":": Rule(MEMBERS)}),
    on_startup=(handlers.on_startup,),
    contributes=(
        Contribution(CHAT_MIGRATION, storage.migrate_chat),
        Contribution(MESSAGE_KINDS, MessageKind(handlers.STATUS_MESSAGE, storage.move_status_message)),
    ),
    depends_on=("core", "members"),
)
