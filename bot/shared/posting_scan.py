"""The working copy of a line and the finders that claim its parts (dates, beneficiaries, quantity, localities,
region, item, note); ``bot.shared.posting`` puts them together."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from bot.shared import quantity as qty
from bot.shared.catalogue import ItemHit, ItemMatch, find_items_in, match_item
from bot.shared.dates import DateError, DateMatch, find_datetime
from bot.shared.posting_types import (
    Beneficiaries,
    PostError,
)
from bot.shared.posting_words import (
    _BARRIER,
    _BENEFICIARIES_RE,
    _CELL_SEP_RE,
    _CONTROL_RE,
    _FILLERS,
    _FIRST_WORD_RE,
    _HARD_SEP_RE,
    _HOUSEHOLD_WORDS,
    _LOCALITY_RE,
    _LOCALITY_WORDS,
    _LOCATION_RE,
    _LONG_WORD_RE,
    _NONSPACE_RE,
    _NOT_A_QUANTITY_BEFORE_RE,
    _SPACES_RE,
    _UNCLAIMED_RE,
    _WORD_RE,
    BAD_BENEFICIARIES,
    EMPTY,
    MAX_BENEFICIARIES,
    MAX_LINE_CHARS,
    MISSING_ITEM,
    MISSING_QUANTITY,
    MULTIPLE_QUANTITIES,
    TOO_LONG,
    UNKNOWN_REGION,
    VAGUE_QUANTITY,
)
from bot.shared.quantity import Quantity, QuantityError, QuantityMatch
from bot.shared.regions import (
    DistrictHit,
    Region,
    RegionHit,
    find_district,
    find_districts_in,
    find_region,
    find_regions_in,
    fold,
    get_region,
)


class _Work:
    """The input plus a working copy in which every recognised part is blanked with a barrier character."""

    def __init__(self, text: str, *, tabular: bool = False) -> None:
        self.text = text
        working = _CONTROL_RE.sub(" ", text)
        if tabular:
            working = _join_number_and_unit_cells(working)
        self.chars = list(_HARD_SEP_RE.sub(_BARRIER, working))

    @property
    def view(self) -> str:
        return "".join(self.chars)

    def claim(self, start: int, end: int) -> None:
        self.chars[start:end] = _BARRIER * (end - start)

    def error(self, code: str, field: str, start: int, end: int) -> PostError:
        return PostError(code, field, self.text[start:end].strip(), start, end)


def _join_number_and_unit_cells(text: str) -> str:
    """``2500;kg`` pasted from a sheet is one quantity: the separator between a number cell and a unit cell
    becomes a space (same length, so spans stay valid)."""
    separators = [m.start() for m in _CELL_SEP_RE.finditer(text)]
    bounds = [-1, *separators, len(text)]
    cells = [text[a + 1 : b] for a, b in itertools.pairwise(bounds)]
    chars = list(text)
    for index, separator in enumerate(separators):
        left, right = cells[index], cells[index + 1]
        if isinstance(qty.parse_number(left), Decimal) and qty.unit_key(right.strip().rstrip(".")):
            chars[separator] = " "
    return "".join(chars)


def _dates(work: _Work, now: datetime, zone: str, prefix_re: re.Pattern[str]) -> list[DateMatch] | PostError:
    """Every date in the line (the first one counts); a day/month directly followed by a unit is a fraction."""
    found: list[DateMatch] = []
    pos = 0
    while True:
        view = work.view
        match = find_datetime(view, now, zone, pos)
        if match is None:
            return found
        pos = match.end
        if match.kind == "numeric" and not match.has_year and qty.unit_at(view, match.end):
            continue  # "1/2 ton"
        if isinstance(match.result, DateError):
            return work.error(match.result.code, "date", match.start, match.end)
        start = match.start
        prefix = prefix_re.search(view, 0, match.start)
        if prefix and _BARRIER not in view[prefix.start() : match.start]:
            start = prefix.start()
        work.claim(start, match.end)
        found.append(match)


def _beneficiaries(work: _Work) -> list[tuple[Beneficiaries, bool, int, int]] | PostError:
    """(beneficiaries, had a prefix like "untuk", start, end) for each mention; claimed."""
    found: list[tuple[Beneficiaries, bool, int, int]] = []
    for m in _BENEFICIARIES_RE.finditer(work.view):
        number = qty.parse_number(m.group("num"))
        if isinstance(number, QuantityError) or number != number.to_integral_value():
            if isinstance(number, QuantityError) and number.code == qty.NOT_A_NUMBER:
                continue
            return work.error(BAD_BENEFICIARIES, "beneficiaries", m.start("num"), m.end())
        if not 0 < number <= MAX_BENEFICIARIES:
            return work.error(BAD_BENEFICIARIES, "beneficiaries", m.start("num"), m.end())
        unit_word = " ".join(m.group("unit").lower().split())
        unit = "kk" if unit_word in _HOUSEHOLD_WORDS else "jiwa"
        found.append((Beneficiaries(int(number), unit), bool(m.group("pre")), m.start(), m.end()))
    for _, _, start, end in found:
        work.claim(start, end)
    return found


def _first_keyword(work: _Work, regex: re.Pattern[str], mapping: Callable[[re.Match[str]], str]) -> str | None:
    m = regex.search(work.view)
    if m is None:
        return None
    work.claim(m.start(), m.end())
    return mapping(m)


def _quantity(work: _Work, allow_zero: bool) -> QuantityMatch | PostError | None:
    view = work.view
    candidates = []
    for match in qty.find_quantities(view, allow_zero=allow_zero):
        if isinstance(match.result, QuantityError) and match.result.code == qty.NOT_A_NUMBER:
            continue
        if not match.has_unit and _NOT_A_QUANTITY_BEFORE_RE.search(view, 0, match.start):
            continue
        candidates.append(match)
    with_unit = [c for c in candidates if c.has_unit]
    if len(with_unit) > 1:
        second = with_unit[1]
        return work.error(MULTIPLE_QUANTITIES, "quantity", second.start, second.end)
    chosen = with_unit[0] if with_unit else (candidates[0] if candidates else None)
    if chosen is None:
        return None
    if isinstance(chosen.result, QuantityError):
        return work.error(chosen.result.code, "quantity", chosen.start, chosen.end)
    work.claim(chosen.start, chosen.end)
    return chosen


def _missing_quantity(work: _Work) -> PostError:
    vague = qty.find_vague(work.view)
    if vague is not None:
        return work.error(VAGUE_QUANTITY, "quantity", *vague)
    return PostError(MISSING_QUANTITY, "quantity", work.text.strip()[:200], 0, len(work.text))


def _run_after(view: str, start: int, max_words: int, stop: Callable[[int, str, int], bool]) -> tuple[int, int]:
    """Span of up to ``max_words`` words from ``start`` separated by spaces only, until ``stop`` says so."""
    end = start
    pos = start
    count = 0
    while count < max_words:
        m = _WORD_RE.match(view, pos)
        if m is None:
            break
        word = m.group(0)
        if stop(count, word, m.start()):
            break
        end = m.end()
        count += 1
        gap = _SPACES_RE.match(view[end:])
        if gap is None:
            break
        pos = end + gap.end()
    return start, end


def _localities(work: _Work, province: str) -> dict[str, str]:
    """``kec. Daha Utara``, ``desa Pandak Daun`` → free text; a known region or item name ends the name."""
    found: dict[str, str] = {}
    view = work.view
    region_starts = {h.start for h in find_regions_in(view, province)}
    item_starts = {h.start for h in find_items_in(view)}
    for m in list(_LOCALITY_RE.finditer(view)):
        field = _LOCALITY_WORDS[m.group("kw").lower()]
        if field in found or _BARRIER in work.view[m.start() : m.end()]:
            continue

        def stop(index: int, word: str, at: int) -> bool:
            folded = fold(word)
            if folded in _LOCALITY_WORDS or folded in _FILLERS or folded in {"kab", "kabupaten", "kota"}:
                return True
            return index > 0 and (at in region_starts or at in item_starts)

        start, end = _run_after(work.view, m.end(), 4, stop)
        if end > start:
            found[field] = work.text[start:end].strip(" .-")
            work.claim(m.start(), end)
    return found


def _location(work: _Work) -> tuple[str, int, int] | None:
    """``gudang BPBD Banjarbaru`` → the location as typed (region names included)."""
    m = _LOCATION_RE.search(work.view)
    if m is None:
        return None
    item_starts = {h.start for h in find_items_in(work.view)}

    def stop(index: int, word: str, at: int) -> bool:
        return fold(word) in _FILLERS or (index > 0 and at in item_starts)

    _, end = _run_after(work.view, m.end(), 6, stop)
    end = max(end, m.end())
    text = work.text[m.start() : end].strip(" .,-")
    work.claim(m.start(), end)
    return text, m.start(), end


def _region(work: _Work, province: str) -> tuple[Region | None, PostError | None]:
    hits: list[RegionHit] = find_regions_in(work.view, province)
    for hit in hits:
        if hit.region is None:
            return None, work.error(UNKNOWN_REGION, "region", hit.start, hit.end)
    if not hits:
        return None, None
    work.claim(hits[0].start, hits[0].end)
    return hits[0].region, None


def _region_code(work: _Work, province: str) -> Region | None:
    """A Kemendagri code ("63.03") is claimed before quantities, or it would read as the number 63,03."""
    for hit in find_regions_in(work.view, province):
        if hit.region is not None and hit.text[:1].isdigit():
            work.claim(hit.start, hit.end)
            return hit.region
    return None


def _segment_bounds(view: str, start: int, end: int) -> tuple[int, int]:
    """The stretch of unclaimed text around [start, end) between barriers."""
    left = view.rfind(_BARRIER, 0, start) + 1
    right = view.find(_BARRIER, end)
    return left, len(view) if right < 0 else right


def _strip_fillers(view: str, start: int, end: int) -> tuple[int, int]:
    """Narrow a span to its first and last meaningful word (drops "di", "untuk", lone punctuation)."""
    words = [m for m in _NONSPACE_RE.finditer(view[start:end]) if fold(m.group(0)) and fold(m.group(0)) not in _FILLERS]
    if not words:
        return start, start
    return start + words[0].start(), start + words[-1].end()


def _item(work: _Work, q_start: int, q_end: int) -> tuple[ItemMatch, int, int] | None:
    view = work.view
    hits: list[ItemHit] = find_items_in(view)
    if hits:

        def distance(hit: ItemHit) -> tuple[int, int]:
            after = hit.start >= q_end
            return (hit.start - q_end if after else q_start - hit.end, 0 if after else 1)

        best = min(hits, key=distance)
        return match_item(best.text), best.start, best.end
    after_raw = (q_end, _segment_bounds(view, q_end, q_end)[1])
    before_raw = (_segment_bounds(view, q_start, q_start)[0], q_start)
    after = _strip_fillers(view, *after_raw)
    before = _strip_fillers(view, *before_raw)
    first_after = _FIRST_WORD_RE.match(view[after_raw[0] : after_raw[1]])
    after_starts_with_filler = bool(first_after and fold(first_after.group(1)) in _FILLERS)
    order = [before, after] if after_starts_with_filler else [after, before]
    spans = [s for s in order if s[1] > s[0]]
    if not spans:
        spans = [s for m in _UNCLAIMED_RE.finditer(view) if (s := _strip_fillers(view, m.start(), m.end()))[1] > s[0]]
    if not spans:
        return None
    for start, end in spans:
        match = match_item(work.text[start:end])
        if match.known:
            return match, start, end
    start, end = spans[0]
    words = list(_NONSPACE_RE.finditer(view[start:end]))
    if len(words) > 6:
        end = start + words[5].end()
    return match_item(work.text[start:end]), start, end


def _note(work: _Work) -> str:
    view = work.view
    pieces = []
    for m in _UNCLAIMED_RE.finditer(view):
        start, end = _strip_fillers(view, m.start(), m.end())
        if end > start:
            pieces.append(" ".join(work.text[start:end].split()).strip(" ,.-"))
    return " ".join(p for p in pieces if p)


def _fuzzy_region(work: _Work, province: str) -> Region | None:
    """A misspelt region name left over in the text ("Banjarmasn"); strict, so "banjir" stays a flood."""
    for m in _LONG_WORD_RE.finditer(work.view):
        region = find_region(m.group(0), province, cutoff=0.88)
        if region is not None:
            work.claim(m.start(), m.end())
            return region
    return None


def _check(text: object) -> PostError | None:
    if not isinstance(text, str) or not text.strip():
        return PostError(EMPTY, "text", "")
    if len(text) > MAX_LINE_CHARS:
        return PostError(TOO_LONG, "text", text[:40], 0, len(text))
    return None


def _unit(match: Quantity, item: ItemMatch) -> tuple[str | None, bool]:
    if match.unit is not None:
        return match.unit, False
    if item.item is not None:
        return item.item.unit, True
    return None, False


def _districts(work: _Work, province: str) -> list[DistrictHit]:
    """Kecamatan named in the line ("Daha Utara", "Angkinang"), claimed so they are neither item nor note."""
    view = work.view
    hits = [h for h in find_districts_in(view, province) if _BARRIER not in view[h.start : h.end]]
    for hit in hits:
        work.claim(hit.start, hit.end)
    return hits


def _pick_district(
    hits: list[DistrictHit], typed: str | None, region: Region | None, province: str
) -> tuple[str | None, Region | None, str | None]:
    """The kecamatan's code, the region (from the kecamatan when no kabupaten/kota was written) and the
    kecamatan's name as typed (kept as text even when it names no single kecamatan)."""
    regency = region.code if region is not None else None
    text = typed or (hits[0].text.strip() if hits else None)
    candidates = [h.district for h in hits if regency is None or h.district.regency == regency]
    if typed:
        found = find_district(typed, province, regency)
        if found is not None:
            candidates.insert(0, found)
    if not candidates or (regency is None and len({d.code for d in candidates}) > 1 and len({d.regency for d in candidates}) > 1):
        return None, region, text
    chosen = candidates[0]
    return chosen.code, region or get_region(chosen.regency), text


