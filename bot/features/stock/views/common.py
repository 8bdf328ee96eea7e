"""What every stock view shares: amounts, places (kabupaten/kota, kecamatan, location), one line's text and flags."""

from __future__ import annotations

import calendar
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.features.members.views import region_name
from bot.features.needs.views import item_label
from bot.features.stock.service import (
    LineStatus,
)
from bot.features.stock.storage import StockLine
from bot.kernel.i18n import N_, Translator
from bot.kernel.views import esc
from bot.shared import catalogue, regions
from bot.shared.examples import dated

PAGE = 8
STOCK_EXAMPLE_TEMPLATE = "/stok beras 2.500 kg gudang Banjarbaru kedaluwarsa {m+12}"


def stock_example() -> str:
    """The one-line example, its expiry a year from this month (never a fixed date that goes stale)."""
    return dated(STOCK_EXAMPLE_TEMPLATE)


def expiry_examples() -> tuple[str, str]:
    """A month a year ahead ("12/2027") and the last day of that month ("31/12/2027")."""
    month = dated("{m+12}")
    number, year = (int(part) for part in month.split("/"))
    return month, f"{calendar.monthrange(year, number)[1]}/{month}"
SEARCH_EXAMPLE = "/cari terpal HSS"
CONDITION_LABELS = {"baik": N_("good"), "rusak_ringan": N_("lightly damaged"), "rusak_berat": N_("badly damaged")}
EXPIRY_CATEGORIES = ("pangan", "kesehatan", "bayi")


def day_text(t: Translator, ts: int, tz: str) -> str:
    return t.short_date(datetime.fromtimestamp(ts, ZoneInfo(tz)))


def amount(t: Translator, value: float, unit: str) -> str:
    return f"{t.number(value)} {esc(unit)}"


def category_label(t: Translator, key: str) -> str:
    category = catalogue.get_category(key) if key else None
    if category is None:
        return t.gettext("Other items")
    return category.name_id if t.code == "id" else category.name_en


def where(line: StockLine) -> str:
    """Kec. Daha Utara, Kab. Hulu Sungai Selatan · gudang PMI (the kecamatan as the needs' cards write it)."""
    parts = [region_name(line.region_code)] if line.region_code else []
    district = regions.get_district(line.district_code)
    if district is not None:
        parts = [f"Kec. {district.name}, {parts[0]}" if parts else f"Kec. {district.name}"]
    if line.location:
        parts.append(line.location)
    return " · ".join(parts)


def line_text(t: Translator, line: StockLine, tz: str) -> str:
    """Beras — 2.500 kg · Kota Banjarbaru · gudang BPBD · kedaluwarsa 31 Des 2026."""
    text = f"{esc(item_label(t, line.item_key, line.item_name))} — {amount(t, line.quantity, line.unit)}"
    if where(line):
        text += f" · {esc(where(line))}"
    if line.expires_at:
        text += " · " + t.gettext("expires {day}").format(day=day_text(t, line.expires_at, tz))
    if line.condition != "baik":
        text += f" · {esc(t.gettext(CONDITION_LABELS[line.condition]))}"
    return text


def line_flags(t: Translator, status: LineStatus) -> str:
    flags = []
    if status.expired:
        flags.append("⛔ " + t.gettext("expired"))
    elif status.near_expiry:
        flags.append("⏳ " + t.gettext("expires soon"))
    if status.stale:
        flags.append("⚠️ " + t.gettext("not confirmed for a long time"))
    return f" ({', '.join(flags)})" if flags else ""
