"""The stock feature's manifest: stock reported privately (/stok, lists, imports), the published table behind every
pooled figure, /cari over stock, capacity and offers; what it adds to needs (holders of matching stock, stock
pledges), to registration (the visibility question) and to the situation summary."""

from __future__ import annotations

from bot.features.members.events import ORG_PROFILE_SECTIONS, REGISTERED
from bot.features.needs import storage as needs_storage
from bot.features.needs.events import NEED_POSTED, PLEDGE_MOVED
from bot.features.sitrep.parts import SUMMARY_PARTS, SummaryPart
from bot.features.stock import handlers, service, views
from bot.features.stock.handlers import common, imports, jobs, lists, pledges, reports, settings
from bot.kernel.feature import APPROVED, MEMBERS, Access, Contribution, Feature, Rule

FEATURE = Feature(
    "stock",
    handlers=handlers.register,
    access=Access(
        commands={"stok": MEMBERS, "cari": APPROVED},
        # /stok total is /ringkasan stok (stock figures)
        subcommands={("stok", "total"): APPROVED, ("stok", "ringkasan"): APPROVED, ("stok", "summary"): APPROVED},
        deeplinks={"stok": Rule(MEMBERS)},
        buttons={
            "sd:": Rule(MEMBERS, ((r"^sd:\w+:(\d+)$", needs_storage.cluster_of_pledge),)),
            "sm:": Rule(APPROVED),
            **{prefix: Rule(MEMBERS) for prefix in ("sf:", "sk:", "sq:", "sr:", "si:", "sp:", "sv:")},
        },
    ),
    dialogs={
        common.KIND: reports.on_flow_text,
        common.ADJUST_KIND: lists.on_adjust_text,
        common.IMPORT_KIND: imports.on_import_dialog,
    },
    deeplinks={"stok": reports.deeplink},
    jobs={
        service.STALE_KIND: jobs.stale_job,
        service.EXPIRY_KIND: jobs.expiry_job,
        service.PUBLISH_KIND: jobs.publish_job,
    },
    contributes=(
        Contribution(NEED_POSTED, pledges.need_posted_outs),
        Contribution(PLEDGE_MOVED, pledges.pledge_moved_outs),
        Contribution(REGISTERED, settings.registered_outs),
        Contribution(ORG_PROFILE_SECTIONS, lambda conn, t, org: views.profile_line(t, service.secretariat_allowed(conn, org.id))),
        Contribution(
            SUMMARY_PARTS,
            SummaryPart(stock=service.stock_for_gaps, section=service.sitrep_contribution, prepare=service.ensure_published),
        ),
    ),
    depends_on=("members", "needs", "sitrep"),  # what the stock package imports
)
