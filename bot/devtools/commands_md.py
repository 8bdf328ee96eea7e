"""Print the command table for the README from the registered commands (so the docs never drift).

``python -m bot.devtools.commands_md`` prints Markdown; a test checks that the README lists every
registered command.
"""

from __future__ import annotations

from pathlib import Path

from bot.app import build_application
from bot.devtools.fakeapi import FakeBotApi
from bot.kernel.config import Settings
from bot.kernel.i18n import translator
from bot.kernel.runtime import CommandSpec


def command_table() -> str:
    """One row per command word: features that share a word (``/ringkasan`` for stock totals and digests)
    are merged into one row with both descriptions, as ``/bantuan`` shows them. Examples in Indonesian."""
    app = build_application(Settings(db_path=Path(":memory:")), request=FakeBotApi(), rate_limit=False)
    runtime = app.bot_data["runtime"]
    t_id, t_en = translator("id"), translator("en")
    merged: dict[str, list[CommandSpec]] = {}
    for spec in runtime.commands:
        merged.setdefault(spec.name, []).append(spec)
    lines = ["| Perintah / Command | Di mana / Where | Keterangan | Description | Contoh / Example |", "|---|---|---|---|---|"]
    for name, specs in merged.items():
        aliases = list(dict.fromkeys(a for s in specs for a in s.aliases))
        names = " ".join(f"/{n}" for n in (name, *aliases))
        scopes = [sc for sc in ("private", "group") if any(sc in s.scopes for s in specs)]
        where = ", ".join({"private": "pribadi/private", "group": "grup/group"}[sc] for sc in scopes)
        examples = list(dict.fromkeys(t_id.gettext(s.example) for s in specs if s.example))
        example = " ".join(f"`{e}`".replace("|", "\\|") for e in examples)
        desc_id = "; ".join(t_id.gettext(s.description) for s in specs)
        desc_en = "; ".join(t_en.gettext(s.description) for s in specs)
        lines.append(f"| {names} | {where} | {desc_id} | {desc_en} | {example} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(command_table())
