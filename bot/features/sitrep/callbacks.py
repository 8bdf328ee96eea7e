"""The situation summary's button family (bot/kernel/callbacks.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.callbacks import Callback


@dataclass(frozen=True)
class CalcButton(Callback, prefix="hc"):
    """/hitung's "turn into needs": ``hc:<people>:<days>:<region code>``."""

    people: int
    days: int
    region: str
