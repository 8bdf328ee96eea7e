"""Catalogue maintenance: extract messages from the code, check that Indonesian is complete, print
stubs for missing translations, compile ``.mo`` files. Used by ``make`` and by a test."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

from bot.i18n import LOCALES_DIR, compile_catalogues, merged_catalog

KEYWORDS = {"gettext": None, "ngettext": (1, 2), "N_": None}
SOURCE_DIR = Path(__file__).resolve().parent


def extract() -> Catalog:
    catalog = Catalog(domain="messages")
    method_map = [("**.py", "python")]
    for filename, lineno, message, comments, context in extract_from_dir(
        str(SOURCE_DIR), method_map, keywords=KEYWORDS
    ):
        catalog.add(message, locations=[(f"bot/{filename}", lineno)], auto_comments=comments, context=context)
    return catalog


def missing(lang: str = "id") -> list[Any]:
    source = extract()
    have = merged_catalog(lang, LOCALES_DIR)
    out: list[Any] = []
    for msg in source:
        if not msg.id:
            continue
        key = msg.id[0] if isinstance(msg.id, tuple) else msg.id
        found = have.get(key)
        if found is None or not found.string or (isinstance(found.string, tuple) and not all(found.string)):
            out.append(msg.id)
    return out


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "compile":
        for path in compile_catalogues():
            print(f"compiled {path}")
        return 0
    if command == "extract":
        out = LOCALES_DIR / "messages.pot"
        with out.open("wb") as fh:
            write_po(fh, extract(), width=110, omit_header=False)
        print(f"wrote {out}")
        return 0
    if command in ("check", "stubs"):
        gaps = missing("id")
        if command == "stubs":
            for msgid in gaps:
                if isinstance(msgid, tuple):
                    print(f'msgid "{_q(msgid[0])}"\nmsgid_plural "{_q(msgid[1])}"\nmsgstr[0] ""\n')
                else:
                    print(f'msgid "{_q(msgid)}"\nmsgstr ""\n')
            return 0
        for msgid in gaps:
            print(f"missing Indonesian translation: {msgid!r}")
        print(f"{len(gaps)} missing")
        return 1 if gaps else 0
    print("usage: python -m bot.i18n_tools [compile|extract|check|stubs]")
    return 2


def _q(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
