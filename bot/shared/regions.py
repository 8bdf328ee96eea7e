"""Kabupaten/kota as data: lookup by code, official name, local short name or a typo of one.

Regions live in ``bot/data/regions_<province code>.json`` so that another province is a new file, not new code.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

from bot.shared.ngram import joinable_gaps, keys_at, name_prefixes

_NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")
_REGION_FILE_RE = re.compile(r"regions_([0-9]{2})\.json")

DEFAULT_PROVINCE = "63"

# Above this many characters a text is not a region name; skip the (quadratic) fuzzy comparison.
_MAX_LOOKUP_CHARS = 120
_FUZZY_CUTOFF = 0.85
_MAX_NGRAM = 4

_KAB_WORDS = frozenset({"kab", "kabupaten", "kabup"})
_KOTA_WORDS = frozenset({"kota", "kodya", "kotamadya"})
_LEADING_NOISE = frozenset({"di", "ke", "dari", "wilayah", "daerah"})
_CODE_RE = re.compile(r"^\s*([0-9]{2})\s*[.\s]?\s*([0-9]{2})\s*$")
_CODE_IN_TEXT_RE = re.compile(r"(?<![0-9.,])([0-9]{2})\.([0-9]{2})(?![0-9]|[.,][0-9])")
_TOKEN_RE = re.compile(r"[^\W_]+")
_JOINABLE_GAP_RE = re.compile(r"[ \t.'’-]*")


@dataclass(frozen=True)
class Region:
    """A kabupaten or kota. ``short`` is what people say ("HSS"); ``name`` is what documents say."""

    code: str
    name: str
    short: str
    kind: str  # "kabupaten" | "kota"
    province: str
    capital: str = ""
    lat: float = field(default=0.0, compare=False)
    lon: float = field(default=0.0, compare=False)
    aliases: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class RegionHit:
    """A region named inside a longer text. ``region`` is None for "Kab. <unknown>", so the caller can complain."""

    region: Region | None
    start: int
    end: int
    text: str


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lower-case ASCII with punctuation as spaces: the form every comparison uses (memoised: the parsers fold
    the same words many times per line)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(_NON_ALNUM_RE.sub(" ", ascii_text).split())


def _strip_kind(name: str) -> str:
    words = fold(name).split()
    if words and (words[0] in _KAB_WORDS or words[0] in _KOTA_WORDS):
        words = words[1:]
    return " ".join(words)


@cache
def _province_file_codes() -> tuple[str, ...]:
    try:
        names = [entry.name for entry in resources.files("bot.data").iterdir()]
    except (ModuleNotFoundError, OSError):
        return ()
    codes = [m.group(1) for n in names if (m := _REGION_FILE_RE.fullmatch(n))]
    return tuple(sorted(codes))


def provinces() -> tuple[str, ...]:
    """Province codes that have a region file."""
    return _province_file_codes()


@cache
def _load(province: str) -> tuple[Region, ...]:
    if province not in _province_file_codes():
        return ()
    raw = json.loads(resources.files("bot.data").joinpath(f"regions_{province}.json").read_text("utf-8"))
    return tuple(
        Region(
            code=r["code"],
            name=r["name"],
            short=r["short"],
            kind=r["kind"],
            province=province,
            capital=r.get("capital", ""),
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            aliases=tuple(r.get("aliases", ())),
        )
        for r in raw["regions"]
    )


@cache
def _forms(province: str) -> dict[str, Region]:
    """Folded form → region: codes, names with and without the kind word, short names, aliases, capitals."""
    forms: dict[str, Region] = {}
    for region in _load(province):
        candidates = [region.name, _strip_kind(region.name), region.short, region.capital, *region.aliases]
        candidates += [region.code, region.code.replace(".", "")]
        for candidate in candidates:
            key = fold(candidate)
            if key:
                forms.setdefault(key, region)
    return forms


def regions(province: str = DEFAULT_PROVINCE) -> tuple[Region, ...]:
    """All kabupaten/kota of a province in code order; empty for an unknown province."""
    return _load(province) if isinstance(province, str) else ()


def get_region(code: str) -> Region | None:
    """Region by Kemendagri code ("63.03" or "6303"), any province that has a file."""
    if isinstance(code, str) and code[:2] in _province_file_codes():
        found = _by_code(code[:2]).get(code)  # the stored form "63.03": one dict hit
        if found is not None:
            return found
    match = _CODE_RE.match(code or "")
    if not match:
        return None
    return _by_code(match.group(1)).get(f"{match.group(1)}.{match.group(2)}")


@cache
def _by_code(province: str) -> dict[str, Region]:
    return {r.code: r for r in _load(province)}


def find_region(text: str, province: str = DEFAULT_PROVINCE, *, cutoff: float = _FUZZY_CUTOFF) -> Region | None:
    """What a person typed for a kabupaten/kota → the region, or None. Exact forms first, then a close typo.

    "Kab Banjar" is Banjar: a name that matches exactly never loses to a longer name that merely starts with it.
    """
    if not isinstance(text, str) or not text.strip() or len(text) > _MAX_LOOKUP_CHARS:
        return None
    code_match = _CODE_RE.match(text)
    if code_match:
        if code_match.group(1) != province:
            return None
        return get_region(text)
    forms = _forms(province)
    if not forms:
        return None
    words = fold(text).split()
    while words and words[0] in _LEADING_NOISE:
        words = words[1:]
    whole = " ".join(words)
    if whole in forms:
        return forms[whole]
    kind: str | None = None
    if words and words[0] in _KAB_WORDS:
        kind, words = "kabupaten", words[1:]
    elif words and words[0] in _KOTA_WORDS:
        kind, words = "kota", words[1:]
    core = " ".join(words)
    if not core:
        return None
    if core in forms:
        return forms[core]
    return _fuzzy(core, province, kind, cutoff)


def _fuzzy(core: str, province: str, kind: str | None, cutoff: float = _FUZZY_CUTOFF) -> Region | None:
    if len(core) < 4:
        return None
    forms = _forms(province)
    close = difflib.get_close_matches(core, list(forms), n=5, cutoff=cutoff)
    if kind is not None:
        same_kind = [c for c in close if forms[c].kind == kind]
        close = same_kind or close
    return forms[close[0]] if close else None


def find_regions_in(text: str, province: str = DEFAULT_PROVINCE) -> list[RegionHit]:
    """Regions named anywhere in a sentence, longest name first, as spans of the original text.

    Only exact forms count, except right after "Kab."/"Kabupaten"/"Kota", where a typo is forgiven and an
    unknown name is reported as a hit without a region ("Kab. Atlantis"). "kota" counts as a prefix only before
    a capitalised word, because "di kota ini" is not a place name.
    """
    if not isinstance(text, str) or not text:
        return []
    forms = _forms(province)
    if not forms:
        return []
    hits: list[RegionHit] = []
    taken: list[tuple[int, int]] = []
    for m in _CODE_IN_TEXT_RE.finditer(text):
        if m.group(1) == province:
            region = get_region(f"{m.group(1)}.{m.group(2)}")
            if region is not None:
                hits.append(RegionHit(region, m.start(), m.end(), m.group(0)))
                taken.append((m.start(), m.end()))
    tokens = [(m.start(), m.end(), fold(m.group(0))) for m in _TOKEN_RE.finditer(text)]
    tokens = [t for t in tokens if t[2] and not any(s <= t[0] < e for s, e in taken)]
    gaps = joinable_gaps(text, tokens, _JOINABLE_GAP_RE)
    prefixes = _form_prefixes(province)
    i = 0
    while i < len(tokens):
        hit, used = _hit_at(text, tokens, i, forms, province, gaps, prefixes)
        if hit is not None:
            hits.append(hit)
            i += used
        else:
            i += 1
    hits.sort(key=lambda h: h.start)
    return hits


def _joinable(text: str, tokens: list[tuple[int, int, str]], i: int, n: int) -> bool:
    """True when tokens i..i+n-1 are separated only by spaces/dots/hyphens (not commas or masked text)."""
    if i + n > len(tokens):
        return False
    return all(_JOINABLE_GAP_RE.fullmatch(text, tokens[k][1], tokens[k + 1][0]) for k in range(i, i + n - 1))


@cache
def _form_prefixes(province: str) -> frozenset[str]:
    return name_prefixes(_forms(province))


def _hit_at(
    text: str,
    tokens: list[tuple[int, int, str]],
    i: int,
    forms: dict[str, Region],
    province: str,
    gaps: list[bool],
    prefixes: frozenset[str],
) -> tuple[RegionHit | None, int]:
    keys = keys_at(tokens, gaps, i, prefixes, _MAX_NGRAM)
    for n in range(len(keys), 0, -1):
        key = keys[n - 1]
        if key in forms:
            start, end = tokens[i][0], tokens[i + n - 1][1]
            return RegionHit(forms[key], start, end, text[start:end]), n
    word = tokens[i][2]
    is_kab = word in _KAB_WORDS
    is_kota = word in _KOTA_WORDS
    if not (is_kab or is_kota) or not _joinable(text, tokens, i, 2):
        return None, 0
    nxt_start = tokens[i + 1][0]
    if is_kota and not text[nxt_start].isupper():
        return None, 0
    kind = "kabupaten" if is_kab else "kota"
    for n in range(min(3, len(tokens) - i - 1), 0, -1):
        if not _joinable(text, tokens, i, n + 1):
            continue
        key = " ".join(t[2] for t in tokens[i + 1 : i + 1 + n])
        region = forms.get(key) or _fuzzy(key, province, kind)
        if region is not None:
            start, end = tokens[i][0], tokens[i + n][1]
            return RegionHit(region, start, end, text[start:end]), n + 1
    start, end = tokens[i][0], tokens[i + 1][1]
    return RegionHit(None, start, end, text[start:end]), 2


def distance_km(code_a: str, code_b: str) -> float | None:
    """Great-circle distance between two regions' approximate centroids."""
    a, b = get_region(code_a), get_region(code_b)
    if a is None or b is None:
        return None
    return _haversine(a.lat, a.lon, b.lat, b.lon)


