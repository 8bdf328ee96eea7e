"""What a posted line parses into: a need or offer (``Post``), a stock line (``StockLine``), the beneficiaries, and
the error that names the offending text (``PostError``) with its codes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.shared.catalogue import ItemMatch
from bot.shared.dates import ParsedDate
from bot.shared.quantity import Pack
from bot.shared.regions import (
    Region,
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