def _region_in_localities(localities: dict[str, str], province: str) -> Region | None:
    for name in localities.values():
        hits = [h for h in find_regions_in(name, province) if h.region is not None]
        if hits:
            return hits[0].region
    return None


class Placed(NamedTuple):
    item: ItemMatch
    region: Region | None
    district_code: str | None
    district_name: str | None
    unit: str | None
    unit_assumed: bool


def _item_and_place(
    work: _Work,
    text: str,
    q_start: int,
    q_end: int,
    amount: Quantity,
    region: Region | None,
    district_hits: list[DistrictHit],
    localities: dict[str, str],
    province: str,
) -> Placed | PostError:
    """The item next to the quantity, then where it is: the region (as written, else a fuzzy name, else the
    kabupaten of a kecamatan or desa named), the kecamatan, and the unit (the item's counting unit when none was
    typed). Shared by need/offer lines and stock lines."""
    picked = _item(work, q_start, q_end)
    if picked is None:
        return PostError(MISSING_ITEM, "item", text.strip()[:200], 0, len(text))
    item, i_start, i_end = picked
    work.claim(i_start, i_end)
    if region is None:
        region = _fuzzy_region(work, province) or _region_in_localities(localities, province)
    district_code, region, district_name = _pick_district(district_hits, localities.get("district"), region, province)
    unit, assumed = _unit(amount, item)
    return Placed(item, region, district_code, district_name, unit, assumed)
