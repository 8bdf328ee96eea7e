"""The standard gettext layout (issue 15 part 1): one template, one messages.po per language, the lint check
(template current, no fuzzy or untranslated entry, plural entries included, GNU msgfmt -c) and the fold command
that takes per-branch catalogue files into messages.po."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.devtools.harness import Harness
from bot.features.digests import service as digest_svc
from bot.kernel import i18n
from bot.kernel import i18n_tools as tools
from tests.support.people import GROUP_ID, MEMBER, OTHER
from tests.support.world import cluster_with_members

HEADER = """msgid ""
msgstr ""
"Project-Id-Version: test 1\\n"
"Language: {lang}\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: {plural}\\n"

"""
PLURALS = {"id": "nplurals=1; plural=0;", "en": "nplurals=2; plural=(n != 1);"}


def project(tmp_path: Path, code: str, catalogues: dict[str, str]) -> Path:
    """A small project folder: babel.cfg, bot/x.py with ``code``, locales/<lang>/LC_MESSAGES/<name>.po."""
    (tmp_path / "babel.cfg").write_text("[python: bot/**.py]\n")
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "x.py").write_text(textwrap.dedent(code))
    locales = tmp_path / "locales"
    for rel, body in catalogues.items():
        lang = rel.split("/")[0]
        path = locales / lang / "LC_MESSAGES" / rel.split("/")[1]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HEADER.format(lang=lang, plural=PLURALS[lang]) + textwrap.dedent(body))
    return locales


def texts(problems: list[tools.Problem]) -> str:
    return "\n".join(p.text for p in problems)


def test_the_committed_catalogues_pass_the_lint_check() -> None:
    assert shutil.which("msgfmt"), "GNU gettext's msgfmt is needed (apt-get install -y gettext)"
    assert [str(p) for p in tools.check()] == []
    folder = i18n.LOCALES_DIR
    assert (folder / "messages.pot").is_file()
    assert sorted(p.name for p in folder.glob("*/LC_MESSAGES/*.po")) == ["messages.po", "messages.po"]
    with (folder / "messages.pot").open("rb") as fh:
        template = read_po(fh)
    located = [m for m in template if m.id]
    assert located and all(m.locations and m.locations[0][0].startswith("bot/") for m in located)  # `#:` kept


def test_singular_translation_of_a_plural_entry_fails_the_check(tmp_path: Path) -> None:
    """The digest's "… and 19 more: /kebutuhan" stayed English: the entry was translated as a singular."""
    code = 't.ngettext("… and {n} more", "… and {n} more", n)\n'
    locales = project(tmp_path, code, {"id/messages.po": 'msgid "… and {n} more"\nmsgstr "… dan {n} lainnya"\n',
                                       "en/messages.po": ""})  # fmt: skip
    tools.extract(locales)
    tools.update(locales)
    assert "fuzzy" in texts(tools.check(locales, msgfmt=False))  # pybabel update marks it for review


def test_untranslated_plural_form_fails_the_check(tmp_path: Path) -> None:
    code = 't.ngettext("{n} line", "{n} lines", n)\nt.gettext("Saved.")\n'
    locales = project(tmp_path, code, {
        "id/messages.po": 'msgid "{n} line"\nmsgid_plural "{n} lines"\nmsgstr[0] ""\n\nmsgid "Saved."\nmsgstr "Tersimpan."\n',
        "en/messages.po": "",
    })  # fmt: skip
    tools.extract(locales)
    tools.update(locales)
    problems = texts(tools.check(locales, msgfmt=False))
    assert "untranslated plural form: ('{n} line', '{n} lines')" in problems and "Saved" not in problems
    path = locales / "id" / "LC_MESSAGES" / "messages.po"
    path.write_text(path.read_text().replace('msgstr[0] ""', 'msgstr[0] "{n} baris"'))
    assert tools.check(locales) == []  # msgfmt -c included
    tools.compile_all(locales)
    assert (path.with_suffix(".mo")).is_file()


def test_template_must_follow_the_code(tmp_path: Path) -> None:
    locales = project(tmp_path, 't.gettext("Saved.")\n', {"id/messages.po": 'msgid "Saved."\nmsgstr "Tersimpan."\n',
                                                          "en/messages.po": ""})  # fmt: skip
    tools.extract(locales)
    tools.update(locales)
    assert tools.check(locales) == []
    (tmp_path / "bot" / "x.py").write_text('t.gettext("Saved.")\nt.gettext("Deleted.")\n')
    assert "not extracted yet (run `make i18n`): 'Deleted.'" in texts(tools.check(locales, msgfmt=False))


def test_msgfmt_c_catches_a_percent_read_as_a_directive(tmp_path: Path) -> None:
    """The old sitrep entry: "{fresh}% angka" against "{fresh}% of figures" (`% a` versus `% o`)."""
    path = tmp_path / "sitrep.po"
    path.write_text(HEADER.format(lang="id", plural=PLURALS["id"]) + textwrap.dedent('''\
        #, python-brace-format, python-format
        msgid "{fresh}% of figures confirmed."
        msgstr "{fresh}% angka dikonfirmasi."
        '''))  # fmt: skip
    problems = tools._msgfmt(path)
    assert problems and "not a valid Python format string" in problems[0].text


def test_fold_takes_branch_catalogues_into_messages_po(tmp_path: Path) -> None:
    code = 't.gettext("Saved.")\nt.gettext("Queued.")\nt.ngettext("… and {n} more", "… and {n} more", n)\n'
    locales = project(tmp_path, code, {
        "id/messages.po": 'msgid "Saved."\nmsgstr "Disimpan."\n\nmsgid "… and {n} more"\nmsgid_plural "… and {n} more"\n'
                          'msgstr[0] ""\n',
        # a later branch changes a translation and adds its own strings
        "id/outbox.po": 'msgid "Saved."\nmsgstr "Tersimpan."\n\nmsgid "Queued."\nmsgstr "Dalam antrean."\n',
        "id/language.po": 'msgid "… and {n} more"\nmsgstr "… dan {n} lainnya"\n',
        "en/messages.po": "",
    })  # fmt: skip
    problems = texts(tools.check(locales, msgfmt=False))
    assert "outbox.po" in "\n".join(str(p) for p in tools.check(locales, msgfmt=False))
    assert "not folded into messages.po" in problems
    folded = tools.fold(locales)
    assert sorted(p.name for p in folded) == ["language.po", "outbox.po"]
    assert sorted(p.name for p in locales.glob("*/LC_MESSAGES/*.po")) == ["messages.po", "messages.po"]
    with (locales / "id" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="id")
    assert catalog["Saved."].string == "Tersimpan."  # the folded file wins
    assert catalog["Queued."].string == "Dalam antrean."
    assert catalog["… and {n} more"].string == ("… dan {n} lainnya",)  # a singular fills the plural entry
    assert tools.check(locales) == []
    assert (locales / "id" / "LC_MESSAGES" / "messages.mo").is_file()


async def test_digest_more_line_is_indonesian(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digest_svc, "NEED_LIMIT", 1)
    await cluster_with_members(h)
    for item in ("500 paket sembako HSS", "200 lembar terpal HSS", "100 selimut HSS"):
        await h.sim.send(MEMBER, GROUP_ID, f"/butuh {item}")
    calls = await h.sim.send(OTHER, GROUP_ID, "/ringkasan harian")
    text = next(c.text for c in calls if "Ringkasan harian" in c.text)
    assert "… dan 2 lainnya: /kebutuhan" in text and "more" not in text
