"""Issue #14 part 3: one answer to "who has X" — /cari searches the published stock table, the capacity register
and open offers at once, finds related catalogue items, names the asker's own holdings and pages long answers."""

from __future__ import annotations

from bot.devtools.harness import Harness
from tests.support.buttons import data_of
from tests.support.people import DONOR_MDMC as DONOR
from tests.support.people import GROUP_ID, MEMBER, OTHER, SAR
from tests.support.stock import cluster, group_text

NOBODY = "Belum ada anggota"


async def boats(h: Harness) -> None:
    """PMI holds 3 rubber boats, BASARNAS lists 6 in the capacity register, MDMC offers 2."""
    await cluster(h, MEMBER, OTHER, DONOR, SAR)
    await h.sim.send(MEMBER, text="/stok perahu karet 3 unit HSS")
    await h.sim.send(SAR, text="/kapasitas kendaraan perahu karet 6 HSS")
    await h.sim.send(DONOR, GROUP_ID, "/tawar 2 unit perahu karet HSS")


async def test_cari_is_one_search_over_stock_capacity_and_offers(h: Harness) -> None:
    await boats(h)
    text = await group_text(h, OTHER, "/cari perahu karet HSS")
    assert NOBODY not in text
    assert "Daftar kapasitas: BASARNAS: 6 · perahu karet · Kab. Hulu Sungai Selatan" in text
    assert "Tawaran terbuka T-0001: MDMC: 2 unit Perahu karet · Kab. Hulu Sungai Selatan" in text
    # PMI's stock: one holder, so its figure is not shown, but its existence is
    assert "Perahu karet: 1 organisasi memilikinya" in text and "3 unit" not in text


async def test_cari_perahu_finds_perahu_karet(h: Harness) -> None:
    await boats(h)
    text = await group_text(h, OTHER, "/cari perahu")
    assert NOBODY not in text
    assert "Perahu karet: 1 organisasi memilikinya" in text
    assert "BASARNAS" in text and "T-0001" in text


async def test_cari_names_the_askers_own_holdings(h: Harness) -> None:
    await boats(h)
    calls = await h.sim.send(MEMBER, text="/cari perahu karet")
    text = calls[-1].text
    assert NOBODY not in text
    assert "Stok Anda (tidak ditampilkan ke pihak lain): Perahu karet 3 unit · Kab. Hulu Sungai Selatan" in text
    # in the group the same answer for everyone, the own figures only pointed to
    text = await group_text(h, MEMBER, "/cari perahu karet")
    assert "Stok Anda sendiri: /stok saya" in text and "3 unit" not in text
    # the only holder is the asker itself and nothing else matches: still not "nobody"
    await h.sim.send(MEMBER, text="/stok tandu 4 unit HSS")
    calls = await h.sim.send(MEMBER, text="/cari tandu")
    assert NOBODY not in calls[-1].text and "Stok Anda" in calls[-1].text and "Tandu 4 unit" in calls[-1].text


async def test_cari_long_answer_is_paginated(h: Harness) -> None:
    await cluster(h, MEMBER, OTHER, DONOR, SAR)
    places = ["Bjm", "Bjb", "HSS", "HST", "HSU", "Tala", "Tapin", "Balangan", "Tabalong", "Kotabaru", "Batola",
              "Kab Banjar", "Tanah Bumbu"]  # fmt: skip
    for place in places:
        await h.sim.send(DONOR, GROUP_ID, f"/tawar 10 lembar terpal {place}")
    before = len(h.api.calls)
    await h.sim.send(OTHER, GROUP_ID, "/cari terpal")
    answers = [c for c in h.api.calls[before:] if c.chat_id == GROUP_ID and c.method == "sendMessage"]
    assert len(answers) == 1  # one message, not one per holder
    first = answers[0]
    assert first.text.count("Tawaran terbuka") == 12 and "… 1 lagi: ketuk “Lagi”." in first.text
    calls = await h.sim.press(MEMBER, first, data=data_of(first, "➕ Lagi"))
    page = [c for c in calls if c.method == "sendMessage"][-1]
    assert "(halaman 2 dari 2)" in page.text and page.text.count("Tawaran terbuka") == 1
    assert not page.buttons
