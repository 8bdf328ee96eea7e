"""A stock report line (``/stok beras 2 ton gudang Martapura, Daha Utara``): item, quantity, unit, kabupaten,
kecamatan, location, expiry, condition."""

from __future__ import annotations

import re
from datetime import datetime

from bot.shared.dates import DEFAULT_ZONE, ParsedDate
from bot.shared.posting_scan import (
    _check,
    _dates,
    _districts,
    _first_keyword,
    _item_and_place,
    _localities,
    _location,
    _missing_quantity,
    _note,
    _quantity,
    _region,
    _Work,
)
from bot.shared.posting_types import (
    PostError,
    StockLine,
)
from bot.shared.posting_words import (
    _CONDITION_AFTER_KEYWORD,
    _CONDITION_RE,
    _CONDITION_WORDS,
    _EXPIRY_PREFIX_RE,
    _HARD_SEP_RE,
    DATE_NEEDS_YEAR,
)
from bot.shared.quantity import Quantity
from bot.shared.regions import (
    DEFAULT_PROVINCE,
    Region,
    find_districts_in,
    find_regions_in,
)


def parse_stock_line(
    text: str, now: datetime | None = None, zone: str = DEFAULT_ZONE, province: str = DEFAULT_PROVINCE
) -> StockLine | PostError:
    """A stock line, typed or pasted from a sheet (``beras;2500;kg;Banjarbaru``) → ``StockLine`` or ``PostError``.

    Without ``now`` only dates that carry their year are accepted (an expiry "besok" needs a reference day).
    """
    problem = _check(text)
    if problem is not None:
        return problem
    work = _Work(text, tabular=bool(_HARD_SEP_RE.search(text)))
    reference = now if isinstance(now, datetime) else datetime(2000, 1, 1)
    dates = _dates(work, reference, zone, _EXPIRY_PREFIX_RE)
    if isinstance(dates, PostError):
        return dates
    if dates and now is None and not dates[0].has_year:
        return PostError(DATE_NEEDS_YEAR, "date", text[dates[0].start : dates[0].end], dates[0].start, dates[0].end)
    condition = _first_keyword(
        work,
        _CONDITION_RE,
        lambda m: (
            _CONDITION_AFTER_KEYWORD[" ".join(m.group("k").lower().split())]
            if m.group("k")
            else _CONDITION_WORDS[" ".join(m.group("c").lower().split())]
        ),
    )
    found = _quantity(work, allow_zero=True)
    if isinstance(found, PostError):
        return found
    if found is None:
        return _missing_quantity(work)
    assert isinstance(found.result, Quantity)
    amount = found.result
    location = _location(work)
    district_hits = _districts(work, province)
    localities = _localities(work, province)  # "kec. Kelua" (a desa is not kept on a stock line)
    region: Region | None = None
    if location is not None:
        hits = [h for h in find_regions_in(location[0], province) if h.region is not None]
        region = hits[0].region if hits else None
        district_hits = district_hits or find_districts_in(location[0], province)  # "gudang Daha Utara"
    if region is None:
        region, region_error = _region(work, province)
        if region_error is not None:
            return region_error
    placed = _item_and_place(work, text, found.start, found.end, amount, region, district_hits, localities, province)
    if isinstance(placed, PostError):
        return placed
    item, region, district_code, unit, assumed = (placed.item, placed.region, placed.district_code, placed.unit,
                                                  placed.unit_assumed)  # fmt: skip
    return StockLine(
        item=item,
        quantity=amount.value,
        unit=unit,
        unit_assumed=assumed,
        pack=amount.pack,
        region=region,
        location=location[0] if location else None,
        expiry=dates[0].result if dates and isinstance(dates[0].result, ParsedDate) else None,
        condition=condition,
        note=_note(work),
        district_code=district_code,
    )


# ---- several items in one line -------------------------------------------------------------------------------

_ITEM_SEPARATOR_RE = re.compile(r"^[\s\x00]*(?:\+|,|&|;|/|\bdan\b|\bserta\b|\bplus\b)[\s\x00]*$", re.IGNORECASE)
