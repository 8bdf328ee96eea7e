"""Exports for reporting upward (BNPB, HXL tools): CSV per table and one XLSX workbook with a sheet per table.

Every table has an Indonesian header row, then a row of HXL hashtags, then data — the layout libhxl and the HXL
tools read. Headers and values are the data format, fixed in Indonesian whatever the reader's language (as
the stock importer's ``STOCK_COLUMNS``), so they do not go through gettext. HXL notes: ``#value`` is money
only, so quantities carry ``#item+num`` (with a qualifying attribute where a table has several); kabupaten/kota
are ``#adm2+code`` Kemendagri codes like ``63.03`` next to ``#adm2+name``; the province is ``#adm1+code``.

The stock sheet ("Stok") is exactly the importer's ``STOCK_COLUMNS`` (plus the kecamatan, which the importer
reads back, and two trailing columns it ignores) and holds only organisations that allow their stock to be
shown; everything else appears as cluster totals under the privacy rule ("Stok total"). So a file sent upward never discloses private stock, and the
stock importer accepts the stock sheet back.

Tables are built by the explicit list ``SHEETS`` (needs with their note, offers, pledges, stock, stock totals,
organisations with their type as a label, the agenda with attendance, the work plan); one read snapshot builds
all of them. Tag choices: organisations are ``#org+name`` everywhere (with ``+provider`` / ``+recipient`` where
a table has two); a need's beneficiaries are ``#targeted`` (people the aid is meant for), not ``#affected``;
counts carry ``+num`` on ``#indicator`` or the counted thing, never on ``#contact`` (which is contact details).

The files themselves (CSV, XLSX and what makes them safe to open) are made in ``files.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.features.agenda import storage as agenda_repo
from bot.features.export import storage as repo
from bot.features.export.files import files, to_csv, to_csv_excel, to_xlsx, write_dir
from bot.features.export.models import Export, Sheet
from bot.features.members import storage as members_repo
from bot.features.members.models import Cluster
from bot.features.stock import service as stock_svc
from bot.features.stock import storage as stock_repo
from bot.features.stock.importer import STOCK_COLUMNS
from bot.features.workplan import storage as workplan_repo
from bot.kernel.sql import Conn
from bot.shared import catalogue, regions

SECTOR = "Logistik"
STATUS_ID = {
    "open": "terbuka", "fulfilled": "terpenuhi", "cancelled": "dibatalkan", "taken": "habis dijanjikan",
    "withdrawn": "ditarik", "pledged": "dijanjikan", "sent": "dikirim", "received": "diterima",
    "invited": "diundang", "pending": "menunggu persetujuan", "approved": "disetujui", "rejected": "ditolak",
    "inactive": "tidak aktif",
}  # fmt: skip
PRIORITY_ID = {1: "mendesak", 2: "tinggi", 3: "sedang", 4: "rendah"}
SOURCE_ID = {"direct": "langsung", "offer": "tawaran", "stock": "stok"}
CONDITION_ID = {"baik": "baik", "rusak_ringan": "rusak ringan", "rusak_berat": "rusak berat"}
# Organisation types as the registration dialog names them in Indonesian (bot/features/members/views.py TYPE_LABELS).
ORG_TYPE_ID = {
    "opd": "Organisasi Perangkat Daerah (OPD)", "tni": "TNI", "polri": "Polri", "bmkg": "BMKG",
    "basarnas": "BASARNAS", "bumn": "BUMN/BUMD", "usaha": "Dunia usaha", "ngo": "Lembaga kemanusiaan / LSM",
    "akademisi": "Akademisi", "media": "Media", "lainnya": "Lainnya",
}  # fmt: skip
EVENT_TYPE_ID = {"forum": "Forum berbagi", "training": "Pelatihan", "meeting": "Rapat koordinasi",
                 "exercise": "Simulasi/gladi"}  # fmt: skip
EVENT_STATUS_ID = {"scheduled": "terjadwal", "cancelled": "dibatalkan"}
WORK_STATUS_ID = {"not_started": "belum mulai", "in_progress": "berjalan", "done": "selesai", "on_hold": "tertunda"}
WEEKDAY_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
NTH_ID = {1: "pertama", 2: "kedua", 3: "ketiga", 4: "keempat", -1: "terakhir"}
__all__ = ["Export", "Sheet", "files", "to_csv", "to_csv_excel", "to_xlsx", "write_dir"]  # made in files.py, models.py
ZONE_ABBR = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


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
# Needs, offers and stock lines also carry the kecamatan (adm3) when the member named one.
_DISTRICT = (("Kecamatan", "#adm3+name"), ("Kode Kecamatan", "#adm3+code"))


def _district(code: str | None) -> list[Any]:
    district = regions.get_district(code)
    return [district.name, district.code] if district is not None else ["", ""]


def _place(cluster: Cluster, code: str | None) -> list[Any]:
    name, region_code = _region(code)
    return [cluster.province, name, region_code]


SheetBuilder = Callable[[Conn, Cluster, int], Sheet]


def needs_sheet(conn: Conn, cluster: Cluster, now: int) -> Sheet:
    sheet = Sheet("Kebutuhan", (
        ("Kode", "#meta+id"), ("Tanggal dilaporkan", "#date+reported"), ("Klaster", "#sector+cluster"),
        ("Kejadian", "#event+name"), ("Organisasi", "#org+name"), *_PLACE, *_DISTRICT, ("Lokasi", "#loc"),
        ("Barang", "#item+name"), ("Kode barang", "#item+code"), ("Kategori", "#item+type"),
        ("Jumlah dibutuhkan", "#item+num+needed"), ("Jumlah dijanjikan", "#item+num+pledged"),
        ("Jumlah dikirim", "#item+num+sent"), ("Jumlah diterima", "#item+num+received"), ("Satuan", "#item+unit"),
        ("Prioritas", "#severity"), ("Dibutuhkan sebelum", "#date+deadline"), ("Penerima (jiwa)", "#targeted+ind"),
        ("Penerima (KK)", "#targeted+hh"), ("Status", "#status"), ("Latihan", "#meta+exercise"),
        ("Catatan", "#description"),
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
            "ya" if n["is_exercise"] else "", n["note"],
        ])  # fmt: skip
    return sheet


def offers_sheet(conn: Conn, cluster: Cluster, now: int) -> Sheet:
    sheet = Sheet("Tawaran", (
        ("Kode", "#meta+id"), ("Tanggal dilaporkan", "#date+reported"), ("Klaster", "#sector+cluster"),
        ("Organisasi", "#org+name"), *_PLACE, *_DISTRICT, ("Lokasi", "#loc"), ("Barang", "#item+name"),
        ("Kode barang", "#item+code"), ("Kategori", "#item+type"), ("Jumlah ditawarkan", "#item+num+offered"),
        ("Jumlah dijanjikan", "#item+num+committed"), ("Satuan", "#item+unit"), ("Tersedia sampai", "#date+end"),
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


def pledges_sheet(conn: Conn, cluster: Cluster, now: int) -> Sheet:
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


def stock_sheet(conn: Conn, cluster: Cluster, now: int) -> Sheet:
    """Line by line, only for organisations that allow the secretariat (the export is the secretariat's);
    the importer's columns, in its order."""
    sheet = Sheet("Stok", (*((header, "#org+name" if tag == "#org" else tag) for _, header, tag in STOCK_COLUMNS),
                           *_DISTRICT, ("Dikonfirmasi", "#date+confirmed"), ("Klaster", "#sector+cluster")))  # fmt: skip
    tz = cluster.timezone
    allowed = stock_svc.secretariat_orgs(conn, cluster.id)
    for org in members_repo.orgs_of_cluster(conn, cluster.id):
        if org.id not in allowed:
            continue
        for line in stock_repo.lines_of_org(conn, org.id):
            region_name, region_code = _region(line.region_code)
            sheet.rows.append([
                org.name, _item(line.item_key, line.item_name), line.item_key or "", _category(line.category),
                _quantity(line.quantity), line.unit, region_name, region_code, line.location,
                _day(line.expires_at, tz), CONDITION_ID.get(line.condition, line.condition),
                *_district(line.district_code), _day(line.confirmed_at, tz), SECTOR,
            ])  # fmt: skip
    return sheet


def stock_totals_sheet(conn: Conn, cluster: Cluster, now: int) -> Sheet:
    """The published table (docs/privacy.md): one row per published figure; each sums at least 3 organisations."""
    sheet = Sheet("Stok total", (
        ("Klaster", "#sector+cluster"), *_PLACE, ("Kategori", "#item+type"), ("Barang", "#item+name"),
        ("Jumlah", "#item+num"), ("Satuan", "#item+unit"), ("Jumlah organisasi", "#org+num"),
        ("Data per", "#date+reported"), ("Keterangan", "#description"),
    ))  # fmt: skip
    pub = stock_svc.published(conn, cluster.id)
    notes = {"cell": "", "item": "barang ini di kabupaten/kota lain", "category": "barang lain dalam kategori",
             "hidden": "disembunyikan (kurang dari 3 organisasi)"}  # fmt: skip
    for row in pub.rows if pub is not None else []:
        if row.level not in notes:
            continue
        sheet.rows.append([
            SECTOR, *_place(cluster, row.region_code or None), _category(row.category),
            _item(row.item_key, row.item_name) if row.norm_item else "", _quantity(row.quantity), row.unit,
            row.contributors, _day(row.data_at, cluster.timezone), notes[row.level],
        ])  # fmt: skip
    return sheet


def organizations_sheet(conn: Conn, cluster: Cluster, now: int) -> Sheet:
    sheet = Sheet("Organisasi", (
        ("Nama", "#org+name"), ("Singkatan", "#org+acronym"), ("Jenis", "#org+type"), ("Klaster", "#sector+cluster"),
        *_PLACE, ("Status", "#status"), ("Perwakilan aktif", "#indicator+num+representatives"),
        ("Stok boleh dilihat sekretariat", "#meta+public"),
        ("Terdaftar", "#date+start"), ("Terakhir aktif", "#date+updated"),
    ))  # fmt: skip
    tz = cluster.timezone
    for o in repo.export_orgs(conn, cluster.id):
        sheet.rows.append([
            o["name"], o["short_name"], ORG_TYPE_ID.get(o["type"], o["type"]), SECTOR, *_place(cluster, o["region_code"]),
            STATUS_ID.get(o["status"], o["status"]), o["reps"], "ya" if o["stock_secretariat"] else "tidak",
            _day(o["created_at"], tz), _day(o["last_activity"], tz),
        ])  # fmt: skip
    return sheet


def _local(ts: int | None, tz: str) -> datetime | None:
    """A local wall-clock time without zone (spreadsheets have none); the sheet names the zone in a column."""
    return datetime.fromtimestamp(ts, ZoneInfo(tz)).replace(tzinfo=None) if ts else None


def _series_text(rule: str | None) -> str:
    if not rule:
        return ""
    if rule == "weekly":
        return "setiap minggu"
    if rule == "biweekly":
        return "setiap 2 minggu"
    parts = rule.split(":")
    if len(parts) == 3 and parts[0] == "monthly":
        try:
            nth, weekday = int(parts[1]), int(parts[2])
        except ValueError:
            return rule
        if nth in NTH_ID and 0 <= weekday <= 6:
            return f"setiap {WEEKDAY_ID[weekday]} {NTH_ID[nth]} tiap bulan"
    return rule


def agenda_sheet(conn: Conn, cluster: Cluster, now: int) -> Sheet:
    """Every event (past, upcoming, cancelled) with its attendance: RSVP answers, the organisations that said
    yes, and what the feedback question collected (attended, ratings)."""
    sheet = Sheet("Agenda", (
        ("Kode", "#activity+code"), ("Jenis", "#activity+type"), ("Judul", "#activity+name"),
        ("Klaster", "#sector+cluster"), ("Mulai", "#date+start"), ("Selesai", "#date+end"),
        ("Zona waktu", "#meta+timezone"), ("Tempat", "#loc+name"), ("Narasumber", "#org+name+speaker"),
        ("Berulang", "#meta+recurrence"), ("Status", "#status"), ("Alasan pembatalan", "#description+cancelled"),
        ("Hadir (RSVP ya)", "#indicator+num+rsvp_yes"), ("Mungkin", "#indicator+num+rsvp_maybe"),
        ("Tidak hadir", "#indicator+num+rsvp_no"), ("Organisasi yang hadir", "#org+name+attending"),
        ("Hadir menurut umpan balik", "#reached+ind+attended"), ("Jumlah penilaian", "#indicator+num+ratings"),
        ("Nilai rata-rata (1-5)", "#indicator+num+rating"), ("Keterangan", "#description"),
    ))  # fmt: skip
    tz = cluster.timezone
    zone = ZONE_ABBR.get(tz, tz)
    for e in agenda_repo.export_events(conn, cluster.id):
        sheet.rows.append([
            f"A-{e['number']:04d}", EVENT_TYPE_ID.get(e["type"], e["type"]), e["title"], SECTOR,
            _local(e["starts_at"], tz), _local(e["starts_at"] + e["duration_min"] * 60, tz), zone, e["place"],
            e["speakers"] or "", _series_text(e["series_rule"]), EVENT_STATUS_ID.get(e["status"], e["status"]),
            e["cancel_reason"], e["rsvp_yes"], e["rsvp_maybe"], e["rsvp_no"], e["rsvp_orgs"] or "", e["attended"],
            e["ratings"], round(e["rating"], 2) if e["rating"] is not None else None, e["description"],
        ])  # fmt: skip
    return sheet


def work_plan_sheet(conn: Conn, cluster: Cluster, now: int) -> Sheet:
    sheet = Sheet("Rencana kerja", (
        ("Kode", "#activity+code"), ("Kegiatan", "#activity+name"), ("Klaster", "#sector+cluster"),
        ("Penanggung jawab", "#org+name"), ("Tenggat", "#date+deadline"), ("Status", "#status"),
        ("Dibuat", "#date+start"), ("Selesai", "#date+end"), ("Catatan terakhir", "#description"),
    ))  # fmt: skip
    tz = cluster.timezone
    for w in workplan_repo.export_work_items(conn, cluster.id):
        deadline = _local(w["deadline_at"], tz) if w["deadline_precision"] == "minute" else _day(w["deadline_at"], tz)
        sheet.rows.append([
            f"R-{w['number']:04d}", w["title"], SECTOR, w["org_name"], deadline,
            WORK_STATUS_ID.get(w["status"], w["status"]), _day(w["created_at"], tz), _day(w["done_at"], tz),
            w["last_note"] or "",
        ])  # fmt: skip
    return sheet


# The export's tables in order.
SHEETS: list[SheetBuilder] = [
    needs_sheet,
    offers_sheet,
    pledges_sheet,
    stock_sheet,
    stock_totals_sheet,
    organizations_sheet,
    agenda_sheet,
    work_plan_sheet,
]


def collect(conn: Conn, cluster: Cluster, now: int) -> Export:
    """Every table of one cluster from one read snapshot."""
    return Export(cluster, now, [build(conn, cluster, now) for build in SHEETS])


def collect_all(conn: Conn, now: int) -> list[Export]:
    return [collect(conn, cluster, now) for cluster in members_repo.all_clusters(conn)]
