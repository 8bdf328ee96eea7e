"""Hostile and odd input at every registered command and at the guided steps: the bot never crashes,
never sends a message Telegram would reject (over 4096 characters, broken HTML), and stores nothing invalid."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.devtools.harness import Harness
from bot.devtools.sim import SimUser
from tests.support.inputs import NASTY
from tests.support.people import GROUP_ID, MEMBER
from tests.support.world import cluster_with_members

STRANGER = SimUser(4040, "Orang <b>Asing</b>", None, None)
texts = st.one_of(st.sampled_from(NASTY), st.text(max_size=300))


def _errors(h: Harness) -> list[str]:
    return [f"{c.method}: {c.error}" for c in h.api.calls if c.error and "retry" not in c.error.lower()
            and "blocked" not in c.error.lower()]  # fmt: skip


def _invariants(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT COUNT(*) FROM needs WHERE quantity <= 0 OR quantity > 1e9").fetchone() == (0,)
        assert conn.execute("SELECT COUNT(*) FROM offers WHERE quantity <= 0 OR quantity > 1e9").fetchone() == (0,)
        assert conn.execute("SELECT COUNT(*) FROM pledges WHERE quantity <= 0").fetchone() == (0,)
    finally:
        conn.close()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts)
async def test_every_command_survives_odd_arguments(h: Harness, db_path: Path, text: str) -> None:
    if not h.api.pins.get(-1) and not sqlite3.connect(db_path).execute("SELECT COUNT(*) FROM clusters").fetchone()[0]:
        await cluster_with_members(h)
    names = sorted({spec.name for spec in h.runtime.commands})
    for name in names:
        for user, chat in ((MEMBER, None), (MEMBER, GROUP_ID), (STRANGER, None)):
            h.clock.advance(timedelta(seconds=1))  # a person's pace, below the flood guard
            calls = await h.sim.send(user, chat, f"/{name} {text}")
            sent = [c for c in calls if c.method in ("sendMessage", "editMessageText", "sendDocument")]
            assert not any("terjadi kesalahan" in c.text for c in sent), (name, text, [c.text for c in sent])
    assert _errors(h) == []
    _invariants(db_path)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts)
async def test_guided_steps_survive_odd_answers(h: Harness, db_path: Path, text: str) -> None:
    if not sqlite3.connect(db_path).execute("SELECT COUNT(*) FROM clusters").fetchone()[0]:
        await cluster_with_members(h)
    for opener in ("/butuh", "/tawar", "/stok lapor", "/daftar"):
        await h.sim.send(MEMBER, text="/batal")
        await h.sim.send(MEMBER, text=opener)
        for _ in range(3):
            h.clock.advance(timedelta(seconds=1))
            if not text.strip() or text.startswith("/"):
                break
            calls = await h.sim.send(MEMBER, text=text)
            assert any(c.method == "sendMessage" for c in calls), (opener, text)
            assert not any("terjadi kesalahan" in c.text for c in calls)
    await h.sim.send(MEMBER, text="/batal")
    assert _errors(h) == []
    _invariants(db_path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.text(min_size=1, max_size=64), st.sampled_from([
    "nd:done:999999", "pl:q:1:1e308", "pl:q:1:nan", "pg:recv:1", "appr:1:y", "ho:1:y", "dir:-1", "nl:,,,,,:9",
    "reg:join:1", "nf:ok", "lang:xx", "hc:1:1:63.06", "hc:9999999:1:63.06"])))  # fmt: skip
async def test_forged_callbacks_change_nothing(h: Harness, db_path: Path, data: str) -> None:
    if not sqlite3.connect(db_path).execute("SELECT COUNT(*) FROM clusters").fetchone()[0]:
        await cluster_with_members(h)
        await h.sim.send(MEMBER, GROUP_ID, "/butuh 10 buah genset HSS")
    conn = sqlite3.connect(db_path)
    before = [conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("needs", "pledges", "members")]
    card = h.api.last(GROUP_ID)
    h.clock.advance(timedelta(seconds=1))
    calls = await h.sim.press(STRANGER, card, data=data)
    assert any(c.method == "answerCallbackQuery" for c in calls), data
    after = [conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("needs", "pledges", "members")]
    conn.close()
    assert before == after, data
    assert _errors(h) == []
