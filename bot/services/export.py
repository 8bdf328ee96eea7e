"""Exports for reporting upward (BNPB, HXL tools): CSV per table and one XLSX workbook with a sheet per table.

Every table has an Indonesian header row, then a row of HXL hashtags, then data — the layout libhxl and the HXL
tools read. Headers and values are the data format, fixed in Indonesian whatever the reader's language (as
the stock importer's ``STOCK_COLUMNS``), so they do not go through gettext. HXL notes: ``#value`` is money
only, so quantities carry ``#item+num`` (with a qualifying attribute where a table has several); kabupaten/kota
are ``#adm2+code`` Kemendagri codes like ``63.03`` next to ``#adm2+name``; the province is ``#adm1+code``.

The stock sheet ("Stok") is exactly the importer's ``STOCK_COLUMNS`` (plus two trailing columns the importer
ignores) and holds only organisations that allow their stock to be shown; everything else appears as cluster
totals under the privacy rule ("Stok total"). So a file sent upward never discloses private stock, and the
stock importer accepts the stock sheet back.

Tables are built by the explicit list ``SHEETS``; events with attendance and the work plan (issue 7) join it
when the agenda feature exists (it does not yet). One read snapshot builds all of them.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import catalogue, regions
from bot.domain.regions import fold
from bot.services import stock as stock_svc
from bot.services.importer import STOCK_COLUMNS
from bot.storage import digests as repo
from bot.storage import members as members_repo
from bot.storage import stock as stock_repo
from bot.storage.members import Cluster

SECTOR = "Logistik"
STATUS_ID = {
    "open": "terbuka", "fulfilled": "terpenuhi", "cancelled": "dibatalkan", "taken": "habis dikomitmenkan",
    "withdrawn": "ditarik", "pledged": "dikomitmenkan", "sent": "dikirim", "received": "diterima",
    "invited": "diundang", "pending": "menunggu persetujuan", "approved": "disetujui", "rejected": "ditolak",
    "inactive": "tidak aktif",
}  # fmt: skip
PRIORITY_ID = {1: "mendesak", 2: "tinggi", 3: "sedang", 4: "rendah"}
SOURCE_ID = {"direct": "langsung", "offer": "tawaran", "stock": "stok"}
CONDITION_ID = {"baik": "baik", "rusak_ringan": "rusak ringan", "rusak_berat": "rusak berat"}


@dataclass
class Sheet:
    name: str  # sheet title (Indonesian) and, folded, the CSV file's stem
    columns: tuple[tuple[str, str], ...]  # (Indonesian header, HXL hashtag)
    rows: list[list[Any]] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return "-".join(fold(self.name).split())


@dataclass
class Export:
    cluster: Cluster
    generated_at: int
    sheets: list[Sheet]

    @property
    def stem(self) -> str:
        day = datetime.fromtimestamp(self.generated_at, ZoneInfo(self.cluster.timezone)).date().isoformat()
        return f"{'-'.join(fold(self.cluster.name).split()) or 'klaster'}-{day}"


def _day(ts: int | None, tz: str) -> date | None:
    return datetime.fromtimestamp(ts, ZoneInfo(tz)).date() if ts else None


def _region(code: str | None) -> tuple[str, str]:
    if not code:
        return "", ""
    region = regions.get_region(code)
    return (region.name if region else code), code


def _category(key: str | None) -> str:
    category = catalogue.get_category(key) if key else None
    return category.name_id if category else (key or "")


def _item(key: str | None, name: str) -> str:
    item = catalogue.get_item(key) if key else None
    return item.name_id if item else name


def _quantity(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(float(value), 6)


_PLACE = (("Kode Provinsi", "#adm1+code"), ("Kab/Kota", "#adm2+name"), ("Kode Kab/Kota", "#adm2+code"))
# Needs and offers also carry the kecamatan (adm3) when the member named one.
_DISTRICT = (("Kecamatan", "#adm3+name"), ("Kode Kecamatan", "#adm3+code"))


def _district(code: str | None) -> list[Any]:
    district = regions.get_district(code)
    return [district.name, district.code] if district is not None else ["", ""]


def _place(cluster: Cluster, code: str | None) -> list[Any]:
    name, region_code = _region(code)
    return [cluster.province, name, region_code]


SheetBuilder = Callable[[sqlite3.Connection, Cluster, int], Sheet]


def needs_sheet(conn: sqlite3.Connection, cluster: Cluster, now: int) -> Sheet:
    sheet = Sheet("Kebutuhan", (
        ("Kode", "#meta+id"), ("Tanggal dilaporkan", "#date+reported"), ("Klaster", "#sector+cluster"),
        ("Kejadian", "#event+name"), ("Organisasi", "#org+name"), *_PLACE, *_DISTRICT, ("Lokasi", "#loc"),
        ("Barang", "#item+name"), ("Kode barang", "#item+code"), ("Kategori", "#item+type"),
        ("Jumlah dibutuhkan", "#item+num+needed"), ("Jumlah dikomitmenkan", "#item+num+pledged"),
        ("Jumlah dikirim", "#item+num+sent"), ("Jumlah diterima", "#item+num+received"), ("Satuan", "#item+unit"),
        ("Prioritas", "#severity"), ("Dibutuhkan sebelum", "#date+deadline"), ("Penerima (jiwa)", "#affected+ind"),
        ("Penerima (KK)", "#affected+hh"), ("Status", "#status"), ("Latihan", "#meta+exercise"),
    ))  # fmt: skip
    tz = cluster.timezone
    for n in repo.export_needs(conn, cluster.id):
        households = n["beneficiary_unit"] == "kk"
        sheet.rows.append([
            f"K-{n['number']:04d}", _day(n["created_at"], tz), SECTOR, n["incident_title"] or "", n["org_full_name"],
            *_place(cluster, n["region_code"]), *_district(n["district_code"]), n["location"],
            _item(n["item_key"], n["item_name"]),
            n["item_key"] or "", _category(n["category"]), _quantity(n["quantity"]), _quantity(n["pledged"]),
            _quantity(n["sent"]), _quantity(n["received"]), n["unit"], PRIORITY_ID.get(n["priority"], ""),
            _day(n["needed_by"], tz), None if households else n["beneficiaries"],
            n["beneficiaries"] if households else None, STATUS_ID.get(n["status"], n["status"]),
            "ya" if n["is_exercise"] else "",
        ])  # fmt: skip
    return sheet


def offers_sheet(conn: sqlite3.Connection, cluster: Cluster, now: int) -> Sheet:
    sheet = Sheet("Tawaran", (
        ("Kode", "#meta+id"), ("Tanggal dilaporkan", "#date+reported"), ("Klaster", "#sector+cluster"),
        ("Organisasi", "#org+name"), *_PLACE, *_DISTRICT, ("Lokasi", "#loc"), ("Barang", "#item+name"),
        ("Kode barang", "#item+code"), ("Kategori", "#item+type"), ("Jumlah ditawarkan", "#item+num+offered"),
        ("Jumlah dikomitmenkan", "#item+num+committed"), ("Satuan", "#item+unit"), ("Tersedia sampai", "#date+end"),
        ("Syarat", "#description"), ("Status", "#status"), ("Latihan", "#meta+exercise"),
    ))  # fmt: skip
    tz = cluster.timezone
    for f in repo.export_offers(conn, cluster.id):
        sheet.rows.append([
            f"T-{f['number']:04d}", _day(f["created_at"], tz), SECTOR, f["org_full_name"],
            *_place(cluster, f["region_code"]), *_district(f["district_code"]), f["location"],
            _item(f["item_key"], f["item_name"]),
            f["item_key"] or "", _category(f["category"]), _quantity(f["quantity"]), _quantity(f["committed"]),
            f["unit"], _day(f["available_until"], tz), f["conditions"], STATUS_ID.get(f["status"], f["status"]),
            "ya" if f["is_exercise"] else "",
        ])  # fmt: skip
    return sheet


def pledges_sheet(conn: sqlite3.Connection, cluster: Cluster, now: int) -> Sheet:
    sheet = Sheet("Komitmen", (
        ("ID", "#meta+id"), ("Kebutuhan", "#meta+need"), ("Tawaran", "#meta+offer"),
        ("Tanggal komitmen", "#date+reported"), ("Diperbarui", "#date+updated"), ("Klaster", "#sector+cluster"),
        ("Organisasi pemberi", "#org+provider+name"), ("Organisasi penerima", "#org+recipient+name"), *_PLACE,
        ("Barang", "#item+name"), ("Kategori", "#item+type"), ("Jumlah", "#item+num"), ("Satuan", "#item+unit"),
        ("Sumber", "#meta+source"), ("Status", "#status"),
    ))  # fmt: skip
    tz = cluster.timezone
    for p in repo.export_pledges(conn, cluster.id):
        sheet.rows.append([
            p["id"], f"K-{p['need_number']:04d}", f"T-{p['offer_number']:04d}" if p["offer_number"] else "",
            _day(p["created_at"], tz), _day(p["updated_at"], tz), SECTOR, p["provider"], p["recipient"],
            *_place(cluster, p["region_code"]), _item(p["item_key"], p["item_name"]), _category(p["category"]),
            _quantity(p["quantity"]), p["unit"], SOURCE_ID.get(p["source"], p["source"]),
            STATUS_ID.get(p["status"], p["status"]),
        ])  # fmt: skip
    return sheet


def stock_sheet(conn: sqlite3.Connection, cluster: Cluster, now: int) -> Sheet:
    """Line by line, only for organisations that allow it; the importer's columns, in its order."""
    sheet = Sheet("Stok", (*((header, tag) for _, header, tag in STOCK_COLUMNS),
                           ("Dikonfirmasi", "#date+confirmed"), ("Klaster", "#sector+cluster")))  # fmt: skip
    tz = cluster.timezone
    for org in members_repo.orgs_of_cluster(conn, cluster.id):
        if not org.stock_public:
            continue
        for line in stock_repo.lines_of_org(conn, org.id):
            region_name, region_code = _region(line.region_code)
            sheet.rows.append([
                org.name, _item(line.item_key, line.item_name), line.item_key or "", _category(line.category),
                _quantity(line.quantity), line.unit, region_name, region_code, line.location,
                _day(line.expires_at, tz), CONDITION_ID.get(line.condition, line.condition),
                _day(line.confirmed_at, tz), SECTOR,
            ])  # fmt: skip
    return sheet