def _haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def nearest_first(origin_code: str, codes: list[str]) -> list[str]:
    """Codes ordered by distance from the origin (the origin itself first); unknown codes keep their order at the end.

    Centroid distance is only a proxy for travel time (rivers, roads), good enough to rank who could help first.
    """
    origin = get_region(origin_code)
    if origin is None:
        return list(codes)
    known: list[tuple[float, int, str]] = []
    unknown: list[str] = []
    for index, code in enumerate(codes):
        region = get_region(code)
        if region is None:
            unknown.append(code)
        else:
            known.append((_haversine(origin.lat, origin.lon, region.lat, region.lon), index, code))
    return [code for _, _, code in sorted(known)] + unknown


# ---- kecamatan (districts, adm3) -------------------------------------------------------------------------------

# One-word kecamatan names that are also ordinary words or parts of many place names: only recognised after
# "kec."/"kecamatan" (where the parser's locality rule finds them), never loose in a sentence.
_AMBIGUOUS_DISTRICT_WORDS = frozenset({"gambut", "cempaka", "tanjung", "alalak", "tamban", "bungur", "halong"})


@dataclass(frozen=True)
class District:
    """A kecamatan: ``code`` is its Kemendagri code ("63.06.08"), ``regency`` the kabupaten/kota code ("63.06")."""

    code: str
    name: str
    regency: str


