"""The needs feature's manifest: needs and offers (/butuh, /tawar, lists), pledges and their stages, incidents
(/kejadian), the double-post guard, escalation of urgent needs nobody answered."""

from __future__ import annotations

from bot.features.needs import service, storage
from bot.features.needs.handlers import posting
from bot.kernel.feature import MEMBERS, Access, Contribution, Feature, Rule
from bot.kernel.outbox_storage import MESSAGE_KINDS, MessageKind
from bot.kernel.storage import CHAT_MIGRATION

FEATURE = Feature(
    "needs",
    handlers=posting.register,
    access=Access(
        commands={name: MEMBERS for name in ("butuh", "tawar", "kebutuhan", "tawaran", "komitmen", "kejadian")},
        deeplinks={"bantu": Rule(MEMBERS), "detail": Rule(MEMBERS)},
        buttons={
            "pg:": Rule(MEMBERS, ((r"^pg:\w+:(\d+)$", "pledge"),)),
            **{prefix: Rule(MEMBERS) for prefix in ("nd:", "pl:", "of:", "nf:", "nl:", "ol:", "ndup:")},
        },
    ),
    dialogs={
        posting.NEED_DIALOG: posting.on_need_text,
        posting.PLEDGE_DIALOG: posting.on_pledge_text,
        posting.OFFER_DIALOG: posting.on_offer_text,
        posting.DUPLICATE_DIALOG: posting.on_duplicate_text,
    },
    deeplinks={"bantu": posting.deeplink_help, "detail": posting.deeplink_detail},
    jobs={service.ESCALATE_KIND: posting.escalate_job},
    contributes=(
        Contribution(MESSAGE_KINDS, MessageKind(posting.NEED_CARD, posting.record_need_card, posting.need_card_at)),
        Contribution(MESSAGE_KINDS, MessageKind(posting.OFFER_CARD, posting.record_offer_card, posting.offer_card_at)),
        Contribution(CHAT_MIGRATION, storage.migrate_chat),
    ),
    depends_on=("core", "members", "sitrep"),
)
