"""The export's files: CSV per table (two variants) and one XLSX workbook, cleaned so other tools trust them.

Files that other tools trust (issue 12 part 4, issue 15 part 3):

- every text cell is cleaned at export: control characters (a ``\x0b`` in a name made openpyxl refuse the whole
  workbook) and bidi overrides/isolates (which reorder what a reader sees) are removed, CR/CRLF become LF;
- XLSX text cells are stored as text, never as formulas, whatever they start with;
- CSV free-text cells starting with ``=``, ``+``, ``-``, ``@``, tab or CR get a leading ``'`` (OWASP's CSV
  injection guidance), so a spreadsheet does not evaluate an organisation named ``=HYPERLINK(…)``;
- two CSV variants: ``to_csv`` (comma, UTF-8 without BOM, dot decimals) for HXL tools and scripts, and
  ``to_csv_excel`` (semicolon, UTF-8 with BOM, comma decimals) that a spreadsheet in an Indonesian locale opens
  with the right columns, accents and numbers. For people, the XLSX workbook is the file to use.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.features.export.models import Export, Sheet

# Control characters (C0 but tab and LF, DEL, C1) and the bidi embeddings/overrides/isolates (U+202A-U+202E,
# U+2066-U+2069), and what XML 1.0 cannot carry (lone surrogates, the noncharacters U+FFFE and U+FFFF: one of
# them made the whole workbook unreadable): removed from every text cell at export.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
# OWASP CSV injection: a cell starting with one of these is a formula (or becomes one) in a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean_text(text: str) -> str:
    """Text as a file carries it: line breaks as LF, no control or bidi-override characters."""
    return _UNSAFE.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n"))


def _csv_text(text: str) -> str:
    text = clean_text(text)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_cell(value: Any, decimal: str = ".") -> str:
    """Machine-readable cells: ISO dates, dot decimals without thousands separators, at most two decimals (the
    stock importer reads ``2.125`` as two thousand one hundred and twenty-five, Indonesian style). ``decimal``
    is ``,`` in the spreadsheet variant. Free text is cleaned and neutralised (``_csv_text``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = f"{round(value, 2):.2f}".rstrip("0").rstrip(".")
        text = text if text not in ("", "-0") else "0"
        return text.replace(".", decimal)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return _csv_text(str(value))


def to_csv(sheet: Sheet) -> bytes:
    """For HXL tools and scripts: comma-separated UTF-8 without a byte order mark (HXL tools would take a BOM into
    the first header), dot decimals. Spreadsheet users have the XLSX workbook (or ``to_csv_excel``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header for header, _ in sheet.columns])
    writer.writerow([tag for _, tag in sheet.columns])
    for row in sheet.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def to_csv_excel(sheet: Sheet) -> bytes:
    """For a spreadsheet in an Indonesian locale opening a CSV directly (Excel uses the locale's list separator
    ``;`` and decimal comma, and needs the BOM to read UTF-8): semicolons, BOM, comma decimals."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([header for header, _ in sheet.columns])
    writer.writerow([tag for _, tag in sheet.columns])
    for row in sheet.rows:
        writer.writerow([_csv_cell(v, decimal=",") for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(export: Export) -> bytes:
    """One workbook, a sheet per table: bold headers, the HXL row frozen with them, dates as dates; text cells are
    cleaned and stored as text (a name starting with ``=`` stays a name, never a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for sheet in export.sheets:
        ws = book.create_sheet(sheet.name[:31])
        ws.append([header for header, _ in sheet.columns])
        ws.append([tag for _, tag in sheet.columns])
        for row in sheet.rows:
            ws.append([clean_text(v) if isinstance(v, str) else v for v in row])
        for cells in ws.iter_rows(min_row=3):
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # openpyxl takes a string starting with "=" for a formula
                    if cell.value.startswith(FORMULA_START):
                        cell.quotePrefix = True  # and a spreadsheet keeps it text when the cell is edited
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for cell in ws[2]:
            cell.font = Font(italic=True, color="666666")
        ws.freeze_panes = "A3"
        for index, (header, tag) in enumerate(sheet.columns, start=1):
            width = max(len(header), len(tag), *(len(_csv_cell(r[index - 1])) for r in sheet.rows[:200])) + 2
            ws.column_dimensions[get_column_letter(index)].width = min(width, 48)
            if any(isinstance(r[index - 1], datetime) for r in sheet.rows[:50]):
                for (cell,) in ws.iter_rows(min_row=3, min_col=index, max_col=index):
                    cell.number_format = "yyyy-mm-dd hh:mm"
            elif any(isinstance(r[index - 1], date) for r in sheet.rows[:50]):
                for (cell,) in ws.iter_rows(min_row=3, min_col=index, max_col=index):
                    cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def files(export: Export, kinds: tuple[str, ...] = ("xlsx", "csv"), stem: str = "") -> list[tuple[str, bytes]]:
    """(file name, content): the workbook first, then one CSV per table (``csv``: for HXL tools; ``csv-excel``:
    the semicolon/BOM variant, named ``…-excel.csv``). ``stem`` replaces the export's own file stem."""
    out: list[tuple[str, bytes]] = []
    stem = stem or export.stem
    if "xlsx" in kinds:
        out.append((f"{stem}.xlsx", to_xlsx(export)))
    if "csv" in kinds:
        out += [(f"{stem}-{sheet.stem}.csv", to_csv(sheet)) for sheet in export.sheets]
    if "csv-excel" in kinds:
        out += [(f"{stem}-{sheet.stem}-excel.csv", to_csv_excel(sheet)) for sheet in export.sheets]
    return out


def write_dir(exports: list[Export], folder: Path) -> list[Path]:
    """The CLI's ``klasterbot export DIR``: every cluster's workbook and CSV files."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    shared = Counter(export.stem for export in exports)  # two clusters of one name must not overwrite each other
    for export in exports:
        for name, content in files(export, stem=export.stem_with(cluster_number=shared[export.stem] > 1)):
            path = folder / name
            path.write_bytes(content)
            written.append(path)
    return written
