"""Stock and needs: the private match notice, refusals of a stock pledge, the deduction question."""

from __future__ import annotations

from bot.features.members.views import region_name
from bot.features.needs.storage import Need
from bot.features.needs.views import item_label
from bot.features.stock.callbacks import (
    DeductButton,
    StockPledgeButton,
)
from bot.features.stock.service import (
    DeductAsk,
    StockMatch,
)
from bot.features.stock.views.common import amount, line_text, where
from bot.kernel.i18n import Translator
from bot.kernel.views import Button, Reply, esc

# ---- needs and stock ------------------------------------------------------------------------------


def stock_match_notice(t: Translator, need: Need, match: StockMatch) -> Reply:
    """Private to a holder: a new need matches their stock; one tap pledges from it."""
    offer = min(match.amount, need.remaining) if need.remaining > 0 else match.amount
    text = t.gettext("New need {code}: {item}, {rest} still open in {region}. Your stock: {line}.").format(
        code=need.code, item=esc(item_label(t, need.item_key, need.item_name)), rest=amount(t, need.remaining, need.unit),
        region=esc(region_name(need.region_code)), line=f"{amount(t, match.line.quantity, match.line.unit)} · "
        f"{esc(where(match.line))}")  # fmt: skip
    button = Button(t.gettext("🤝 Pledge {q} from stock").format(q=f"{t.number(offer)} {need.unit}"),
                    StockPledgeButton(need.id, match.line.id).pack())  # fmt: skip
    return Reply(text, [[button]])


def stock_pledge_refused(t: Translator, reason: str) -> str:
    return {
        "need_closed": t.gettext("This need is already closed. Thank you!"),
        "covered": t.gettext("This need is already fully pledged. Thank you!"),
        "empty": t.gettext("That stock line is empty now."),
        "unit": t.gettext(
            "Your stock is counted in a unit that does not fit this need; pledge with the need's button."
        ),
    }.get(reason, t.gettext("This button is no longer valid."))


def deduct_ask(t: Translator, ask: DeductAsk, need_code: str, tz: str) -> Reply:
    text = t.gettext("{code} confirmed receipt of your pledge from stock. Reduce {line} by {q}?").format(
        code=need_code, line=line_text(t, ask.line, tz), q=amount(t, ask.amount, ask.line.unit))  # fmt: skip
    return Reply(text, [[Button(t.gettext("✅ Reduce my stock"), DeductButton("y", ask.pledge_id).pack()),
                         Button(t.gettext("✖ Keep as is"), DeductButton("n", ask.pledge_id).pack())]])  # fmt: skip
