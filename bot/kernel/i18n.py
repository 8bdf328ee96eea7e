"""Translations and locale-aware formatting.

The standard gettext layout (docs/translating.md): ``locales/messages.pot`` is extracted from the code,
each language has one ``locales/<lang>/LC_MESSAGES/messages.po``, compiled to ``messages.mo`` by ``pybabel
compile`` (``make i18n``). If the compiled file is missing or older than the ``.po`` (a fresh checkout, a
translation just edited), the ``.po`` is compiled in memory, so the bot never silently falls back to English.
Any other ``.po`` in a language folder is a per-branch file waiting to be folded in (``python -m bot.kernel.i18n_tools
fold``): the bot does not read it, logs a warning, and ``make lint`` fails until it is folded.
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
import io
import logging
import math
from collections.abc import Iterable
from datetime import tzinfo
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import NumberPattern, format_percent, parse_pattern
from babel.support import Translations

SUPPORTED = ("id", "en")
DEFAULT_LOCALE = "id"
LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
DOMAIN = "messages"
SOURCE_LOCALE = "en"  # the msgids are English: an untranslated English entry falls back to the msgid
log = logging.getLogger(__name__)

# Indonesian zone abbreviations are what people say (WIB/WITA/WIT) in both locales.
_ZONE_ABBR = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}

# Explicit patterns per locale: cheaper than babel's skeleton lookup and stable across CLDR versions.
_PATTERNS = {
    "id": {
        "datetime": "EEEE, d MMMM y 'pukul' HH.mm",
        "date": "EEEE, d MMMM y",
        "short_date": "d MMM y",
        "short_datetime": "d MMM HH.mm",
        "time": "HH.mm",
    },
    "en": {
        "datetime": "EEEE, d MMMM y 'at' HH:mm",
        "date": "EEEE, d MMMM y",
        "short_date": "d MMM y",
        "short_datetime": "d MMM HH:mm",
        "time": "HH:mm",
    },
}


def normalize_locale(code: str | None) -> str:
    if not code:
        return DEFAULT_LOCALE
    base = code.replace("-", "_").split("_")[0].lower()
    return base if base in SUPPORTED else DEFAULT_LOCALE


def leftover_catalogues(locales_dir: Path = LOCALES_DIR) -> list[Path]:
    """Every ``.po`` in a language folder other than ``messages.po``: not read until folded."""
    return sorted(p for p in locales_dir.glob("*/LC_MESSAGES/*.po") if p.name != f"{DOMAIN}.po")


def load_catalog(lang: str, locales_dir: Path = LOCALES_DIR) -> Catalog:
    """The language's ``messages.po`` (an empty catalogue if there is none)."""
    path = locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return Catalog(locale=lang, domain=DOMAIN)
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def merged_catalog(lang: str, locales_dir: Path = LOCALES_DIR) -> Catalog:
    """``messages.po`` with any not-yet-folded ``.po`` of the language applied over it (later files win), as
    ``python -m bot.kernel.i18n_tools fold`` would make it. Kept for callers of the old per-feature layout; the bot
    itself reads only ``messages.po``."""
    merged = load_catalog(lang, locales_dir)
    for path in leftover_catalogues(locales_dir):
        if path.parent.parent.name != lang:
            continue
        with path.open("rb") as fh:
            for msg in read_po(fh, locale=lang):
                if msg.id and msg.string and (not isinstance(msg.string, tuple) or any(msg.string)):
                    key = msg.id if isinstance(msg.id, str) else msg.id[0]
                    if key in merged:
                        del merged[key]
                    merged[msg.id] = msg
    return merged


def compile_catalogues(locales_dir: Path = LOCALES_DIR) -> list[Path]:
    """Write ``messages.mo`` for every language folder (as ``pybabel compile``: fuzzy entries are left out)."""
    written = []
    for lang_dir in sorted(p for p in locales_dir.iterdir() if p.is_dir()):
        cat = load_catalog(lang_dir.name, locales_dir)
        out = lang_dir / "LC_MESSAGES" / f"{DOMAIN}.mo"
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("wb") as fh:
            write_mo(fh, cat)
        written.append(out)
    return written


@lru_cache(maxsize=8)
def _translations(lang: str) -> _gettext.NullTranslations:
    for path in leftover_catalogues():
        if path.parent.parent.name == lang:
            log.warning("%s is not folded into %s.po and is not used: run python -m bot.kernel.i18n_tools fold", path, DOMAIN)
    folder = LOCALES_DIR / lang / "LC_MESSAGES"
    mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return Translations(fh, domain=DOMAIN)
    if po.is_file():
        buf = io.BytesIO()
        write_mo(buf, load_catalog(lang))
        buf.seek(0)
        return Translations(buf, domain=DOMAIN)
    return _gettext.NullTranslations()


