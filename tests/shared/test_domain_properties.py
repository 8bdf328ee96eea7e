"""Property tests: no public parser raises on any text, and formatted integers round-trip."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.shared import catalogue, dates, posting, quantity, regions

NOW = datetime(2025, 8, 21, 9, 0, tzinfo=ZoneInfo("Asia/Makassar"))
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Arbitrary unicode plus text that looks like what the parsers care about, so the interesting paths run too.
WORDS = st.sampled_from([
    "beras", "2.500", "2,5", "ton", "kg", "1 rb", "-5", "0", "HSS", "Kab.", "Kota", "Atlantis", "besok", "31/2",
    "21/8", "12/2026", "jam", "14.00", "untuk", "120", "KK", "jiwa", "mendesak", "kec.", "desa", "gudang", ";", "\t",
    "|", "(24 botol)", "isi", "dus", "lima", "ratus", "ribu", "sebelas", "kadaluarsa", "rusak", "berat", "63.03",
    "99999999999999999999999", "1/0", "½", "Kamis", "4/9", "pukul", "WIB", "\x00", "\x1f", "٣", "İ", "🌊", "\n",
])  # fmt: skip
PHRASES = st.lists(WORDS, max_size=14).map(" ".join)
TEXT = st.one_of(st.text(max_size=300), PHRASES, st.text(alphabet="0123456789.,/- ", max_size=60))


@FAST
@given(TEXT)
def test_no_parser_raises(text: str) -> None:
    assert isinstance(quantity.parse_quantity(text), quantity.Quantity | quantity.QuantityError)
    quantity.parse_number(text)
    quantity.find_quantities(text)
    quantity.find_vague(text)
    quantity.unit_key(text)
    assert isinstance(dates.parse_datetime(text, NOW), dates.ParsedDate | dates.DateError)
    dates.find_datetime(text, NOW)
    regions.find_region(text)
    regions.find_regions_in(text)
    assert isinstance(catalogue.match_item(text), catalogue.ItemMatch)
    catalogue.find_category(text)
    catalogue.find_items_in(text)
    assert isinstance(posting.parse_post(text, NOW), posting.Post | posting.PostError)
    assert isinstance(posting.parse_stock_line(text), posting.StockLine | posting.PostError)
    assert isinstance(posting.parse_stock_line(text, NOW), posting.StockLine | posting.PostError)


@FAST
@given(st.text(max_size=40), st.text(max_size=40))
def test_odd_zone_and_province_never_raise(zone: str, province: str) -> None:
    dates.parse_datetime("besok 09.00", NOW, zone)
    regions.find_region("HSS", province)
    regions.regions(province)
    posting.parse_post("beras 2 ton HSS besok", NOW, zone, province)


def test_huge_and_long_inputs() -> None:
    long_text = "beras 2 ton HSS " * 10_000
    for text in (long_text, "9" * 100_000, "1." * 50_000, "dua " * 20_000, "Kab. " * 20_000):
        quantity.parse_quantity(text)
        quantity.find_quantities(text[:5000])
        dates.parse_datetime(text, NOW)
        regions.find_region(text)
        catalogue.match_item(text)
        assert isinstance(posting.parse_post(text, NOW), posting.PostError)
        assert isinstance(posting.parse_stock_line(text), posting.PostError)


def _dotted(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@FAST
@given(st.integers(min_value=1, max_value=10**9), st.sampled_from(["", " kg", " paket", "pcs", " dus"]))
def test_formatted_integers_round_trip(n: int, unit: str) -> None:
    for text in (str(n), _dotted(n), f"{n:,}" if n >= 10**6 else str(n)):
        result = quantity.parse_quantity(text + unit)
        assert isinstance(result, quantity.Quantity), (text, result)
        assert result.value == Decimal(n)


@FAST
@given(st.integers(min_value=1, max_value=10**9 - 1), st.integers(min_value=1, max_value=99))
def test_decimal_comma_round_trip(n: int, cents: int) -> None:
    text = f"{_dotted(n)},{cents:02d}"
    result = quantity.parse_quantity(text)
    assert isinstance(result, quantity.Quantity)
    assert result.value == Decimal(f"{n}.{cents:02d}")


_UNITS_WORDS = ["", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]


def _say(n: int) -> str:
    """Indonesian words for 1..999_999 (the reference the parser must agree with)."""
    if n >= 1000:
        thousands, rest = divmod(n, 1000)
        head = "seribu" if thousands == 1 else f"{_say(thousands)} ribu"
        return f"{head} {_say(rest)}".strip() if rest else head
    parts = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        parts.append("seratus" if hundreds == 1 else f"{_UNITS_WORDS[hundreds]} ratus")
    if rest == 10:
        parts.append("sepuluh")
    elif rest == 11:
        parts.append("sebelas")
    elif 12 <= rest <= 19:
        parts.append(f"{_UNITS_WORDS[rest - 10]} belas")
    elif rest >= 20:
        tens, units = divmod(rest, 10)
        parts.append(f"{_UNITS_WORDS[tens]} puluh" + (f" {_UNITS_WORDS[units]}" if units else ""))
    elif rest:
        parts.append(_UNITS_WORDS[rest])
    return " ".join(parts)


@FAST
@given(st.integers(min_value=1, max_value=999_999))
def test_number_words_round_trip(n: int) -> None:
    result = quantity.parse_number(_say(n))
    assert result == Decimal(n), (_say(n), result)


@FAST
@given(st.integers(min_value=1, max_value=10**6), st.sampled_from(["kg", "ton", "gram", "liter", "ml"]))
def test_convert_round_trip(n: int, unit: str) -> None:
    base = "kg" if unit in ("kg", "ton", "gram") else "l"
    there = quantity.convert(Decimal(n), unit, base)
    assert there is not None
    assert quantity.convert(there, base, unit) == Decimal(n)
