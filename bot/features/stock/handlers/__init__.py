"""/stok (private reports, my stock, totals, import), /ringkasan stok, /cari; stock reminders; pledging from stock.

Figures an organisation reported are shown only to its own representatives (and, privately, to the secretariat
if the organisation allows it: /stok sekretariat). Every figure anyone else sees (/ringkasan stok, /cari, the
summary, digests) comes from the published table (docs/privacy.md); /ringkasan stok and /cari take the period's
snapshot first, the hourly job takes the next one.

By sub-feature: ``reports`` (/stok and the guided report), ``lists`` (my stock and adjusting it), ``settings``,
``search`` (/ringkasan stok, /cari), ``imports``, ``pledges`` (stock and needs), ``jobs`` (reminders,
publication). Every "Tersimpan" is an outbox row of its change's transaction (bot/kernel/outbox.py).
"""

from __future__ import annotations

from telegram.ext import MessageHandler, filters

from bot.features.stock.callbacks import (
    DeductButton,
    FlowButton,
    ImportButton,
    LineButton,
    MoreButton,
    ReminderButton,
    RequestButton,
    StockPledgeButton,
    VisibilityButton,
)
from bot.features.stock.handlers import imports, jobs, lists, pledges, reports, search, settings
from bot.features.stock.handlers.common import AnyApp
from bot.kernel.i18n import N_
from bot.kernel.runtime import CommandSpec
from bot.kernel.telegram import add_command


def register(app: AnyApp) -> None:
    add_command(app, CommandSpec("stok", N_("Report your organisation's stock privately; totals for the secretariat"),
                                 N_("/stok beras 2.500 kg gudang Banjarbaru kedaluwarsa {m+12}"), aliases=("stock",),
                                 section="stok"), reports.stok)  # fmt: skip
    add_command(app, CommandSpec("ringkasan", N_("Cluster summaries: /ringkasan stok shows stock totals"),
                                 N_("/ringkasan stok"), aliases=("summary",), section="stok"), search.ringkasan)  # fmt: skip
    add_command(app, CommandSpec("cari", N_("Who has an item: cluster stock, capacity register and open offers"),
                                 N_("/cari terpal HSS"), aliases=("find",), section="stok"), search.cari)  # fmt: skip
    app.add_handler(MessageHandler(
        filters.ChatType.PRIVATE & filters.Document.ALL & filters.CaptionRegex(r"^/(stok|stock)(@\w+)?\s+(impor|import)\b"),
        imports.on_import_caption))  # fmt: skip
    app.add_handler(FlowButton.handler(reports.on_flow_button))
    app.add_handler(LineButton.handler(lists.on_line_button))
    app.add_handler(RequestButton.handler(search.on_request_button))
    app.add_handler(MoreButton.handler(search.on_more_button))
    app.add_handler(VisibilityButton.handler(settings.on_visibility_button))
    app.add_handler(ReminderButton.handler(jobs.on_reminder_button))
    app.add_handler(ImportButton.handler(imports.on_import_button))
    app.add_handler(StockPledgeButton.handler(pledges.on_stock_pledge))
    app.add_handler(DeductButton.handler(pledges.on_deduct))
