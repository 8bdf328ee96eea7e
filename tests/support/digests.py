"""Digest helpers: the digests a chat received."""

from __future__ import annotations

from collections.abc import Sequence

from bot.devtools.fakeapi import ApiCall


def digests(calls: Sequence[ApiCall], chat_id: int, word: str = "Ringkasan harian") -> list[ApiCall]:
    return [
        c for c in calls if c.method == "sendMessage" and c.error is None and c.chat_id == chat_id and word in c.text
    ]
