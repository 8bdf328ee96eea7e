"""The sentence scanners as they were before issue #17 part 6, kept only so ``bench.bench_micro`` can time the
old and the new one in the same run (and check they find the same names).

Before: at every token, every n from the longest name down joined n folded words and ran the gap regex on each
gap; now (``bot.shared.ngram``) the gaps are tested once per sentence and n grows only while the words begin a name.
"""

from __future__ import annotations

import re
from datetime import datetime

from bot.shared import catalogue, dates, regions
from bot.shared.catalogue import ItemHit
from bot.shared.regions import RegionHit, fold

_START_RE = re.compile(r"(?<![\w./:’'-])[^\W_]")


def find_items_in(text: str) -> list[ItemHit]:
    cat = catalogue._catalogue()
    gap_re = catalogue._JOINABLE_GAP_RE
    tokens = [(m.start(), m.end(), fold(m.group(0))) for m in catalogue._TOKEN_RE.finditer(text)]
    tokens = [t for t in tokens if t[2]]
    hits: list[ItemHit] = []
    i = 0
    while i < len(tokens):
        for n in range(min(cat.max_words, len(tokens) - i), 0, -1):
            if not all(gap_re.fullmatch(text, tokens[k][1], tokens[k + 1][0]) for k in range(i, i + n - 1)):
                continue
            key = " ".join(t[2] for t in tokens[i : i + n])
            item = cat.forms.get(key)
            if item is not None:
                start, end = tokens[i][0], tokens[i + n - 1][1]
                hits.append(ItemHit(item, start, end, text[start:end]))
                i += n
                break
        else:
            i += 1
    return hits


def find_regions_in(text: str, province: str = regions.DEFAULT_PROVINCE) -> list[RegionHit]:
    """The exact-name part of the old region scan (the Kab./Kota typo fallback is unchanged and not timed)."""
    forms = regions._forms(province)
    tokens = [(m.start(), m.end(), fold(m.group(0))) for m in regions._TOKEN_RE.finditer(text)]
    tokens = [t for t in tokens if t[2]]
    hits: list[RegionHit] = []
    i = 0
    while i < len(tokens):
        for n in range(regions._MAX_NGRAM, 0, -1):
            if not regions._joinable(text, tokens, i, n):
                continue
            key = " ".join(t[2] for t in tokens[i : i + n])
            if key in forms:
                start, end = tokens[i][0], tokens[i + n - 1][1]
                hits.append(RegionHit(forms[key], start, end, text[start:end]))
                i += n
                break
        else:
            i += 1
    return hits


def find_datetime(text: str, now: datetime, zone: str = dates.DEFAULT_ZONE) -> dates.DateMatch | None:
    """Every word start tried with the whole date scanner (the zone looked up each call, as before)."""
    tz = dates.ZoneInfo(zone)
    now_local = dates._local_now(now, tz)
    for candidate in _START_RE.finditer(text):
        scanned = dates._scan(text, candidate.start())
        if scanned is None:
            continue
        end, parts = scanned
        raw = text[candidate.start() : end]
        result = dates._resolve(parts, now_local, tz, raw)
        return dates.DateMatch(candidate.start(), end, raw, result, parts.kind, parts.year is not None)
    return None
