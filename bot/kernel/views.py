"""Rendering of texts and keyboards, free of Telegram types so views are unit-testable.

Every user string is escaped with ``esc`` before it enters HTML; lines never carry a tag across a
newline, so ``split_message`` can cut long texts at line boundaries without breaking markup.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

MAX_MESSAGE = 4096


def esc(value: object) -> str:
    """Escape any user-provided value for Telegram's HTML parse mode."""
    return html.escape(str(value), quote=True)


@dataclass(frozen=True)
class Button:
    text: str
    data: str | None = None
    url: str | None = None


Keyboard = list[list[Button]]


@dataclass
class Reply:
    text: str
    keyboard: Keyboard = field(default_factory=list)


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split at line boundaries so each part stays under ``limit`` visible characters."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        line_len = len(line) + 1
        if line_len > limit:  # a single monster line: hard-cut its plain text
            plain = html.escape(html.unescape(line), quote=False)
            for start in range(0, len(plain), limit - 16):
                chunk = plain[start : start + limit - 16]
                # don't cut inside an entity
                cut = chunk.rfind("&")
                if cut > len(chunk) - 8 and ";" not in chunk[cut:]:
                    chunk = chunk[:cut]
                parts.append(chunk)
            continue
        if size + line_len > limit and current:
            parts.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += line_len
    if current:
        parts.append("\n".join(current))
    return [p for p in parts if p.strip()]


def page_nav(page: int, pages: int, prefix: str) -> list[Button]:
    """◀ ▶ buttons for a paginated list; callback data is ``<prefix>:<page>``. Empty on a single page."""
    nav = []
    if page > 0:
        nav.append(Button("◀", f"{prefix}:{page - 1}"))
    if page < pages - 1:
        nav.append(Button("▶", f"{prefix}:{page + 1}"))
    return nav


def progress_bar(done: float, total: float, width: int = 10) -> str:
    """A text bar that reads on any phone: ▰▰▰▱▱▱▱▱▱▱."""
    if total <= 0:
        return "▱" * width
    filled = max(0, min(width, round(width * done / total)))
    return "▰" * filled + "▱" * (width - filled)


def in_sentence(name: str) -> str:
    """A catalogue item name as it reads mid-sentence: "Beras" → "beras", "Air minum kemasan" → "air minum
    kemasan"; acronyms and codes keep their case ("MPASI …", "P3K", "HT")."""
    first = name.split(" ", 1)[0]
    if len(first) > 1 and first[0].isupper() and first[1:].islower():
        return name[0].lower() + name[1:]
    return name
