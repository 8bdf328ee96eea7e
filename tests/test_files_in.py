"""Files and text in (issue 12 part 4, issue 15 part 5), through the real Application: control and bidi-override
characters replaced at input, hostile uploads parsed off the event loop within time and memory, size / row / cell
limits, at most 20 row errors reported, malformed XLSX answered as such."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.devtools.harness import Harness
from bot.devtools.sim import SimUser
from bot.domain.text import clean_name, clean_text, has_controls
from tests.conftest import ADMIN, GROUP_ID, MEMBER

SNEAKY = SimUser(1077, "Bu\u202edi\x07", "San\x0btoso", "sneaky")


def q(db_path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_clean_text_keeps_lengths_newlines_tabs_and_emoji() -> None:
    text = "a\x00b\x0bc\u202ed\u2066e\r\nf\tg👨\u200d👩 h\u2028i"
    cleaned = clean_text(text)
    assert not has_controls(cleaned)
    assert cleaned == "a b c d e \nf\tg👨\u200d👩 h\ni"
    assert len(cleaned.encode("utf-16-le")) == len(text.encode("utf-16-le"))  # entity offsets stay right
    assert clean_name(" PMI\x0b\u202eKalsel \n") == "PMI Kalsel"


async def test_control_and_bidi_characters_are_replaced_at_input(h: Harness, db_path: Path) -> None:
    """One \\x0b in a pending registration's name made /ekspor fail for the whole cluster (openpyxl)."""
    h.api.set_member(GROUP_ID, SNEAKY.json(), "member")
    await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster\x0b Logistik Kalsel")
    await h.sim.send(MEMBER, text="/daftar Palang\x0b Merah\u202e Indonesia | PMI\x00 | ngo | Bjm | Kepala\x1b Gudang")
    await h.sim.send(SNEAKY, text="/daftar Yayasan\u2067 Uji\x7f | YU | ngo | Bjm | Staf\x85")
    names = q(db_path, "SELECT name, short_name FROM organizations ORDER BY id")
    assert names == [("Palang Merah Indonesia", "PMI"), ("Yayasan Uji", "YU")]
    assert q(db_path, "SELECT title FROM members ORDER BY id") == [("Kepala Gudang",), ("Staf",)]
    assert q(db_path, "SELECT name FROM clusters") == [("Klaster Logistik Kalsel",)]
    stored = q(db_path, "SELECT first_name, last_name FROM users WHERE user_id = ?", SNEAKY.id)
    assert stored and not any(has_controls(str(v)) for v in stored[0])
    calls = await h.sim.send(MEMBER, GROUP_ID, "/butuh 100 lembar terpal\x08 HSS\u202e")
    assert all(not has_controls(c.text) for c in calls)
    h.api.clear()
    calls = await h.sim.send(ADMIN, text="/ekspor")
    assert [c for c in calls if c.method == "sendDocument" and c.error is None], [c.text for c in calls]
    assert not any("terjadi kesalahan" in c.text.lower() for c in calls)
