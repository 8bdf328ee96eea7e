"""Export scenario helpers: a cluster with reporting data, the files a chat received."""

from __future__ import annotations

from bot.devtools.fakeapi import ApiCall
from bot.devtools.harness import Harness
from tests.support.people import ADMIN, DONOR, GROUP_ID, MEMBER, OTHER
from tests.support.world import cluster_with_members


async def reporting_data(h: Harness, stock_public_for_all: bool = False) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 paket sembako HSS mendesak untuk 120 KK besok")
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 2 ton beras Kab Banjar untuk 300 jiwa")
    await h.sim.send(DONOR, text="/tawar 2 ton beras Banjarmasin sampai 30/9")
    await h.sim.send(OTHER, text="/start bantu_1")
    await h.sim.send(OTHER, text="200")
    await h.sim.send(OTHER, text="/stok\nberas 2.500 kg gudang Banjarbaru\nterpal 300 lembar HSS\n"
                                 "susu 10 dus Bjm kadaluarsa 12/2026\ngula 1,5 ton Tala\nair mineral 1.200 liter Bjb")  # fmt: skip
    await h.sim.send(MEMBER, text="/stok\nselimut 77 lembar Bjm\nberas 990 kg Bjm")
    if not stock_public_for_all:
        await h.sim.send(MEMBER, text="/stok sekretariat tidak")  # Dinsos keeps the default (allowed)
    await h.sim.send(ADMIN, GROUP_ID, "/ringkasan stok")  # this period's published table


def documents(calls: list[ApiCall], chat_id: int) -> dict[str, bytes]:
    """The files sent to ``chat_id``, by file name."""
    return {
        c.files["document:filename"].decode(): c.files["document"]
        for c in calls
        if c.method == "sendDocument" and c.error is None and c.chat_id == chat_id
    }
