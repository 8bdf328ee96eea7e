"""The catalogue of relief items and equipment, grouped as BNPB does (logistik / peralatan → category → item).

Matching is forgiving because people type brand names ("aqua", "pampers") and typos; an item that is not in the
catalogue is still accepted as free text, flagged ``known=False``, so a post is never refused for its vocabulary.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from bot.shared.ngram import joinable_gaps, keys_at, name_prefixes
from bot.shared.regions import fold

GROUPS = ("logistik", "peralatan")

_MAX_FUZZY_CHARS = 60
_MAX_ITEM_CHARS = 200  # longer is a message, not an item name: keep it as free text without scanning
_FUZZY_CUTOFF = 0.82
_TOKEN_RE = re.compile(r"[^\W_]+")
_JOINABLE_GAP_RE = re.compile(r"[ \t.'’/&+-]*")


@dataclass(frozen=True)
class Category:
    key: str  # stable ASCII slug, stored in the database
    group: str  # "logistik" | "peralatan"
    name_id: str
    name_en: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    key: str  # stable ASCII slug, stored in the database
    name_id: str
    name_en: str
    category: str
    unit: str  # default unit key (see bot.shared.quantity)
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemMatch:
    """What the user typed and what it resolved to. ``known=False`` keeps the text as a free-text item."""

    text: str
    item: Item | None
    known: bool
    method: str  # "exact" | "contains" | "fuzzy" | "unknown" | "empty"
    score: float = 0.0

    @property
    def key(self) -> str | None:
        return self.item.key if self.item else None


@dataclass(frozen=True)
class ItemHit:
    """A catalogue item named inside a longer text (exact synonym, token-aligned)."""

    item: Item
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Catalogue:
    groups: dict[str, tuple[str, str]]
    categories: tuple[Category, ...]
    items: tuple[Item, ...]
    forms: dict[str, Item]  # folded synonym → item
    max_words: int
    by_key: dict[str, Item]
    categories_by_key: dict[str, Category]
    by_category: dict[str, tuple[Item, ...]]
    category_forms: dict[str, Category]  # folded key/name/alias → category


@cache
def _catalogue() -> _Catalogue:
    raw = json.loads(resources.files("bot.data").joinpath("items.json").read_text("utf-8"))
    groups = {g["key"]: (g["name_id"], g["name_en"]) for g in raw["groups"]}
    categories = tuple(
        Category(c["key"], c["group"], c["name_id"], c["name_en"], tuple(c.get("aliases", ())))
        for c in raw["categories"]
    )
    items = tuple(
        Item(i["key"], i["name_id"], i["name_en"], i["category"], i["unit"], tuple(i.get("synonyms", ())))
        for i in raw["items"]
    )
    forms: dict[str, Item] = {}
    for item in items:
        for form in (item.key.replace("_", " "), item.name_id, item.name_en, *item.synonyms):
            key = fold(form)
            if key:
                forms.setdefault(key, item)
    max_words = max(len(f.split()) for f in forms)
    by_category: dict[str, list[Item]] = {}
    for item in items:
        by_category.setdefault(item.category, []).append(item)
    category_forms: dict[str, Category] = {}
    for category in categories:
        for form in (category.key.replace("_", " "), category.name_id, category.name_en, *category.aliases):
            category_forms.setdefault(fold(form), category)
    return _Catalogue(
        groups, categories, items, forms, max_words, {i.key: i for i in reversed(items)},
        {c.key: c for c in reversed(categories)}, {k: tuple(v) for k, v in by_category.items()}, category_forms,
    )  # fmt: skip


def items() -> tuple[Item, ...]:
    return _catalogue().items


def get_item(key: str) -> Item | None:
    return _catalogue().by_key.get(key) if isinstance(key, str) else None


def categories(group: str | None = None) -> tuple[Category, ...]:
    """Categories in display order, optionally of one group."""
    return tuple(c for c in _catalogue().categories if group is None or c.group == group)


def get_category(key: str) -> Category | None:
    return _catalogue().categories_by_key.get(key) if isinstance(key, str) else None


def group_names(group: str) -> tuple[str, str] | None:
    """(Indonesian, English) display names of a group."""
    return _catalogue().groups.get(group)


def items_in_category(key: str) -> tuple[Item, ...]:
    return _catalogue().by_category.get(key, ()) if isinstance(key, str) else ()


def find_category(text: str) -> Category | None:
    """Category by key, Indonesian or English name or alias ("Air bersih", "air_bersih", "food"), typos forgiven."""
    if not isinstance(text, str) or len(text) > _MAX_FUZZY_CHARS:
        return None
    key = fold(text)
    if not key:
        return None
    forms = _catalogue().category_forms
    if key in forms:
        return forms[key]
    close = difflib.get_close_matches(key, list(forms), n=1, cutoff=_FUZZY_CUTOFF)
    return forms[close[0]] if close else None


@cache
def _form_prefixes() -> frozenset[str]:
    return name_prefixes(_catalogue().forms)


def find_items_in(text: str) -> list[ItemHit]:
    """Catalogue items named in a sentence, longest synonym first, as spans of the original text."""
    if not isinstance(text, str) or not text:
        return []
    cat = _catalogue()
    tokens = [(m.start(), m.end(), fold(m.group(0))) for m in _TOKEN_RE.finditer(text)]
    tokens = [t for t in tokens if t[2]]
    gaps = joinable_gaps(text, tokens, _JOINABLE_GAP_RE)
    prefixes = _form_prefixes()
    hits: list[ItemHit] = []
    i = 0
    while i < len(tokens):
        keys = keys_at(tokens, gaps, i, prefixes, cat.max_words)
        for n in range(len(keys), 0, -1):
            item = cat.forms.get(keys[n - 1])
            if item is not None:
                start, end = tokens[i][0], tokens[i + n - 1][1]
                hits.append(ItemHit(item, start, end, text[start:end]))
                i += n
                break
        else:
            i += 1
    return hits


def match_item(text: str) -> ItemMatch:
    """Resolve an item name: exact synonym, then a synonym inside the text, then a close typo; else free text."""
    if not isinstance(text, str):
        return ItemMatch("", None, False, "empty")
    clean = " ".join(text.split())
    key = fold(clean)
    if not key:
        return ItemMatch(clean, None, False, "empty")
    if len(clean) > _MAX_ITEM_CHARS:
        return ItemMatch(clean, None, False, "unknown")
    cat = _catalogue()
    if key in cat.forms:
        return ItemMatch(clean, cat.forms[key], True, "exact", 1.0)
    hits = find_items_in(clean)
    if hits:
        best = max(hits, key=lambda h: len(h.text))
        return ItemMatch(clean, best.item, True, "contains", round(len(fold(best.text)) / len(key), 3))
    if len(clean) <= _MAX_FUZZY_CHARS:
        fuzzy = _fuzzy(key)
        if fuzzy is not None:
            return ItemMatch(clean, fuzzy[0], True, "fuzzy", fuzzy[1])
    return ItemMatch(clean, None, False, "unknown")


def _fuzzy(key: str) -> tuple[Item, float] | None:
    """Best close synonym for the whole text or any run of up to three of its words (short words must be exact)."""
    cat = _catalogue()
    words = key.split()
    candidates = [key]
    for n in range(min(3, len(words)), 0, -1):
        candidates += [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
    best: tuple[Item, float] | None = None
    for candidate in dict.fromkeys(candidates):
        if len(candidate) < 4:
            continue
        for form in difflib.get_close_matches(candidate, list(cat.forms), n=1, cutoff=_FUZZY_CUTOFF):
            score = difflib.SequenceMatcher(None, candidate, form).ratio()
            if len(form) >= 4 and (best is None or score > best[1]):
                best = (cat.forms[form], round(score, 3))
    return best


def related(match: ItemMatch) -> list[Item]:
    """Catalogue items of the same category whose name or a synonym begins with what was searched, word by word
    ("perahu" → Perahu karet as well as Perahu / kapal kecil): one search finds the whole family."""
    words = fold(match.text).split()
    if not words or match.item is None:
        return []
    out = []
    for item in items_in_category(match.item.category):
        if item.key == match.item.key:
            continue
        for form in (item.name_id, item.name_en, *item.synonyms):
            if fold(form).split()[: len(words)] == words:
                out.append(item)
                break
    return out