def zone_abbr(tz: tzinfo, when: dt.datetime) -> str:
    key = getattr(tz, "key", None)
    if key in _ZONE_ABBR:
        return _ZONE_ABBR[key]
    return when.astimezone(tz).strftime("UTC%z")[:-2] or "UTC"


class Translator:
    """Everything a view needs to speak one locale: gettext plus babel formatting.

    Instances are cached per locale (``translator``) because babel's ``Locale.parse`` and the
    gettext lookup are far more expensive than a dict hit. Number patterns are parsed once per precision, and
    formatted numbers and dates are memoised (bounded): the same quantities and days recur across every line
    of a summary, and babel's ``apply`` costs ~10 µs a call.
    """

    def __init__(self, code: str) -> None:
        self.code = normalize_locale(code)
        self.locale = Locale.parse(self.code)
        self._tr = _translations(self.code)
        self._patterns = _PATTERNS[self.code]
        self._number_patterns: dict[int, NumberPattern] = {}
        self._numbers: dict[tuple[type, float | int | Decimal, int], str] = {}
        self._days: dict[tuple[str, int, int, int], str] = {}

    def gettext(self, message: str) -> str:
        return self._tr.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._tr.ngettext(singular, plural, n)

    def percent(self, share: float) -> str:
        """``0.85`` → ``85%`` (the locale's percent pattern, no decimals)."""
        return format_percent(share, locale=self.locale)

    def number(self, value: float | int | Decimal, max_decimals: int = 2) -> str:
        key = (type(value), value, max_decimals)
        text = self._numbers.get(key)
        if text is None:
            pattern = self._number_patterns.get(max_decimals)
            if pattern is None:
                pattern = parse_pattern("#,##0" + ("." + "#" * max_decimals if max_decimals else ""))
                self._number_patterns[max_decimals] = pattern
            # format_decimal(value, format=pattern, locale=self.locale) without re-parsing the pattern
            text = pattern.apply(value, self.locale)
            if _memoisable(value):
                _remember(self._numbers, key, text)
        return text

    def datetime(self, when: dt.datetime, tz: tzinfo | str) -> str:
        zone = ZoneInfo(tz) if isinstance(tz, str) else tz
        local = when.astimezone(zone)
        text = format_datetime(local, self._patterns["datetime"], tzinfo=zone, locale=self.locale)
        return f"{text} {zone_abbr(zone, local)}"

    def short_datetime(self, when: dt.datetime, tz: tzinfo | str) -> str:
        zone = ZoneInfo(tz) if isinstance(tz, str) else tz
        local = when.astimezone(zone)
        text = format_datetime(local, self._patterns["short_datetime"], tzinfo=zone, locale=self.locale)
        return f"{text} {zone_abbr(zone, local)}"

    def date(self, day: dt.date | dt.datetime, tz: tzinfo | str | None = None) -> str:
        if isinstance(day, dt.datetime) and tz is not None:
            zone = ZoneInfo(tz) if isinstance(tz, str) else tz
            day = day.astimezone(zone)
        return self._day("date", day)

    def short_date(self, day: dt.date | dt.datetime) -> str:
        return self._day("short_date", day)

    def _day(self, kind: str, day: dt.date | dt.datetime) -> str:
        key = (kind, day.year, day.month, day.day)
        text = self._days.get(key)
        if text is None:
            text = format_datetime(dt.datetime(day.year, day.month, day.day), self._patterns[kind], locale=self.locale)
            _remember(self._days, key, text)
        return text

    def time(self, when: dt.datetime, tz: tzinfo | str) -> str:
        zone = ZoneInfo(tz) if isinstance(tz, str) else tz
        return format_datetime(when.astimezone(zone), self._patterns["time"], tzinfo=zone, locale=self.locale)


_MEMO_LIMIT = 4096


def _memoisable(value: object) -> bool:
    """Plain finite numbers, not zero floats/decimals (-0 prints "-0"): equal keys then format alike."""
    kind = type(value)
    if kind is int:
        return True
    if kind is float:
        return math.isfinite(value) and value != 0  # type: ignore[arg-type]
    return kind is Decimal and value.is_finite() and not value.is_zero()  # type: ignore[attr-defined]


def _remember(memo: dict[Any, str], key: Any, text: str) -> None:
    """Bounded memo: cleared when full (a long-running bot sees ever new quantities; a summary repeats them)."""
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[key] = text


@lru_cache(maxsize=8)
def translator(code: str | None) -> Translator:
    return Translator(normalize_locale(code))


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (translated at render time)."""
    return message


def all_translators() -> Iterable[Translator]:
    return (translator(code) for code in SUPPORTED)
