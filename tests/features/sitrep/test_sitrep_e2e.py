"""The pinned situation summary and the needs calculator through the real Application."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from bot.devtools.harness import Harness
from bot.devtools.sim import SimUser
from bot.kernel import scheduling
from bot.shared import standards
from tests.support.db import connect, q
from tests.support.people import ADMIN, DONOR, GROUP_ID, MEMBER, OTHER
from tests.support.world import cluster_with_members


async def pinned(h: Harness) -> int:
    assert h.api.pins.get(GROUP_ID), "nothing pinned"
    return h.api.pins[GROUP_ID][-1]


async def test_secretariat_pins_and_others_only_see_it(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    h.api.clear()
    calls = await h.sim.send(MEMBER, GROUP_ID, "/lapsit")
    assert any("LAPORAN SITUASI" in c.text for c in calls)
    assert not any(c.method == "pinChatMessage" for c in calls)
    calls = await h.sim.send(ADMIN, GROUP_ID, "/lapsit")
    pin = next(c for c in calls if c.method == "pinChatMessage")
    assert pin.params.get("disable_notification") is True
    sent = next(c for c in calls if c.method == "sendMessage")
    assert sent.params.get("disable_notification") is True
    assert sent.button_texts() == ["📄 Laporan lengkap"]
    assert q(db_path, "SELECT COUNT(*) FROM sitrep_versions WHERE kind = 'pin'") == [(1,)]


async def test_summary_numbers_on_a_fixture(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(ADMIN, GROUP_ID, "/kejadian banjir HSS, HST tanggap darurat")
    await h.sim.send(ADMIN, GROUP_ID, "/kejadian longsor Tala siaga darurat")
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 paket sembako HSS mendesak")
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 200 lembar selimut HST tinggi")
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 100 lembar terpal Tala rendah")
    await h.sim.send(DONOR, GROUP_ID, "/tawar 50 dus air mineral Bjm")
    # pledge 250 sembako (half), received
    await h.sim.send(OTHER, text="/start bantu_1")
    calls = await h.sim.send(OTHER, text="250")
    notice = next(c for c in calls if c.chat_id == MEMBER.id)
    await h.sim.press(MEMBER, notice, text="✅ Diterima")
    calls = await h.sim.send(MEMBER, GROUP_ID, "/lapsit")
    text = calls[-1].text
    assert "Banjir HSS, HST" in text and "Tanah longsor Tala" in text
    assert "<b>Kebutuhan terbuka</b>: 3" in text
    assert "Kab. Hulu Sungai Selatan: 1 terbuka, 1 mendesak" in text
    # uncovered urgent list: selimut before terpal; sembako still open 250
    assert text.index("K-0001") < text.index("K-0002") < text.index("K-0003")
    assert "250 paket" in text
    # gaps: selimut 100 % first, sembako 50 %
    gaps = text.split("<b>Celah</b>")[1]
    assert gaps.index("Selimut") < gaps.index("Paket sembako")
    assert "Tawaran yang belum dipakai</b>: 1" in text and "T-0001" in text
    assert "dikirim 50% · diterima 50%" in text  # pangan: one need, half received


async def test_fits_one_message_with_500_needs(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    with connect(db_path) as conn:
        for i in range(500):
            conn.execute(
                "INSERT INTO needs (cluster_id, number, organization_id, created_by, item_key, item_name, category, "
                "quantity, unit, region_code, priority, created_at, updated_at) VALUES "
                "(1, ?, 1, ?, NULL, ?, NULL, ?, 'buah', ?, ?, ?, ?)",
                (
                    i + 1,
                    MEMBER.id,
                    f"Barang khusus nomor {i} dengan nama panjang sekali",
                    10 + i,
                    f"63.{(i % 11) + 1:02d}",
                    1 + i % 4,
                    h.clock.timestamp(),
                    h.clock.timestamp(),
                ),
            )
    calls = await h.sim.send(ADMIN, GROUP_ID, "/lapsit")
    sent = next(c for c in calls if c.method == "sendMessage")
    assert sent.error is None and len(sent.text) < 4096
    assert "lainnya" in sent.text
    # the full report in private is split, nothing lost
    calls = await h.sim.send(MEMBER, text="/start lapsit_1")
    parts = [c for c in calls if c.method == "sendMessage" and c.chat_id == MEMBER.id]
    assert len(parts) >= 2 and all(c.error is None and len(c.text) <= 4096 for c in parts)


async def test_debounce_20_changes_in_a_minute_at_most_two_edits(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(ADMIN, GROUP_ID, "/lapsit")
    message_id = await pinned(h)
    h.clock.advance(timedelta(minutes=5))
    edits_before = h.api.message(GROUP_ID, message_id).edits
    for i in range(20):
        await h.sim.send(MEMBER, GROUP_ID, f"/butuh {i + 1} buah genset HSS")
        h.clock.advance(timedelta(seconds=3))
        await scheduling.run_due(h.app)
    h.clock.advance(timedelta(minutes=2))
    await scheduling.run_due(h.app)
    edits = h.api.message(GROUP_ID, message_id).edits - edits_before
    assert 1 <= edits <= 2
    assert "<b>Kebutuhan terbuka</b>: 20" in h.api.message(GROUP_ID, message_id).text
    assert await pinned(h) == message_id  # edited, never reposted


async def test_deleted_pin_is_reposted_and_pinned(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(ADMIN, GROUP_ID, "/lapsit")
    first = await pinned(h)
    h.api.messages[(GROUP_ID, first)].deleted = True
    h.api.pins[GROUP_ID].remove(first)
    h.clock.advance(timedelta(minutes=2))
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 5 buah genset HSS")
    h.clock.advance(timedelta(minutes=2))
    await scheduling.run_due(h.app)
    second = await pinned(h)
    assert second != first
    assert q(db_path, "SELECT message_id FROM sitrep_state") == [(second,)]
    assert q(db_path, "SELECT COUNT(*) FROM sitrep_versions WHERE kind = 'repost'") == [(1,)]


async def test_missing_pin_right_is_reported(h: Harness) -> None:
    await cluster_with_members(h)
    h.api.set_bot_rights(GROUP_ID, can_pin_messages=False)
    calls = await h.sim.send(ADMIN, GROUP_ID, "/lapsit")
    assert any("Sematkan pesan" in c.text for c in calls if c.method == "sendMessage")


async def test_other_pins_untouched_and_previous_summary_unpinned(h: Harness) -> None:
    await cluster_with_members(h)
    other = await h.sim.send(ADMIN, GROUP_ID, "/bantuan")
    other_id = other[-1].result["message_id"]
    h.api.pins[GROUP_ID] = [other_id]
    await h.sim.send(ADMIN, GROUP_ID, "/lapsit")
    first = await pinned(h)
    await h.sim.send(ADMIN, GROUP_ID, "/lapsit")
    second = await pinned(h)
    assert h.api.pins[GROUP_ID] == [other_id, second] and first != second


async def test_history_and_frozen_copy(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(ADMIN, GROUP_ID, "/lapsit")
    calls = await h.sim.send(MEMBER, GROUP_ID, "/lapsit bekukan")
    assert "sekretariat" in calls[-1].text.lower()
    calls = await h.sim.send(ADMIN, GROUP_ID, "/lapsit bekukan")
    assert "Salinan beku" in calls[-1].text
    calls = await h.sim.send(MEMBER, GROUP_ID, "/lapsit riwayat")
    assert "disematkan" in calls[-1].text and "salinan beku" in calls[-1].text


async def test_two_clusters_never_mixed(h: Harness) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 paket sembako HSS mendesak")
    group2 = -100333
    boss = SimUser(2002, "Wati", None, "wati")
    h.api.set_member(group2, boss.json(), "creator")
    h.api.set_bot_rights(group2)
    await h.sim.send(boss, group2, "/pasang Klaster Kab Banjar")
    calls = await h.sim.send(boss, group2, "/lapsit")
    text = next(c for c in calls if c.method == "sendMessage").text
    assert "K-0001" not in text and "<b>Kebutuhan terbuka</b>: 0" in text


async def test_calculator_shows_sources_and_turns_into_needs(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(ADMIN, text="/daftar BPBD Provinsi Kalimantan Selatan | BPBD Kalsel | opd | Bjb | Kasi Logistik")
    await h.sim.press(ADMIN, h.api.last(GROUP_ID), text="✅ Setujui")
    calls = await h.sim.send(OTHER, GROUP_ID, "/hitung 1.200 jiwa 7 hari")
    text = calls[-1].text
    assert "1.200" in text and "Sphere" in text and "Perka BNPB 7/2008" in text
    assert "3.360" in text  # rice: 1200 × 0.4 × 7
    assert calls[-1].button_texts() == []
    calls = await h.sim.send(ADMIN, GROUP_ID, "/hitung 1.200 jiwa 7 hari HSS")
    button = calls[-1]
    assert button.button_texts() == ["➕ Jadikan kebutuhan untuk HSS"]
    await h.sim.press(ADMIN, button, text=button.button_texts()[0])
    rows = q(db_path, "SELECT item_key, quantity FROM needs ORDER BY id")
    assert ("beras", 3360.0) in rows and ("selimut", 1200.0) in rows and len(rows) == 6
    calls = await h.sim.send(OTHER, GROUP_ID, "/hitung banyak orang")
    assert "berapa orang" in calls[-1].text


def test_estimate_table() -> None:
    lines = {line.standard.key: line.amount for line in standards.estimate(100, 5)}
    assert lines["water"] == 100 * (3 * 7 + 2 * 15)
    assert lines["rice"] == 200.0 and lines["toilets"] == 5 and lines["hygiene"] == 25
    assert standards.parse_request("1.200 jiwa 7 hari HSS") == standards.CalcRequest(1200, 7, "HSS")
    assert standards.parse_request("0 jiwa") == "range"
    assert standards.parse_request("halo") == "people"


async def test_summary_lists_upcoming_events(h: Harness) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(
        ADMIN,
        GROUP_ID,
        "/agenda baru rapat koordinasi | Rakor logistik banjir | besok 14.00 | 2 jam | Posko BPBD Kalsel",
    )
    assert not any(c.error for c in calls)
    calls = await h.sim.send(MEMBER, GROUP_ID, "/lapsit")
    text = calls[-1].text
    assert "Agenda mendatang" in text and "Rakor logistik banjir" in text


async def test_a_write_is_not_held_back_while_the_summary_is_built(
    h: Harness, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The summary is built on the read-only connection's thread: while one is being built (held here by a part of
    it that waits), an offer posted in another chat is stored and answered. Bounded waits, no timings."""
    from bot.features.sitrep.parts import SUMMARY_PARTS, SummaryPart

    await cluster_with_members(h)
    started, release = threading.Event(), threading.Event()

    def held(conn: sqlite3.Connection, cluster_id: int, now: int, report: object) -> None:
        started.set()
        release.wait(20)

    h.runtime.contributed.setdefault(SUMMARY_PARTS.name, []).append(SummaryPart(section=held))
    summary = asyncio.create_task(h.sim.send(MEMBER, GROUP_ID, "/lapsit"))
    try:
        assert await asyncio.to_thread(started.wait, 10), "the summary was not built"
        calls = await asyncio.wait_for(h.sim.send(DONOR, text="/tawar 2 ton beras Banjarmasin"), 10)
        assert not release.is_set() and not summary.done()  # the summary is still being built
        assert any("T-0001" in c.text for c in calls)
        assert q(db_path, "SELECT number, status FROM offers") == [(1, "open")]
    finally:
        release.set()
    calls = await asyncio.wait_for(summary, 10)
    assert any("LAPORAN SITUASI" in c.text for c in calls)
