"""Issue #14 part 2 leftovers for needs and offers, through the real Application: several items in one /tawar
line, and a note written without a colon ("catatan untuk posko …")."""

from __future__ import annotations

from pathlib import Path

from bot.devtools.harness import Harness
from tests.support.db import q
from tests.support.people import DONOR, GROUP_ID, MEMBER
from tests.support.world import cluster_with_members


async def test_tawar_with_several_items_posts_one_offer_per_item_and_one_answer(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(DONOR, text="/tawar 100 terpal + 50 selimut HSS")
    rows = q(db_path, "SELECT item_key, quantity, region_code, conditions FROM offers ORDER BY id")
    # no quantity hidden in the conditions: the blankets are an offer of their own
    assert rows == [("terpal", 100.0, "63.06", ""), ("selimut", 50.0, "63.06", "")]
    cards = [c for c in calls if c.chat_id == GROUP_ID and c.method == "sendMessage" and "T-000" in c.text]
    assert len(cards) == 2
    answers = [c for c in calls if c.chat_id == DONOR.id]
    assert len(answers) == 1 and "Tersimpan: 2 tawaran dari satu pesan" in answers[0].text
    assert "T-0001, T-0002" in answers[0].text
    # one part that cannot be understood: nothing is saved
    calls = await h.sim.send(DONOR, text="/tawar 5 unit genset + 0 selimut HSS")
    assert "Tidak ada yang disimpan" in calls[-1].text
    assert q(db_path, "SELECT COUNT(*) FROM offers") == [(2,)]


async def test_note_written_without_a_colon_is_the_note(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(MEMBER, GROUP_ID, "/butuh 20 terpal HSS catatan untuk posko Kandangan")
    assert not any("Tidak saya pahami" in c.text for c in calls)
    assert q(db_path, "SELECT item_key, quantity, note FROM needs") == [("terpal", 20.0, "untuk posko Kandangan")]
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 30 lembar selimut HSU ket antar sore")
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 10 dus air mineral HST keterangan lewat jalur sungai")
    assert q(db_path, "SELECT note FROM needs WHERE number > 1 ORDER BY number") == [
        ("antar sore",), ("lewat jalur sungai",)
    ]
    # "paket" contains "ket": not a note mark
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 40 paket sembako Balangan")
    assert q(db_path, "SELECT item_key, note FROM needs WHERE number = 4") == [("sembako", "")]
    # the same for an offer's conditions
    await h.sim.send(DONOR, text="/tawar 60 lembar terpal Bjm catatan ambil sendiri di gudang")
    assert q(db_path, "SELECT conditions FROM offers") == [("ambil sendiri di gudang",)]
