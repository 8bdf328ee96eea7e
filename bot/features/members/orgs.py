"""Organisation types, name normalisation, duplicate detection and the one-line registration form."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

_NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")
_FIELD_SEP_RE = re.compile(r"[|;]")

# Stable keys; the views translate them. Order = directory order.
ORG_TYPES = ("opd", "tni", "polri", "bmkg", "basarnas", "bumn", "usaha", "ngo", "akademisi", "media", "lainnya")

_TYPE_ALIASES = {
    "opd": "opd", "dinas": "opd", "pemda": "opd", "pemerintah": "opd", "bpbd": "opd", "perangkat daerah": "opd",
    "tni": "tni", "kodam": "tni", "korem": "tni", "kodim": "tni", "lanud": "tni", "lanal": "tni",
    "polri": "polri", "polda": "polri", "polres": "polri", "polisi": "polri",
    "bmkg": "bmkg", "basarnas": "basarnas", "sar": "basarnas",
    "bumn": "bumn", "bumd": "bumn", "bulog": "bumn", "pln": "bumn", "pertamina": "bumn",
    "usaha": "usaha", "dunia usaha": "usaha", "swasta": "usaha", "perusahaan": "usaha", "pt": "usaha",
    "ngo": "ngo", "lsm": "ngo", "lembaga kemanusiaan": "ngo", "kemanusiaan": "ngo", "ormas": "ngo", "relawan": "ngo",
    "akademisi": "akademisi", "universitas": "akademisi", "kampus": "akademisi", "perguruan tinggi": "akademisi",
    "media": "media", "pers": "media",
    "lainnya": "lainnya", "lain": "lainnya", "other": "lainnya",
}  # fmt: skip

# Words that carry no identity when comparing organisation names.
_STOPWORDS = {"kalsel", "kalimantan", "selatan", "provinsi", "prov", "kab", "kabupaten", "kota", "wilayah", "daerah",
              "cabang", "perwakilan", "the", "dan", "of"}  # fmt: skip


def parse_org_type(text: str) -> str | None:
    key = " ".join(text.lower().replace("/", " ").split())
    if key in _TYPE_ALIASES:
        return _TYPE_ALIASES[key]
    for word in key.split():
        if word in _TYPE_ALIASES:
            return _TYPE_ALIASES[word]
    close = difflib.get_close_matches(key, list(_TYPE_ALIASES), n=1, cutoff=0.8)
    return _TYPE_ALIASES[close[0]] if close else None


def normalize_name(name: str) -> str:
    """Lower-case, accents and punctuation removed, whitespace collapsed."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = _NON_ALNUM_RE.sub(" ", text)
    return " ".join(text.split())


def _tokens(name: str) -> list[str]:
    return [t for t in normalize_name(name).split() if t not in _STOPWORDS]


def _acronym(tokens: list[str]) -> str:
    return "".join(t[0] for t in tokens if t and not t.isdigit())


def _forms(name: str) -> set[str]:
    """Comparable forms of a name: its core tokens and acronyms of its multi-word runs."""
    tokens = _tokens(name)
    forms = {" ".join(tokens)}
    if len(tokens) >= 2:
        forms.add(_acronym(tokens))
        # acronyms of prefixes ("Palang Merah Indonesia Banjarmasin" → "pmi")
        for end in range(2, len(tokens)):
            forms.add(_acronym(tokens[:end]))
    for token in tokens:
        if len(token) >= 2:
            forms.add(token)
    return {f for f in forms if f}


def name_similarity(a: str, b: str) -> float:
    """0..1; high when names match after normalisation, or one is the other's acronym."""
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return 0.0
    ja, jb = " ".join(ta), " ".join(tb)
    if ja == jb:
        return 1.0
    best = difflib.SequenceMatcher(None, ja, jb).ratio()
    fa, fb = _forms(a), _forms(b)
    core_a, core_b = ja, jb
    # An acronym equal to the other's whole core ("pmi" vs "palang merah indonesia").
    if (len(ta) == 1 and core_a in fb and len(core_a) >= 3) or (len(tb) == 1 and core_b in fa and len(core_b) >= 3):
        best = max(best, 0.95)
    if _acronym(ta) == core_b or _acronym(tb) == core_a:
        best = max(best, 0.95)
    return best


