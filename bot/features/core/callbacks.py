"""The core feature's button family (bot/kernel/callbacks.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.callbacks import Callback


@dataclass(frozen=True)
class LanguageButton(Callback, prefix="lang"):
    """/bahasa: ``lang:<code>``."""

    code: str
