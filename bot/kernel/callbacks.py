"""Button codecs: one class per button family builds its callback data, parses it back and gives the handler its
pattern (as aiogram's ``CallbackData`` factories do), so no handler splits strings or repeats the stale answer.

    @dataclass(frozen=True)
    class PledgeButton(Callback, prefix="pg"):
        action: str
        pledge_id: int

    PledgeButton("sent", 12).pack()            # "pg:sent:12"
    PledgeButton.unpack("pg:sent:12")          # PledgeButton(action="sent", pledge_id=12)
    PledgeButton.unpack("pg:sent:x")           # None: a forged or stale button
    app.add_handler(PledgeButton.handler(on_pledge))   # on_pledge(update, context, button)

A prefix may name a sub-family under a shared one (``prefix="ag:r"`` packs ``ag:r:12:y``); its pattern ends at a
``:`` or the end, so ``ag:f`` never matches ``ag:fs:…``. Fields are ``int`` (ASCII digits, at most 18: what SQLite holds) or ``str`` (no ``:``); the last ``str`` field may
take the rest of the data (``rest=True``). Telegram allows 64 bytes of callback data: ``pack`` refuses more.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, TypeVar, get_type_hints

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.kernel.context import BotContext
from bot.kernel.telegram import parse_id

C = TypeVar("C", bound="Callback")
MAX_CALLBACK_BYTES = 64  # Telegram's limit for callback_data
_FIELDS: dict[type, tuple[tuple[str, type], ...]] = {}  # each codec's (name, type) fields, resolved on first use


class Callback:
    """Base of a button family's codec; subclasses are frozen dataclasses with ``prefix=`` in the class line."""

    prefix: ClassVar[str]
    rest: ClassVar[bool] = False  # the last str field takes everything after its separator (may contain ':')

    def __init_subclass__(cls, prefix: str = "", rest: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if prefix:
            if not all(part and part.isascii() for part in prefix.split(":")):
                raise ValueError(f"bad callback prefix {prefix!r}")
            cls.prefix = prefix
            cls.rest = rest

    @classmethod
    def _fields(cls) -> tuple[tuple[str, type], ...]:
        # Resolved once per class: get_type_hints evaluates the string annotations each call (it was 30 % of the
        # database thread's time for /butuh, whose card packs five buttons).
        found = _FIELDS.get(cls)
        if found is None:
            hints = get_type_hints(cls)
            found = _FIELDS[cls] = tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))  # type: ignore[arg-type]
        return found

    def pack(self) -> str:
        parts = [self.prefix]
        fields = self._fields()
        for index, (name, kind) in enumerate(fields):
            value = getattr(self, name)
            text = str(int(value)) if kind is int else str(value)
            last = index == len(fields) - 1
            if ":" in text and not (self.rest and last):
                raise ValueError(f"{type(self).__name__}.{name} may not contain ':'")
            parts.append(text)
        data = ":".join(parts)
        if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def unpack(cls: type[C], data: str | None) -> C | None:
        """The button, or None for data of another family, a forged value or an old layout."""
        if not data or (not data.startswith(cls.prefix + ":") and data != cls.prefix):
            return None
        fields = cls._fields()
        body = data[len(cls.prefix) + 1 :]
        raw = body.split(":", len(fields) - 1) if cls.rest and fields else body.split(":")
        if not fields:
            return cls() if data == cls.prefix else None
        if len(raw) != len(fields):
            return None
        values: dict[str, Any] = {}
        for (name, kind), text in zip(fields, raw, strict=True):
            if kind is int:
                number = parse_id(text)
                if number is None:
                    return None
                values[name] = number
            else:
                values[name] = text
        return cls(**values)

    @classmethod
    def pattern(cls) -> str:
        return f"^{re.escape(cls.prefix)}(:|$)"

    @classmethod
    def handler(
        cls: type[C], callback: Callable[[Update, BotContext, C], Awaitable[None]]
    ) -> CallbackQueryHandler[Any, Any]:
        """A CallbackQueryHandler for the family: it parses the data, answers a stale or forged press itself, and
        calls ``callback(update, context, button)`` with the parsed button."""

        async def on_press(update: Update, context: BotContext) -> None:
            query = update.callback_query
            if query is None:
                return
            button = cls.unpack(query.data)
            if button is None or query.message is None:
                await stale(update, context)
                return
            await callback(update, context, button)

        return CallbackQueryHandler(on_press, pattern=cls.pattern())


async def stale(update: Update, context: BotContext) -> None:
    """The one answer to a button that no longer means anything (old layout, deleted object, forged data)."""
    query = update.callback_query
    if query is not None:
        await query.answer(stale_text(context), show_alert=False)


def stale_text(context: BotContext) -> str:
    return context.t.gettext("This button is no longer valid.")
