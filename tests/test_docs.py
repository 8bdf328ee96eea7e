"""The README's command table covers every registered command (docs never drift from the code)."""

from __future__ import annotations

from pathlib import Path

from bot.app import build_application
from bot.config import Settings
from bot.devtools.fakeapi import FakeBotApi


def test_readme_lists_every_command() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    app = build_application(Settings(db_path=Path(":memory:")), request=FakeBotApi(), rate_limit=False)
    missing = [spec.name for spec in app.bot_data["runtime"].commands if f"| /{spec.name}" not in readme]
    assert missing == [], f"run `python -m bot.devtools.commands_md` and update README.md: {missing}"
