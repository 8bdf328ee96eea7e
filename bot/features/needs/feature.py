"""The needs feature's manifest: needs and offers (/butuh, /tawar, lists), pledges and their stages, incidents
(/kejadian), the double-post guard, escalation of urgent needs nobody answered."""

from __future__ import annotations

from bot.features.needs import service, storage
from bot.features.needs.handlers import cards, offers, pledges, posting, register
from bot.kernel.feature import MEMBERS, Access, Contribution, Feature, Rule
from bot.kernel.outbox_storage import MESSAGE_KINDS, MessageKind
from bot.kernel.storage import CHAT_MIGRATION

FEATURE = Feature(
    "needs",
    handlers=register,
    access=Access(
        commands={name: MEMBERS for name in ("butuh", "tawar", "kebutuhan", "tawaran", "komitmen", "kejadian")},
        deeplinks={"bantu": Rule(MEMBERS), "detail": Rule(MEMBERS)},
        buttons={
            "pg:": Rule(MEMBERS, ((r"^pg:\w+:(\d+)$", storage.cluster_of_pledge),)),
            **{prefix: Rule(MEMBERS) for prefix in ("nd:", "pl:", "of:", "nf:", "nl:", "ol:", "ndup:")},
        },
    ),
    dialogs={
        posting.NEED_DIALOG: posting.on_need_text,
        pledges.PLEDGE_DIALOG: pledges.on_pledge_text,
        offers.OFFER_DIALOG: offers.on_offer_text,
        posting.DUPLICATE_DIALOG: posting.on_duplicate_text,
    },
    deeplinks={"bantu": pledges.deeplink_help, "detail": pledges.deeplink_detail},
    jobs={service.ESCALATE_KIND: posting.escalate_job},
    contributes=(
        Contribution(MESSAGE_KINDS, MessageKind(cards.NEED_CARD, cards.record_need_card, cards.need_card_at)),
        Contribution(MESSAGE_KINDS, MessageKind(cards.OFFER_CARD, cards.record_offer_card, cards.offer_card_at)),
        Contribution(CHAT_MIGRATION, storage.migrate_chat),
    ),
    depends_on=("core", "members", "sitrep"),
)
