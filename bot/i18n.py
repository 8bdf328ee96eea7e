"""Translations and locale-aware formatting.

Catalogues live in ``locales/<lang>/LC_MESSAGES/*.po`` (one file per feature so features can be
translated independently); ``compile_catalogues`` merges them into ``messages.mo``. If the compiled
file is missing (e.g. running from a fresh checkout), the ``.po`` files are compiled in memory, so the
bot never silently falls back to English.
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
import io
from collections.abc import Iterable
from datetime import tzinfo
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

SUPPORTED = ("id", "en")
DEFAULT_LOCALE = "id"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"

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


def merged_catalog(lang: str, locales_dir: Path = LOCALES_DIR) -> Catalog:
    """Merge every ``.po`` file of a language into one catalogue (later files win on conflicts)."""
    merged = Catalog(locale=lang, domain=DOMAIN)
    folder = locales_dir / lang / "LC_MESSAGES"
    for po in sorted(folder.glob("*.po")):
        with po.open("rb") as fh:
            cat = read_po(fh, locale=lang)
        for msg in cat:
            if msg.id and msg.string and (not isinstance(msg.string, tuple) or any(msg.string)):
                merged[msg.id] = msg
    return merged


def compile_catalogues(locales_dir: Path = LOCALES_DIR) -> list[Path]:
    """Write ``messages.mo`` for every language folder; returns the written paths."""
    written = []
    for lang_dir in sorted(p for p in locales_dir.iterdir() if p.is_dir()):
        cat = merged_catalog(lang_dir.name, locales_dir)
        out = lang_dir / "LC_MESSAGES" / f"{DOMAIN}.mo"
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("wb") as fh:
            write_mo(fh, cat)
        written.append(out)
    return written


@lru_cache(maxsize=8)
def _translations(lang: str) -> _gettext.NullTranslations:
    mo = LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if mo.is_file():
        with mo.open("rb") as fh:
            return Translations(fh, domain=DOMAIN)
    if (LOCALES_DIR / lang / "LC_MESSAGES").is_dir():
        buf = io.BytesIO()
        write_mo(buf, merged_catalog(lang))
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
    gettext lookup are far more expensive than a dict hit.
    """

    def __init__(self, code: str) -> None:
        self.code = normalize_locale(code)
        self.locale = Locale.parse(self.code)
        self._tr = _translations(self.code)
        self._patterns = _PATTERNS[self.code]

    def gettext(self, message: str) -> str:
        return self._tr.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._tr.ngettext(singular, plural, n)

    def number(self, value: float | int | Decimal, max_decimals: int = 2) -> str:
        pattern = "#,##0" + ("." + "#" * max_decimals if max_decimals else "")
        return format_decimal(value, format=pattern, locale=self.locale)

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
        return format_datetime(dt.datetime(day.year, day.month, day.day), self._patterns["date"], locale=self.locale)

    def short_date(self, day: dt.date | dt.datetime) -> str:
        return format_datetime(
            dt.datetime(day.year, day.month, day.day), self._patterns["short_date"], locale=self.locale
        )

    def time(self, when: dt.datetime, tz: tzinfo | str) -> str:
        zone = ZoneInfo(tz) if isinstance(tz, str) else tz
        return format_datetime(when.astimezone(zone), self._patterns["time"], tzinfo=zone, locale=self.locale)


@lru_cache(maxsize=8)
def translator(code: str | None) -> Translator:
    return Translator(normalize_locale(code))


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (translated at render time)."""
    return message


def all_translators() -> Iterable[Translator]:
    return (translator(code) for code in SUPPORTED)
