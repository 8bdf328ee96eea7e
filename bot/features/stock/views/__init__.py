"""Texts and keyboards for private stock reports, the cluster's stock picture, /cari and stock imports.

Member-facing renderers (``totals_text``, ``search_reply``, ``search_page``) render only the published table
(``bot.features.stock.service.Published``, docs/privacy.md); the asker's own figures and the secretariat's
per-organisation rows are separate fields, shown only in a private chat.

By part: ``common`` (amounts, places, a line), ``reports`` (report answers, the guided report), ``lists`` (my stock,
adjusting, the secretariat setting), ``search`` (totals, /cari), ``reminders``, ``pledges`` (stock and needs),
``imports``. This module re-exports them (``from bot.features.stock import views``; ``views.report_result``).
"""

from __future__ import annotations

from bot.features.stock.views.common import (
    CONDITION_LABELS,
    EXPIRY_CATEGORIES,
    PAGE,
    SEARCH_EXAMPLE,
    STOCK_EXAMPLE_TEMPLATE,
    amount,
    category_label,
    day_text,
    expiry_examples,
    line_flags,
    line_text,
    stock_example,
    where,
)
from bot.features.stock.views.imports import (
    import_done,
    import_help,
    import_problem,
    import_report,
)
from bot.features.stock.views.lists import (
    adjust_refused,
    adjusted_text,
    ask_adjust,
    line_card,
    my_stock_page,
    profile_line,
    registration_question,
    secretariat_help,
    secretariat_state,
    secretariat_text,
)
from bot.features.stock.views.pledges import (
    deduct_ask,
    stock_match_notice,
    stock_pledge_refused,
)
from bot.features.stock.views.reminders import (
    confirmed_all,
    expiry_reminder,
    stale_reminder,
)
from bot.features.stock.views.reports import (
    ask_condition,
    ask_expiry,
    ask_item,
    ask_location,
    ask_quantity,
    ask_region,
    confirm_draft,
    error_reason,
    group_redirect,
    report_result,
    stock_help,
)
from bot.features.stock.views.search import (
    SEARCH_PAGE,
    forward_refused,
    forwarded_text,
    holder_answered,
    holder_ask,
    requester_told,
    search_help,
    search_page,
    search_reply,
    totals_text,
)

__all__ = [
    "CONDITION_LABELS",
    "EXPIRY_CATEGORIES",
    "PAGE",
    "SEARCH_EXAMPLE",
    "SEARCH_PAGE",
    "STOCK_EXAMPLE_TEMPLATE",
    "adjust_refused",
    "adjusted_text",
    "amount",
    "ask_adjust",
    "ask_condition",
    "ask_expiry",
    "ask_item",
    "ask_location",
    "ask_quantity",
    "ask_region",
    "category_label",
    "confirm_draft",
    "confirmed_all",
    "day_text",
    "deduct_ask",
    "error_reason",
    "expiry_examples",
    "expiry_reminder",
    "forward_refused",
    "forwarded_text",
    "group_redirect",
    "holder_answered",
    "holder_ask",
    "import_done",
    "import_help",
    "import_problem",
    "import_report",
    "line_card",
    "line_flags",
    "line_text",
    "my_stock_page",
    "profile_line",
    "registration_question",
    "report_result",
    "requester_told",
    "search_help",
    "search_page",
    "search_reply",
    "secretariat_help",
    "secretariat_state",
    "secretariat_text",
    "stale_reminder",
    "stock_example",
    "stock_help",
    "stock_match_notice",
    "stock_pledge_refused",
    "totals_text",
    "where",
]
