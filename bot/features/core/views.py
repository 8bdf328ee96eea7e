"""/start and /bantuan texts, generated from the registered commands so help never drifts."""

from __future__ import annotations

from collections.abc import Iterable

from bot.kernel.i18n import Translator
from bot.kernel.runtime import CommandSpec
from bot.kernel.views import esc
from bot.shared.examples import dated


def start_text(t: Translator, first_name: str, chat_type: str) -> str:
    lines = [
        t.gettext("Hello, <b>{name}</b>! I am the logistics cluster bot.").format(name=esc(first_name)),
        "",
        t.gettext(
            "I help the cluster's members share needs and offers, report stock privately, keep the "
            "situation summary current and remind everyone of forum sessions, trainings and meetings."
        ),
        "",
    ]
    if chat_type == "private":
        lines.append(t.gettext("Type /bantuan to see everything I can do."))
    else:
        lines.append(t.gettext("Type /bantuan in this group, or talk to me privately for your own reports."))
    return "\n".join(lines)


def help_text(t: Translator, commands: Iterable[CommandSpec], chat_type: str) -> str:
    scope = "private" if chat_type == "private" else "group"
    lines = [t.gettext("<b>What I can do</b>"), ""]
    merged: dict[str, list[CommandSpec]] = {}
    for spec in commands:
        if scope in spec.scopes:
            merged.setdefault(spec.name, []).append(spec)  # several features may share one command word
    for specs in merged.values():
        spec = specs[0]
        description = "; ".join(t.gettext(s.description) for s in specs)
        line = f"/{spec.name} — {esc(description)}"
        if spec.example:
            line += "\n   " + t.gettext("Example: {example}").format(
                example=f"<code>{esc(dated(t.gettext(spec.example)))}</code>"
            )
        lines.append(line)
    lines += ["", t.gettext("Cancel any step with /batal. Change the language with /bahasa.")]
    if scope == "group":
        lines.append(t.gettext("Private reports (stock, registration) are done in a private chat with me."))
    return "\n".join(lines)


