"""/ekspor files that partners' tools trust (issue 15 part 3, issue 12 part 4): the agenda with attendance, the
work plan and the need's note; organisation types as labels; HXL tags; the semicolon/BOM CSV for an Indonesian
Excel; formulas neutralised (openpyxl and a CSV reader); control and bidi characters stripped at export."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import hxl
from openpyxl import load_workbook

from bot.devtools.harness import Harness
from bot.features.export import service as export_svc
from tests.support.agenda import LINE, create
from tests.support.db import execute, q
from tests.support.engine import NUL
from tests.support.export import documents, reporting_data
from tests.support.people import ADMIN, GROUP_ID, MEMBER, OTHER

STEM = "klaster-logistik-kalsel-2025-08-21"
HYPERLINK = '=HYPERLINK("http://x";"klik")'
SHEETS = ["Kebutuhan", "Tawaran", "Komitmen", "Stok", "Stok total", "Organisasi", "Agenda", "Rencana kerja"]


def rows(content: bytes, delimiter: str = ",", encoding: str = "utf-8") -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode(encoding)), delimiter=delimiter))


async def agenda_and_work_plan(h: Harness) -> None:
    card = await create(h, LINE)
    await h.sim.press(MEMBER, card, data=card.buttons[0][0]["callback_data"])  # PMI: attending
    await h.sim.press(OTHER, card, data=card.buttons[0][1]["callback_data"])  # Dinsos: maybe
    await h.sim.send(ADMIN, GROUP_ID, "/rencana baru Pemetaan gudang penyangga | PMI Kalsel | 30/9")


async def test_ekspor_has_agenda_with_attendance_work_plan_and_need_note(h: Harness, db_path: Path) -> None:
    await reporting_data(h)
    await agenda_and_work_plan(h)
    files = documents(await h.sim.send(ADMIN, text="/ekspor"), ADMIN.id)
    book = load_workbook(io.BytesIO(files[f"{STEM}.xlsx"]))
    assert book.sheetnames == SHEETS
    agenda = list(hxl.data(io.BytesIO(files[f"{STEM}-agenda.csv"])))
    assert len(agenda) == 1
    event = agenda[0]
    assert event.get("#activity+code") == "A-0001" and event.get("#activity+type") == "Pelatihan"
    assert event.get("#activity+name") == "Manajemen Gudang Darurat" and event.get("#loc+name") == "Aula BPBD Kalsel"
    assert event.get("#date+start") == "2025-09-04 09:00" and event.get("#date+end") == "2025-09-04 11:00"
    assert event.get("#meta+timezone") == "WITA" and event.get("#org+name+speaker") == "Palang Merah Indonesia Kalsel"
    assert (event.get("#indicator+num+rsvp_yes"), event.get("#indicator+num+rsvp_maybe")) == ("1", "1")
    assert event.get("#org+name+attending") == "Palang Merah Indonesia Kalsel"
    sheet = book["Agenda"]
    assert sheet["E3"].is_date and sheet["E3"].number_format == "yyyy-mm-dd hh:mm"
    work = list(hxl.data(io.BytesIO(files[f"{STEM}-rencana-kerja.csv"])))
    assert [(w.get("#activity+code"), w.get("#activity+name"), w.get("#org+name"), w.get("#date+deadline"),
             w.get("#status")) for w in work] == [
        ("R-0001", "Pemetaan gudang penyangga", "Palang Merah Indonesia Kalsel", "2025-09-30", "belum mulai")
    ]  # fmt: skip
    needs = list(hxl.data(io.BytesIO(files[f"{STEM}-kebutuhan.csv"])))
    notes = q(db_path, "SELECT note FROM needs ORDER BY number")
    assert [n.get("#description") or "" for n in needs] == [row[0] for row in notes]


async def test_organisation_types_are_labels_and_tags_are_reviewed(h: Harness, db_path: Path) -> None:
    await reporting_data(h)
    await agenda_and_work_plan(h)
    files = documents(await h.sim.send(ADMIN, text="/ekspor"), ADMIN.id)
    orgs = list(hxl.data(io.BytesIO(files[f"{STEM}-organisasi.csv"])))
    assert {o.get("#org+type") for o in orgs} == {
        "Lembaga kemanusiaan / LSM", "Organisasi Perangkat Daerah (OPD)", "BUMN/BUMD"
    }  # fmt: skip
    book = load_workbook(io.BytesIO(files[f"{STEM}.xlsx"]))
    for ws in book.worksheets:
        tags = [str(c.value) for c in ws[2]]
        assert not any(t.startswith("#contact") for t in tags), ws.title  # contact details, not a count
        assert not any(t.startswith("#affected") for t in tags), ws.title  # beneficiaries are #targeted
        for tag in tags:
            if tag.startswith("#org") and not tag.startswith("#org+num"):
                assert "+name" in tag or tag in ("#org+type", "#org+acronym"), (ws.title, tag)
    needs = book["Kebutuhan"]
    assert "#targeted+ind" in [c.value for c in needs[2]] and "#targeted+hh" in [c.value for c in needs[2]]
    assert "#org+name" in [c.value for c in book["Stok"][2]]


async def test_semicolon_bom_csv_for_an_indonesian_excel(h: Harness, db_path: Path) -> None:
    await reporting_data(h, stock_public_for_all=True)
    calls = await h.sim.send(ADMIN, text="/ekspor csv-excel")
    files = documents(calls, ADMIN.id)
    assert sorted(files) == sorted(f"{STEM}-{s}-excel.csv" for s in
                                   ("kebutuhan", "tawaran", "komitmen", "stok", "stok-total", "organisasi", "agenda",
                                    "rencana-kerja"))  # fmt: skip
    for content in files.values():
        assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
        table = rows(content, ";", "utf-8-sig")
        assert len({len(r) for r in table}) == 1 and table[1][0].startswith("#")
    stock = rows(files[f"{STEM}-stok-excel.csv"], ";", "utf-8-sig")
    assert "2500" in [r[stock[0].index("Jumlah")] for r in stock[2:]]
    sheet = export_svc.Sheet("Stok", (("Jumlah", "#item+num"), ("Lokasi", "#loc")), [[2.126, "Gudang; Blok A"]])
    assert rows(export_svc.to_csv_excel(sheet), ";", "utf-8-sig")[2] == ["2,13", "Gudang; Blok A"]  # decimal comma
    assert rows(export_svc.to_csv(sheet))[2] == ["2.13", "Gudang; Blok A"]  # the HXL variant keeps dot decimals
    calls = await h.sim.send(ADMIN, text="/ekspor bantuan")
    assert "/ekspor csv-excel" in calls[-1].text


async def test_formula_in_a_name_or_note_stays_text(h: Harness, db_path: Path) -> None:
    await reporting_data(h)
    execute(db_path, "UPDATE organizations SET name = ? WHERE short_name = 'PMI Kalsel'", HYPERLINK)
    execute(db_path, "UPDATE needs SET note = ? WHERE number = 1", "@SUM(A1:A9)")
    execute(db_path, "UPDATE needs SET note = ? WHERE number = 2", "-2+3")
    execute(db_path, "UPDATE needs SET location = ? WHERE number = 1", "\tgudang")
    files = documents(await h.sim.send(ADMIN, text="/ekspor"), ADMIN.id)
    book = load_workbook(io.BytesIO(files[f"{STEM}.xlsx"]))
    values = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                values.append(cell.value)
    assert HYPERLINK in values and "@SUM(A1:A9)" in values  # kept as the text it is
    org = next(c for c in book["Organisasi"]["A"] if c.value == HYPERLINK)
    assert org.data_type == "s" and org.quotePrefix
    needs = rows(files[f"{STEM}-kebutuhan.csv"])
    org_col, note_col, loc_col = (needs[1].index(tag) for tag in ("#org+name", "#description", "#loc"))
    assert needs[2][org_col] == "'" + HYPERLINK and needs[2][note_col] == "'@SUM(A1:A9)"
    assert needs[3][note_col] == "'-2+3" and needs[2][loc_col] == "'\tgudang"
    assert needs[3][needs[1].index("#item+num+needed")] == "2"  # numbers are not text: no prefix
    orgs = rows(files[f"{STEM}-organisasi.csv"])
    assert "'" + HYPERLINK in [r[0] for r in orgs]


async def test_control_and_bidi_characters_do_not_break_the_export(h: Harness, db_path: Path) -> None:
    await reporting_data(h)
    # a pending registration whose name carries a vertical tab (openpyxl refused the whole workbook) and a
    # right-to-left override (which shows "Kalsel PMI" reversed to the reader)
    execute(db_path, "UPDATE organizations SET name = ?, status = 'pending' WHERE short_name = 'Bulog'",
            f"Perum\x0bBulog\u202e Kanwil{NUL}")  # fmt: skip
    execute(db_path, "UPDATE needs SET note = ? WHERE number = 1", "baris satu\r\nbaris\x1bdua\u2066")
    calls = await h.sim.send(ADMIN, text="/ekspor")
    files = documents(calls, ADMIN.id)
    assert len(files) == 9, [c.text for c in calls]
    book = load_workbook(io.BytesIO(files[f"{STEM}.xlsx"]))
    names = [c.value for c in book["Organisasi"]["A"]]
    assert "PerumBulog Kanwil" in names
    text = "".join(content.decode("utf-8") for name, content in files.items() if name.endswith(".csv"))
    for bad in ("\x0b", "\x00", "\x1b", "\u202e", "\u2066"):
        assert bad not in text
    needs = rows(files[f"{STEM}-kebutuhan.csv"])
    assert needs[2][needs[1].index("#description")] == "baris satu\nbarisdua"


async def test_xml_noncharacters_do_not_make_the_workbook_unreadable(h: Harness, db_path: Path) -> None:
    """U+FFFE and U+FFFF are valid UTF-8 that Telegram delivers, but not XML characters: one in a note or a name
    made the whole workbook (every table) unreadable for openpyxl and Excel ("not well-formed")."""
    await reporting_data(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 5 lembar terpal HSS catatan: gudang\ufffe belakang\uffff")
    execute(db_path, "UPDATE organizations SET name = ? WHERE short_name = 'Bulog'", "Perum Bulog\uffff")
    files = documents(await h.sim.send(ADMIN, text="/ekspor"), ADMIN.id)
    book = load_workbook(io.BytesIO(files[f"{STEM}.xlsx"]))
    assert "Perum Bulog" in [c.value for c in book["Organisasi"]["A"]]
    needs = book["Kebutuhan"]
    column = [c.value for c in needs[2]].index("#description") + 1
    notes = [str(row[0].value or "") for row in needs.iter_rows(min_row=3, min_col=column, max_col=column)]
    assert any("gudang belakang" in note for note in notes), notes
    text = "".join(content.decode("utf-8") for name, content in files.items() if name.endswith(".csv"))
    assert "\ufffe" not in text and "\uffff" not in text
