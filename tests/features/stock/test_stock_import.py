"""Stock import by the secretariat (CSV/XLSX in the export format): row-numbered errors, nothing applied unless
the file is valid or the sender loads only the valid rows; the importer's column finding, unit-tested."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

from openpyxl import Workbook

from bot.devtools.harness import Harness
from bot.features.members.models import Organization
from bot.features.stock import importer
from tests.support.buttons import data_of
from tests.support.db import q
from tests.support.imports import CSV_WITH_ERRORS
from tests.support.people import ADMIN, MEMBER, OTHER
from tests.support.world import cluster_with_two_members as cluster_with_members


async def test_import_with_errors_applies_nothing_until_confirmed(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(MEMBER, text="/stok impor")
    assert "sekretariat" in calls[-1].text
    calls = await h.sim.send(ADMIN, text="/stok impor")
    assert "Organisasi | Barang | Kode barang" in calls[-1].text
    calls = await h.sim.document(ADMIN, None, CSV_WITH_ERRORS, "stok.csv")
    report = calls[-1]
    assert "3 baris valid, 3 baris bermasalah" in report.text
    assert "Baris 5: organisasi “Yayasan Fiktif” tidak dikenal" in report.text
    assert "Baris 6: jumlah tidak dipahami: “banyak”" in report.text
    assert "Baris 7: tanggal tidak dipahami: “31/2/2026”" in report.text
    assert "Baris 3" not in report.text and "Baris 9" not in report.text
    assert q(db_path, "SELECT COUNT(*) FROM stock") == [(0,)]
    load = data_of(report, "Muat 3 baris yang valid")
    calls = await h.sim.press(OTHER, report, data=load)  # only the sender decides
    assert "tidak berlaku" in calls[-1].params["text"]
    assert q(db_path, "SELECT COUNT(*) FROM stock") == [(0,)]
    calls = await h.sim.press(ADMIN, report, data=load)
    assert any("Tersimpan: 3 baris stok dimuat dari berkas." in c.text for c in calls)
    rows = q(db_path, "SELECT organization_id, item_key, quantity, unit, region_code, location, condition, source "
                      "FROM stock ORDER BY id")  # fmt: skip
    assert rows == [
        (1, "beras", 2500.0, "kg", "63.72", "Gudang A", "baik", "import"),
        (2, "terpal", 200.0, "lembar", "63.06", "", "baik", "import"),
        (2, "genset", 2.0, "unit", "63.01", "", "rusak_ringan", "import"),
    ]
    calls = await h.sim.press(ADMIN, report, data=load)  # a second tap loads nothing
    assert "tidak berlaku" in calls[-1].params["text"]
    assert q(db_path, "SELECT COUNT(*) FROM stock") == [(3,)]
    assert q(db_path, "SELECT COUNT(*) FROM stock_history WHERE action = 'import'") == [(3,)]


async def test_cancel_an_import_with_errors(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(ADMIN, text="/stok impor")
    calls = await h.sim.document(ADMIN, None, CSV_WITH_ERRORS, "stok.csv")
    calls = await h.sim.press(ADMIN, calls[-1], text="✖ Batal")
    assert any("Dibatalkan" in c.text for c in calls)
    assert q(db_path, "SELECT COUNT(*) FROM stock") == [(0,)]


async def test_valid_xlsx_with_caption_is_applied_for_the_named_organisation(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Stok"
    sheet.append(["Barang", "Jumlah", "Satuan", "Kab/Kota", "Lokasi", "Kedaluwarsa"])
    sheet.append(["Beras", 1250.5, "kg", "HSS", "Gudang Kandangan", date(2026, 6, 30)])
    sheet.append(["Air mineral", 40, "dus", "Banjarbaru", None, datetime(2026, 1, 15, 0, 0)])
    buffer = io.BytesIO()
    book.save(buffer)
    calls = await h.sim.document(ADMIN, None, buffer.getvalue(), "stok_pmi.xlsx", caption="/stok impor PMI Kalsel")
    assert "Tersimpan: 2 baris stok dimuat dari berkas." in calls[-1].text
    rows = q(db_path, "SELECT organization_id, item_key, quantity, region_code, expires_at FROM stock ORDER BY id")
    assert [r[:4] for r in rows] == [(1, "beras", 1250.5, "63.06"), (1, "air_minum", 40.0, "63.72")]
    assert datetime.fromtimestamp(int(rows[0][4]), UTC).date() == date(2026, 6, 30)  # type: ignore[arg-type]


async def test_unreadable_files_are_refused(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(ADMIN, text="/stok impor")
    calls = await h.sim.document(ADMIN, None, b"%PDF-1.4", "laporan.pdf")
    assert "hanya bisa membaca berkas CSV atau XLSX" in calls[-1].text and "Tidak ada yang disimpan" in calls[-1].text
    await h.sim.send(ADMIN, text="/stok impor")
    calls = await h.sim.document(ADMIN, None, b"nama;alamat\nx;y\n", "data.csv")
    assert "Barang, Jumlah" in calls[-1].text
    await h.sim.send(ADMIN, text="/stok impor")
    calls = await h.sim.document(ADMIN, None, b"PK\x03\x04broken", "stok.xlsx")
    assert "CSV atau XLSX" in calls[-1].text
    calls = await h.sim.document(MEMBER, None, CSV_WITH_ERRORS, "stok.csv", caption="/stok impor")
    assert "sekretariat" in calls[-1].text
    assert q(db_path, "SELECT COUNT(*) FROM stock") == [(0,)]


def _orgs() -> list[Organization]:
    return [
        Organization(1, 1, "Palang Merah Indonesia Kalsel", "PMI Kalsel", "ngo", "63.71", "approved", False, None, 0),
        Organization(2, 1, "Dinas Sosial Provinsi", "Dinsos", "opd", None, "approved", False, None, 0),
    ]


NOW = datetime(2025, 8, 21, 1, 0, tzinfo=UTC)


def test_columns_found_by_hxl_tags_in_any_order_without_headers() -> None:
    rows = [
        ["#item +unit", "#ADM2+code", "#item+num", "#org", "#item+name", "#status"],
        ["lembar", "63.06", "12", "Dinsos", "terpal", "Rusak Berat"],
        ["kg", "63.71", "1.500", "pmi kalsel", "beras", ""],
    ]
    checked = importer.check_rows(rows, _orgs(), NOW, "Asia/Makassar", "63")
    assert not checked.errors and checked.problem is None
    assert [(r["row"], r["org_id"], r["item_key"], r["quantity"], r["condition"]) for r in checked.rows] == [
        (2, 2, "terpal", 12.0, "rusak_berat"),
        (3, 1, "beras", 1500.0, "baik"),
    ]


def test_row_errors_name_every_problem_and_region_falls_back_to_the_organisation() -> None:
    rows = [
        ["Organisasi", "Barang", "Jumlah", "Satuan", "Kab/Kota"],
        ["Dinsos", "beras", "10", "kg", ""],  # Dinsos has no region on its profile
        ["PMI Kalsel", "", "-3", "karung goni", "Kab. Atlantis"],
        ["PMI Kalsel", "sabun", "100", "", ""],  # the item's unit, the organisation's region
    ]
    checked = importer.check_rows(rows, _orgs(), NOW, "Asia/Makassar", "63")
    assert [(e.row, e.code) for e in checked.errors] == [
        (2, "region_missing"),
        (3, "item_missing"), (3, "quantity_bad"), (3, "unit_unknown"), (3, "region_unknown"),
    ]  # fmt: skip
    assert checked.error_rows == 2
    assert [(r["row"], r["unit"], r["region_code"]) for r in checked.rows] == [(4, "buah", "63.71")]


def test_missing_required_columns() -> None:
    checked = importer.check_rows([["Barang", "Satuan"], ["beras", "kg"]], _orgs(), NOW, "Asia/Makassar", "63")
    assert checked.problem == importer.MISSING_COLUMNS and checked.missing == ["Organisasi", "Jumlah"]
    assert importer.check_file(b"", "x.ods", _orgs(), NOW, "Asia/Makassar", "63").problem == importer.NOT_A_TABLE
