"""Reading the bot's own stock sheet back (CSV or XLSX): Indonesian header row, optional HXL hashtag row, data.

The columns are the stock sheet of the export (issue 8) — the export writes exactly ``STOCK_COLUMNS``:

    Organisasi #org | Barang #item+name | Kode barang #item+code | Kategori #item+type | Jumlah #item+num |
    Satuan #item+unit | Kab/Kota #adm2+name | Kode Kab/Kota #adm2+code | Lokasi #loc | Kedaluwarsa #date+expiry |
    Kondisi #status

and, optionally, Kecamatan #adm3+name | Kode Kecamatan #adm3+code (the kecamatan of the line).

Columns are found by their Indonesian header or by their HXL tag (attribute order and case do not matter), so a
sheet that went through HXL tools or had columns reordered still loads. Quantities in text cells follow the
Indonesian convention (``2.500`` is two thousand five hundred); numeric XLSX cells are taken as they are.
Every row is validated with the domain parsers and reported by its row number in the spreadsheet; nothing here
touches the database (the organisations are passed in), so a file can be checked before anything is applied.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from bot.features.members.models import Organization
from bot.features.members.orgs import normalize_name
from bot.features.stock.service import CONDITIONS, MAX_QUANTITY, base_quantity, end_of_day
from bot.features.stock.sheets import (
    CELL_TOO_LONG,
    MAX_BYTES,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ROWS,
    NOT_A_TABLE,
    TOO_BIG,
    TOO_COMPLEX,
    TOO_MANY_COLUMNS,
    TOO_MANY_ROWS,
    UNREADABLE,
    decode,
    read_table,
)
from bot.shared import catalogue, regions
from bot.shared import dates as dates_mod
from bot.shared import quantity as qty
from bot.shared.regions import fold
from bot.shared.text import clean_name

# The reading limits and file-level codes live in bot.features.stock.sheets; importable from here as before.
__all__ = [
    "CELL_TOO_LONG",
    "DISTRICT_COLUMNS",
    "EMPTY",
    "MAX_BYTES",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_ERRORS_SHOWN",
    "MAX_ROWS",
    "MISSING_COLUMNS",
    "NOT_A_TABLE",
    "PARSE_MEMORY_BYTES",
    "PARSE_TIMEOUT_S",
    "STOCK_COLUMNS",
    "TOO_BIG",
    "TOO_COMPLEX",
    "TOO_MANY_COLUMNS",
    "TOO_MANY_ROWS",
    "UNREADABLE",
    "Checked",
    "RowError",
    "check_file",
    "check_file_bounded",
    "check_rows",
    "read_table",
    "read_table_bounded",
]  # fmt: skip
MAX_ERRORS_SHOWN = 20  # a report lists the first 20 row errors and counts the rest
# An upload is parsed in a child process: a crafted 1.5 MB XLSX once took 89 s and 5.5 GB on the event loop.
PARSE_TIMEOUT_S = 20.0
PARSE_MEMORY_BYTES = 768 * 1024 * 1024  # address space of the child (the interpreter and openpyxl included)

# (field, Indonesian header, HXL hashtag)
STOCK_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("org", "Organisasi", "#org"),
    ("item_name", "Barang", "#item+name"),
    ("item_code", "Kode barang", "#item+code"),
    ("category", "Kategori", "#item+type"),
    ("quantity", "Jumlah", "#item+num"),
    ("unit", "Satuan", "#item+unit"),
    ("region_name", "Kab/Kota", "#adm2+name"),
    ("region_code", "Kode Kab/Kota", "#adm2+code"),
    ("location", "Lokasi", "#loc"),
    ("expiry", "Kedaluwarsa", "#date+expiry"),
    ("condition", "Kondisi", "#status"),
)
# Optional: the kecamatan (adm3) the export writes beside the columns above; read back when present.
DISTRICT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("district_name", "Kecamatan", "#adm3+name"),
    ("district_code", "Kode Kecamatan", "#adm3+code"),
)
_HEADER_ALIASES = {
    "organisasi": "org", "organization": "org", "organisation": "org", "lembaga": "org", "instansi": "org",
    "barang": "item_name", "item": "item_name", "nama barang": "item_name",
    "kode barang": "item_code", "item code": "item_code",
    "kategori": "category", "category": "category",
    "jumlah": "quantity", "quantity": "quantity", "qty": "quantity",
    "satuan": "unit", "unit": "unit",
    "kab kota": "region_name", "kabupaten kota": "region_name", "kabupaten": "region_name", "wilayah": "region_name",
    "kode kab kota": "region_code", "kode wilayah": "region_code",
    "lokasi": "location", "gudang": "location", "location": "location",
    "kedaluwarsa": "expiry", "kadaluarsa": "expiry", "kadaluwarsa": "expiry", "expiry": "expiry",
    "kondisi": "condition", "condition": "condition",
    "kecamatan": "district_name", "kode kecamatan": "district_code",
}  # fmt: skip
_CONDITION_WORDS = {"baik": "baik", "layak": "baik", "good": "baik", "rusak ringan": "rusak_ringan",
                    "rusak berat": "rusak_berat", "rusak": "rusak_berat", "tidak layak": "rusak_berat"}  # fmt: skip
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?$")

# Error codes (the view translates them): file level and row level.
MISSING_COLUMNS = "missing_columns"
EMPTY = "empty"


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it
    code: str  # org_missing | org_unknown | item_missing | item_code_unknown | quantity_missing | quantity_bad |
    # unit_unknown | region_unknown | region_missing | district_unknown | expiry_bad | condition_bad
    text: str = ""


@dataclass
class Checked:
    """The outcome of reading a file: valid rows ready for ``services.stock.apply_import`` and row errors."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    problem: str | None = None  # a file-level code: nothing could be read
    missing: list[str] = field(default_factory=list)  # missing column headers

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})