def stock_totals_sheet(conn: sqlite3.Connection, cluster: Cluster, now: int) -> Sheet:
    """Cluster totals per kabupaten/kota and category under the privacy rule (a hidden figure is left blank)."""
    sheet = Sheet("Stok total", (
        ("Klaster", "#sector+cluster"), *_PLACE, ("Kategori", "#item+type"), ("Jumlah", "#item+num"),
        ("Satuan", "#item+unit"), ("Jumlah organisasi", "#org+num"), ("Jumlah baris", "#meta+lines+num"),
        ("Rata-rata umur data (hari)", "#meta+age+num"), ("Keterangan", "#description"),
    ))  # fmt: skip
    for row in stock_svc.cluster_totals(conn, cluster.id, now).by_region:
        sheet.rows.append([
            SECTOR, *_place(cluster, row.region_code), _category(row.category), _quantity(row.quantity), row.unit,
            row.contributors, row.lines, round(row.mean_age_days, 1),
            "disembunyikan (privasi organisasi)" if row.quantity is None else "",
        ])  # fmt: skip
    return sheet


def organizations_sheet(conn: sqlite3.Connection, cluster: Cluster, now: int) -> Sheet:
    sheet = Sheet("Organisasi", (
        ("Nama", "#org+name"), ("Singkatan", "#org+acronym"), ("Jenis", "#org+type"), ("Klaster", "#sector+cluster"),
        *_PLACE, ("Status", "#status"), ("Perwakilan aktif", "#contact+num"), ("Stok boleh ditampilkan", "#meta+public"),
        ("Terdaftar", "#date+start"), ("Terakhir aktif", "#date+updated"),
    ))  # fmt: skip
    tz = cluster.timezone
    for o in repo.export_orgs(conn, cluster.id):
        sheet.rows.append([
            o["name"], o["short_name"], o["type"], SECTOR, *_place(cluster, o["region_code"]),
            STATUS_ID.get(o["status"], o["status"]), o["reps"], "ya" if o["stock_public"] else "tidak",
            _day(o["created_at"], tz), _day(o["last_activity"], tz),
        ])  # fmt: skip
    return sheet


