"""One-line needs, offers and stock reports as people type them in the group or paste from a spreadsheet.

``500 paket sembako HSS mendesak untuk 120 KK besok`` → item, quantity, unit, region, priority, beneficiaries,
needed-by. The parser picks out the parts it recognises (dates, beneficiaries, priority, quantity, kecamatan/desa,
region), takes the item from what is left next to the quantity, and keeps the rest as a note. When a part is
present but wrong ("31/2", "-5 kg", "Kab. Atlantis") or missing, it returns a ``PostError`` naming the offending
text, so the reply can say exactly what was not understood. Nothing here raises on any input.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal

from bot.shared import quantity as qty
from bot.shared.catalogue import find_items_in
from bot.shared.dates import DEFAULT_ZONE, ParsedDate
from bot.shared.posting_scan import (
    _beneficiaries,
    _check,
    _dates,
    _districts,
    _first_keyword,
    _item_and_place,
    _localities,
    _missing_quantity,
    _note,
    _quantity,
    _region,
    _region_code,
    _Work,
)
from bot.shared.posting_types import (
    Beneficiaries,
    Post,
    PostError,
    StockLine,
)
from bot.shared.posting_words import (
    _NEEDED_BY_PREFIX_RE,
    _NOT_A_QUANTITY_BEFORE_RE,
    _PRIORITY_RE,
    _PRIORITY_WORDS,
    BAD_BENEFICIARIES,
    CONDITIONS,
    DATE_NEEDS_YEAR,
    EMPTY,
    MAX_BENEFICIARIES,
    MAX_LINE_CHARS,
    MISSING_ITEM,
    MISSING_QUANTITY,
    MULTIPLE_QUANTITIES,
    PRIORITIES,
    TOO_LONG,
    UNKNOWN_REGION,
    VAGUE_QUANTITY,
)
from bot.shared.quantity import Quantity, QuantityError
from bot.shared.regions import (
    DEFAULT_PROVINCE,
)
from bot.shared.stock_line import _ITEM_SEPARATOR_RE, parse_stock_line


def parse_post(
    text: str, now: datetime, zone: str = DEFAULT_ZONE, province: str = DEFAULT_PROVINCE
) -> Post | PostError:
    """A need/offer line → ``Post``, or ``PostError`` naming the part that was not understood."""
    problem = _check(text)
    if problem is not None:
        return problem
    work = _Work(text)
    dates = _dates(work, now, zone, _NEEDED_BY_PREFIX_RE)
    if isinstance(dates, PostError):
        return dates
    people = _beneficiaries(work)
    if isinstance(people, PostError):
        return people
    priority = _first_keyword(work, _PRIORITY_RE, lambda m: _PRIORITY_WORDS[" ".join(m.group("p").lower().split())])
    coded_region = _region_code(work, province)
    found = _quantity(work, allow_zero=False)
    if isinstance(found, PostError):
        return found
    beneficiaries = [b for b, _, _, _ in people]
    if found is None:
        bare = [p for p in people if not p[1]]
        if not bare:
            return _missing_quantity(work)
        b, _, q_start, q_end = bare[0]
        beneficiaries.remove(b)
        amount = Quantity(Decimal(b.count), b.unit)
    else:
        assert isinstance(found.result, Quantity)
        amount, q_start, q_end = found.result, found.start, found.end
    district_hits = _districts(work, province)
    localities = _localities(work, province)
    region, region_error = _region(work, province)
    if region_error is not None:
        return region_error
    region = region or coded_region
    placed = _item_and_place(work, text, q_start, q_end, amount, region, district_hits, localities, province)
    if isinstance(placed, PostError):
        return placed
    item, region, district_code, district_name = placed.item, placed.region, placed.district_code, placed.district_name
    unit, assumed = placed.unit, placed.unit_assumed
    return Post(
        item=item,
        quantity=amount.value,
        unit=unit,
        unit_assumed=assumed,
        pack=amount.pack,
        region=region,
        district=district_name,
        village=localities.get("village"),
        priority=priority,
        needed_by=dates[0].result if dates and isinstance(dates[0].result, ParsedDate) else None,
        beneficiaries=tuple(beneficiaries),
        note=_note(work),
        district_code=district_code,
    )


def split_items(text: str, now: datetime, zone: str = DEFAULT_ZONE) -> list[str] | None:
    """``500 lbr terpal + 200 selimut HSS`` → one line per item, each keeping the shared parts (region,
    priority, date, beneficiaries): ``500 lbr terpal … HSS`` and ``… 200 selimut HSS``. None when the line
    names one item, or when its quantities cannot each be paired with an item (the caller then asks)."""
    if _check(text) is not None:
        return None
    work = _Work(text)
    if isinstance(_dates(work, now, zone, _NEEDED_BY_PREFIX_RE), PostError):
        return None
    if isinstance(_beneficiaries(work), PostError):
        return None
    view = work.view
    found = [
        m for m in qty.find_quantities(view)
        if not isinstance(m.result, QuantityError) and not _NOT_A_QUANTITY_BEFORE_RE.search(view, 0, m.start)
    ]  # fmt: skip
    if len(found) < 2:
        return None
    hits = find_items_in(view)
    pairs: list[tuple[int, int]] = []
    for index, match in enumerate(found):
        limit = found[index + 1].start if index + 1 < len(found) else len(view)
        after = [h for h in hits if match.end <= h.start < limit]
        if not after:
            return None
        pairs.append((match.start, after[0].end))
    for (_, end), (start, _) in itertools.pairwise(pairs):
        if not _ITEM_SEPARATOR_RE.match(view[end:start]):
            return None
    lines = []
    for keep in range(len(pairs)):
        chars = list(text)
        for index, (start, end) in enumerate(pairs):
            if index != keep:
                chars[start:end] = " " * (end - start)
        # separators between the items would be left dangling: blank them too
        for (_, end), (start, _) in itertools.pairwise(pairs):
            chars[end:start] = " " * (start - end)
        lines.append(" ".join("".join(chars).split()))
    return lines


# The parser's public names, wherever they live (callers write ``posting.PostError``, ``posting.parse_stock_line``).
__all__ = [
    "BAD_BENEFICIARIES",
    "CONDITIONS",
    "DATE_NEEDS_YEAR",
    "EMPTY",
    "MAX_BENEFICIARIES",
    "MAX_LINE_CHARS",
    "MISSING_ITEM",
    "MISSING_QUANTITY",
    "MULTIPLE_QUANTITIES",
    "PRIORITIES",
    "TOO_LONG",
    "UNKNOWN_REGION",
    "VAGUE_QUANTITY",
    "Beneficiaries",
    "Post",
    "PostError",
    "StockLine",
    "parse_post",
    "parse_stock_line",
    "split_items",
]