def _hxl_key(cell: str) -> tuple[str, frozenset[str]] | None:
    text = cell.strip().lower().replace(" ", "")
    if not text.startswith("#"):
        return None
    tag, *attrs = text[1:].split("+")
    return tag, frozenset(a for a in attrs if a)


_HXL_SPECS = [(f, _hxl_key(tag)) for f, _, tag in (*STOCK_COLUMNS, *DISTRICT_COLUMNS)]


def _field_for_tag(cell: str) -> str | None:
    key = _hxl_key(cell)
    if key is None:
        return None
    best: tuple[int, str] | None = None
    for name, spec in _HXL_SPECS:
        assert spec is not None
        if spec[0] == key[0] and spec[1] <= key[1] and (best is None or len(spec[1]) > best[0]):
            best = (len(spec[1]), name)
    return best[1] if best else None


def _field_for_header(cell: str) -> str | None:
    return _HEADER_ALIASES.get(fold(cell))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_name(str(value))


def read_table_bounded(content: bytes, file_name: str, timeout: float | None = None,
                       memory: int | None = None) -> list[list[Any]] | str:  # fmt: skip
    """``read_table`` in a child process with a wall-clock and a memory bound: rows, or a file-level code."""
    if len(content) > MAX_BYTES:
        return TOO_BIG
    timeout = PARSE_TIMEOUT_S if timeout is None else timeout
    memory = PARSE_MEMORY_BYTES if memory is None else memory
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot.features.stock.sheets", file_name[:200], str(memory)],
            input=content, capture_output=True, timeout=timeout, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:  # the child is killed
        return TOO_COMPLEX
    if done.returncode != 0:  # killed by the memory bound, or it could not even start
        return TOO_COMPLEX
    try:
        result = json.loads(done.stdout)
    except ValueError:
        return TOO_COMPLEX
    if isinstance(result, str):
        return result
    return [[decode(c) for c in row] for row in result]


