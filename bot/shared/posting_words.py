"""The vocabulary of a posted line: separators, priority, condition, beneficiary, locality and location words,
and the patterns built from them (``bot.shared.posting``)."""

from __future__ import annotations

import re

from bot.shared import quantity as qty

_CELL_SEP_RE = re.compile(r"[;|\t]")
_SPACES_RE = re.compile(r"[ ]+")
_NONSPACE_RE = re.compile(r"\S+")
_FIRST_WORD_RE = re.compile(r"\s*(\S+)")
_UNCLAIMED_RE = re.compile(r"[^\x00]+")
_LONG_WORD_RE = re.compile(r"[^\W\d_]{5,}")

MAX_LINE_CHARS = 1000
MAX_BENEFICIARIES = 100_000_000
PRIORITIES = ("mendesak", "tinggi", "sedang", "rendah")
CONDITIONS = ("baik", "rusak_ringan", "rusak_berat")

# Error codes of this module; quantity and date codes ("negative", "zero", "too_large", "invalid_date", …) pass
# through unchanged with field "quantity" / "date".
EMPTY = "empty"
TOO_LONG = "too_long"
MISSING_QUANTITY = "missing_quantity"
VAGUE_QUANTITY = "vague_quantity"
MULTIPLE_QUANTITIES = "multiple_quantities"
MISSING_ITEM = "missing_item"
UNKNOWN_REGION = "unknown_region"
BAD_BENEFICIARIES = "bad_beneficiaries"
DATE_NEEDS_YEAR = "date_needs_year"

# Marks claimed text and hard separators (";", tab, "|", newline) in the working copy. NUL, because control
# characters of the input are blanked first and, unlike \x1c-\x1f, regex \s does not match it.
_BARRIER = "\x00"
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_HARD_SEP_RE = re.compile(r"[;|\t\n\r]")
_LETTER_END = r"(?![^\W\d_])"
_LETTER_START = r"(?<![^\W\d_])"
_I = re.IGNORECASE

_PRIORITY_WORDS = {
    "sangat mendesak": "mendesak", "sgt mendesak": "mendesak", "sangat urgent": "mendesak", "sgt urgent": "mendesak",
    "mendesak": "mendesak", "urgent": "mendesak", "urgen": "mendesak",
    "segera": "mendesak", "tinggi": "tinggi", "high": "tinggi", "sedang": "sedang", "medium": "sedang",
    "normal": "sedang", "rendah": "rendah", "low": "rendah",
}  # fmt: skip
_CONDITION_WORDS = {
    "baik": "baik", "bagus": "baik", "good": "baik", "rusak ringan": "rusak_ringan", "rusak sedang": "rusak_ringan",
    "rusak berat": "rusak_berat", "damaged": "rusak_berat",
}  # fmt: skip
_CONDITION_AFTER_KEYWORD = {"layak": "baik", "layak pakai": "baik", "tidak layak": "rusak_berat",
                            "tidak layak pakai": "rusak_berat", "rusak": "rusak_berat"}  # fmt: skip
_HOUSEHOLD_WORDS = ("kk", "k.k.", "k.k", "kepala keluarga", "keluarga", "families", "households", "hh")
_PEOPLE_WORDS = ("jiwa", "orang", "org", "warga", "pengungsi", "penyintas", "people", "persons")
_FILLERS = frozenset({
    "di", "ke", "dari", "untuk", "utk", "u", "buat", "bagi", "dan", "yang", "yg", "dengan", "dgn", "sebanyak",
    "sejumlah", "butuh", "dibutuhkan", "membutuhkan", "perlu", "diperlukan", "kebutuhan", "mohon", "tolong",
    "bantuan", "tersedia", "ada", "tawaran", "menawarkan", "tawarkan", "stok", "stock", "sisa", "tgl", "tanggal",
    "sebelum", "paling", "lambat", "maks", "maksimal", "batas", "sampai", "hingga", "sd", "s/d", "deadline",
    "prioritas", "lokasi", "kondisi", "pada", "tsb", "sangat", "juga", "lagi", "kab", "kabupaten", "kota",
    "kec", "kecamatan", "desa", "kel", "kelurahan", "isi", "@", "-", "+", "&",
})  # fmt: skip
_LOCALITY_WORDS = {"kecamatan": "district", "kec": "district", "kelurahan": "village", "kel": "village",
                   "desa": "village", "ds": "village", "dusun": "village", "dsn": "village"}  # fmt: skip
_LOCATION_WORDS = ("gudang", "gdg", "warehouse", "posko", "lokasi", "depo", "kantor", "pos")


def _alt(words: list[str] | tuple[str, ...]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=len, reverse=True))


_BENEFICIARIES_RE = re.compile(
    rf"(?P<pre>(?:untuk|utk|u/|bagi|buat|sebanyak|sejumlah)\s*)?(?<![\w.,/])(?P<num>{qty.NUMBER_PATTERN})\s*"
    rf"(?P<unit>{_alt(_HOUSEHOLD_WORDS + _PEOPLE_WORDS)}){_LETTER_END}",
    _I,
)
_PRIORITY_RE = re.compile(
    rf"{_LETTER_START}(?:prioritas\s*:?\s*)?(?P<p>{_alt(list(_PRIORITY_WORDS))}){_LETTER_END}", _I
)
_CONDITION_RE = re.compile(
    rf"{_LETTER_START}(?:(?:kondisi\s*:?\s*)?(?P<c>{_alt(list(_CONDITION_WORDS))}){_LETTER_END}"
    rf"|kondisi\s*:?\s*(?P<k>{_alt(list(_CONDITION_AFTER_KEYWORD))}){_LETTER_END})",
    _I,
)
_NEEDED_BY_PREFIX_RE = re.compile(
    r"(?:tgl|tanggal|sebelum|paling\s+lambat|maks(?:imal)?|batas|sampai|hingga|s/d|sd|deadline|pada)\.?\s*:?\s*$", _I
)
_EXPIRY_PREFIX_RE = re.compile(
    r"(?:kadaluarsa|kadaluwarsa|kedaluwarsa|kedaluarsa|expired|expiry|exp|ed|kdl|best\s+before|bb)\.?\s*:?\s*$", _I
)
_LOCALITY_RE = re.compile(rf"{_LETTER_START}(?P<kw>{_alt(list(_LOCALITY_WORDS))}){_LETTER_END}\.?[ ]*", _I)
_LOCATION_RE = re.compile(rf"{_LETTER_START}(?P<kw>{_alt(_LOCATION_WORDS)}){_LETTER_END}\.?[ ]*", _I)
_WORD_RE = re.compile(r"[^\s\x00,;()]+")
_NOT_A_QUANTITY_BEFORE_RE = re.compile(
    r"(?<![^\W\d_])(?:rt|rw|no|nomor|posko|km|jl|jln|jalan|gang|gg|blok|lantai|tahap|ke|tahun|thn|kloter|gelombang)\.?\s*$",
    _I,
)
