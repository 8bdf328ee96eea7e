"""Print the command table for the README from the registered commands (so the docs never drift).

``python -m bot.devtools.commands_md`` prints Markdown; a test checks that the README lists every
registered command.
"""

from __future__ import annotations

from pathlib import Path

from bot.app import build_application
from bot.config import Settings
from bot.devtools.fakeapi import FakeBotApi
from bot.i18n import translator


def command_table() -> str:
    app = build_application(Settings(db_path=Path(":memory:")), request=FakeBotApi(), rate_limit=False)
    runtime = app.bot_data["runtime"]
    t_id, t_en = translator("id"), translator("en")
    lines = ["| Perintah / Command | Di mana / Where | Keterangan | Description | Contoh / Example |", "|---|---|---|---|---|"]
    for spec in runtime.commands:
        names = " ".join(f"/{n}" for n in (spec.name, *spec.aliases))
        where = ", ".join({"private": "pribadi/private", "group": "grup/group"}[s] for s in spec.scopes)
        example = f"`{spec.example}`".replace("|", "\\|") if spec.example else ""
        lines.append(f"| {names} | {where} | {t_id.gettext(spec.description)} | {t_en.gettext(spec.description)} | {example} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(command_table())