@dataclass(frozen=True)
class Duplicate:
    org_id: int
    name: str
    score: float


def find_duplicates(
    name: str, short_name: str, existing: list[tuple[int, str, str]], threshold: float = 0.85
) -> list[Duplicate]:
    """Existing organisations (id, name, short_name) that look like the same one, best first."""
    found = []
    for org_id, other_name, other_short in existing:
        score = max(
            name_similarity(name, other_name),
            name_similarity(name, other_short) if other_short else 0.0,
            name_similarity(short_name, other_name) if short_name else 0.0,
            name_similarity(short_name, other_short) if short_name and other_short else 0.0,
        )
        if score >= threshold:
            found.append(Duplicate(org_id, other_name, round(score, 3)))
    return sorted(found, key=lambda d: -d.score)


@dataclass
class RegistrationForm:
    name: str = ""
    short_name: str = ""
    type: str | None = None
    region_text: str = ""
    title: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field, offending text)


def parse_registration_line(text: str) -> RegistrationForm:
    """``Name | short | type | kabupaten/kota | your title`` (also ``;`` separated). Never raises."""
    form = RegistrationForm()
    parts = [p.strip() for p in _FIELD_SEP_RE.split(text or "")]
    if len(parts) < 5 or not all(parts[:5]):
        form.errors.append(("format", text.strip()[:100]))
        return form
    form.name, form.short_name, type_text, form.region_text, form.title = parts[:5]
    form.short_name = "" if form.short_name in ("-", "—") else form.short_name
    if not 2 <= len(form.name) <= 120:
        form.errors.append(("name", form.name[:100]))
    if len(form.short_name) > 30:
        form.errors.append(("short_name", form.short_name[:100]))
    form.type = parse_org_type(type_text)
    if form.type is None:
        form.errors.append(("type", type_text[:100]))
    if len(form.title) > 80:
        form.errors.append(("title", form.title[:100]))
    return form


CAPACITY_KINDS = ("warehouse", "vehicle", "equipment", "personnel", "topic")
_KIND_ALIASES = {
    "gudang": "warehouse", "warehouse": "warehouse",
    "kendaraan": "vehicle", "armada": "vehicle", "vehicle": "vehicle",
    "peralatan": "equipment", "alat": "equipment", "equipment": "equipment",
    "personel": "personnel", "personil": "personnel", "sdm": "personnel", "tim": "personnel", "personnel": "personnel",
    "materi": "topic", "topik": "topic", "keahlian": "topic", "pelatihan": "topic", "topic": "topic",
}  # fmt: skip


def parse_capacity_kind(word: str) -> str | None:
    return _KIND_ALIASES.get(word.lower().strip())


@dataclass
class CapacityLine:
    kind: str
    name: str
    quantity: float | None
    region_text: str


_QTY_RE = re.compile(r"(?<![\w.,])(\d{1,7}(?:[.,]\d+)?)\s*(m2|m²|meter persegi|unit|buah|orang|org)?(?![\w])", re.I)


def parse_capacity_line(kind: str, text: str) -> CapacityLine | None:
    """``perahu karet 4 HSS`` → name, quantity, trailing region text. None if no name is left."""
    text = " ".join((text or "").split())[:200]
    quantity: float | None = None
    match = _QTY_RE.search(text)
    region_text = ""
    if match:
        raw = match.group(1).replace(".", "").replace(",", ".") if "," in match.group(1) else match.group(1)
        try:
            quantity = float(raw.replace(".", "")) if raw.count(".") and len(raw.split(".")[-1]) == 3 else float(raw)
        except ValueError:
            quantity = None
        region_text = text[match.end() :].strip()
        name = text[: match.start()].strip()
    else:
        name = text
    if quantity is not None and not 0 < quantity < 1e7:
        quantity = None
    name = name.strip(" ,-")
    if len(name) < 2:
        return None
    return CapacityLine(kind, name, quantity, region_text)
