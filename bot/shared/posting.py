"""One-line needs, offers and stock reports as people type them in the group or paste from a spreadsheet.

``500 paket sembako HSS mendesak untuk 120 KK besok`` → item, quantity, unit, region, priority, beneficiaries,
needed-by. The parser picks out the parts it recognises (dates, beneficiaries, priority, quantity, kecamatan/desa,
region), takes the item from what is left next to the quantity, and keeps the rest as a note. When a part is
present but wrong ("31/2", "-5 kg", "Kab. Atlantis") or missing, it returns a ``PostError`` naming the offending
text, so the reply can say exactly what was not understood. Nothing here raises on any input.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bot.shared import quantity as qty
from bot.shared.catalogue import ItemHit, ItemMatch, find_items_in, match_item
from bot.shared.dates import DEFAULT_ZONE, DateError, DateMatch, ParsedDate, find_datetime
from bot.shared.quantity import Pack, Quantity, QuantityError, QuantityMatch
from bot.shared.regions import (
    DEFAULT_PROVINCE,
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

_CELL_SEP_RE = re.compile(r"[;|\t]")
_SPACES_RE = re.compile(r"[ ]+")
_NONSPACE_RE = re.compile(r"\S+")
_FIRST_WORD_RE = re.compile(r"\s*(\S+)")
_UNCLAIMED_RE = re.compile(r"[^\x00]+")
_LONG_WORD_RE = re.compile(r"[^\W\d_]{5,}")

MAX_LINE_CHARS = 1000
MAX_BENEFICIARIES = 100_000_000
PRIORITIES = ("mendesak", "tinggi", "sedang", "rendah")
CONDITIONS = ("baik", "rusak_ringan", "rusak_berat")

# Error codes of this module; quantity and date codes ("negative", "zero", "too_large", "invalid_date", …) pass
# through unchanged with field "quantity" / "date".
EMPTY = "empty"
TOO_LONG = "too_long"
MISSING_QUANTITY = "missing_quantity"
VAGUE_QUANTITY = "vague_quantity"
MULTIPLE_QUANTITIES = "multiple_quantities"
MISSING_ITEM = "missing_item"
UNKNOWN_REGION = "unknown_region"
BAD_BENEFICIARIES = "bad_beneficiaries"
DATE_NEEDS_YEAR = "date_needs_year"

# Marks claimed text and hard separators (";", tab, "|", newline) in the working copy. NUL, because control
# characters of the input are blanked first and, unlike \x1c-\x1f, regex \s does not match it.
_BARRIER = "\x00"
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_HARD_SEP_RE = re.compile(r"[;|\t\n\r]")
_LETTER_END = r"(?![^\W\d_])"
_LETTER_START = r"(?<![^\W\d_])"
_I = re.IGNORECASE

_PRIORITY_WORDS = {
    "sangat mendesak": "mendesak", "sgt mendesak": "mendesak", "sangat urgent": "mendesak", "sgt urgent": "mendesak",
    "mendesak": "mendesak", "urgent": "mendesak", "urgen": "mendesak",
    "segera": "mendesak", "tinggi": "tinggi", "high": "tinggi", "sedang": "sedang", "medium": "sedang",
    "normal": "sedang", "rendah": "rendah", "low": "rendah",
}  # fmt: skip
_CONDITION_WORDS = {
    "baik": "baik", "bagus": "baik", "good": "baik", "rusak ringan": "rusak_ringan", "rusak sedang": "rusak_ringan",
    "rusak berat": "rusak_berat", "damaged": "rusak_berat",
}  # fmt: skip
_CONDITION_AFTER_KEYWORD = {"layak": "baik", "layak pakai": "baik", "tidak layak": "rusak_berat",
                            "tidak layak pakai": "rusak_berat", "rusak": "rusak_berat"}  # fmt: skip
_HOUSEHOLD_WORDS = ("kk", "k.k.", "k.k", "kepala keluarga", "keluarga", "families", "households", "hh")
_PEOPLE_WORDS = ("jiwa", "orang", "org", "warga", "pengungsi", "penyintas", "people", "persons")
_FILLERS = frozenset({
    "di", "ke", "dari", "untuk", "utk", "u", "buat", "bagi", "dan", "yang", "yg", "dengan", "dgn", "sebanyak",
    "sejumlah", "butuh", "dibutuhkan", "membutuhkan", "perlu", "diperlukan", "kebutuhan", "mohon", "tolong",
    "bantuan", "tersedia", "ada", "tawaran", "menawarkan", "tawarkan", "stok", "stock", "sisa", "tgl", "tanggal",
    "sebelum", "paling", "lambat", "maks", "maksimal", "batas", "sampai", "hingga", "sd", "s/d", "deadline",
    "prioritas", "lokasi", "kondisi", "pada", "tsb", "sangat", "juga", "lagi", "kab", "kabupaten", "kota",
    "kec", "kecamatan", "desa", "kel", "kelurahan", "isi", "@", "-", "+", "&",
})  # fmt: skip
_LOCALITY_WORDS = {"kecamatan": "district", "kec": "district", "kelurahan": "village", "kel": "village",
                   "desa": "village", "ds": "village", "dusun": "village", "dsn": "village"}  # fmt: skip
_LOCATION_WORDS = ("gudang", "gdg", "warehouse", "posko", "lokasi", "depo", "kantor", "pos")


def _alt(words: list[str] | tuple[str, ...]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=len, reverse=True))


_BENEFICIARIES_RE = re.compile(
    rf"(?P<pre>(?:untuk|utk|u/|bagi|buat|sebanyak|sejumlah)\s*)?(?<![\w.,/])(?P<num>{qty.NUMBER_PATTERN})\s*"
    rf"(?P<unit>{_alt(_HOUSEHOLD_WORDS + _PEOPLE_WORDS)}){_LETTER_END}",
    _I,
)
_PRIORITY_RE = re.compile(
    rf"{_LETTER_START}(?:prioritas\s*:?\s*)?(?P<p>{_alt(list(_PRIORITY_WORDS))}){_LETTER_END}", _I
)
_CONDITION_RE = re.compile(
    rf"{_LETTER_START}(?:(?:kondisi\s*:?\s*)?(?P<c>{_alt(list(_CONDITION_WORDS))}){_LETTER_END}"
    rf"|kondisi\s*:?\s*(?P<k>{_alt(list(_CONDITION_AFTER_KEYWORD))}){_LETTER_END})",
    _I,
)
_NEEDED_BY_PREFIX_RE = re.compile(
    r"(?:tgl|tanggal|sebelum|paling\s+lambat|maks(?:imal)?|batas|sampai|hingga|s/d|sd|deadline|pada)\.?\s*:?\s*$", _I
)
_EXPIRY_PREFIX_RE = re.compile(
    r"(?:kadaluarsa|kadaluwarsa|kedaluwarsa|kedaluarsa|expired|expiry|exp|ed|kdl|best\s+before|bb)\.?\s*:?\s*$", _I
)
_LOCALITY_RE = re.compile(rf"{_LETTER_START}(?P<kw>{_alt(list(_LOCALITY_WORDS))}){_LETTER_END}\.?[ ]*", _I)
_LOCATION_RE = re.compile(rf"{_LETTER_START}(?P<kw>{_alt(_LOCATION_WORDS)}){_LETTER_END}\.?[ ]*", _I)
_WORD_RE = re.compile(r"[^\s\x00,;()]+")
_NOT_A_QUANTITY_BEFORE_RE = re.compile(
    r"(?<![^\W\d_])(?:rt|rw|no|nomor|posko|km|jl|jln|jalan|gang|gg|blok|lantai|tahap|ke|tahun|thn|kloter|gelombang)\.?\s*$",
    _I,
)


@dataclass(frozen=True)
class Beneficiaries:
    count: int
    unit: str  # "jiwa" | "kk"


@dataclass(frozen=True)
class Post:
    """A need or an offer line. For an offer, ``needed_by`` is the date it is available until."""

    item: ItemMatch
    quantity: Decimal
    unit: str | None
    unit_assumed: bool  # True when no unit was typed and the item's default unit was used
    pack: Pack | None
    region: Region | None
    district: str | None  # kecamatan, free text
    village: str | None  # desa/kelurahan, free text
    priority: str | None
    needed_by: ParsedDate | None
    beneficiaries: tuple[Beneficiaries, ...]
    note: str
    district_code: str | None = None  # Kemendagri kecamatan code ("63.06.08") when a kecamatan was recognised


@dataclass(frozen=True)
class StockLine:
    item: ItemMatch
    quantity: Decimal
    unit: str | None
    unit_assumed: bool
    pack: Pack | None
    region: Region | None
    location: str | None  # warehouse/posko text as typed
    expiry: ParsedDate | None
    condition: str | None  # "baik" | "rusak_ringan" | "rusak_berat"
    note: str
    district_code: str | None = None  # Kemendagri kecamatan code ("63.06.08") when a kecamatan was recognised


@dataclass(frozen=True)
class PostError:
    """What was not understood: a code, the part of the field it concerns, and the offending text with its span."""

    code: str
    field: str  # "text" | "item" | "quantity" | "region" | "date" | "beneficiaries"
    text: str
    start: int = 0
    end: int = 0


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
    picked = _item(work, q_start, q_end)
    if picked is None:
        return PostError(MISSING_ITEM, "item", text.strip()[:200], 0, len(text))
    item, i_start, i_end = picked
    work.claim(i_start, i_end)
    if region is None:
        region = _fuzzy_region(work, province) or _region_in_localities(localities, province)
    district_code, region, district_name = _pick_district(district_hits, localities.get("district"), region, province)
    unit, assumed = _unit(amount, item)
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
    picked = _item(work, found.start, found.end)
    if picked is None:
        return PostError(MISSING_ITEM, "item", text.strip()[:200], 0, len(text))
    item, i_start, i_end = picked
    work.claim(i_start, i_end)
    if region is None:
        region = _fuzzy_region(work, province) or _region_in_localities(localities, province)
    district_code, region, _ = _pick_district(district_hits, localities.get("district"), region, province)
    unit, assumed = _unit(amount, item)
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
