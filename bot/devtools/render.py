"""Readable terminal rendering of what the bot sent (used by ``klasterbot demo``).

Pure functions, no I/O: Telegram-HTML text → terminal text, an inline keyboard → numbered buttons,
and one recorded Bot API call (``ApiCall`` of the stand-in) → a short block prefixed with where it
went. Formatting survives without colour: ``*bold*``, ``_italic_``, ``~strike~``, ```code```,
``text <url>``; on a terminal, bold and underline use ANSI instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html.parser import HTMLParser
from typing import Any

from bot.devtools.fakeapi import ApiCall

BOLD, BOLD_END = "\033[1m", "\033[22m"
UNDERLINE, UNDERLINE_END = "\033[4m", "\033[24m"
DIM, DIM_END = "\033[2m", "\033[22m"
INDENT = "  "

# Calls the bot makes for itself; nothing a person in the chat would see.
SILENT_METHODS = frozenset(
    {
        "getMe", "getChat", "getChatMember", "getChatAdministrators", "getChatMemberCount", "getFile",
        "getUpdates", "setMyCommands", "deleteMyCommands", "getMyCommands", "setMyDescription",
        "setMyShortDescription", "setChatMenuButton", "deleteWebhook", "setWebhook", "getWebhookInfo",
        "sendChatAction", "close", "logOut",
    }
)  # fmt: skip


class _TerminalHtml(HTMLParser):
    """Collects text; each closing tag rewrites the text it enclosed (so links and quotes can wrap it)."""

    def __init__(self, tty: bool) -> None:
        super().__init__(convert_charrefs=True)  # entities arrive unescaped
        self.tty = tty
        self.out: list[str] = []
        self.stack: list[tuple[str, int, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append((tag, len(self.out), dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if not any(open_tag == tag for open_tag, _, _ in self.stack):
            return  # a stray end tag: ignore it
        while self.stack:
            open_tag, start, attrs = self.stack.pop()
            self._close(open_tag, start, attrs)
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def finish(self) -> str:
        self.close()
        while self.stack:  # unclosed tags: close them at the end
            tag, start, attrs = self.stack.pop()
            self._close(tag, start, attrs)
        return "".join(self.out)

    def _inside(self, tag: str) -> bool:
        return any(open_tag == tag for open_tag, _, _ in self.stack)

    def _close(self, tag: str, start: int, attrs: dict[str, str | None]) -> None:
        inner = "".join(self.out[start:])
        del self.out[start:]
        self.out.append(self._wrap(tag, inner, attrs))

    def _wrap(self, tag: str, inner: str, attrs: dict[str, str | None]) -> str:
        if tag in ("b", "strong"):
            return f"{BOLD}{inner}{BOLD_END}" if self.tty else f"*{inner}*"
        if tag in ("i", "em"):
            return f"_{inner}_"
        if tag in ("u", "ins"):
            return f"{UNDERLINE}{inner}{UNDERLINE_END}" if self.tty else inner
        if tag in ("s", "strike", "del"):
            return f"~{inner}~"
        if tag == "code":
            return inner if self._inside("pre") else f"`{inner}`"
        if tag == "pre":
            return f"```\n{inner.strip(chr(10))}\n```" if "\n" in inner else f"```{inner}```"
        if tag == "a":
            href = attrs.get("href") or ""
            if not href or inner == href:
                return inner or href
            return f"{inner} <{href}>"
        if tag == "blockquote":
            return "\n".join("│ " + line for line in inner.split("\n"))
        if tag == "tg-spoiler" or (tag == "span" and "tg-spoiler" in (attrs.get("class") or "")):
            return f"||{inner}||"
        return inner  # tg-emoji, span and anything else: the text itself


def html_to_terminal(text: str, tty: bool = False) -> str:
    """Telegram-HTML → readable terminal text (entities unescaped)."""
    parser = _TerminalHtml(tty)
    parser.feed(text)
    return parser.finish()


def keyboard_rows(markup: Any) -> list[list[dict[str, Any]]]:
    """The inline keyboard of a ``reply_markup`` (dict or JSON string, as the Bot API call carried it)."""
    if isinstance(markup, str):
        markup = json.loads(markup) if markup else {}
    if not isinstance(markup, dict):
        return []
    return [list(row) for row in markup.get("inline_keyboard") or []]


def flat_buttons(rows: Sequence[Sequence[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Buttons in the order they are numbered: row by row, left to right (button 1 is ``[0]``)."""
    return [button for row in rows for button in row]


