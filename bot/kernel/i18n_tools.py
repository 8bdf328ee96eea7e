"""Catalogue maintenance in the standard gettext layout (see docs/translating.md).

``locales/messages.pot`` is the template extracted from the code (``babel.cfg``); each language has one
``locales/<lang>/LC_MESSAGES/messages.po``. The commands wrap ``pybabel`` (run through Babel's own command-line
interface, so they are exactly ``pybabel extract / update / compile``)::

    python -m bot.kernel.i18n_tools extract   # pybabel extract -F babel.cfg -o locales/messages.pot .
    python -m bot.kernel.i18n_tools update    # pybabel update -i locales/messages.pot -d locales -D messages
    python -m bot.kernel.i18n_tools compile   # pybabel compile -d locales -D messages
    python -m bot.kernel.i18n_tools fold      # fold leftover <lang>/LC_MESSAGES/*.po into messages.po, then the three
    python -m bot.kernel.i18n_tools check     # what `make lint` runs

``check`` fails when: a ``.po`` other than ``messages.po`` is left in a language folder (run ``fold``); the
template is not what the code says (a msgid added, changed or removed: run ``make i18n``); a catalogue is not
updated from the template; an entry is fuzzy; an entry of a translated language is untranslated, plural
forms included (``ngettext`` entries must be plural entries with every form filled); GNU ``msgfmt -c`` rejects a
catalogue (format directives, plural forms, header).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import CommandLineInterface, parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from bot.kernel.i18n import DOMAIN, LOCALES_DIR, SOURCE_LOCALE, leftover_catalogues

ROOT = LOCALES_DIR.parent
TEMPLATE = LOCALES_DIR / f"{DOMAIN}.pot"
MAPPING = ROOT / "babel.cfg"
EXTRACT_ARGS = [
    "--no-wrap",
    "--project=klaster-logistik-bot",
    "--version=0.1.0",
    "--copyright-holder=Klaster Logistik Bot contributors",
    "--msgid-bugs-address=https://github.com/klaster-logistik-bot/issues",
]


def pybabel(root: Path, *args: str) -> int:
    """Run ``pybabel`` with ``args`` in the project folder ``root`` (Babel's CLI, in process; paths relative to
    ``root``, so the ``#:`` source references read ``bot/features/agenda/views.py:67``) and print the command."""
    print("pybabel " + " ".join(args))
    with contextlib.chdir(root):
        CommandLineInterface().run(["pybabel", "--quiet", *args])
    return 0


def extract(locales_dir: Path = LOCALES_DIR) -> int:
    locales = locales_dir.name
    return pybabel(locales_dir.parent, "extract", "-F", "babel.cfg", *EXTRACT_ARGS, "-o", f"{locales}/{DOMAIN}.pot", ".")


def update(locales_dir: Path = LOCALES_DIR) -> int:
    locales = locales_dir.name
    return pybabel(locales_dir.parent, "update", "--no-wrap", "-i", f"{locales}/{DOMAIN}.pot", "-d", locales, "-D", DOMAIN)


def compile_all(locales_dir: Path = LOCALES_DIR) -> int:
    """``pybabel compile``: fuzzy entries are left out, so a fuzzy translation never reaches a user."""
    return pybabel(locales_dir.parent, "compile", "--statistics", "-d", locales_dir.name, "-D", DOMAIN)


# ---- fold: per-branch catalogue files into messages.po ------------------------------------------------


def _read(path: Path, lang: str) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def _write(path: Path, catalog: Catalog) -> None:
    with path.open("wb") as fh:
        write_po(fh, catalog, width=0, include_previous=True)


def _key(msgid: str | tuple[str, ...] | list[str]) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _filled(string: Any) -> bool:
    if isinstance(string, (list, tuple)):
        return bool(string) and all(string)
    return bool(string)


def fold_language(lang_dir: Path) -> list[Path]:
    """Fold every ``*.po`` of one language folder other than ``messages.po`` into ``messages.po`` (created if
    missing). Files are folded in name order; an entry of a folded file overrides the translation in
    ``messages.po`` for the same msgid (a later file overrides an earlier one). Folded files are deleted."""
    lang = lang_dir.name
    folder = lang_dir / "LC_MESSAGES"
    target_path = folder / f"{DOMAIN}.po"
    leftovers = [p for p in sorted(folder.glob("*.po")) if p.name != target_path.name]
    if not leftovers:
        return []
    if target_path.is_file():
        target = _read(target_path, lang)
    else:
        target = Catalog(
            locale=lang, domain=DOMAIN, project="klaster-logistik-bot", version="0.1.0", fuzzy=False,
            header_comment=f"# {lang} translations of Klaster Logistik Bot (see docs/translating.md).",
            language_team=f"{lang} <https://github.com/klaster-logistik-bot>",
        )  # fmt: skip
    for path in leftovers:
        for message in _read(path, lang):
            if not message.id or not _filled(message.string):
                continue
            key = _key(message.id)
            current = target.get(key)
            plural_in, plural_now = isinstance(message.id, (list, tuple)), (
                current is not None and isinstance(current.id, (list, tuple))
            )
            if current is not None and plural_now and not plural_in:
                # A singular translation for what the code now uses as a plural entry: every form gets it.
                current.string = tuple([str(message.string)] * target.num_plurals)
                current.flags = (current.flags - {"fuzzy"}) | (message.flags & {"fuzzy"})
                continue
            if current is not None and plural_now == plural_in:
                current.string = message.string
                current.flags = (current.flags - {"fuzzy"}) | (message.flags & {"fuzzy"})
                continue
            if current is not None:
                del target[key]
            target[message.id] = Message(
                message.id, message.string, locations=message.locations, flags=message.flags,
                auto_comments=message.auto_comments, user_comments=message.user_comments,
            )  # fmt: skip
    _write(target_path, target)
    for path in leftovers:
        path.unlink()
        mo = path.with_suffix(".mo")
        if mo.is_file():
            mo.unlink()
    return leftovers


def fold(locales_dir: Path = LOCALES_DIR, refresh: bool = True) -> list[Path]:
    """``fold`` for every language, then extract, update and compile (``refresh``)."""
    folded: list[Path] = []
    for lang_dir in sorted(p for p in locales_dir.iterdir() if p.is_dir()):
        for path in fold_language(lang_dir):
            print(f"folded {path} into {lang_dir / 'LC_MESSAGES' / (DOMAIN + '.po')}")
            folded.append(path)
    if refresh:
        extract(locales_dir)
        update(locales_dir)
        compile_all(locales_dir)
    return folded


# ---- check --------------------------------------------------------------------------------------------


def code_messages(root: Path = ROOT) -> Catalog:
    """What ``pybabel extract -F babel.cfg`` finds in the code, in memory."""
    with (root / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    catalog = Catalog(domain=DOMAIN)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root), method_map, options_map
    ):
        catalog.add(message, locations=[(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def _ids(catalog: Iterable[Message]) -> set[tuple[str, ...]]:
    return {(m.id,) if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}


@dataclass
class Problem:
    where: str
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.text}"


def _msgfmt(path: Path) -> list[Problem]:
    exe = shutil.which("msgfmt")
    if exe is None:
        return [Problem(str(path), "GNU msgfmt not found: install GNU gettext (apt-get install -y gettext)")]
    done = subprocess.run([exe, "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True, check=False)
    if done.returncode == 0:
        return []
    return [Problem(str(path), "msgfmt -c: " + (done.stderr.strip() or f"exit {done.returncode}"))]


def check(locales_dir: Path = LOCALES_DIR, msgfmt: bool = True) -> list[Problem]:
    root = locales_dir.parent
    problems = [
        Problem(str(path), "not folded into messages.po: run `python -m bot.kernel.i18n_tools fold`")
        for path in leftover_catalogues(locales_dir)
    ]
    template_path = locales_dir / f"{DOMAIN}.pot"
    code = _ids(code_messages(root))
    if not template_path.is_file():
        return [*problems, Problem(str(template_path), "missing: run `make i18n`")]
    template = _ids(_read(template_path, SOURCE_LOCALE))
    for ids in sorted(code - template):
        problems.append(Problem(str(template_path), f"not extracted yet (run `make i18n`): {ids[0]!r}"))
    for ids in sorted(template - code):
        problems.append(Problem(str(template_path), f"no longer in the code (run `make i18n`): {ids[0]!r}"))
    for lang_dir in sorted(p for p in locales_dir.iterdir() if p.is_dir()):
        path = lang_dir / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not path.is_file():
            problems.append(Problem(str(path), "missing"))
            continue
        catalog = _read(path, lang_dir.name)
        have = _ids(catalog)
        for ids in sorted(template - have):
            problems.append(Problem(str(path), f"not updated from the template (run `make i18n`): {ids[0]!r}"))
        for ids in sorted(have - template):
            problems.append(Problem(str(path), f"not in the template (run `make i18n`): {ids[0]!r}"))
        translated_language = lang_dir.name != SOURCE_LOCALE
        for message in catalog:
            if not message.id:
                if message.fuzzy:
                    problems.append(Problem(str(path), "the header is marked fuzzy"))
                continue
            if message.fuzzy:
                problems.append(Problem(str(path), f"fuzzy (check the translation, then remove the flag): {message.id!r}"))
            elif translated_language and not _filled(message.string):
                kind = "untranslated plural form" if isinstance(message.id, (list, tuple)) else "untranslated"
                problems.append(Problem(str(path), f"{kind}: {message.id!r}"))
        if msgfmt:
            problems += _msgfmt(path)
    return problems


def missing(lang: str = "id") -> list[Any]:
    """The msgids of ``lang`` that are untranslated or fuzzy (plural entries included), for scripts and tests."""
    path = LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return [m.id for m in code_messages() if m.id]
    catalog = _read(path, lang)
    have = {_key(m.id) for m in catalog if m.id}
    out: list[Any] = [m.id for m in code_messages() if m.id and _key(m.id) not in have]
    out += [m.id for m in catalog if m.id and (m.fuzzy or not _filled(m.string))]
    return out


def main(argv: list[str]) -> int:
    commands = argv or ["check"]
    for command in commands:
        if command == "compile":
            compile_all()
        elif command == "extract":
            extract()
        elif command == "update":
            update()
        elif command == "fold":
            folded = fold()
            print(f"{len(folded)} file(s) folded")
        elif command == "check":
            problems = check()
            for problem in problems:
                print(problem)
            print(f"{len(problems)} catalogue problem(s)")
            if problems:
                return 1
        else:
            print("usage: python -m bot.kernel.i18n_tools [extract|update|compile|fold|check] ...")
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
