"""Reading a table file (XLSX or CSV) into rows of cell values, with file-level codes for what cannot be read;
run in a child process by ``bot.features.stock.importer.read_table_bounded`` (``python -m
bot.features.stock.sheets NAME MEMORY``: the file on standard input, JSON on standard output), so a crafted file
cannot stall or exhaust the bot. Nothing here validates rows (the importer does)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import resource
import sys
from datetime import date, datetime, time
from typing import Any

from bot.shared.regions import fold

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 60  # the stock sheet has 11; a sheet claiming thousands of columns is refused, not padded
MAX_CELL_CHARS = 1000

# File-level codes (the view translates them).
NOT_A_TABLE = "not_a_table"
TOO_BIG = "too_big"
TOO_MANY_ROWS = "too_many_rows"
UNREADABLE = "unreadable"  # looks like XLSX/CSV by its name but is no table that can be read
TOO_COMPLEX = "too_complex"  # the parse hit the time or memory bound
CELL_TOO_LONG = "cell_too_long"
TOO_MANY_COLUMNS = "too_many_columns"


def read_table(content: bytes, file_name: str) -> list[list[Any]] | str:
    """Rows of the first sheet (or the one named Stok) as cell values, or a file-level error code."""
    if len(content) > MAX_BYTES:
        return TOO_BIG
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(content)
    if file_name.lower().endswith((".csv", ".txt", ".tsv")):
        return _read_csv(content)
    return NOT_A_TABLE


def _read_xlsx(content: bytes) -> list[list[Any]] | str:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return UNREADABLE
    try:
        names = {fold(name): name for name in book.sheetnames}
        sheet = book[names.get("stok") or names.get("stock") or book.sheetnames[0]]
        sheet.reset_dimensions()  # never pad rows to a dimension the file claims (A1:XFD1048576)
        rows: list[list[Any]] = []
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
            rows.append(list(values))
            if len(rows) > MAX_ROWS + 2:
                return TOO_MANY_ROWS
        return rows
    finally:
        book.close()


def _read_csv(content: bytes) -> list[list[Any]] | str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return NOT_A_TABLE
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    rows: list[list[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            rows.append(list(row[: MAX_COLUMNS + 1]))
            if len(rows) > MAX_ROWS + 2:
                return TOO_MANY_ROWS
    except csv.Error:
        return UNREADABLE
    return rows


def limits(rows: list[list[Any]]) -> str | None:
    """A file-level code when a row is too wide or a cell too long (checked before anything is validated)."""
    for cells in rows:
        if len(cells) > MAX_COLUMNS and any(c not in (None, "") for c in cells[MAX_COLUMNS:]):
            return TOO_MANY_COLUMNS
        for value in cells:
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                return CELL_TOO_LONG
    return None


def encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, time):
        return {"$t": value.isoformat()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "$dt" in value:
            return datetime.fromisoformat(str(value["$dt"]))
        if "$d" in value:
            return date.fromisoformat(str(value["$d"]))
        if "$t" in value:
            return time.fromisoformat(str(value["$t"]))
        return None
    return value


def child_main() -> None:
    """``python -m bot.features.stock.sheets NAME MEMORY``: the file on standard input, JSON on standard output. The
    address space is capped first; every failure becomes a file-level code (the parent trusts only JSON)."""
    name, memory = sys.argv[1], int(sys.argv[2])
    content = sys.stdin.buffer.read(MAX_BYTES + 1)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        table = read_table(content, name)
        result: Any = table if isinstance(table, str) else (limits(table) or [[encode(c) for c in row]
                                                                                 for row in table])  # fmt: skip
        out = json.dumps(result)
    except MemoryError:
        out = json.dumps(TOO_COMPLEX)
    except Exception:  # a malformed file of any kind: openpyxl and the XML parser raise many different errors
        out = json.dumps(UNREADABLE)
    sys.stdout.write(out)


if __name__ == "__main__":
    child_main()
