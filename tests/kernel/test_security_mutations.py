"""Four security mutations survived the suite (issue 12, part 5); each test here kills one of them.

Each was checked by applying the mutation by hand, watching the test fail, and reverting:

1. an unescaped holder name in ``/cari`` (``views/stock.search_reply``: ``esc(holder.org_name)`` → the raw name);
2. the cross-cluster check of ``/start bantu_`` removed (``handlers/needs.deeplink_help``: the
   ``need.cluster_id != actor.cluster.id`` condition);
3. pledging another organisation's stock line (``services/stock.pledge_from_stock``: the
   ``line.organization_id != org_id`` condition);
4. a 3-character handover code (``services/members.HANDOVER_CODE_LENGTH = 3``).
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.devtools.harness import Harness
from bot.devtools.sim import SimUser
from tests.support.db import q
from tests.support.people import ADMIN, GROUP_ID, MEMBER, OTHER
from tests.support.world import member

DONOR = SimUser(1005, "Joko", None, "joko_mdmc")
BOSS = SimUser(1051, "Wati", None, "wati_banjar")
FOREIGN = SimUser(1052, "Asep", None, "asep_banjar")
GROUP2 = -100_222_333


def rejected(h: Harness) -> list[str]:
    return [f"{c.method}: {c.error}" for c in h.api.calls if c.error and "not modified" not in c.error]


async def test_cari_escapes_a_holders_name(h: Harness) -> None:
    """Mutation 1: an organisation named with HTML would break (or inject into) every /cari answer."""
    await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
    await member(h, MEMBER, "Toko <b>Maju</b> & <i>Jaya | TMJ</i> | usaha | Bjm | Pemilik")
    await member(h, OTHER, "Dinas Sosial Provinsi | Dinsos | opd | Bjb | Kabid")
    await h.sim.send(MEMBER, GROUP_ID, "/tawar 100 kg beras Banjarmasin")  # /cari names the holders of offers
    h.api.clear()
    calls = await h.sim.send(OTHER, GROUP_ID, "/cari beras")
    assert rejected(h) == []  # the stand-in rejects broken HTML exactly like Telegram
    text = next(c.text for c in calls if c.chat_id == GROUP_ID and c.method == "sendMessage")
    assert "Toko &lt;b&gt;Maju&lt;/b&gt; &amp; &lt;i&gt;Jaya" in text or "TMJ&lt;/i&gt;" in text, text
    assert "<b>Maju</b>" not in text and "<i>" not in text


async def test_pledge_link_of_another_clusters_need_opens_nothing(h: Harness, db_path: Path) -> None:
    """Mutation 2: a representative of another cluster opened a pledge dialog on this cluster's need."""
    await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
    await member(h, MEMBER, "Palang Merah Indonesia Kalsel | PMI Kalsel | ngo | Bjm | Kepala Gudang")
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 100 lembar terpal HSS")
    need = q(db_path, "SELECT MAX(id) FROM needs")[0][0]
    h.api.add_chat(GROUP2, "supergroup", "Klaster Kabupaten Banjar")
    h.api.set_bot_rights(GROUP2)
    h.api.set_member(GROUP2, BOSS.json(), "creator")
    h.api.set_member(GROUP2, FOREIGN.json(), "member")
    await h.sim.send(BOSS, GROUP2, "/pasang Klaster Kabupaten Banjar")
    await h.sim.send(FOREIGN, text="/start daftar_2")
    await h.sim.send(FOREIGN, text="/daftar Badan SAR Banjar | Basarnas | basarnas | Kab Banjar | Kepala Seksi")
    await h.sim.press(BOSS, h.api.last(GROUP2), text="✅ Setujui")
    assert q(db_path, "SELECT status FROM members WHERE user_id = ?", FOREIGN.id) == [("active",)]
    calls = await h.sim.send(FOREIGN, text=f"/start bantu_{need}")
    said = " ".join(c.text for c in calls)
    assert "tidak berlaku" in said and "erpal" not in said and "K-0001" not in said, said
    assert q(db_path, "SELECT COUNT(*) FROM dialogs WHERE user_id = ?", FOREIGN.id) == [(0,)]
    await h.sim.send(FOREIGN, text="10")
    assert q(db_path, "SELECT COUNT(*) FROM pledges") == [(0,)]


async def test_nobody_pledges_another_organisations_stock_line(h: Harness, db_path: Path) -> None:
    """Mutation 3: a forged ``sp:<need>:<line>`` pledged PMI's warehouse stock in another organisation's name."""
    await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
    await member(h, MEMBER, "Palang Merah Indonesia Kalsel | PMI Kalsel | ngo | Bjm | Kepala Gudang")
    await member(h, OTHER, "Dinas Sosial Provinsi | Dinsos | opd | Bjb | Kabid")
    await member(h, DONOR, "Muhammadiyah Disaster Management Center | MDMC | ngo | Bjm | Koordinator")
    await h.sim.send(MEMBER, text="/stok beras 1 ton gudang PMI Bjm")
    await h.sim.send(OTHER, GROUP_ID, "/butuh 300 kg beras Bjm")
    notice = h.api.last(MEMBER.id)
    data = next(b["callback_data"] for row in notice.buttons for b in row if b["callback_data"].startswith("sp:"))
    calls = await h.sim.press(DONOR, h.api.last(DONOR.id), data=data)
    answer = " ".join(str(c.params.get("text", "")) for c in calls if c.method == "answerCallbackQuery")
    assert answer, "the forged button was not answered"
    assert q(db_path, "SELECT COUNT(*) FROM pledges") == [(0,)]
    assert q(db_path, "SELECT COUNT(*) FROM stock_pledges") == [(0,)]
    calls = await h.sim.press(MEMBER, notice, data=data)  # the line's own organisation can
    assert q(db_path, "SELECT COUNT(*) FROM pledges") == [(1,)]


async def test_handover_code_is_at_least_eight_unambiguous_characters(h: Harness) -> None:
    """Mutation 4: a 3-character code is guessed in a few thousand tries."""
    await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
    await member(h, MEMBER, "Palang Merah Indonesia Kalsel | PMI Kalsel | ngo | Bjm | Kepala Gudang")
    calls = await h.sim.send(MEMBER, text="/serahterima")
    found = re.search(r"<code>ST-([A-Z0-9]+)</code>", calls[-1].text)
    assert found, calls[-1].text
    assert len(found.group(1)) >= 8 and not set(found.group(1)) & set("0O1IL")
