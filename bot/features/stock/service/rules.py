"""The stock rules every part builds on: limits, the draft of a line and how it is stored (its identity), parsing a
report's lines (glue between bot.shared.posting and drafts) and the cluster's stock settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bot.features.members import storage as members_repo
from bot.features.stock.storage import StockInput
from bot.kernel.sql import Conn
from bot.shared import posting, regions
from bot.shared import quantity as qty
from bot.shared.catalogue import ItemMatch
from bot.shared.regions import fold

STALE_KIND = "stock.stale"
EXPIRY_KIND = "stock.expiry"
DEFAULT_STALE_DAYS = 30
DEFAULT_EXPIRY_DAYS = 30
MAX_STALE_DAYS = 365
MIN_PRIVATE_CONTRIBUTORS = 2
MAX_LINES = 100  # lines per message; a longer list goes through the file import
MAX_QUANTITY = float(qty.MAX_QUANTITY)
DAY_S = 24 * 3600
CONDITIONS = ("baik", "rusak_ringan", "rusak_berat")


@dataclass(frozen=True)
class StockDraft:
    item_key: str | None
    item_name: str
    category: str
    quantity: float
    unit: str
    region_code: str
    location: str = ""
    expires_at: int | None = None
    condition: str = "baik"
    district_code: str | None = None  # kecamatan (adm3), private like the line: never in a pooled figure


def norm_location(location: str, region_code: str) -> str:
    """The location's comparison form, without the names of its own region.

    "gudang BPBD Bjm" and "Gudang bpbd Banjarmasin" are one place: the region is already part of the identity.
    """
    text = location[:120]
    for hit in sorted(regions.find_regions_in(text, region_code[:2] or regions.DEFAULT_PROVINCE),
                      key=lambda h: -h.start):  # fmt: skip
        if hit.region is not None and hit.region.code == region_code:
            text = text[: hit.start] + " " + text[hit.end :]
    return fold(text)[:80]


def to_input(draft: StockDraft) -> StockInput:
    """The line as stored. A kecamatan is part of the place: the same item in two kecamatan of one kabupaten is
    two lines (a line without one keeps the identity it always had)."""
    norm_item = draft.item_key or "~" + fold(draft.item_name)[:80]
    district = draft.district_code if regions.get_district(draft.district_code) is not None else None
    place = norm_location(draft.location, draft.region_code)
    if district is not None:
        place = f"{district}|{place}"[:80]
    return StockInput(
        draft.item_key, draft.item_name[:80], norm_item, draft.category, draft.quantity, draft.unit,
        draft.region_code, draft.location[:80], place, draft.expires_at, draft.condition, district,
    )  # fmt: skip


def norm_item_of(match: ItemMatch) -> str:
    return match.item.key if match.item is not None else "~" + fold(match.text)[:80]


def item_fields(match: ItemMatch) -> tuple[str | None, str, str]:
    if match.item is not None:
        return match.item.key, match.item.name_id, match.item.category
    return None, " ".join(match.text.split())[:80], ""


def base_quantity(value: Decimal, unit: str, pack: qty.Pack | None = None) -> tuple[float, str]:
    """Stored in the base unit so lines and totals add up: 2,5 ton → 2500 kg; 1 dus (24 botol) → 24 botol."""
    amount, base = qty.normalize(value, unit, pack)
    return float(amount), base or unit


def end_of_day(when: datetime) -> int:
    return int(when.replace(hour=23, minute=59, second=59, microsecond=0).timestamp())


# ---- parsing a report (glue between bot.shared and drafts) ----------------------------------------


@dataclass(frozen=True)
class LineResult:
    number: int  # 1-based line number in the message
    text: str
    draft: StockDraft | None = None
    error: posting.PostError | None = None
    missing_region: bool = False


def parse_line(text: str, now: datetime, tz: str, province: str, default_region: str | None) -> LineResult:
    parsed = posting.parse_stock_line(text, now, tz, province)
    if isinstance(parsed, posting.PostError):
        return LineResult(0, text, error=parsed)
    if parsed.quantity > qty.MAX_QUANTITY:
        return LineResult(0, text, error=posting.PostError(qty.TOO_LARGE, "quantity", str(parsed.quantity)))
    region = parsed.region.code if parsed.region else default_region
    if not region:
        return LineResult(0, text, missing_region=True)
    key, name, category = item_fields(parsed.item)
    unit = parsed.unit or (parsed.item.item.unit if parsed.item.item else "buah")
    amount, base = base_quantity(parsed.quantity, unit, parsed.pack)
    expires = end_of_day(parsed.expiry.value) if parsed.expiry is not None else None
    location = " ".join((parsed.location or "").split())
    district = parsed.district_code if parsed.region is not None and parsed.region.code == region else None
    draft = StockDraft(key, name, category, amount, base, region, location, expires, parsed.condition or "baik",
                       district)  # fmt: skip
    return LineResult(0, text, draft=draft)


def parse_report(text: str, now: datetime, tz: str, province: str, default_region: str | None) -> list[LineResult]:
    """Every non-empty line of a message, numbered as the sender sees them."""
    results = []
    lines = [line for line in text.splitlines() if line.strip()]
    for number, line in enumerate(lines[:MAX_LINES], start=1):
        result = parse_line(line.strip(), now, tz, province, default_region)
        results.append(LineResult(number, line.strip(), result.draft, result.error, result.missing_region))
    return results


# ---- settings and reminders -----------------------------------------------------------------------


def _int_setting(conn: Conn, cluster_id: int, key: str, default: int) -> int:
    raw = members_repo.get_setting(conn, cluster_id, key)
    try:
        value = int(raw) if raw is not None else default
    except ValueError:
        return default
    return value if 1 <= value <= MAX_STALE_DAYS else default


def stale_days(conn: Conn, cluster_id: int) -> int:
    return _int_setting(conn, cluster_id, "stock_stale_days", DEFAULT_STALE_DAYS)


def expiry_days(conn: Conn, cluster_id: int) -> int:
    return _int_setting(conn, cluster_id, "stock_expiry_days", DEFAULT_EXPIRY_DAYS)