@dataclass(frozen=True)
class DistrictHit:
    district: District
    start: int
    end: int
    text: str


@cache
def districts(province: str = DEFAULT_PROVINCE) -> tuple[District, ...]:
    """The kecamatan of a province in code order (``bot/data/kecamatan_<province>.json``); empty if none."""
    try:
        raw = json.loads(resources.files("bot.data").joinpath(f"kecamatan_{province}.json").read_text("utf-8"))
    except (FileNotFoundError, OSError, ValueError):
        return ()
    return tuple(District(d["code"], d["name"], d["code"].rsplit(".", 1)[0]) for d in raw["districts"])


def get_district(code: str | None) -> District | None:
    if not code or not isinstance(code, str):
        return None
    if code[:2] not in _province_file_codes():
        return None
    return _districts_by_code(code[:2]).get(code)


@cache
def _districts_by_code(province: str) -> dict[str, District]:
    return {d.code: d for d in districts(province)}


@cache
def _district_forms(province: str) -> dict[str, tuple[District, ...]]:
    forms: dict[str, list[District]] = {}
    for district in districts(province):
        forms.setdefault(fold(district.name), []).append(district)
    return {key: tuple(value) for key, value in forms.items()}


@cache
def _district_prefixes(province: str) -> frozenset[str]:
    return name_prefixes(_district_forms(province))