async def check_file_bounded(
    content: bytes, file_name: str, orgs: list[Organization], now: datetime, tz: str, province: str,
    default_org: Organization | None = None,
) -> Checked:  # fmt: skip
    """``check_file`` for uploads: parsed off the event loop (a thread waits for the bounded child process)."""
    table = await asyncio.to_thread(read_table_bounded, content, file_name)
    if isinstance(table, str):
        return Checked(problem=table)
    return check_rows(table, orgs, now, tz, province, default_org)


def _columns(rows: list[list[Any]]) -> tuple[dict[str, int], int] | None:
    """Column index per field and the index of the first data row; headers, tags, or both (tags win)."""
    for header_index in range(min(2, len(rows))):
        cells = [_text(c) for c in rows[header_index]]
        tags = {f: i for i, c in enumerate(cells) if (f := _field_for_tag(c))}
        if tags:
            return tags, header_index + 1
        headers = {f: i for i, c in enumerate(cells) if (f := _field_for_header(c))}
        if len(headers) >= 2:
            nxt = [_text(c) for c in rows[header_index + 1]] if header_index + 1 < len(rows) else []
            tagged = {f: i for i, c in enumerate(nxt) if (f := _field_for_tag(c))}
            if tagged:
                return {**headers, **tagged}, header_index + 2
            return headers, header_index + 1
    return None


def _org_index(orgs: list[Organization]) -> dict[str, Organization]:
    index: dict[str, Organization] = {}
    for org in orgs:
        for name in (org.name, org.short_name):
            if name:
                index.setdefault(normalize_name(name), org)
    return index


def _quantity(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    parsed = qty.parse_number(_text(value))
    return parsed if isinstance(parsed, Decimal) else None


def _expiry(value: Any, now: datetime, tz: str) -> int | str | None:
    """epoch seconds, None for an empty cell, or "bad"."""
    zone = ZoneInfo(tz)
    if isinstance(value, datetime):
        return end_of_day(value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone))
    if isinstance(value, date):
        return end_of_day(datetime.combine(value, time(0), tzinfo=zone))
    text = _text(value)
    if not text:
        return None
    if _ISO_DATE_RE.match(text):
        try:
            return end_of_day(datetime.combine(date.fromisoformat(text[:10]), time(0), tzinfo=zone))
        except ValueError:
            return "bad"
    parsed = dates_mod.parse_datetime(text, now, tz)
    if isinstance(parsed, dates_mod.DateError):
        return "bad"
    return end_of_day(parsed.value)


