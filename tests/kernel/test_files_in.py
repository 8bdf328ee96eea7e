"""Files and text in (issue 12 part 4, issue 15 part 5), through the real Application: control and bidi-override
characters replaced at input, hostile uploads parsed off the event loop within time and memory, size / row / cell
limits, at most 20 row errors reported, malformed XLSX answered as such."""

from __future__ import annotations

import asyncio
import io
import time
import zipfile
from pathlib import Path

import pytest

from bot.devtools.fakeapi import ApiCall
from bot.devtools.harness import Harness
from bot.devtools.sim import SimUser
from bot.features.stock import importer
from bot.shared.text import clean_name, clean_text, has_controls
from tests.support.db import q
from tests.support.people import ADMIN, GROUP_ID, MEMBER
from tests.support.world import cluster_with_two_members as cluster_with_members

SNEAKY = SimUser(1077, "Bu\u202edi\x07", "San\x0btoso", "sneaky")


def test_clean_text_keeps_lengths_newlines_tabs_and_emoji() -> None:
    text = "a\x00b\x0bc\u202ed\u2066e\r\nf\tg👨\u200d👩 h\u2028i"
    cleaned = clean_text(text)
    assert not has_controls(cleaned)
    assert cleaned == "a b c d e \nf\tg👨\u200d👩 h\ni"
    assert len(cleaned.encode("utf-16-le")) == len(text.encode("utf-16-le"))  # entity offsets stay right
    assert clean_name(" PMI\x0b\u202eKalsel \n") == "PMI Kalsel"


async def test_control_and_bidi_characters_are_replaced_at_input(h: Harness, db_path: Path) -> None:
    """One \\x0b in a pending registration's name made /ekspor fail for the whole cluster (openpyxl)."""
    h.api.set_member(GROUP_ID, SNEAKY.json(), "member")
    await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster\x0b Logistik Kalsel")
    await h.sim.send(MEMBER, text="/daftar Palang\x0b Merah\u202e Indonesia | PMI\x00 | ngo | Bjm | Kepala\x1b Gudang")
    await h.sim.send(SNEAKY, text="/daftar Yayasan\u2067 Uji\x7f | YU | ngo | Bjm | Staf\x85")
    names = q(db_path, "SELECT name, short_name FROM organizations ORDER BY id")
    assert names == [("Palang Merah Indonesia", "PMI"), ("Yayasan Uji", "YU")]
    assert q(db_path, "SELECT title FROM members ORDER BY id") == [("Kepala Gudang",), ("Staf",)]
    assert q(db_path, "SELECT name FROM clusters") == [("Klaster Logistik Kalsel",)]
    stored = q(db_path, "SELECT first_name, last_name FROM users WHERE user_id = ?", SNEAKY.id)
    assert stored and not any(has_controls(str(v)) for v in stored[0])
    calls = await h.sim.send(MEMBER, GROUP_ID, "/butuh 100 lembar terpal\x08 HSS\u202e")
    assert all(not has_controls(c.text) for c in calls)
    h.api.clear()
    calls = await h.sim.send(ADMIN, text="/ekspor")
    assert [c for c in calls if c.method == "sendDocument" and c.error is None], [c.text for c in calls]
    assert not any("terjadi kesalahan" in c.text.lower() for c in calls)


# ---- hostile uploads -----------------------------------------------------------------------------------------

_CT = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       b'<Default Extension="xml" ContentType="application/xml"/>'
       b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
       b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
       b"</Types>")  # fmt: skip
_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
         b"</Relationships>")  # fmt: skip
_WORKBOOK = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
             b'<sheet name="Stok" sheetId="1" r:id="rId1"/></sheets></workbook>')  # fmt: skip
_WORKBOOK_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                  b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                  b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                  b"</Relationships>")  # fmt: skip
_SHEET = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>')  # fmt: skip


def zip_bomb(strings: int) -> bytes:
    """A valid-looking XLSX, tiny on disk, whose shared-string table holds ``strings`` entries: openpyxl reads the
    whole table while opening the workbook (about 20 µs and 100 bytes each), whatever the sheet says."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in (("[Content_Types].xml", _CT), ("_rels/.rels", _RELS), ("xl/workbook.xml", _WORKBOOK),
                           ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS), ("xl/worksheets/sheet1.xml", _SHEET)):
            archive.writestr(name, data)
        with archive.open("xl/sharedStrings.xml", "w") as part:
            part.write(b'<?xml version="1.0" encoding="UTF-8"?><sst '
                       b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            chunk = b"<si><t>x</t></si>" * 10_000
            for _ in range(strings // 10_000):
                part.write(chunk)
            part.write(b"</sst>")
    return out.getvalue()


def _texts(calls: list[ApiCall], chat_id: int) -> list[str]:
    return [c.text for c in calls if c.method == "sendMessage" and c.chat_id == chat_id and c.error is None]


async def test_a_crafted_xlsx_does_not_freeze_the_bot(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1.5 MB crafted XLSX once took 89 s and 5.5 GB on the event loop and froze every chat."""
    monkeypatch.setattr(importer, "PARSE_TIMEOUT_S", 2.0)
    await cluster_with_members(h)
    bomb = zip_bomb(400_000)
    assert len(bomb) < 40_000  # small on disk (its XML is 7 MB)
    started = time.perf_counter()
    upload = asyncio.create_task(h.sim.document(ADMIN, None, bomb, "stok.xlsx", caption="/stok impor"))
    await asyncio.sleep(0.3)  # the upload is being parsed now
    asked = time.perf_counter()
    calls = await h.sim.send(MEMBER, GROUP_ID, "/kebutuhan")
    answered = time.perf_counter() - asked
    assert _texts(calls, GROUP_ID) and answered < 1.5, f"another chat waited {answered:.1f} s"
    assert not upload.done()
    calls = await upload
    took = time.perf_counter() - started
    said = _texts(calls, ADMIN.id)
    assert len(said) == 1 and "terlalu rumit" in said[0] and "Tidak ada yang disimpan" in said[0], said
    assert took < 2.0 + 5.0, f"the upload answered after {took:.1f} s"