# The export's tables in order. "Agenda" (events with attendance) and "Rencana kerja" (issue 7) go here.
SHEETS: list[SheetBuilder] = [
    needs_sheet,
    offers_sheet,
    pledges_sheet,
    stock_sheet,
    stock_totals_sheet,
    organizations_sheet,
]


def collect(conn: sqlite3.Connection, cluster: Cluster, now: int) -> Export:
    """Every table of one cluster from one read snapshot."""
    return Export(cluster, now, [build(conn, cluster, now) for build in SHEETS])


def collect_all(conn: sqlite3.Connection, now: int) -> list[Export]:
    return [collect(conn, cluster, now) for cluster in members_repo.all_clusters(conn)]


# ---- files ----------------------------------------------------------------------------------------


def _csv_cell(value: Any) -> str:
    """Machine-readable cells: ISO dates, dot decimals without thousands separators, at most two decimals (the
    stock importer reads ``2.125`` as two thousand one hundred and twenty-five, Indonesian style)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = f"{round(value, 2):.2f}".rstrip("0").rstrip(".")
        return text if text not in ("", "-0") else "0"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_csv(sheet: Sheet) -> bytes:
    """Plain UTF-8 without a byte order mark: HXL tools would take a BOM into the first header (spreadsheet users
    have the XLSX workbook)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header for header, _ in sheet.columns])
    writer.writerow([tag for _, tag in sheet.columns])
    for row in sheet.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def to_xlsx(export: Export) -> bytes:
    """One workbook, a sheet per table: bold headers, the HXL row frozen with them, dates as dates."""
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
            ws.append(row)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for cell in ws[2]:
            cell.font = Font(italic=True, color="666666")
        ws.freeze_panes = "A3"
        for index, (header, tag) in enumerate(sheet.columns, start=1):
            width = max(len(header), len(tag), *(len(_csv_cell(r[index - 1])) for r in sheet.rows[:200])) + 2
            ws.column_dimensions[get_column_letter(index)].width = min(width, 48)
            if any(isinstance(r[index - 1], date) for r in sheet.rows[:50]):
                for (cell,) in ws.iter_rows(min_row=3, min_col=index, max_col=index):
                    cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def files(export: Export, kinds: tuple[str, ...] = ("xlsx", "csv")) -> list[tuple[str, bytes]]:
    """(file name, content): the workbook first, then one CSV per table."""
    out: list[tuple[str, bytes]] = []
    if "xlsx" in kinds:
        out.append((f"{export.stem}.xlsx", to_xlsx(export)))
    if "csv" in kinds:
        out += [(f"{export.stem}-{sheet.stem}.csv", to_csv(sheet)) for sheet in export.sheets]
    return out


def write_dir(exports: list[Export], folder: Path) -> list[Path]:
    """The CLI's ``klasterbot export DIR``: every cluster's workbook and CSV files."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for export in exports:
        for name, content in files(export):
            path = folder / name
            path.write_bytes(content)
            written.append(path)
    return written
