"""The README's command table is exactly the generated one (docs never drift from the code)."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_application
from bot.devtools.commands_md import command_table
from bot.devtools.demo import cli as demo_module
from bot.devtools.fakeapi import FakeBotApi
from bot.kernel.config import Settings
from tests.support.cli import run_cli
from tests.support.paths import ROOT

README = ROOT / "README.md"


def test_readme_lists_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    app = build_application(Settings(db_path=Path(":memory:")), request=FakeBotApi(), rate_limit=False)
    missing = [spec.name for spec in app.bot_data["runtime"].commands if f"| /{spec.name}" not in readme]
    assert missing == [], f"run `python -m bot.devtools.commands_md` and update README.md: {missing}"


def test_readme_command_table_is_the_generated_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = command_table()
    assert table in readme, "run `python -m bot.devtools.commands_md` and paste its table into README.md"
    rows = [line.split(" | ")[0].lstrip("| ").split()[0] for line in table.splitlines()[2:]]
    assert len(rows) == len(set(rows)), "a command word is listed twice"
    assert readme.count("| /ringkasan ") == 1


# ---- the README's "first ten minutes" script, run through the real demo -----------------------------------

MARKER = "<!-- first-ten-minutes: tests/kernel/test_docs.py runs this block through the demo -->"
# What the README promises the script shows (each phrase is quoted in both languages' "what happens" list).
PROMISED = [
    "Tersimpan: 1 baris stok",
    "— mendesak",
    "🤝 Janjikan 300 lembar dari stok",
    "Dinsos Kalsel menjanjikan 300 lembar",
    "Pengingat: H-1 pukul 16.00, 1 jam sebelum mulai",
    "Pengingat: Rakor logistik banjir",
    "Ringkasan mingguan",
]


def readme_scripts() -> list[str]:
    readme = README.read_text(encoding="utf-8")
    out = []
    for part in readme.split(MARKER)[1:]:
        block = part.split("```text\n", 1)[1].split("\n```", 1)[0]
        out.append(block)
    return out


def check_demo_output(script: str, output: str) -> None:
    assert "Traceback" not in output, output
    for phrase in PROMISED:
        assert phrase in output, (phrase, output)
    # every line of the script got an answer (a message, an edit, a popup or a playground note)
    steps = output.split("» ")[1:]
    assert len(steps) == len(script.splitlines()), output
    for step, line in zip(steps, script.splitlines(), strict=True):
        said, _, answer = step.partition("\n")
        assert said.endswith(": " + line), (said, line)
        assert answer.strip() and "(no reply" not in answer, (line, answer)


def test_readme_first_ten_minutes_is_the_same_in_both_languages() -> None:
    scripts = readme_scripts()
    assert len(scripts) == 2 and scripts[0] == scripts[1]
    readme = README.read_text(encoding="utf-8")
    for phrase in PROMISED:
        assert readme.count(f"`{phrase}") >= 2, phrase  # quoted in the Indonesian and the English list


def test_readme_first_ten_minutes_through_the_cli(tmp_path: Path) -> None:
    """As a newcomer runs it: the script piped into ``klasterbot demo --reset``, at today's real time."""
    script = readme_scripts()[0]
    result = run_cli(tmp_path, script + "\n", "--reset")
    assert result.returncode == 0, result.stderr
    check_demo_output(script, result.stdout)


@pytest.mark.parametrize("hour, minute", [(0, 30), (6, 40), (9, 30), (15, 59), (16, 30), (21, 30), (23, 50)])
async def test_readme_first_ten_minutes_at_any_time_of_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hour: int, minute: int
) -> None:
    """The demo's clock starts at the real time, so the script must work whenever a newcomer runs it."""
    start = datetime(2026, 12, 2, hour, minute, tzinfo=ZoneInfo("Asia/Makassar"))

    class StartsAt(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> StartsAt:
            value = start.astimezone(tz) if tz is not None else start.replace(tzinfo=None)
            return cls.fromtimestamp(value.timestamp(), tz)

    monkeypatch.setattr(demo_module, "datetime", StartsAt)
    script = readme_scripts()[0]
    out = io.StringIO()
    code = await asyncio.wait_for(
        demo_module.run_demo(
            Settings(db_path=tmp_path / "klaster.db"), tmp_path / "demo.db", True, io.StringIO(script + "\n"), out
        ),
        timeout=60,
    )
    assert code == 0
    check_demo_output(script, out.getvalue())


def test_readme_bare_number_rule_is_what_the_demo_does(tmp_path: Path) -> None:
    """The README said a bare number presses "the latest message that has buttons"; the demo presses only when
    the bot's latest message in the chat has buttons, so right after "Tersimpan: A-0001 …" the 4 of the card's
    "📅 Tambah ke kalender" went out as text and nothing happened."""
    script = ":chat grup\n/agenda baru forum | Forum berbagi gudang | besok 10.00 | 1 jam | Zoom\n4\n:press 4\n"
    result = run_cli(tmp_path, script, "--reset")
    assert result.returncode == 0, result.stderr
    steps = result.stdout.split("» ")[1:]
    code = re.search(r"Tersimpan: (A-\d{4})", steps[1])  # the seeded demo already holds an event
    assert code is not None and "(no reply" in steps[2], result.stdout
    assert f"📎 {code.group(1)}.ics" in steps[3], result.stdout
    readme = " ".join(README.read_text(encoding="utf-8").split())
    assert "angka saja menekan tombol N bila pesan bot terbaru di obrolan ini bertombol" in readme
    assert "a bare number presses button N when the bot's latest message in this chat has buttons" in readme
    assert "pada pesan terakhir yang bertombol |" not in readme and "of the latest message that has buttons |" not in readme
