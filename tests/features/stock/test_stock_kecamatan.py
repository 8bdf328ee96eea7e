"""The kecamatan on stock lines through the real Application (issue #14 part 2): a ``/stok`` line naming a
kecamatan stores its Kemendagri code (and its kabupaten), the member's own lists show it, the export's stock sheet
carries it as ``#adm3`` (and the importer reads it back), while the published (pooled) table stays at kabupaten
level (docs/privacy.md)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import hxl

from bot.devtools.harness import Harness
from bot.features.members.storage import Organization
from bot.features.stock import importer
from tests.support.db import connect, q
from tests.support.engine import on_postgresql
from tests.support.export import documents
from tests.support.people import ADMIN, MEMBER, OTHER
from tests.support.people import DONOR_MDMC as DONOR
from tests.support.stock import cluster, group_text, later
from tests.support.world import cluster_with_two_members as cluster_with_members


async def test_a_stok_line_with_daha_utara_stores_the_kecamatan_and_the_export_shows_it(
    h: Harness, db_path: Path
) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(MEMBER, text="/stok beras 100 kg Daha Utara")
    assert calls[-1].text.startswith("Tersimpan: 1 baris stok.")
    assert "Beras — 100 kg · Kec. Daha Utara, Kab. Hulu Sungai Selatan" in calls[-1].text
    assert q(db_path, "SELECT region_code, district_code, location FROM stock") == [("63.06", "63.06.08", "")]
    # the same item in another kecamatan of the same kabupaten is another line, not a replacement
    await h.sim.send(MEMBER, text="/stok beras 40 kg Angkinang")
    await h.sim.send(MEMBER, text="/stok beras 70 kg Daha Utara")  # replaces the Daha Utara line
    assert q(db_path, "SELECT district_code, quantity FROM stock ORDER BY id") == [
        ("63.06.08", 70.0), ("63.06.04", 40.0),
    ]  # fmt: skip
    listing = (await h.sim.send(MEMBER, text="/stok saya"))[-1].text
    assert "Beras — 70 kg · Kec. Daha Utara, Kab. Hulu Sungai Selatan" in listing
    assert "Beras — 40 kg · Kec. Angkinang, Kab. Hulu Sungai Selatan" in listing

    calls = await h.sim.send(ADMIN, text="/ekspor")  # PMI allows the secretariat (the default)
    files = documents(calls, ADMIN.id)
    stock_csv = next(content for name, content in files.items() if name.endswith("-stok.csv"))
    rows = list(hxl.data(io.BytesIO(stock_csv)))
    assert sorted((r.get("#adm2+code"), r.get("#adm3+code"), r.get("#adm3+name")) for r in rows) == [
        ("63.06", "63.06.04", "Angkinang"), ("63.06", "63.06.08", "Daha Utara"),
    ]  # fmt: skip


async def test_the_guided_report_takes_a_kecamatan_for_the_place(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, text="/stok lapor")
    await h.sim.send(MEMBER, text="terpal")
    await h.sim.send(MEMBER, text="100 lembar")
    calls = await h.sim.send(MEMBER, text="Daha Utara")
    assert "(4/6)" in calls[-1].text
    await h.sim.press(MEMBER, calls[-1], data="sf:loc:-")
    calls = await h.sim.press(MEMBER, h.api.last(MEMBER.id), data="sf:cond:baik")
    assert "Kec. Daha Utara, Kab. Hulu Sungai Selatan" in h.api.last(MEMBER.id).text
    await h.sim.press(MEMBER, h.api.last(MEMBER.id), data="sf:ok")
    assert q(db_path, "SELECT region_code, district_code FROM stock") == [("63.06", "63.06.08")]


async def test_the_published_table_keeps_the_kabupaten_level(h: Harness, db_path: Path) -> None:
    """Three organisations in two kecamatan of HSS: the pooled figure is one kabupaten block, no kecamatan (a
    kecamatan block would hold fewer than three organisations)."""
    await cluster(h, MEMBER, OTHER, DONOR)
    await h.sim.send(MEMBER, text="/stok terpal 100 lembar Daha Utara")
    await h.sim.send(OTHER, text="/stok terpal 200 lembar Angkinang")
    await h.sim.send(DONOR, text="/stok terpal 300 lembar Daha Utara")
    await later(h)
    text = await group_text(h, ADMIN, "/ringkasan stok")
    assert "📍 Kab. Hulu Sungai Selatan: Hunian sementara 600 lembar" in text, text
    assert "Daha Utara" not in text and "Angkinang" not in text
    columns = [str(row[0]) for row in q(db_path, "SELECT column_name FROM information_schema.columns "
                                                 "WHERE table_name = 'published_stock'")] if on_postgresql() else [
        str(row[1]) for row in q(db_path, "PRAGMA table_info(published_stock)")]  # fmt: skip
    assert "region_code" in columns and not any("district" in column for column in columns)


async def test_the_exported_stock_sheet_imports_back_with_its_kecamatan(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, text="/stok\nberas 100 kg Daha Utara\nberas 40 kg Angkinang\nterpal 5 lembar Bjm")
    before = q(db_path, "SELECT organization_id, item_key, quantity, region_code, district_code FROM stock ORDER BY id")
    files = documents(await h.sim.send(ADMIN, text="/ekspor csv"), ADMIN.id)
    name = next(n for n in files if n.endswith("-stok.csv"))
    with connect(db_path) as conn:
        conn.execute("DELETE FROM stock")
    calls = await h.sim.send(ADMIN, text="/stok impor")
    assert "Opsional: <code>Kecamatan | Kode Kecamatan</code> (kecamatan baris itu)." in calls[-1].text
    calls = await h.sim.document(ADMIN, None, files[name], name)
    assert "Tersimpan: 3 baris stok dimuat dari berkas." in calls[-1].text, calls[-1].text
    after = q(db_path, "SELECT organization_id, item_key, quantity, region_code, district_code FROM stock")
    assert sorted(after, key=str) == sorted(before, key=str)


def test_an_imported_kecamatan_outside_the_rows_kabupaten_is_a_row_error() -> None:
    orgs = [Organization(1, 1, "Palang Merah Indonesia Kalsel", "PMI Kalsel", "ngo", "63.71", "approved", False, None, 0)]
    rows = [["Organisasi", "Barang", "Jumlah", "Satuan", "Kode Kab/Kota", "Kecamatan"],
            ["PMI Kalsel", "Beras", "10", "kg", "63.06", "Daha Utara"],
            ["PMI Kalsel", "Beras", "10", "kg", "63.71", "Daha Utara"]]  # fmt: skip
    checked = importer.check_rows(rows, orgs, datetime(2025, 8, 21, tzinfo=UTC), "Asia/Makassar", "63")
    assert [row["district_code"] for row in checked.rows] == ["63.06.08"]
    assert [(e.row, e.code) for e in checked.errors] == [(3, "district_unknown")]


async def test_a_one_word_kecamatan_after_kec_sets_the_kabupaten(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(MEMBER, text="/stok terpal 10 lembar kec. Gambut")
    assert "Terpal — 10 lembar · Kec. Gambut, Kab. Banjar" in calls[-1].text
    assert q(db_path, "SELECT region_code, district_code FROM stock") == [("63.03", "63.03.03")]