def render_keyboard(rows: Sequence[Sequence[dict[str, Any]]]) -> str:
    """``[1] Saya bantu  [2] Detail``, one line per keyboard row; link buttons carry ``↗``."""
    lines = []
    number = 0
    for row in rows:
        cells = []
        for button in row:
            number += 1
            mark = " ↗" if button.get("url") else ""
            cells.append(f"[{number}] {button.get('text', '')}{mark}")
        if cells:
            lines.append("  ".join(cells))
    return "\n".join(lines)


def _indent(text: str) -> list[str]:
    return [INDENT + line if line else "" for line in text.split("\n")]


def _file_name(call: ApiCall, default: str) -> str:
    for key, value in call.files.items():
        if key.endswith(":filename"):
            return value.decode(errors="replace")
    result = call.result if isinstance(call.result, dict) else {}
    return str((result.get("document") or {}).get("file_name") or default)


def _message_id(call: ApiCall) -> str:
    if isinstance(call.result, dict) and "message_id" in call.result:
        return str(call.result["message_id"])
    return str(call.params.get("message_id", "?"))


def render_call(call: ApiCall, where: str, tty: bool = False) -> str | None:
    """One Bot API call as the people in the chat would notice it, or None if they would not.

    ``where`` labels the chat (``grup``, ``pribadi Budi``); button numbers start at 1 per message.
    """
    method = call.method
    head = f"[{where}]"
    if call.error is not None:
        return f"{head} ⚠ {method} failed: {call.error}"
    if method in SILENT_METHODS:
        return None
    body: list[str] = []
    text = html_to_terminal(call.text, tty) if call.params.get("parse_mode") == "HTML" else call.text
    rows = keyboard_rows(call.params.get("reply_markup"))
    if method == "sendMessage":
        lines = [f"{head} #{_message_id(call)}"]
    elif method in ("sendDocument", "sendPhoto"):
        default = "photo" if method == "sendPhoto" else "document"
        lines = [f"{head} #{_message_id(call)} 📎 {_file_name(call, default)}"]
    elif method in ("editMessageText", "editMessageCaption"):
        lines = [f"{head} ✎ (edited message #{_message_id(call)})"]
    elif method == "editMessageReplyMarkup":
        lines = [f"{head} ✎ (edited buttons of message #{_message_id(call)})"]
        if not rows:
            body.append("(buttons removed)")
    elif method == "pinChatMessage":
        return f"{head} 📌 pinned #{call.params.get('message_id', '?')}"
    elif method == "unpinChatMessage":
        return f"{head} 📌 unpinned #{call.params.get('message_id', 'latest')}"
    elif method == "unpinAllChatMessages":
        return f"{head} 📌 unpinned all messages"
    elif method == "deleteMessage":
        return f"{head} 🗑 deleted #{call.params.get('message_id', '?')}"
    elif method == "answerCallbackQuery":
        if not call.params.get("text"):
            return None
        kind = "alert" if call.params.get("show_alert") else "popup"
        return f"{head} 💬 ({kind}) {call.params['text']}"
    else:
        return f"{head} ({method})"
    if text:
        body.insert(0, text)
    if rows:
        body.append(render_keyboard(rows))
    for part in body:
        lines.extend(_indent(part))
    return "\n".join(lines)


def dim(text: str, tty: bool) -> str:
    """Demo chrome (notes, echoes) faint on a terminal, plain otherwise."""
    return f"{DIM}{text}{DIM_END}" if tty else text


__all__ = ["flat_buttons", "html_to_terminal", "keyboard_rows", "render_call", "render_keyboard"]
