"""The stock privacy scenarios (issue #12): five organisations, the hourly publication, reading figures back."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.devtools.harness import Harness
from bot.devtools.sim import SimUser
from bot.kernel import scheduling
from tests.support.people import ADMIN, DONOR_MDMC, FIFTH, GROUP_ID, MEMBER, OTHER, SAR
from tests.support.world import member

ORGS = {
    MEMBER: "Palang Merah Indonesia Kalsel | PMI Kalsel | ngo | Bjm | Kepala Gudang",
    OTHER: "Dinas Sosial Provinsi | Dinsos | opd | Bjb | Kabid",
    DONOR_MDMC: "Muhammadiyah Disaster Management Center | MDMC | ngo | Bjm | Koordinator",
    SAR: "Basarnas Banjarmasin | BASARNAS | basarnas | Bjm | Kepala Seksi",
    FIFTH: "Badan Meteorologi Klimatologi Geofisika | BMKG | bmkg | Bjb | Staf",
}
HOUR = timedelta(hours=1)


async def cluster(h: Harness, *users: SimUser) -> None:
    """The cluster with ``users`` approved, each as the organisation ``ORGS`` gives it."""
    await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
    for user in users:
        await member(h, user, ORGS[user])


async def later(h: Harness, by: timedelta = 2 * HOUR) -> None:
    """Time passes and the scheduler runs what fell due (the hourly publication among it)."""
    h.clock.advance(by)
    await scheduling.run_due(h.app)


def number(text: str) -> float:
    """An Indonesian figure as the bot prints it: 3.700 or 0,6."""
    return float(text.replace(".", "").replace(",", "."))


def category_figure(text: str, label: str, unit: str) -> float | None:
    found = re.search(rf"• {label}: (?:sekurang-kurangnya )?([\d.,]+) {unit}", text)
    return number(found.group(1)) if found else None


def region_figures(text: str, label: str, unit: str) -> list[float]:
    return [number(m) for line in text.splitlines() if line.startswith("📍")
            for m in re.findall(rf"{label} ([\d.,]+) {unit}", line)]  # fmt: skip


async def group_text(h: Harness, user: SimUser, command: str) -> str:
    """The text of everything the bot sent to the group in answer to ``command``."""
    calls = await h.sim.send(user, GROUP_ID, command)
    return "\n".join(c.text for c in calls if c.chat_id == GROUP_ID and c.text)