def check_rows(
    rows: list[list[Any]], orgs: list[Organization], now: datetime, tz: str, province: str,
    default_org: Organization | None = None,
) -> Checked:  # fmt: skip
    """Validate every data row; a row with several problems reports each of them."""
    out = Checked()
    found = _columns(rows)
    if found is None:
        out.problem = MISSING_COLUMNS
        out.missing = [header for _, header, _ in STOCK_COLUMNS if header in ("Barang", "Jumlah")]
        return out
    columns, first = found
    required = ["quantity"] + ([] if "item_code" in columns else ["item_name"])
    if default_org is None:
        required.append("org")
    missing = [header for f, header, _ in STOCK_COLUMNS if f in required and f not in columns]
    if missing:
        out.problem, out.missing = MISSING_COLUMNS, missing
        return out
    by_name = _org_index(orgs)
    data = rows[first:]
    if len(data) > MAX_ROWS:
        out.problem = TOO_MANY_ROWS
        return out
    for offset, cells in enumerate(data):
        number = first + offset + 1

        def cell(name: str, cells: list[Any] = cells) -> Any:
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else None

        if not any(_text(c) for c in cells):
            continue
        errors: list[RowError] = []
        org = default_org
        org_text = _text(cell("org"))
        if org_text:
            org = by_name.get(normalize_name(org_text))
            if org is None:
                errors.append(RowError(number, "org_unknown", org_text))
        elif org is None:
            errors.append(RowError(number, "org_missing"))
        code_text, name_text = _text(cell("item_code")), _text(cell("item_name"))
        item: catalogue.Item | None = None
        if code_text:
            item = catalogue.get_item(code_text)
            if item is None:
                errors.append(RowError(number, "item_code_unknown", code_text))
        elif name_text:
            match = catalogue.match_item(name_text)
            item = match.item
        else:
            errors.append(RowError(number, "item_missing"))
        category = item.category if item else ""
        if item is None and _text(cell("category")):
            found_category = catalogue.find_category(_text(cell("category")))
            category = found_category.key if found_category else ""
        raw_quantity = cell("quantity")
        amount = _quantity(raw_quantity)
        if not _text(raw_quantity):
            errors.append(RowError(number, "quantity_missing"))
        elif amount is None or amount < 0 or amount > Decimal(MAX_QUANTITY):
            errors.append(RowError(number, "quantity_bad", _text(raw_quantity)))
        unit_text = _text(cell("unit"))
        unit = qty.unit_key(unit_text) if unit_text else (item.unit if item else "buah")
        if unit is None:
            errors.append(RowError(number, "unit_unknown", unit_text))
        region_code_text, region_name_text = _text(cell("region_code")), _text(cell("region_name"))
        region: regions.Region | None = None
        if region_code_text:
            region = regions.get_region(region_code_text)
            if region is None:
                errors.append(RowError(number, "region_unknown", region_code_text))
        elif region_name_text:
            region = regions.find_region(region_name_text, province)
            if region is None:
                errors.append(RowError(number, "region_unknown", region_name_text))
        region_code = region.code if region else (org.region_code if org else None)
        if region_code is None and not any(e.code == "region_unknown" for e in errors) and org is not None:
            errors.append(RowError(number, "region_missing"))
        district_code_text, district_name_text = _text(cell("district_code")), _text(cell("district_name"))
        district: regions.District | None = None
        if district_code_text:
            district = regions.get_district(district_code_text)
            if district is None or (region_code is not None and district.regency != region_code):
                errors.append(RowError(number, "district_unknown", district_code_text))
        elif district_name_text:
            district = regions.find_district(district_name_text, province, region_code)
            if district is None:
                errors.append(RowError(number, "district_unknown", district_name_text))
        expiry = _expiry(cell("expiry"), now, tz)
        if expiry == "bad":
            errors.append(RowError(number, "expiry_bad", _text(cell("expiry"))))
        condition_text = _text(cell("condition"))
        condition = "baik"
        if condition_text:
            folded = fold(condition_text)
            condition = folded.replace(" ", "_") if folded.replace(" ", "_") in CONDITIONS else \
                _CONDITION_WORDS.get(folded, "")  # fmt: skip
            if not condition:
                errors.append(RowError(number, "condition_bad", condition_text))
        if errors:
            out.errors.extend(errors)
            continue
        assert org is not None and amount is not None and unit is not None and region_code is not None
        stored, base = base_quantity(amount, unit)
        out.rows.append({
            "row": number, "org_id": org.id, "item_key": item.key if item else None,
            "item_name": item.name_id if item else name_text[:80], "category": category, "quantity": stored,
            "unit": base, "region_code": region_code, "location": _text(cell("location"))[:80],
            "expires_at": expiry if isinstance(expiry, int) else None, "condition": condition,
            "district_code": district.code if district is not None else None,
        })  # fmt: skip
    if not out.rows and not out.errors:
        out.problem = EMPTY
    return out


def check_file(
    content: bytes, file_name: str, orgs: list[Organization], now: datetime, tz: str, province: str,
    default_org: Organization | None = None,
) -> Checked:  # fmt: skip
    table = read_table(content, file_name)
    if isinstance(table, str):
        return Checked(problem=table)
    return check_rows(table, orgs, now, tz, province, default_org)

