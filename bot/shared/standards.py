"""The needs calculator: basic needs of a displaced population from published minimum standards.

The standards are data (``bot/data/standards.json``) with their source beside each number, so the
secretariat can see where a figure comes from and a corrected figure needs no code change.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from functools import lru_cache
from importlib import resources

from bot.shared import quantity


@dataclass(frozen=True)
class Standard:
    key: str
    label: str
    item_key: str | None
    unit: str
    basis: str  # person_day | person | family_month | people_per_unit
    value: float
    source: str
    first_days: int = 0
    first_days_value: float = 0.0
    label_id: str = ""
    source_id: str = ""

    def label_in(self, locale: str) -> str:
        return self.label_id if locale == "id" and self.label_id else self.label

    def source_in(self, locale: str) -> str:
        return self.source_id if locale == "id" and self.source_id else self.source


@dataclass(frozen=True)
class EstimateLine:
    standard: Standard
    amount: float


@lru_cache(maxsize=1)
def load() -> tuple[int, tuple[Standard, ...]]:
    raw = json.loads((resources.files("bot.data") / "standards.json").read_text(encoding="utf-8"))
    lines = tuple(
        Standard(
            d["key"],
            d["label"],
            d.get("item_key"),
            d["unit"],
            d["basis"],
            float(d["value"]),
            d["source"],
            int(d.get("first_days", 0)),
            float(d.get("first_days_value", 0)),
            d.get("label_id", ""),
            d.get("source_id", ""),
        )
        for d in raw["lines"]
    )
    return int(raw["family_size"]["value"]), lines


def estimate(people: int, days: int) -> list[EstimateLine]:
    family_size, standards = load()
    families = math.ceil(people / family_size)
    out = []
    for std in standards:
        if std.basis == "person_day":
            early = min(days, std.first_days) if std.first_days else 0
            per_day_early = std.first_days_value if std.first_days else std.value
            amount = people * (early * per_day_early + (days - early) * std.value)
        elif std.basis == "person":
            amount = people * std.value
        elif std.basis == "family_month":
            amount = families * std.value * max(1, math.ceil(days / 30))
        else:  # people_per_unit
            amount = math.ceil(people / std.value)
        out.append(EstimateLine(std, round(amount, 1)))
    return out


@dataclass(frozen=True)
class CalcRequest:
    people: int
    days: int
    rest: str  # leftover text (e.g. a region)
    households: int | None = None  # given in KK: people = households × household size (see household_size)


_DAYS_RE = re.compile(r"(\d+)\s*(hari|hr|day|days)\b", re.I)
_HOUSEHOLDS_RE = re.compile(r"([\d.,]+\s*(?:rb|ribu|k)?)\s*(kk|k\.k\.?|kepala keluarga|keluarga|households?)(?!\w)", re.I)
_PEOPLE_RE = re.compile(r"([\d.,]+\s*(?:rb|ribu|k)?)\s*(jiwa|orang|org|pengungsi|people|persons?)\b", re.I)
MAX_PEOPLE = 5_000_000
MAX_DAYS = 365


def household_size(lang: str = "id") -> tuple[float, str]:
    """Average people per household (KK) for turning "350 KK" into people, with a short note on where the
    figure comes from (the full source is beside it in standards.json)."""
    raw = json.loads(resources.files("bot.data").joinpath("standards.json").read_text("utf-8"))
    entry = raw.get("household_size") or raw["family_size"]
    note = str(entry.get(f"note_{lang}") or entry.get("note_id") or entry.get("source", ""))
    if entry.get("verified") is False:  # never shown as a checked figure before the secretariat confirmed it
        note += str(entry.get(f"unverified_{lang}") or entry.get("unverified_id") or "")
    return float(entry["value"]), note


def parse_request(text: str) -> CalcRequest | str:
    """``1.200 jiwa 7 hari [HSS]`` or ``350 KK 3 hari HSS`` → request, or an error code: people | days | range."""
    text = " ".join((text or "").split())[:200]
    people_match = _PEOPLE_RE.search(text)
    households: int | None = None
    if people_match is None:
        people_match = _HOUSEHOLDS_RE.search(text)
        if people_match is None:
            return "people"
        counted = quantity.parse_number(people_match.group(1))
        if isinstance(counted, quantity.QuantityError) or counted != int(counted) or not 1 <= counted <= MAX_PEOPLE:
            return "people" if isinstance(counted, quantity.QuantityError) or counted != int(counted) else "range"
        households = int(counted)
        # exact decimal arithmetic: 350 × 3.6 is 1.260 people, not 1.261 from a float rounded up
        size = Decimal(str(household_size()[0]))
        value: Decimal | quantity.QuantityError = (households * size).to_integral_value(rounding=ROUND_CEILING)
    else:
        value = quantity.parse_number(people_match.group(1))
    if isinstance(value, quantity.QuantityError) or value != int(value):
        return "people"
    days_match = _DAYS_RE.search(text)
    days = int(days_match.group(1)) if days_match else 7
    people = int(value)
    if not (1 <= people <= MAX_PEOPLE and 1 <= days <= MAX_DAYS):
        return "range"
    rest = text
    for match in (people_match, days_match):
        if match is not None:
            rest = rest.replace(match.group(0), " ")
    return CalcRequest(people, days, " ".join(rest.split()), households)
