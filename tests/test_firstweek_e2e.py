"""Issue #14 parts 2 and 4 and issue #13 part 3 through the real Application: the way officers write,
acting where people are, the double-post guard; and the flood guard's wording (part 1)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.devtools.harness import Harness
from bot.devtools.sim import SimUser
from tests.conftest import ADMIN, GROUP_ID, MEMBER, OTHER

DONOR = SimUser(1005, "Joko", None, "joko_bulog")


def q(db_path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


async def test_flood_note_says_the_message_was_not_processed(h: Harness) -> None:
    replies = []
    for _ in range(22):
        calls = await h.sim.send(MEMBER, text="/start")
        replies += [c.text for c in calls if c.method == "sendMessage"]
    assert "tidak saya proses" in replies[-1] and "kirim lagi" in replies[-1]
    assert "akan menjawab" not in replies[-1]  # no promise of an answer that never comes
