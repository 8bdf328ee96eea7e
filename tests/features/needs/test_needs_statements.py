"""Issue #17: SQL statements per update on the database connections for /butuh with a matching offer and for a
pledge's presses, through the real Application (counts, not timings). SQLite only (the trace callback)."""

from __future__ import annotations

import pytest

from bot.devtools.harness import Harness
from tests.support.people import DONOR, GROUP_ID, MEMBER, OTHER
from tests.support.sqlcount import counting, settle
from tests.support.world import cluster_with_members

pytestmark = pytest.mark.sqlite_only

# Each figure is the whole update: the pre-handler's read, the use case's transaction (claim, bookkeeping, its
# outbox rows), and the delivery's records (written by the simulator's flush right after the update).
BUTUH_WITH_MATCH = 45
PLEDGE_PRESS = 39
PLEDGE_SENT = 43


async def test_butuh_with_a_matching_offer_reads_nothing_twice(h: Harness) -> None:
    await cluster_with_members(h)
    await h.sim.send(DONOR, text="/tawar 100 buah genset Banjarmasin")
    await settle(h.runtime.db)
    async with counting(h.runtime.db) as seen:
        calls = await h.sim.send(MEMBER, text="/butuh 20 buah genset HSS")
    assert any("T-0001" in c.text for c in calls if c.chat_id == GROUP_ID)  # the card with its match
    assert seen.total <= BUTUH_WITH_MATCH, str(seen)


async def test_pledge_press_and_its_stage_read_nothing_twice(h: Harness) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 paket sembako HSS")
    ask = (await h.sim.send(OTHER, text="/start bantu_1"))[-1]
    await settle(h.runtime.db)
    async with counting(h.runtime.db) as seen:
        calls = await h.sim.press(OTHER, ask, text=ask.button_texts()[0])
    saved = next(c for c in calls if c.chat_id == OTHER.id)
    assert seen.total <= PLEDGE_PRESS, str(seen)
    await settle(h.runtime.db)
    async with counting(h.runtime.db) as seen:
        await h.sim.press(OTHER, saved, text="📦 Dikirim")
    assert seen.total <= PLEDGE_SENT, str(seen)
