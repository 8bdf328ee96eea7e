"""Longest-name-first lookup of word n-grams in a sentence, shared by the region and catalogue scanners.

A sentence is a list of tokens ``(start, end, folded)``; a name of n words matches at token i when the n folded
tokens joined by spaces are one of the names and the gaps between them are "joinable" (spaces, dots, hyphens —
not commas). Trying every n at every token cost a join and a regex per gap per n (issue #17 part 6); here the
gaps are tested once per sentence and n grows only while the words so far begin some name (``prefixes``: every
name cut at each of its spaces), so a word that starts no name costs one set lookup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

Token = tuple[int, int, str]


def name_prefixes(names: Iterable[str]) -> frozenset[str]:
    """Every name and every leading run of its words ("hulu sungai selatan" → "hulu", "hulu sungai", …)."""
    out: set[str] = set()
    for name in names:
        out.add(name)
        at = name.find(" ")
        while at != -1:
            out.add(name[:at])
            at = name.find(" ", at + 1)
    return frozenset(out)


def joinable_gaps(text: str, tokens: list[Token], gap_re: re.Pattern[str]) -> list[bool]:
    """``gaps[k]``: tokens k and k+1 may belong to one name (the text between them fully matches ``gap_re``)."""
    return [gap_re.fullmatch(text, tokens[k][1], tokens[k + 1][0]) is not None for k in range(len(tokens) - 1)]


def keys_at(tokens: list[Token], gaps: list[bool], i: int, prefixes: frozenset[str], limit: int) -> list[str]:
    """The joined keys of 1, 2, … tokens from ``i`` while they begin some name (``keys[n - 1]`` spans n tokens).

    Any name of n ≤ ``limit`` joinable tokens from i is among them: each of its leading runs is in ``prefixes``.
    """
    keys: list[str] = []
    key = tokens[i][2]
    n = 1
    while key in prefixes:
        keys.append(key)
        if n >= limit or i + n >= len(tokens) or not gaps[i + n - 1]:
            break
        key = f"{key} {tokens[i + n][2]}"
        n += 1
    return keys
