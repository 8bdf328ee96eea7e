"""The item catalogue: BNPB grouping, synonyms, typos, free-text items."""

from __future__ import annotations

import re

import pytest

from bot.shared import catalogue
from bot.shared.catalogue import find_category, match_item
from bot.shared.quantity import UNITS


def test_catalogue_shape() -> None:
    items = catalogue.items()
    assert len(items) >= 50
    keys = [i.key for i in items]
    assert len(keys) == len(set(keys))
    category_keys = {c.key for c in catalogue.categories()}
    assert {"pangan", "sandang", "hunian", "kebersihan", "keluarga", "bayi", "kesehatan"} <= {
        c.key for c in catalogue.categories("logistik")
    }
    assert {"transportasi", "sar", "penerangan", "air_bersih", "komunikasi"} <= {
        c.key for c in catalogue.categories("peralatan")
    }
    for category in catalogue.categories():
        assert re.fullmatch(r"[a-z_]+", category.key)
        assert category.name_id and category.name_en
    for item in items:
        assert re.fullmatch(r"[a-z0-9_]+", item.key)
        assert item.category in category_keys
        assert item.unit in UNITS, item
    assert catalogue.group_names("peralatan") == ("Peralatan", "Equipment")


@pytest.mark.parametrize(
    ("text", "key", "method"),
    [
        ("beras", "beras", "exact"),
        ("Sembako", "sembako", "exact"),
        ("paket sembako", "sembako", "exact"),
        ("air mineral", "air_minum", "exact"),
        ("Aqua", "air_minum", "exact"),
        ("air minum", "air_minum", "exact"),
        ("terpal", "terpal", "exact"),
        ("kasur lipat", "matras", "exact"),
        ("alas tidur", "matras", "exact"),
        ("tenda pengungsi", "tenda_pengungsi", "exact"),
        ("perahu karet", "perahu_karet", "exact"),
        ("genset", "genset", "exact"),
        ("family kit", "family_kit", "exact"),
        ("kids ware", "kids_ware", "exact"),
        ("makanan siap saji", "makanan_siap_saji", "exact"),
        ("paket lauk pauk", "lauk_pauk", "exact"),
        ("MPASI", "mpasi", "exact"),
        ("pampers", "popok", "exact"),
        ("P3K", "p3k", "exact"),
        ("obat-obatan", "obat_obatan", "exact"),
        ("hygiene kit", "hygiene_kit", "exact"),
        ("pompa air", "pompa_air", "exact"),
        ("ambulans", "ambulans", "exact"),
        ("mie instan", "mi_instan", "exact"),
        ("minyak goreng", "minyak_goreng", "exact"),
        ("beras premium 5 kg-an", "beras", "contains"),
        ("selimut tebal", "selimut", "contains"),
        ("slimut", "selimut", "fuzzy"),
        ("terpaal", "terpal", "fuzzy"),
        ("pembalut wanta", "pembalut", "contains"),
    ],
)
def test_match_item(text: str, key: str, method: str) -> None:
    match = match_item(text)
    assert match.known and match.item is not None, match
    assert match.item.key == key
    assert match.method == method


@pytest.mark.parametrize("text", ["gerobak sapi", "xyz", "alat musik gamelan"])
def test_unknown_items_are_kept_as_free_text(text: str) -> None:
    match = match_item(text)
    assert not match.known and match.item is None
    assert match.text == text
    assert match.method == "unknown"


def test_empty_item() -> None:
    assert match_item("  ").method == "empty"


@pytest.mark.parametrize(
    ("text", "key"),
    [("pangan", "pangan"), ("Air bersih", "air_bersih"), ("air_bersih", "air_bersih"), ("Food", "pangan"),
     ("Bayi & anak", "bayi"), ("transportsi", "transportasi"), ("SAR", "sar")],
)  # fmt: skip
def test_find_category(text: str, key: str) -> None:
    category = find_category(text)
    assert category is not None and category.key == key


def test_find_category_unknown() -> None:
    assert find_category("astronomi") is None
