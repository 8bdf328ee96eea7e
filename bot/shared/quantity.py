"""Quantities and units as Indonesians type them: ``2.500``, ``2,5 ton``, ``1 rb``, ``500pcs``, ``dua ribu lima ratus``.

Dot groups thousands and comma marks decimals (Indonesian convention). A lone dot followed by one or two digits
("2.5") can only be a decimal point, so it is read as one rather than refused. Results are ``Decimal`` so that
totals never drift; errors are codes plus the offending text, translated by the views.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from bot.shared.regions import fold

_WORD_SEP_RE = re.compile(r"[\s-]+")

MAX_QUANTITY = Decimal(10) ** 9
_MAX_TEXT = 200
_MAX_DIGITS = 40

# Error codes (stable; the views translate them).
EMPTY = "empty"
TOO_LONG = "too_long"
NOT_A_NUMBER = "not_a_number"
BAD_NUMBER = "bad_number"  # digits with separators in impossible places ("1.23.4", "1/0")
NEGATIVE = "negative"
ZERO = "zero"
TOO_LARGE = "too_large"
UNKNOWN_UNIT = "unknown_unit"
MISSING_NUMBER = "missing_number"  # a unit without a number ("kg")
VAGUE = "vague"  # "banyak sekali", "secukupnya"

# Canonical unit key → what people type for it. Keys are stored; views translate them.
UNITS: dict[str, tuple[str, ...]] = {
    "kg": ("kg", "kgs", "kilo", "kilogram", "kilogr"),
    "g": ("g", "gr", "grm", "gram"),
    "ton": ("ton", "tons", "tonne"),
    "l": ("l", "lt", "ltr", "liter", "litre", "lter"),
    "ml": ("ml", "cc", "mililiter", "milliliter"),
    "galon": ("galon", "gallon", "gln"),
    "bungkus": ("bungkus", "bks", "bgks", "bngks", "bungkusan"),
    "paket": ("paket", "pkt", "pack", "packs", "paketan"),
    "lembar": ("lembar", "lbr", "lmbr", "helai", "sheet", "sheets"),
    "buah": ("buah", "bh", "pcs", "pc", "biji", "bj", "butir", "btr", "piece", "pieces"),
    "unit": ("unit", "unt", "units"),
    "dus": ("dus", "dos", "doos", "karton", "kardus", "box", "boks", "ctn", "carton"),
    "sak": ("sak", "zak", "karung", "krg", "bag", "bags"),
    "botol": ("botol", "btl", "bottle", "bottles"),
    "kotak": ("kotak", "ktk"),
    "pasang": ("pasang", "psg", "pair", "pairs"),
    "set": ("set", "sets", "stel", "setel"),
    "jiwa": ("jiwa", "orang", "org", "orng", "people", "persons", "person", "pax"),
    "kk": ("kk", "kepala keluarga", "keluarga"),
    "lusin": ("lusin", "lsn", "dozen"),
    "kodi": ("kodi",),
    "porsi": ("porsi", "prs", "portions"),
    "kaleng": ("kaleng", "klg", "can", "cans"),
    "sachet": ("sachet", "saset", "sachets"),
    "roll": ("roll", "rol", "rolls"),
    "bal": ("bal", "bale", "bales"),
    "tabung": ("tabung", "tbg"),
}
_ALIAS_TO_UNIT = {fold(alias): key for key, aliases in UNITS.items() for alias in aliases}

# Commensurable units: unit → (dimension, factor to the dimension's base unit).
_FACTORS: dict[str, tuple[str, Decimal]] = {
    "g": ("mass", Decimal("0.001")),
    "kg": ("mass", Decimal(1)),
    "ton": ("mass", Decimal(1000)),
    "ml": ("volume", Decimal("0.001")),
    "l": ("volume", Decimal(1)),
    "buah": ("count", Decimal(1)),
    "lusin": ("count", Decimal(12)),
    "kodi": ("count", Decimal(20)),
}
_BASE = {"mass": "kg", "volume": "l", "count": "buah"}
PEOPLE_UNITS = frozenset({"jiwa", "kk"})

_MULTIPLIERS = {"ribu": 1000, "rebu": 1000, "rb": 1000, "rbu": 1000, "k": 1000, "juta": 10**6, "jt": 10**6,
                "jta": 10**6, "miliar": 10**9, "milyar": 10**9}  # fmt: skip

_DIGIT_WORDS = {"nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7,
                "delapan": 8, "sembilan": 9}  # fmt: skip
_SE_SMALL = {"sepuluh": (10, 0), "sebelas": (11, 0), "seratus": (100, 100)}  # value, level after it
_SE_SCALES = {"seribu": 1000, "sejuta": 10**6, "semiliar": 10**9, "semilyar": 10**9}
_SCALES = {"ribu": 1000, "juta": 10**6, "miliar": 10**9, "milyar": 10**9}
_NUMBER_WORDS = (*_DIGIT_WORDS, *_SE_SMALL, *_SE_SCALES, *_SCALES, "belas", "puluh", "ratus", "setengah", "koma")

_END = r"(?![^\W\d_])"  # not followed by a letter


def _alternation(words: list[str] | tuple[str, ...]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=len, reverse=True))


_UNIT_ALT = _alternation([a for aliases in UNITS.values() for a in aliases])
_DIGITS = r"[0-9]+(?:[.,][0-9]+)*"
_FRACTION = r"[0-9]{1,3}/[0-9]{1,3}(?![/0-9])|[½¼¾]"
_WORD = rf"(?:{_alternation(_NUMBER_WORDS)}){_END}"
_WORDS = rf"{_WORD}(?:[\s-]+{_WORD})*"
_MULT_ALT = _alternation(list(_MULTIPLIERS))
# A number in digits or words, for other parsers that look for "<number> <word>" (beneficiaries: "120 KK").
NUMBER_PATTERN = rf"(?:{_DIGITS}|{_WORDS})"
_PACK = (
    rf"(?:\(\s*(?:isi|berisi|@)?\s*(?P<pnum>{_DIGITS})\s*(?P<punit>{_UNIT_ALT}){_END}\.?\s*\)"
    rf"|(?:isi|berisi|@|(?<![^\W\d_])[x×])\s*(?P<pnum2>{_DIGITS})\s*(?P<punit2>{_UNIT_ALT}){_END}\.?)"
)
_QTY_RE = re.compile(
    rf"(?<![\w.,/])(?P<sign>[-−–](?=[0-9])|minus\s+)?"
    rf"(?P<num>{_FRACTION}|{_DIGITS}|{_WORDS})"
    rf"(?:\s*(?P<mult>{_MULT_ALT}){_END})?"
    rf"(?:\s*(?P<unit>{_UNIT_ALT}){_END}\.?)?"
    rf"(?:\s*{_PACK})?",
    re.IGNORECASE,
)
_UNIT_AT_RE = re.compile(rf"\s*(?P<unit>{_UNIT_ALT}){_END}\.?", re.IGNORECASE)
_VAGUE_RE = re.compile(
    r"(?<![^\W\d_])(?:(?:sangat|amat|cukup)\s+)?"
    r"(?:banyak|byk|bnyk|secukupnya|seadanya|beberapa|sebanyak[\s-]?banyaknya|sebanyaknya|berapapun|seberapa\s*pun)"
    r"(?:\s+(?:sekali|banget|bgt|bngt|skali))?" + _END,
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Pack:
    """What one container holds, when stated: ``1 dus (24 botol)`` → Pack(24, "botol")."""

    quantity: Decimal
    unit: str


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    unit: str | None  # canonical unit key, None when no unit was typed
    pack: Pack | None = None

    def normalized(self) -> tuple[Decimal, str | None]:
        """In the base unit (kg, l, buah, or the pack's content when stated)."""
        if self.unit is None:
            return self.value, None
        return normalize(self.value, self.unit, self.pack)


@dataclass(frozen=True)
class QuantityError:
    code: str
    text: str  # the offending part of the input


@dataclass(frozen=True)
class QuantityMatch:
    """A quantity found inside a longer text, with its span (for the posting parser)."""

    start: int
    end: int
    text: str
    result: Quantity | QuantityError
    has_unit: bool


def unit_key(text: str) -> str | None:
    """Canonical unit for what was typed ("Kg", "karung", "pcs"), or None."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    return _ALIAS_TO_UNIT.get(fold(text))


def unit_at(text: str, pos: int) -> tuple[str, int] | None:
    """A unit starting at ``pos`` (after spaces): (unit key, end). Lets callers tell "1/2 ton" from a date."""
    m = _UNIT_AT_RE.match(text, pos)
    if m is None:
        return None
    key = unit_key(m.group("unit"))
    return (key, m.end()) if key else None


def unit_dimension(unit: str) -> str | None:
    """ "mass", "volume" or "count" for convertible units, None for containers and people."""
    key = unit_key(unit)
    return _FACTORS[key][0] if key in _FACTORS else None


def convert(quantity: Decimal, from_unit: str, to_unit: str) -> Decimal | None:
    """``quantity`` expressed in another unit, or None when the two are not commensurable (kg vs dus)."""
    source, target = unit_key(from_unit), unit_key(to_unit)
    if source is None or target is None:
        return None
    if source == target:
        return quantity
    if source in _FACTORS and target in _FACTORS and _FACTORS[source][0] == _FACTORS[target][0]:
        return tidy(quantity * _FACTORS[source][1] / _FACTORS[target][1])
    return None


def normalize(quantity: Decimal, unit: str, pack: Pack | None = None) -> tuple[Decimal, str]:
    """To the base unit so that amounts can be summed: 2,5 ton → 2500 kg; 1 dus (24 botol) → 24 botol."""
    if pack is not None:
        inner, inner_unit = normalize(pack.quantity, pack.unit)
        return tidy(quantity * inner), inner_unit
    key = (unit_key(unit) or fold(unit)) if isinstance(unit, str) else ""
    if key in _FACTORS:
        dimension, factor = _FACTORS[key]
        return tidy(quantity * factor), _BASE[dimension]
    return quantity, key


def tidy(value: Decimal) -> Decimal:
    """Drop meaningless trailing zeros (1200000.0 → 1200000, 0.500 → 0.5) without scientific notation."""
    if not value.is_finite():
        return value
    integral = value.to_integral_value()
    return integral if value == integral else value.normalize()


def _parse_digits(text: str) -> Decimal | str:
    """Digits with Indonesian separators → Decimal, or an error code."""
    if sum(c.isdigit() for c in text) > _MAX_DIGITS:
        return TOO_LARGE
    has_dot, has_comma = "." in text, "," in text
    integer, fraction = text, ""
    if has_dot and has_comma:
        last = max(text.rfind("."), text.rfind(","))
        decimal_sep = text[last]
        integer, fraction = text[:last], text[last + 1 :]
        if decimal_sep in integer or not _thousands_ok(integer.split("," if decimal_sep == "." else ".")):
            return BAD_NUMBER
        integer = integer.replace(".", "").replace(",", "")
    elif has_dot or has_comma:
        sep = "." if has_dot else ","
        parts = text.split(sep)
        if len(parts) == 2 and (sep == "," or len(parts[1]) in (1, 2)):
            integer, fraction = parts
        elif _thousands_ok(parts):
            integer = "".join(parts)
        else:
            return BAD_NUMBER
    try:
        return Decimal(f"{integer}.{fraction}" if fraction else integer)
    except InvalidOperation:
        return BAD_NUMBER


def _thousands_ok(groups: list[str]) -> bool:
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]) and len(groups) > 1


def _words_value(text: str) -> Decimal | None:
    """Indonesian number words up to the billions ("dua ribu lima ratus", "seratus dua puluh", "dua koma lima")."""
    words = [w.lower() for w in _WORD_SEP_RE.split(text.strip()) if w]
    total, group = 0, 0
    pending: int | None = None
    level = 1000  # place values still free in the current group (1000 = all, 0 = group closed)
    last_scale = 10**12
    fraction = ""
    half = False
    i = 0
    while i < len(words):
        word = words[i]
        if half:
            return None  # "setengah" must be last
        if word in _DIGIT_WORDS:
            if pending is not None:
                return None
            pending = _DIGIT_WORDS[word]
        elif word in ("belas", "puluh", "ratus"):
            place = {"belas": 10, "puluh": 10, "ratus": 100}[word]
            if pending is None or pending == 0 or level <= place:
                return None
            group += pending + 10 if word == "belas" else pending * place
            level = 0 if word == "belas" else place
            pending = None
        elif word in _SE_SMALL:
            amount, after = _SE_SMALL[word]
            if pending is not None or level <= (100 if word == "seratus" else 10):
                return None
            group, level = group + amount, after
        elif word in _SCALES or word in _SE_SCALES:
            if word in _SE_SCALES:
                if pending is not None or group:
                    return None
                scale, group = _SE_SCALES[word], 1
            else:
                scale = _SCALES[word]
                if pending is not None:
                    if level <= 1:
                        return None
                    group, pending = group + pending, None
                if group == 0:
                    return None
            if scale >= last_scale:
                return None
            total, group, level, last_scale = total + group * scale, 0, 1000, scale
        elif word == "setengah":
            half = True
        elif word == "koma":
            digits = words[i + 1 :]
            if not digits or any(d not in _DIGIT_WORDS for d in digits):
                return None
            fraction = "".join(str(_DIGIT_WORDS[d]) for d in digits)
            break
        else:
            return None
        i += 1
    if pending is not None:
        if level <= 1:
            return None
        group += pending
    result = Decimal(total + group)
    if fraction:
        result += Decimal(f"0.{fraction}")
    if half:
        result += Decimal("0.5")
    if result == 0 and words != ["nol"]:
        return None
    return result


def _number_value(num: str) -> Decimal | str:
    if num in ("½", "¼", "¾"):
        return {"½": Decimal("0.5"), "¼": Decimal("0.25"), "¾": Decimal("0.75")}[num]
    if "/" in num:
        top, bottom = num.split("/")
        return BAD_NUMBER if int(bottom) == 0 else Decimal(int(top)) / Decimal(int(bottom))
    if num[0].isdigit():
        return _parse_digits(num)
    value = _words_value(num)
    return NOT_A_NUMBER if value is None else value


def _build(m: re.Match[str], allow_zero: bool) -> Quantity | QuantityError:
    text = m.group(0).strip()
    value = _number_value(m.group("num"))
    if isinstance(value, str):
        return QuantityError(value, text)
    if m.group("mult"):
        value *= _MULTIPLIERS[m.group("mult").lower()]
    if m.group("sign") and value != 0:
        return QuantityError(NEGATIVE, text)
    if value > MAX_QUANTITY:
        return QuantityError(TOO_LARGE, text)
    if value == 0 and not allow_zero:
        return QuantityError(ZERO, text)
    unit = unit_key(m.group("unit")) if m.group("unit") else None
    pack: Pack | None = None
    pnum, punit = (m.group("pnum"), m.group("punit")) if m.group("pnum") else (m.group("pnum2"), m.group("punit2"))
    if pnum and punit:
        inner = _parse_digits(pnum)
        inner_unit = unit_key(punit)
        if isinstance(inner, str) or inner <= 0 or inner > MAX_QUANTITY or inner_unit is None:
            return QuantityError(BAD_NUMBER, text)
        pack = Pack(tidy(inner), inner_unit)
    return Quantity(tidy(value), unit, pack)


def _matches(text: str) -> list[re.Match[str]]:
    found = []
    for m in _QTY_RE.finditer(text):
        if not m.group("num"):
            continue
        bare = not (m.group("mult") or m.group("unit"))
        if bare and m.end() < len(text) and text[m.end()].isalpha():
            continue  # "5kali", "4x6": a number glued to a word that is not a unit
        found.append(m)
    return found


def find_quantities(text: str, *, allow_zero: bool = False) -> list[QuantityMatch]:
    """Every number (with its unit, if any) in a sentence, left to right."""
    if not isinstance(text, str):
        return []
    return [
        QuantityMatch(m.start(), m.end(), m.group(0), _build(m, allow_zero), bool(m.group("unit")))
        for m in _matches(text)
    ]


def find_vague(text: str) -> tuple[int, int] | None:
    """Span of a vague amount ("banyak sekali", "secukupnya"), so the reply can quote it."""
    m = _VAGUE_RE.search(text) if isinstance(text, str) else None
    return (m.start(), m.end()) if m else None


def parse_number(text: str) -> Decimal | QuantityError:
    """A bare number in digits or words, multipliers allowed ("1,2 jt"); zero allowed, negatives refused."""
    result = parse_quantity(text, allow_zero=True)
    if isinstance(result, QuantityError):
        return result
    if result.unit is not None:
        return QuantityError(NOT_A_NUMBER, text.strip())
    return result.value


def parse_quantity(text: str, *, allow_zero: bool = False) -> Quantity | QuantityError:
    """The whole text as one quantity: "2,5 ton", "1 dus (24 botol)", "lima ratus bungkus". Never raises."""
    if not isinstance(text, str):
        return QuantityError(EMPTY, "")
    clean = text.strip()
    if not clean:
        return QuantityError(EMPTY, "")
    if len(clean) > _MAX_TEXT:
        return QuantityError(TOO_LONG, clean[:40])
    if _VAGUE_RE.fullmatch(clean):
        return QuantityError(VAGUE, clean)
    m = _QTY_RE.match(clean)
    if m is None or not m.group("num"):
        if unit_key(clean.rstrip(".")):
            return QuantityError(MISSING_NUMBER, clean)
        return QuantityError(NOT_A_NUMBER, clean)
    rest = clean[m.end() :].strip()
    if rest:
        if m.group("unit") is None and rest[0].isalpha():
            return QuantityError(UNKNOWN_UNIT, rest)
        return QuantityError(NOT_A_NUMBER, rest)
    return _build(m, allow_zero)
