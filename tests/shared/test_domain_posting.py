"""One-line needs/offers and stock lines, typed or pasted from a spreadsheet, with real Indonesian phrasings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.shared import posting as p
from bot.shared.posting import Beneficiaries, Post, PostError, StockLine, parse_post, parse_stock_line
from bot.shared.quantity import Pack

WITA = ZoneInfo("Asia/Makassar")
NOW = datetime(2025, 8, 21, 9, 0, tzinfo=WITA)  # Kamis, 21 Agustus 2025 09.00 WITA
D = Decimal


def at(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=WITA)


POSTS: list[tuple[str, dict[str, Any]]] = [
    (
        "500 paket sembako HSS mendesak untuk 120 KK besok",
        {"item": "sembako", "quantity": D(500), "unit": "paket", "region": "63.06", "priority": "mendesak",
         "beneficiaries": (Beneficiaries(120, "kk"),), "needed_by": at(2025, 8, 22), "note": ""},
    ),
    (
        "beras 2 ton Kab Banjar tinggi 300 jiwa 21/8",
        {"item": "beras", "quantity": D(2), "unit": "ton", "region": "63.03", "priority": "tinggi",
         "beneficiaries": (Beneficiaries(300, "jiwa"),), "needed_by": at(2025, 8, 21)},
    ),
    ("air mineral 1.000 dus Bjm", {"item": "air_minum", "quantity": D(1000), "unit": "dus", "region": "63.71"}),
    (
        "air mineral 1.000 dus isi 24 botol Bjm lusa jam 9",
        {"item": "air_minum", "quantity": D(1000), "unit": "dus", "pack": Pack(D(24), "botol"),
         "needed_by": at(2025, 8, 23, 9)},
    ),
    (
        "butuh selimut 200 lembar di desa Pandak Daun kec. Daha Utara HSS segera",
        {"item": "selimut", "quantity": D(200), "region": "63.06", "village": "Pandak Daun",
         "district": "Daha Utara", "priority": "mendesak", "note": ""},
    ),
    ("terpal 100 lembar Banjarmasn", {"item": "terpal", "region": "63.71"}),
    ("2,5 ton beras untuk pengungsi Tapin", {"item": "beras", "quantity": D("2.5"), "unit": "ton", "region": "63.05"}),
    ("lima ratus bungkus nasi bungkus Martapura", {"item": "makanan_siap_saji", "quantity": D(500), "unit": "bungkus",
                                                  "region": "63.03"}),
    ("perahu karet 3 unit 63.08 urgent", {"item": "perahu_karet", "quantity": D(3), "region": "63.08",
                                          "priority": "mendesak"}),
    ("kebutuhan: popok bayi 50 bks, HSU, untuk 40 KK", {"item": "popok", "unit": "bungkus", "region": "63.08",
                                                       "beneficiaries": (Beneficiaries(40, "kk"),)}),
    ("genset 2 Kota Banjarbaru", {"item": "genset", "quantity": D(2), "unit": "unit", "unit_assumed": True,
                                  "region": "63.72"}),
    ("1 rb masker HST prioritas rendah", {"item": "masker", "quantity": D(1000), "region": "63.07",
                                          "priority": "rendah"}),
    ("1/2 ton gula Bjb", {"item": "gula", "quantity": D("0.5"), "unit": "ton", "region": "63.72"}),
    ("tenda 4x6 5 unit Tanbu", {"item": "tenda_pengungsi", "quantity": D(5), "note": "4x6"}),
    ("relawan dapur 20 orang Tapin", {"item": None, "item_text": "relawan dapur", "quantity": D(20), "unit": "jiwa"}),
    ("gerobak sampah 5 buah HSS", {"item": None, "item_text": "gerobak sampah", "quantity": D(5), "unit": "buah"}),
    ("makanan bayi 100 dus Amuntai sebelum Senin 14.00",
     {"item": "makanan_bayi", "region": "63.08", "needed_by": at(2025, 8, 25, 14), "note": ""}),
    ("Dibutuhkan 1.000 lembar selimut untuk pengungsi banjir di Kec. Astambul Kab. Banjar, mendesak",
     {"item": "selimut", "quantity": D(1000), "district": "Astambul", "region": "63.03", "priority": "mendesak",
      "note": "pengungsi banjir"}),
    ("Tawaran: 50 unit genset tersedia di Gudang Bulog Banjarbaru s/d 30/9",
     {"item": "genset", "quantity": D(50), "region": "63.72", "needed_by": at(2025, 9, 30)}),
    ("beras 10 sak @50 kg HSU", {"item": "beras", "unit": "sak", "pack": Pack(D(50), "kg"), "region": "63.08"}),
    ("sembako 100 KK HSS", {"item": "sembako", "quantity": D(100), "unit": "kk", "beneficiaries": ()}),
    ("beras 2 ton untuk 1.200 jiwa dan 300 KK HSS",
     {"beneficiaries": (Beneficiaries(1200, "jiwa"), Beneficiaries(300, "kk")), "quantity": D(2)}),
    ("Mohon bantuan beras 5 ton utk korban banjir HSU segera!!", {"item": "beras", "priority": "mendesak",
                                                                "region": "63.08", "note": "korban banjir"}),
    ("kirim 20 dus mie instan ke posko RT 05 desa Sungai Lulut Bjm",
     {"item": "mi_instan", "quantity": D(20), "village": "Sungai Lulut", "region": "63.71"}),
    ("selimut 200", {"item": "selimut", "unit": "lembar", "unit_assumed": True, "region": None}),
    ("pompa air 4 unit kec. Martapura Timur", {"item": "pompa_air", "district": "Martapura Timur",
                                              "region": "63.03"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), POSTS)
def test_parse_post(text: str, expected: dict[str, Any]) -> None:
    post = parse_post(text, NOW)
    assert isinstance(post, Post), post
    for field, value in expected.items():
        if field == "item":
            assert (post.item.item.key if post.item.item else None) == value
            assert post.item.known == (value is not None)
        elif field == "item_text":
            assert post.item.text == value
        elif field == "region":
            assert (post.region.code if post.region else None) == value
        elif field == "needed_by":
            assert post.needed_by is not None and post.needed_by.value == value
        else:
            assert getattr(post, field) == value, field


@pytest.mark.parametrize(
    ("text", "code", "field", "offending"),
    [
        ("sembako banyak sekali HSS", "vague_quantity", "quantity", "banyak sekali"),
        ("beras -5 kg Bjm", "negative", "quantity", "-5 kg"),
        ("0 paket sembako HSS", "zero", "quantity", "0 paket"),
        ("beras 2 ton Kab. Atlantis", p.UNKNOWN_REGION, "region", "Kab. Atlantis"),
        ("beras 2 ton HSS 31/2", "invalid_date", "date", "31/2"),
        ("selimut 10 lembar HSS Jumat 4/9", "weekday_mismatch", "date", "Jumat 4/9"),
        ("2 ton beras dan 500 kg gula HSS", p.MULTIPLE_QUANTITIES, "quantity", "500 kg"),
        ("beras HSS mendesak", p.MISSING_QUANTITY, "quantity", "beras HSS mendesak"),
        ("500 paket HSS besok", p.MISSING_ITEM, "item", "500 paket HSS besok"),
        ("beras 5 miliar kg HSS", "too_large", "quantity", "5 miliar kg"),
        ("sembako 10 paket untuk 0 KK", p.BAD_BENEFICIARIES, "beneficiaries", "0 KK"),
        ("", p.EMPTY, "text", ""),
        ("x" * 2000, p.TOO_LONG, "text", "x" * 40),
    ],
)
def test_parse_post_errors(text: str, code: str, field: str, offending: str) -> None:
    error = parse_post(text, NOW)
    assert isinstance(error, PostError), error
    assert (error.code, error.field, error.text) == (code, field, offending)
    if error.end:
        assert text[error.start : error.end].strip() == offending or code in (p.TOO_LONG, p.MISSING_QUANTITY)


STOCK: list[tuple[str, dict[str, Any]]] = [
    (
        "beras 2.500 kg gudang Banjarbaru kadaluarsa 12/2026",
        {"item": "beras", "quantity": D(2500), "unit": "kg", "region": "63.72", "location": "gudang Banjarbaru",
         "expiry": at(2026, 12, 31), "condition": None},
    ),
    ("beras;2500;kg;Banjarbaru", {"item": "beras", "quantity": D(2500), "unit": "kg", "region": "63.72"}),
    (
        "minyak goreng\t200\tliter\tGudang BPBD\tBjm\t06/2026\tbaik",
        {"item": "minyak_goreng", "quantity": D(200), "unit": "l", "region": "63.71", "location": "Gudang BPBD",
         "expiry": at(2026, 6, 30), "condition": "baik"},
    ),
    ("selimut 300 lembar posko Kandangan rusak ringan",
     {"item": "selimut", "region": "63.06", "location": "posko Kandangan", "condition": "rusak_ringan"}),
    ("terpal | 0 | lembar | Tala | rusak berat", {"item": "terpal", "quantity": D(0), "region": "63.01",
                                                  "condition": "rusak_berat"}),
    ("mi instan 40 dus exp: 31/12/2026", {"item": "mi_instan", "quantity": D(40), "expiry": at(2026, 12, 31)}),
    ("Beras medium; 5.000; kg; Gudang Dinsos Prov; Banjarmasin; 31/12/2026; baik",
     {"item": "beras", "quantity": D(5000), "unit": "kg", "unit_assumed": False, "location": "Gudang Dinsos Prov",
      "region": "63.71", "expiry": at(2026, 12, 31), "condition": "baik", "note": ""}),
    ("terpal;20;lembar", {"item": "terpal", "quantity": D(20), "unit": "lembar", "unit_assumed": False, "note": ""}),
    ("sarden 200 kaleng ed 03/2026 posko HST", {"item": "ikan_kaleng", "unit": "kaleng", "expiry": at(2026, 3, 31),
                                                "location": "posko HST", "region": "63.07"}),
    ("susu formula;120;kotak;HSU;kondisi layak pakai", {"item": "susu_formula", "condition": "baik",
                                                        "region": "63.08"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), STOCK)
def test_parse_stock_line(text: str, expected: dict[str, Any]) -> None:
    line = parse_stock_line(text)
    assert isinstance(line, StockLine), line
    for field, value in expected.items():
        if field == "item":
            assert line.item.item is not None and line.item.item.key == value
        elif field == "region":
            assert line.region is not None and line.region.code == value
        elif field == "expiry":
            assert line.expiry is not None and line.expiry.value == value
        else:
            assert getattr(line, field) == value, field


@pytest.mark.parametrize(
    ("text", "code", "offending"),
    [
        ("mi instan 40 dus exp 21/8", p.DATE_NEEDS_YEAR, "21/8"),
        ("beras;-20;kg;Bjm", "negative", "-20"),
        ("beras;banyak;kg;Bjm", p.VAGUE_QUANTITY, "banyak"),
        ("beras 20 kg Kab. Atlantis", p.UNKNOWN_REGION, "Kab. Atlantis"),
        ("beras 20 kg kadaluarsa 31/2/2026", "invalid_date", "31/2/2026"),
    ],
)
def test_parse_stock_line_errors(text: str, code: str, offending: str) -> None:
    error = parse_stock_line(text)
    assert isinstance(error, PostError), error
    assert (error.code, error.text) == (code, offending)


def test_stock_line_with_now_accepts_yearless_expiry() -> None:
    line = parse_stock_line("mi instan 40 dus exp 21/9", now=NOW)
    assert isinstance(line, StockLine)
    assert line.expiry is not None and line.expiry.value == at(2025, 9, 21)


def test_condition_after_the_word_kondisi() -> None:
    from datetime import UTC, datetime

    from bot.shared.posting import parse_stock_line

    now = datetime(2025, 8, 21, tzinfo=UTC)
    cases = {"kondisi rusak ringan": "rusak_ringan", "rusak ringan": "rusak_ringan", "kondisi rusak": "rusak_berat",
             "kondisi tidak layak pakai": "rusak_berat", "kondisi baik": "baik"}  # fmt: skip
    for words, expected in cases.items():
        line = parse_stock_line(f"beras 10 kg Bjb {words}", now)
        assert getattr(line, "condition", None) == expected, words
