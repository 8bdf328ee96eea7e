"""Exports: /ekspor sends an XLSX workbook and CSV files that open with openpyxl and parse as HXL with libhxl;
private stock stays private; the stock sheet goes back through the stock import with the same totals; the CLI
writes the same files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import hxl
import pytest
from openpyxl import load_workbook

from bot.__main__ import main
from bot.devtools.harness import Harness
from bot.features.export import service as export_svc
from bot.features.members import storage as members_repo
from bot.features.stock import importer
from bot.features.stock import service as stock_svc
from tests.support.db import connect, q
from tests.support.export import documents, reporting_data
from tests.support.people import ADMIN, GROUP_ID, MEMBER

SHEETS = ["Kebutuhan", "Tawaran", "Komitmen", "Stok", "Stok total", "Organisasi", "Agenda", "Rencana kerja"]


async def test_ekspor_sends_a_workbook_and_csv_files_that_parse_as_hxl(h: Harness, db_path: Path) -> None:
    await reporting_data(h)
    calls = await h.sim.send(ADMIN, text="/ekspor")
    files = documents(calls, ADMIN.id)
    stem = "klaster-logistik-kalsel-2025-08-21"
    assert list(files) == [f"{stem}.xlsx"] + [f"{stem}-{name}.csv" for name in
                                              ("kebutuhan", "tawaran", "komitmen", "stok", "stok-total", "organisasi", "agenda",
                                               "rencana-kerja")]  # fmt: skip
    caption = next(c for c in calls if c.method == "sendDocument").text
    assert "Ekspor Klaster Logistik Kalsel" in caption and "Kebutuhan 2" in caption and "Tawaran 1" in caption

    book = load_workbook(io.BytesIO(files[f"{stem}.xlsx"]))
    assert book.sheetnames == SHEETS
    for index, name in enumerate(SHEETS):
        sheet = book[name]
        headers = [c.value for c in sheet[1]]
        tags = [c.value for c in sheet[2]]
        assert all(isinstance(v, str) and v for v in headers)
        assert all(isinstance(v, str) and v.startswith("#") for v in tags)
        assert not any(t.startswith("#value") for t in tags)  # money only
        dataset = hxl.data(io.BytesIO(files[f"{stem}.xlsx"]), hxl.input.InputOptions(sheet_index=index))
        assert dataset.display_tags == tags and dataset.headers == headers
        from_csv = hxl.data(io.BytesIO(files[f"{stem}-{export_svc.Sheet(name, ()).stem}.csv"]))
        assert from_csv.headers == headers and from_csv.display_tags == tags
        assert len(list(from_csv)) == sheet.max_row - 2

    needs = hxl.data(io.BytesIO(files[f"{stem}-kebutuhan.csv"]))
    rows = list(needs)
    assert [r.get("#meta+id") for r in rows] == ["K-0001", "K-0002"]
    assert [r.get("#adm2+code") for r in rows] == ["63.06", "63.03"]
    assert [r.get("#adm1+code") for r in rows] == ["63", "63"]
    assert [r.get("#adm2+name") for r in rows] == ["Kab. Hulu Sungai Selatan", "Kab. Banjar"]
    assert [r.get("#item+num+needed") for r in rows] == ["500", "2"]
    assert [r.get("#item+num+pledged") for r in rows] == ["200", "0"]
    assert [r.get("#targeted+hh") or "" for r in rows] == ["120", ""]
    assert [r.get("#targeted+ind") or "" for r in rows] == ["", "300"]
    assert rows[0].get("#sector+cluster") == "Logistik" and rows[0].get("#org+name") == "Palang Merah Indonesia Kalsel"
    assert rows[0].get("#date+reported") == "2025-08-21" and rows[0].get("#severity") == "mendesak"
    xlsx_needs = book["Kebutuhan"]
    assert (
        xlsx_needs["A3"].value == "K-0001" and xlsx_needs["O3"].value == 500 and xlsx_needs["S3"].value == "paket"
    )  # numbers stay numbers
    pledges = list(hxl.data(io.BytesIO(files[f"{stem}-komitmen.csv"])))
    assert [(p.get("#meta+need"), p.get("#org+provider+name"), p.get("#item+num"), p.get("#status")) for p in pledges] \
        == [("K-0001", "Dinas Sosial Provinsi", "200", "dijanjikan")]  # fmt: skip
    offers = list(hxl.data(io.BytesIO(files[f"{stem}-tawaran.csv"])))
    assert [(o.get("#meta+id"), o.get("#item+num+offered"), o.get("#item+unit")) for o in offers] == [
        ("T-0001", "2", "ton")
    ]
    orgs = list(hxl.data(io.BytesIO(files[f"{stem}-organisasi.csv"])))
    assert {o.get("#org+acronym") for o in orgs} == {"PMI Kalsel", "Dinsos", "Bulog"}


async def test_private_stock_stays_private(h: Harness, db_path: Path) -> None:
    await reporting_data(h)
    calls = await h.sim.send(ADMIN, text="/ekspor csv")
    files = documents(calls, ADMIN.id)
    assert not any(name.endswith(".xlsx") for name in files) and len(files) == 8
    stock = list(hxl.data(io.BytesIO(files["klaster-logistik-kalsel-2025-08-21-stok.csv"])))
    assert {r.get("#org") for r in stock} == {"Dinas Sosial Provinsi"}  # PMI has not allowed the secretariat
    assert not any(r.get("#item+name") == "Selimut" for r in stock)
    totals = list(hxl.data(io.BytesIO(files["klaster-logistik-kalsel-2025-08-21-stok-total.csv"])))
    # the published table: two organisations per table are too few, so no figure at all, only the counts
    assert totals and all(not r.get("#item+num") for r in totals)
    assert all("disembunyikan" in r.get("#description") for r in totals)
    assert {(r.get("#item+type"), r.get("#item+unit"), r.get("#org+num")) for r in totals} >= {("Pangan", "kg", "2")}


async def test_only_the_secretariat_exports_and_files_go_privately(h: Harness, db_path: Path) -> None:
    await reporting_data(h)
    calls = await h.sim.send(MEMBER, GROUP_ID, "/ekspor")
    assert "sekretariat" in calls[-1].text.lower() and not documents(calls, MEMBER.id)
    calls = await h.sim.send(ADMIN, GROUP_ID, "/ekspor")
    assert len(documents(calls, ADMIN.id)) == 9 and not documents(calls, GROUP_ID)
    assert "lewat obrolan pribadi" in calls[-1].text
    h.api.fail("sendDocument", "forbidden", chat_id=ADMIN.id)
    calls = await h.sim.send(ADMIN, GROUP_ID, "/ekspor xlsx")
    assert "ketuk Mulai" in calls[-1].text
    calls = await h.sim.send(ADMIN, text="/ekspor pdf")
    assert "/ekspor xlsx" in calls[-1].text


def _totals(totals: stock_svc.Totals) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    def key(row: stock_svc.TotalRow) -> tuple[object, ...]:
        return row.category, row.unit, row.region_code, row.quantity, row.contributors, row.lines

    return sorted(map(key, totals.by_category), key=str), sorted(map(key, totals.by_region), key=str)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
async def test_stock_round_trip_export_then_import_gives_the_same_totals(h: Harness, db_path: Path, kind: str) -> None:
    await reporting_data(h, stock_public_for_all=True)
    db = h.runtime.db
    before = _totals(await db.read(stock_svc.cluster_totals, 1, h.clock.timestamp()))
    assert before[0] and before[1]
    calls = await h.sim.send(ADMIN, text=f"/ekspor {kind}")
    files = documents(calls, ADMIN.id)
    name = next(n for n in files if n.endswith("-stok.csv")) if kind == "csv" else next(iter(files))
    with connect(db_path) as conn:
        conn.execute("DELETE FROM stock")
    assert q(db_path, "SELECT COUNT(*) FROM stock_totals") == [(0,)]
    await h.sim.send(ADMIN, text="/stok impor")
    calls = await h.sim.document(ADMIN, None, files[name], name)
    assert "Tersimpan: 7 baris stok dimuat dari berkas." in calls[-1].text, calls[-1].text
    after = _totals(await db.read(stock_svc.cluster_totals, 1, h.clock.timestamp()))
    assert after == before
    expiry = q(db_path, "SELECT expires_at FROM stock WHERE item_key = 'susu'")
    assert len(expiry) == 1 and expiry[0][0] is not None


async def test_csv_numbers_are_read_back_by_the_importer() -> None:
    sheet = export_svc.Sheet("Stok", (("Jumlah", "#item+num"),), [[2.126], [2500.5], [1234567], [0.5], [None]])
    text = export_svc.to_csv(sheet).decode()
    values = [row[0] for row in csv.reader(io.StringIO(text))][2:]
    assert values == ["2.13", "2500.5", "1234567", "0.5", ""]
    assert [float(importer._quantity(v)) for v in values[:4]] == [2.13, 2500.5, 1234567.0, 0.5]


async def test_cli_export_writes_every_cluster(
    h: Harness, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await reporting_data(h)
    monkeypatch.setenv("KLASTER_DB", str(db_path))
    out = tmp_path / "laporan"
    assert main(["export", str(out)]) == 0
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == 9 and any(n.endswith(".xlsx") for n in written)
    assert capsys.readouterr().out.count(str(out)) == 9
    book = load_workbook(next(out.glob("*.xlsx")))
    assert book.sheetnames == SHEETS and book["Kebutuhan"].max_row == 4
    orgs = await h.runtime.db.read(members_repo.orgs_of_cluster, 1)
    assert len(orgs) == 3
    monkeypatch.setenv("KLASTER_DB", str(tmp_path / "nothing.db"))
    assert main(["export", str(out)]) == 1


async def test_cli_export_keeps_two_clusters_with_the_same_name_apart(
    h: Harness, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exercise group titled like the real one (or two provinces' "Klaster Logistik"): both exports were
    written to the same file names, the second overwrote the first and the listing named every file twice."""
    await reporting_data(h)
    drill = GROUP_ID - 1
    h.api.add_chat(drill, "supergroup", "Klaster Logistik Kalsel")
    h.api.set_bot_rights(drill)
    h.api.set_member(drill, ADMIN.json(), "creator")
    await h.sim.send(ADMIN, drill, "/pasang Klaster Logistik Kalsel")
    assert [r[0] for r in q(db_path, "SELECT name FROM clusters ORDER BY id")] == ["Klaster Logistik Kalsel"] * 2
    monkeypatch.setenv("KLASTER_DB", str(db_path))
    out = tmp_path / "laporan"
    assert main(["export", str(out)]) == 0
    books = sorted(out.glob("*.xlsx"))
    assert len(books) == 2 and len(list(out.iterdir())) == 18
    assert sorted(load_workbook(b)["Kebutuhan"].max_row for b in books) == [2, 4]  # the drill has no need