def test_the_parse_is_bounded_in_memory_too() -> None:
    bomb = zip_bomb(2_000_000)  # about 230 MB once read
    started = time.perf_counter()
    assert importer.read_table_bounded(bomb, "stok.xlsx", timeout=120, memory=200 << 20) == importer.TOO_COMPLEX
    assert time.perf_counter() - started < 60


async def test_a_malformed_xlsx_is_answered_as_such(h: Harness) -> None:
    await cluster_with_members(h)
    broken_xml = io.BytesIO()
    with zipfile.ZipFile(broken_xml, "w") as archive:
        for name, data in (("[Content_Types].xml", _CT), ("_rels/.rels", _RELS), ("xl/workbook.xml", b"<workbook><shee"),
                           ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)):
            archive.writestr(name, data)
    laughs = io.BytesIO()  # entity expansion ("billion laughs"): refused by defusedxml, which openpyxl uses
    entities = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10 if n else "ha"}">' for n in range(10))
    with zipfile.ZipFile(laughs, "w") as archive:
        for name, data in (("[Content_Types].xml", _CT), ("_rels/.rels", _RELS),
                           ("xl/workbook.xml", f'<?xml version="1.0"?><!DOCTYPE w [{entities}]>'.encode() + _WORKBOOK[38:]
                            .replace(b'name="Stok"', b'name="&l9;"')),
                           ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS), ("xl/worksheets/sheet1.xml", _SHEET)):
            archive.writestr(name, data)
    for content in (b"PK\x03\x04 this is no zip", broken_xml.getvalue(), zip_bomb(0), laughs.getvalue()):
        calls = await h.sim.document(ADMIN, None, content, "stok.xlsx", caption="/stok impor")
        said = _texts(calls, ADMIN.id)
        assert len(said) == 1 and "bukan tabel yang dapat dibaca" in said[0].lower(), said
        assert "terjadi kesalahan" not in said[0].lower()


def test_openpyxl_parses_with_defusedxml() -> None:
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML


def _csv(rows: list[str]) -> bytes:
    return "\n".join(["Organisasi,Barang,Jumlah,Satuan,Kab/Kota", *rows]).encode()


async def test_files_above_the_limits_are_refused_clearly(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    cases = [
        (b"x" * (importer.MAX_BYTES + 1), "terlalu besar"),
        (_csv(["PMI Kalsel,Beras,1,kg,Bjm"] * (importer.MAX_ROWS + 5)), "terlalu banyak baris"),
        (_csv(["PMI Kalsel,Beras " + "sangat " * 300 + ",1,kg,Bjm"]), "terlalu panjang"),
        (_csv(["PMI Kalsel,Beras,1,kg,Bjm," + ",".join(["x"] * 100)]), "terlalu banyak kolom"),
    ]
    for content, expected in cases:
        calls = await h.sim.document(ADMIN, None, content, "stok.csv", caption="/stok impor")
        said = _texts(calls, ADMIN.id)
        assert len(said) == 1 and expected in said[0] and "Tidak ada yang disimpan" in said[0], (expected, said)
    assert q(db_path, "SELECT COUNT(*) FROM stock") == [(0,)]


async def test_a_long_file_with_errors_gets_one_message_with_the_first_20(h: Harness, db_path: Path) -> None:
    """One long file once produced 451 messages."""
    await cluster_with_members(h)
    rows = [f"Yayasan Fiktif {n},Beras,{'banyak' * 100},kg,Bjm" for n in range(450)] + ["PMI Kalsel,Beras,5,kg,Bjm"]
    calls = await h.sim.document(ADMIN, None, _csv(rows), "stok.csv", caption="/stok impor")
    said = _texts(calls, ADMIN.id)
    assert len(said) == 1, f"{len(said)} messages"
    assert said[0].count("❌") == importer.MAX_ERRORS_SHOWN
    assert "… dan 880 lainnya" in said[0]  # 450 rows × 2 problems = 900 errors, 20 shown
    assert q(db_path, "SELECT COUNT(*) FROM stock") == [(0,)]
