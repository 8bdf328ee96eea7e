"""A cluster with members: set up through the real Application as a secretariat and its members would."""

from __future__ import annotations

from bot.devtools.fakeapi import FakeBotApi
from bot.devtools.harness import Harness
from bot.devtools.sim import SimUser
from bot.kernel.clock import FakeClock
from tests.support.people import ADMIN, DONOR, GROUP_ID, MEMBER, OTHER


async def member(h: Harness, user: SimUser, line: str) -> None:
    """``user`` registers with ``/daftar line`` and the secretariat approves the card."""
    await h.sim.send(user, text="/daftar " + line)
    card = h.api.last(GROUP_ID)
    await h.sim.press(ADMIN, card, text="✅ Setujui")


async def cluster_with_members(h: Harness) -> None:
    """The cluster with three approved members: PMI (MEMBER), Dinsos (OTHER), Bulog (DONOR)."""
    await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
    await member(h, MEMBER, "Palang Merah Indonesia Kalsel | PMI Kalsel | ngo | Bjm | Kepala Gudang")
    await member(h, OTHER, "Dinas Sosial Provinsi | Dinsos | opd | Bjb | Kabid")
    await member(h, DONOR, "Perum Bulog Kanwil Kalsel | Bulog | bumn | Bjm | Manajer")


async def cluster_with_two_members(h: Harness) -> None:
    """The cluster with two approved members: PMI (MEMBER) and Dinsos (OTHER)."""
    await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
    await member(h, MEMBER, "Palang Merah Indonesia Kalsel | PMI Kalsel | ngo | Bjm | Kepala Gudang")
    await member(h, OTHER, "Dinas Sosial Provinsi | Dinsos | opd | Bjb | Kabid")


async def setup_cluster(h: Harness) -> None:
    """The cluster alone, no member yet."""
    calls = await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
    assert "Klaster Logistik Kalsel" in calls[-1].text


async def register_one_line(h: Harness, user: SimUser, line: str) -> None:
    await h.sim.send(user, text="/daftar " + line)


async def approve_last(h: Harness) -> None:
    """The secretariat approves the last registration card in the group."""
    card = h.api.last(GROUP_ID)
    assert "Setujui" in " ".join(card.button_texts())
    await h.sim.press(ADMIN, card, text="✅ Setujui")


def group_api(clock: FakeClock, kind: str = "supergroup") -> FakeBotApi:
    """The stand-in on ``clock`` with the cluster's group (the bot with its rights, the secretariat its creator)."""
    api = FakeBotApi(clock=clock.timestamp)
    api.add_chat(GROUP_ID, kind, "Klaster Logistik Kalsel")
    api.set_bot_rights(GROUP_ID)
    api.set_member(GROUP_ID, ADMIN.json(), "creator")
    return api
