"""The needs feature's Telegram glue, one module per sub-feature: posting (/butuh, the guided form, the
double-post guard, escalation), offers (/tawar), cards (the need/offer cards and their buttons), pledges, lists
(/kebutuhan, /tawaran, one need by code), incidents (/kejadian). ``register`` wires them (from the manifest)."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.features.needs.callbacks import (
    DuplicateButton,
    NeedCardButton,
    NeedListPage,
    OfferButton,
    OfferListPage,
    PledgeAmountButton,
    PledgeStateButton,
)
from bot.features.needs.handlers import cards, incidents, lists, offers, pledges, posting
from bot.kernel.i18n import N_
from bot.kernel.runtime import CommandSpec
from bot.kernel.telegram import add_command

AnyApp = Application[Any, Any, Any, Any, Any, Any]


def register(app: AnyApp) -> None:
    add_command(
        app,
        CommandSpec(
            "butuh",
            N_("Post a need (what, how much, where, how urgent)"),
            "/butuh 500 paket sembako HSS mendesak untuk 120 KK besok",
            aliases=("need",),
            section="kebutuhan",
        ),
        posting.butuh,
    )
    add_command(
        app,
        CommandSpec(
            "tawar",
            N_("Post an offer of goods or equipment"),
            "/tawar 200 terpal Banjarbaru sampai {d+14}",
            aliases=("offer",),
            section="kebutuhan",
        ),
        offers.tawar,
    )
    add_command(
        app,
        CommandSpec(
            "kebutuhan",
            N_("Open needs, filtered by region, item or priority"),
            "/kebutuhan HSS mendesak",
            aliases=("needs",),
            section="kebutuhan",
        ),
        lists.kebutuhan,
    )
    add_command(
        app,
        CommandSpec(
            "tawaran",
            N_("Open offers, filtered by region or item"),
            "/tawaran terpal",
            aliases=("offers",),
            section="kebutuhan",
        ),
        lists.tawaran,
    )
    add_command(
        app,
        CommandSpec(
            "komitmen",
            N_("Your organisation's open pledges"),
            aliases=("pledges",),
            scopes=("private",),
            section="kebutuhan",
        ),
        pledges.komitmen,
    )
    add_command(
        app,
        CommandSpec(
            "kejadian",
            N_("Incidents: list, declare, change status (secretariat)"),
            "/kejadian banjir HSS, HST tanggap darurat {d-2}",
            aliases=("incident",),
            section="kebutuhan",
        ),
        incidents.kejadian,
    )
    app.add_handler(NeedCardButton.handler(cards.on_card_button))
    app.add_handler(PledgeAmountButton.handler(pledges.on_pledge_button))
    app.add_handler(PledgeStateButton.handler(pledges.on_pledge_state))
    app.add_handler(OfferButton.handler(offers.on_offer_button))
    app.add_handler(CallbackQueryHandler(posting.on_need_button, pattern=r"^nf:"))
    app.add_handler(DuplicateButton.handler(posting.on_duplicate_button))
    app.add_handler(MessageHandler(filters.REPLY & filters.TEXT & ~filters.COMMAND, pledges.on_reply))
    app.add_handler(NeedListPage.handler(lists.on_list_page))
    app.add_handler(OfferListPage.handler(lists.on_list_page))
