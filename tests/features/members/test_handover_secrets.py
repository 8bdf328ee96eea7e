"""Handover codes are secrets (issue 12, part 3), through the real Application.

Shown only in a private chat; single use; valid 24 hours (said, with the expiry in the cluster's zone); revoked by
any later handover of the organisation; 8 characters from an alphabet without 0/O/1/I/L; at most 5 codes that do
not work per user and hour; every completed handover is announced to the outgoing representative and the
secretariat.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from bot.devtools.harness import Harness
from bot.devtools.sim import SimUser
from bot.features.members import service as members_svc
from tests.support.db import q
from tests.support.people import ADMIN, COLLEAGUE, GROUP_ID, MEMBER, OTHER
from tests.support.world import approve_last, register_one_line, setup_cluster

CODE_RE = re.compile(r"<code>(ST-[A-Z0-9]+)</code>")
INTRUDER = SimUser(1009, "Eko", None, "eko_iseng")


async def _pmi(h: Harness) -> None:
    await setup_cluster(h)
    await register_one_line(h, MEMBER, "Palang Merah Indonesia Kalsel | PMI Kalsel | ngo | Bjm | Kepala Gudang")
    await approve_last(h)


async def _code(h: Harness) -> str:
    calls = await h.sim.send(MEMBER, text="/serahterima")
    found = CODE_RE.search(calls[-1].text)
    assert found, calls[-1].text
    return found.group(1)


def _active_reps(db_path: Path) -> list[tuple[object, ...]]:
    return q(db_path, "SELECT user_id FROM members WHERE status = 'active' AND organization_id = 1 ORDER BY user_id")


async def test_code_requested_in_the_group_is_sent_privately_never_posted_there(h: Harness) -> None:
    await _pmi(h)
    h.api.clear()
    calls = await h.sim.send(MEMBER, GROUP_ID, "/serahterima")
    in_group = [c.text for c in calls if c.method == "sendMessage" and c.chat_id == GROUP_ID]
    private = [c.text for c in calls if c.method == "sendMessage" and c.chat_id == MEMBER.id]
    assert in_group == ["Kode serah terima sudah saya kirim kepada Anda di obrolan pribadi."]
    assert len(private) == 1 and CODE_RE.search(private[0])
    code = CODE_RE.search(private[0]).group(1)  # type: ignore[union-attr]
    assert all(code not in text and code.removeprefix("ST-") not in text for text in in_group)
    assert "24 jam" in private[0] and "WITA" in private[0]  # validity and expiry in the cluster's zone


async def test_code_in_group_when_the_private_chat_is_closed_asks_to_open_it(h: Harness, db_path: Path) -> None:
    await _pmi(h)
    h.api.clear()
    h.api.fail("sendMessage", "forbidden", chat_id=MEMBER.id)
    calls = await h.sim.send(MEMBER, GROUP_ID, "/serahterima")
    in_group = [c for c in calls if c.method == "sendMessage" and c.chat_id == GROUP_ID and c.error is None]
    assert len(in_group) == 1 and "obrolan pribadi" in in_group[0].text and "ST-" not in in_group[0].text
    assert in_group[0].button_texts() == ["💬 Buka obrolan pribadi"]
    assert q(db_path, "SELECT COUNT(*) FROM handovers WHERE status = 'offered'") == [(0,)]  # nothing usable left


async def test_code_is_long_and_unambiguous(h: Harness) -> None:
    await _pmi(h)
    code = await _code(h)
    body = code.removeprefix("ST-")
    assert len(body) >= 8
    assert not set(body) & set("0O1IL"), code
    assert all(len(members_svc.new_code("ST-")) >= 11 for _ in range(100))
    assert not set("".join(members_svc.new_code("") for _ in range(300))) & set("0O1IL")


async def test_code_works_once_within_24_hours(h: Harness, db_path: Path) -> None:
    await _pmi(h)
    code = await _code(h)
    h.clock.advance(timedelta(hours=23, minutes=50))
    calls = await h.sim.send(COLLEAGUE, text=f"/terima {code}")
    assert "Tersimpan" in calls[0].text
    assert _active_reps(db_path) == [(COLLEAGUE.id,)]
    calls = await h.sim.send(OTHER, text=f"/terima {code}")
    assert "tidak mengenal kode" in calls[-1].text
    assert _active_reps(db_path) == [(COLLEAGUE.id,)]


async def test_code_400_days_later_is_refused(h: Harness, db_path: Path) -> None:
    await _pmi(h)
    code = await _code(h)
    h.clock.advance(timedelta(days=400))
    calls = await h.sim.send(COLLEAGUE, text=f"/terima {code}")
    assert "kedaluwarsa" in calls[-1].text
    assert _active_reps(db_path) == [(MEMBER.id,)]
    h.clock.advance(timedelta(hours=-(400 * 24) + 25))  # also just past the 24 hours
    code = await _code(h)
    h.clock.advance(timedelta(hours=24, seconds=1))
    calls = await h.sim.send(COLLEAGUE, text=f"/terima {code}")
    assert "kedaluwarsa" in calls[-1].text
    assert _active_reps(db_path) == [(MEMBER.id,)]


async def test_unused_code_after_a_later_handover_is_refused(h: Harness, db_path: Path) -> None:
    await _pmi(h)
    first = await _code(h)
    second = await _code(h)  # a later handover of the same organisation cancels the first code
    calls = await h.sim.send(OTHER, text=f"/terima {first}")
    assert "kedaluwarsa" in calls[-1].text
    calls = await h.sim.send(COLLEAGUE, text=f"/terima {second}")
    assert "Tersimpan" in calls[0].text
    assert _active_reps(db_path) == [(COLLEAGUE.id,)]
    # a code made before a completed handover (here by the secretariat) is dead too: never two representatives
    calls = await h.sim.send(COLLEAGUE, text="/serahterima")
    third = CODE_RE.search(calls[-1].text).group(1)  # type: ignore[union-attr]
    await h.sim.send(MEMBER, GROUP_ID, "/bantuan")  # the bot knows @budi_pmi
    calls = await h.sim.send(ADMIN, GROUP_ID, "/serahterima PMI Kalsel @budi_pmi")
    assert any("Tersimpan" in c.text for c in calls if c.chat_id == GROUP_ID)
    calls = await h.sim.send(OTHER, text=f"/terima {third}")
    assert "kedaluwarsa" in calls[-1].text
    assert _active_reps(db_path) == [(MEMBER.id,)]


async def test_brute_force_is_stopped(h: Harness, db_path: Path) -> None:
    await _pmi(h)
    code = await _code(h)
    for attempt in range(5):
        calls = await h.sim.send(INTRUDER, text=f"/terima ST-ABCDEFG{attempt + 2}")
        assert "tidak mengenal kode" in calls[-1].text
    calls = await h.sim.send(INTRUDER, text=f"/terima {code}")  # even the right code: wait first
    assert "Terlalu banyak kode" in calls[-1].text and "WITA" in calls[-1].text
    assert _active_reps(db_path) == [(MEMBER.id,)]
    calls = await h.sim.send(INTRUDER, text=f"/start st_{code.removeprefix('ST-')}")  # the deep link counts too
    assert "Terlalu banyak kode" in calls[-1].text
    h.clock.advance(timedelta(hours=1, seconds=1))
    calls = await h.sim.send(INTRUDER, text=f"/terima {code}")
    assert "Tersimpan" in calls[0].text
    assert _active_reps(db_path) == [(INTRUDER.id,)]


async def test_every_handover_is_announced(h: Harness) -> None:
    await _pmi(h)
    code = await _code(h)
    h.api.clear()
    await h.sim.send(COLLEAGUE, text=f"/terima {code}")
    to_old = [c.text for c in h.api.sent(MEMBER.id)]
    to_secretariat = [c.text for c in h.api.sent(ADMIN.id)]
    assert any(t.startswith("Anda menyerahkan Palang Merah Indonesia Kalsel kepada Dimas pada ") and "WITA" in t
               for t in to_old), to_old  # fmt: skip
    assert any("Palang Merah Indonesia Kalsel kini diwakili oleh Dimas" in t for t in to_secretariat), to_secretariat
    # by the secretariat
    h.api.clear()
    await h.sim.send(MEMBER, GROUP_ID, "/bantuan")
    await h.sim.send(ADMIN, GROUP_ID, "/serahterima PMI Kalsel @budi_pmi")
    assert any(t.startswith("Sekretariat menyerahkan Palang Merah Indonesia Kalsel kepada Budi pada ")
               for t in (c.text for c in h.api.sent(COLLEAGUE.id)))  # fmt: skip
