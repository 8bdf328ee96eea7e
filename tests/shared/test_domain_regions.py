"""Kalimantan Selatan regions: codes, official names, local short names, typos, nearest first."""

from __future__ import annotations

import pytest

from bot.shared import regions
from bot.shared.regions import find_region, find_regions_in, get_region, nearest_first


def test_province_file_has_thirteen_regions() -> None:
    kalsel = regions.regions("63")
    assert len(kalsel) == 13
    assert sum(r.kind == "kabupaten" for r in kalsel) == 11
    assert sum(r.kind == "kota" for r in kalsel) == 2
    assert "63" in regions.provinces()
    assert regions.regions("99") == ()
    assert regions.regions("../..") == ()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("63.03", "63.03"),
        ("6303", "63.03"),
        ("63.71", "63.71"),
        ("Kab. Tanah Laut", "63.01"),
        ("Tanah Laut", "63.01"),
        ("Tala", "63.01"),
        ("Pelaihari", "63.01"),
        ("Kotabaru", "63.02"),
        ("Kota Baru", "63.02"),
        ("Kab Banjar", "63.03"),
        ("Kabupaten Banjar", "63.03"),
        ("banjar", "63.03"),
        ("Martapura", "63.03"),
        ("Batola", "63.04"),
        ("Barito Kuala", "63.04"),
        ("Marabahan", "63.04"),
        ("Tapin", "63.05"),
        ("Rantau", "63.05"),
        ("HSS", "63.06"),
        ("hss", "63.06"),
        ("Kandangan", "63.06"),
        ("Hulu Sungai Tengah", "63.07"),
        ("Barabai", "63.07"),
        ("HSU", "63.08"),
        ("Amuntai", "63.08"),
        ("Tanjung", "63.09"),
        ("Tanbu", "63.10"),
        ("Batulicin", "63.10"),
        ("Paringin", "63.11"),
        ("Bjm", "63.71"),
        ("Kota Banjarmasin", "63.71"),
        ("Banjarmasn", "63.71"),  # typo
        ("Banjarbaru", "63.72"),
        ("Banjar Baru", "63.72"),
        ("BJB", "63.72"),
        ("Kab. Hulu Sungai Selatn", "63.06"),  # typo after the kind word
        ("di Tabalong", "63.09"),
    ],
)
def test_find_region(text: str, code: str) -> None:
    region = find_region(text)
    assert region is not None, text
    assert region.code == code


@pytest.mark.parametrize("text", ["Kab. Atlantis", "Jakarta", "", "   ", "64.01", "63.99", "x" * 500, "banjir"])
def test_find_region_unknown(text: str) -> None:
    assert find_region(text) is None


def test_region_fields() -> None:
    region = get_region("63.06")
    assert region is not None
    assert (region.name, region.short, region.kind, region.province) == (
        "Kab. Hulu Sungai Selatan",
        "HSS",
        "kabupaten",
        "63",
    )
    assert get_region("6371") == find_region("Bjm")


def test_find_regions_in_sentence() -> None:
    hits = find_regions_in("kirim dari Kab. Banjar ke Kota Banjarbaru dan HSS")
    assert [(h.region.code if h.region else None, h.text) for h in hits] == [
        ("63.03", "Kab. Banjar"),
        ("63.72", "Kota Banjarbaru"),
        ("63.06", "HSS"),
    ]
    unknown = find_regions_in("beras 2 ton Kab. Atlantis")
    assert [(h.region, h.text) for h in unknown] == [(None, "Kab. Atlantis")]
    assert find_regions_in("di kota ini banyak korban banjir") == []


def test_nearest_first() -> None:
    order = nearest_first("63.71", ["63.09", "63.72", "63.71", "99.99", "63.03"])
    assert order == ["63.71", "63.72", "63.03", "63.09", "99.99"]
    assert nearest_first("xx", ["63.01", "63.02"]) == ["63.01", "63.02"]
    distance = regions.distance_km("63.71", "63.72")
    assert distance is not None and 15 < distance < 40