def find_district(name: str, province: str = DEFAULT_PROVINCE, regency: str | None = None) -> District | None:
    """A kecamatan by its name ("Daha Utara"); a name two kabupaten share needs ``regency`` to decide."""
    found = _district_forms(province).get(fold(name or "")[:_MAX_LOOKUP_CHARS], ())
    if regency is not None:
        found = tuple(d for d in found if d.regency == regency)
    return found[0] if len(found) == 1 else None


def find_districts_in(text: str, province: str = DEFAULT_PROVINCE) -> list[DistrictHit]:
    """Kecamatan named inside a sentence, longest names first, as whole words ("… terpal Daha Utara HSS")."""
    if not isinstance(text, str):
        return []
    forms = _district_forms(province)
    tokens = [(m.start(), m.end(), fold(m.group(0))) for m in _TOKEN_RE.finditer(text)]
    gaps = joinable_gaps(text, tokens, _JOINABLE_GAP_RE)
    prefixes = _district_prefixes(province)
    # keys[i][n - 1]: the n joinable words from i, only while they begin some kecamatan name
    keys = [keys_at(tokens, gaps, i, prefixes, 4) for i in range(len(tokens))]
    hits: list[DistrictHit] = []
    taken: set[int] = set()
    for size in (4, 3, 2, 1):
        for i in range(len(tokens) - size + 1):
            if len(keys[i]) < size or any(j in taken for j in range(i, i + size)):
                continue
            key = keys[i][size - 1]
            if key not in forms or (size == 1 and (len(key) < 4 or key in _AMBIGUOUS_DISTRICT_WORDS)):
                continue
            start, end = tokens[i][0], tokens[i + size - 1][1]
            for district in forms[key]:
                hits.append(DistrictHit(district, start, end, text[start:end]))
            taken.update(range(i, i + size))
    return sorted(hits, key=lambda h: h.start)


@cache
def _outside_forms(province: str) -> tuple[tuple[str, str], ...]:
    try:
        raw = json.loads(resources.files("bot.data").joinpath(f"outside_{province}.json").read_text("utf-8"))
    except (FileNotFoundError, OSError, ValueError):
        return ()
    places = sorted(raw.get("places", []), key=lambda p: -len(p))
    return tuple((fold(p), p) for p in places if fold(p))


def outside_place(text: str, province: str = DEFAULT_PROVINCE) -> str | None:
    """A place named in ``text`` that lies outside the province ("Jakarta Selatan"), as written in the data."""
    folded = f" {fold(text or '')[:_MAX_LOOKUP_CHARS * 4]} "
    for form, name in _outside_forms(province):
        if f" {form} " in folded:
            return name
    return None



@cache
def province_name(province: str = DEFAULT_PROVINCE) -> str:
    """"Provinsi Kalimantan Selatan" from the province's region file (the code itself when there is none)."""
    if province not in _province_file_codes():
        return province
    raw = json.loads(resources.files("bot.data").joinpath(f"regions_{province}.json").read_text("utf-8"))
    return "Provinsi " + str(raw.get("province", {}).get("name", province))
