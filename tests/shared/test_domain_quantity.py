"""Quantities as Indonesians type them: separators, multipliers, number words, units, packs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.shared import quantity as q
from bot.shared.quantity import Pack, Quantity, QuantityError, convert, normalize, parse_number, parse_quantity

D = Decimal


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("2.500", D(2500), None),
        ("2,5", D("2.5"), None),
        ("2,5 ton", D("2.5"), "ton"),
        ("2.5 ton", D("2.5"), "ton"),  # a lone dot before 1-2 digits can only be a decimal point
        ("1 rb", D(1000), None),
        ("1rb", D(1000), None),
        ("1 ribu", D(1000), None),
        ("10k", D(10000), None),
        ("1,2 jt", D(1200000), None),
        ("1,5 juta", D(1500000), None),
        ("500pcs", D(500), "buah"),
        ("500 pcs", D(500), "buah"),
        ("1.234.567,5", D("1234567.5"), None),
        ("1,234,567", D(1234567), None),
        ("lima ratus", D(500), None),
        ("dua ribu lima ratus", D(2500), None),
        ("seratus", D(100), None),
        ("seribu", D(1000), None),
        ("sebelas", D(11), None),
        ("dua puluh lima", D(25), None),
        ("seratus dua puluh tiga ribu empat ratus lima puluh enam", D(123456), None),
        ("lima belas", D(15), None),
        ("dua koma lima ton", D("2.5"), "ton"),
        ("setengah ton", D("0.5"), "ton"),
        ("1/2 ton", D("0.5"), "ton"),
        ("20 Kg", D(20), "kg"),
        ("300 gr", D(300), "g"),
        ("5 ltr", D(5), "l"),
        ("250 ml", D(250), "ml"),
        ("10 galon", D(10), "galon"),
        ("40 bks", D(40), "bungkus"),
        ("12 pkt", D(12), "paket"),
        ("30 lbr", D(30), "lembar"),
        ("7 bh", D(7), "buah"),
        ("1.000 butir", D(1000), "buah"),
        ("3 unit", D(3), "unit"),
        ("50 kardus", D(50), "dus"),
        ("50 karton", D(50), "dus"),
        ("20 karung", D(20), "sak"),
        ("24 btl", D(24), "botol"),
        ("100 pasang", D(100), "pasang"),
        ("120 KK", D(120), "kk"),
        ("450 jiwa", D(450), "jiwa"),
        ("seribu lembar", D(1000), "lembar"),
    ],
)
def test_parse_quantity(text: str, value: Decimal, unit: str | None) -> None:
    result = parse_quantity(text)
    assert isinstance(result, Quantity), result
    assert result.value == value
    assert result.unit == unit


@pytest.mark.parametrize(
    ("text", "code", "offending"),
    [
        ("banyak sekali", q.VAGUE, "banyak sekali"),
        ("secukupnya", q.VAGUE, "secukupnya"),
        ("-5 kg", q.NEGATIVE, "-5 kg"),
        ("minus 3", q.NEGATIVE, "minus 3"),
        ("0 paket", q.ZERO, "0 paket"),
        ("2 miliar", q.TOO_LARGE, "2 miliar"),
        ("99999999999", q.TOO_LARGE, "99999999999"),
        ("1.23.4", q.BAD_NUMBER, "1.23.4"),
        ("2.5000", q.BAD_NUMBER, "2.5000"),
        ("1/0", q.BAD_NUMBER, "1/0"),
        ("5 ekor", q.UNKNOWN_UNIT, "ekor"),
        ("kg", q.MISSING_NUMBER, "kg"),
        ("dua tiga", q.NOT_A_NUMBER, "dua tiga"),
        ("sepuluh lima", q.NOT_A_NUMBER, "sepuluh lima"),
        ("", q.EMPTY, ""),
        ("   ", q.EMPTY, ""),
        ("abc", q.NOT_A_NUMBER, "abc"),
    ],
)
def test_parse_quantity_errors(text: str, code: str, offending: str) -> None:
    result = parse_quantity(text)
    assert isinstance(result, QuantityError), result
    assert (result.code, result.text) == (code, offending)


def test_zero_allowed_for_stock() -> None:
    assert parse_quantity("0 kg", allow_zero=True) == Quantity(D(0), "kg")
    assert parse_number("0") == D(0)
    assert parse_number("1,2 jt") == D(1200000)
    assert isinstance(parse_number("5 kg"), QuantityError)


@pytest.mark.parametrize(
    ("text", "pack"),
    [
        ("1 dus (24 botol)", Pack(D(24), "botol")),
        ("1 dus isi 24 botol", Pack(D(24), "botol")),
        ("10 sak @50 kg", Pack(D(50), "kg")),
        ("4 karton x 40 bungkus", Pack(D(40), "bungkus")),
    ],
)
def test_pack(text: str, pack: Pack) -> None:
    result = parse_quantity(text)
    assert isinstance(result, Quantity)
    assert result.pack == pack


@pytest.mark.parametrize(
    ("value", "unit", "pack", "expected"),
    [
        (D("2.5"), "ton", None, (D(2500), "kg")),
        (D(500), "gram", None, (D("0.5"), "kg")),
        (D(1500), "ml", None, (D("1.5"), "l")),
        (D(3), "lusin", None, (D(36), "buah")),
        (D(2), "dus", Pack(D(24), "botol"), (D(48), "botol")),
        (D(10), "sak", Pack(D(50), "kg"), (D(500), "kg")),
        (D(7), "karung", None, (D(7), "sak")),
        (D(7), "ekor", None, (D(7), "ekor")),
    ],
)
def test_normalize(value: Decimal, unit: str, pack: Pack | None, expected: tuple[Decimal, str]) -> None:
    assert normalize(value, unit, pack) == expected


def test_normalized_from_parse() -> None:
    result = parse_quantity("1 dus (24 botol)")
    assert isinstance(result, Quantity)
    assert result.normalized() == (D(24), "botol")


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        (D(2), "ton", "kg", D(2000)),
        (D(2500), "kg", "ton", D("2.5")),
        (D(250), "gr", "kg", D("0.25")),
        (D(1), "liter", "ml", D(1000)),
        (D(5), "kg", "kg", D(5)),
        (D(5), "kg", "liter", None),
        (D(5), "dus", "botol", None),
        (D(5), "ekor", "kg", None),
    ],
)
def test_convert(value: Decimal, source: str, target: str, expected: Decimal | None) -> None:
    assert convert(value, source, target) == expected


def test_find_quantities_in_sentence() -> None:
    found = q.find_quantities("air mineral 1.000 dus isi 24 botol untuk P3K posko 3")
    assert [m.text for m in found] == ["1.000 dus isi 24 botol", "3"]
    first = found[0].result
    assert isinstance(first, Quantity) and first.pack == Pack(D(24), "botol")
