"""Clusters, registration, approval, directory, handover and capacity through the real Application."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.devtools.harness import Harness, running
from tests.support.db import connect, q
from tests.support.people import ADMIN, COLLEAGUE, GROUP_ID, MEMBER, OTHER
from tests.support.world import approve_last, register_one_line, setup_cluster


async def test_setup_with_pin_rights(h: Harness, db_path: Path) -> None:
    calls = await h.sim.send(ADMIN, GROUP_ID, "/pasang")
    text = calls[-1].text
    assert "sekarang menjadi grup" in text and "⚠️" not in text
    assert calls[-1].button_texts() == ["📝 Daftarkan organisasi saya"]
    assert "start=daftar_" in calls[-1].buttons[0][0]["url"]
    calls = await h.sim.send(ADMIN, GROUP_ID, "/pasang")
    assert "sudah menjadi grup" in calls[-1].text
    assert q(db_path, "SELECT COUNT(*) FROM clusters") == [(1,)]


async def test_setup_without_pin_right_names_the_right(h: Harness) -> None:
    h.api.set_bot_rights(GROUP_ID, can_pin_messages=False)
    calls = await h.sim.send(ADMIN, GROUP_ID, "/pasang")
    assert "Sematkan pesan" in calls[-1].text or "menyematkan" in calls[-1].text.lower()
    other_group = -100777
    h.api.set_member(other_group, ADMIN.json(), "creator")
    h.api.set_bot_rights(other_group, status="member")
    calls = await h.sim.send(ADMIN, other_group, "/pasang")
    assert "bukan admin" in calls[-1].text


async def test_non_admin_cannot_set_up(h: Harness, db_path: Path) -> None:
    calls = await h.sim.send(MEMBER, GROUP_ID, "/pasang")
    assert "admin grup" in calls[-1].text
    assert q(db_path, "SELECT COUNT(*) FROM clusters") == [(0,)]


async def test_guided_registration_and_approval(h: Harness, db_path: Path) -> None:
    await setup_cluster(h)
    calls = await h.sim.send(MEMBER, text="/daftar")
    assert "1/5" in calls[-1].text
    await h.sim.send(MEMBER, text="Palang Merah Indonesia Provinsi Kalimantan Selatan")
    calls = await h.sim.send(MEMBER, text="PMI Kalsel")
    assert "3/5" in calls[-1].text
    calls = await h.sim.press(MEMBER, calls[-1], data="reg:type:ngo")
    assert "4/5" in calls[-1].text and len(calls[-1].button_texts()) == 14
    calls = await h.sim.press(MEMBER, calls[-1], data="reg:reg:63.71")
    assert "5/5" in calls[-1].text
    calls = await h.sim.send(MEMBER, text="Kepala Gudang")
    assert "Kota Banjarmasin" in calls[-1].text
    calls = await h.sim.press(MEMBER, calls[-1], data="reg:ok")
    texts = [c.text for c in calls if c.method == "sendMessage"]
    assert any(text.startswith("Tersimpan") for text in texts)
    assert q(db_path, "SELECT status FROM members WHERE user_id = ?", MEMBER.id) == [("pending",)]
    # a non-secretariat member cannot approve
    card = h.api.last(GROUP_ID)
    calls = await h.sim.press(OTHER, card, text="✅ Setujui")
    assert any(c.method == "answerCallbackQuery" and "sekretariat" in str(c.params.get("text", "")) for c in calls)
    calls = await h.sim.press(ADMIN, card, text="✅ Setujui")
    assert any(c.method == "editMessageText" and "disetujui" in c.text for c in calls)
    assert any(c.method == "sendMessage" and c.chat_id == MEMBER.id and "disetujui" in c.text for c in calls)
    assert q(db_path, "SELECT status FROM members WHERE user_id = ?", MEMBER.id) == [("active",)]
    assert q(db_path, "SELECT status, short_name, region_code FROM organizations") == [
        ("approved", "PMI Kalsel", "63.71")
    ]
    # a replayed (stale) approval changes nothing
    calls = await h.sim.press(ADMIN, card, data="appr:1:y")
    assert not any(c.method == "sendMessage" for c in calls)


async def test_one_line_registration_and_rejection(h: Harness, db_path: Path) -> None:
    await setup_cluster(h)
    calls = await h.sim.send(OTHER, text="/daftar Dinas Sosial Provinsi | Dinsos | opd | Banjarbaru | Kabid Linjamsos")
    assert "Tersimpan" in calls[0].text
    card = h.api.last(GROUP_ID)
    assert "Dinas Sosial Provinsi" in card.text
    calls = await h.sim.press(ADMIN, card, text="✖ Tolak")
    assert any(c.chat_id == OTHER.id and "tidak disetujui" in c.text for c in calls)
    assert q(db_path, "SELECT status FROM organizations") == [("rejected",)]


async def test_one_line_errors_store_nothing(h: Harness, db_path: Path) -> None:
    await setup_cluster(h)
    for line, expected in [
        ("PMI saja", "lima bagian"),
        ("PMI | PMI | kapal selam | Bjm | Ketua", "kapal selam"),
        ("PMI | PMI | ngo | Kab. Atlantis | Ketua", "Kab. Atlantis"),
    ]:
        calls = await h.sim.send(OTHER, text="/daftar " + line)
        assert expected in calls[-1].text and "Tidak ada yang disimpan" in calls[-1].text
    assert q(db_path, "SELECT COUNT(*) FROM organizations") == [(0,)]


async def test_duplicate_detected_and_join_existing(h: Harness, db_path: Path) -> None:
    await setup_cluster(h)
    await register_one_line(h, MEMBER, "Palang Merah Indonesia Kalsel | PMI Kalsel | ngo | Bjm | Kepala Gudang")
    await approve_last(h)
    calls = await h.sim.send(COLLEAGUE, text="/daftar PMI Kalsel | PMI | ngo | Banjarmasin | Staf Logistik")
    dup = calls[-1]
    assert "sudah terdaftar" in dup.text
    assert dup.button_texts()[0].startswith("Gabung")
    calls = await h.sim.press(COLLEAGUE, dup, text=dup.button_texts()[0])
    assert "5/5" in calls[-1].text
    calls = await h.sim.send(COLLEAGUE, text="Staf Logistik")
    calls = await h.sim.press(COLLEAGUE, calls[-1], data="reg:ok")
    assert q(db_path, "SELECT COUNT(*) FROM organizations") == [(1,)]
    await approve_last(h)
    assert q(db_path, "SELECT COUNT(*) FROM members WHERE status = 'active'") == [(2,)]


async def test_cancel_and_timeout(h: Harness, db_path: Path) -> None:
    await setup_cluster(h)
    await h.sim.send(MEMBER, text="/daftar")
    calls = await h.sim.send(MEMBER, text="/batal")
    assert "Dibatalkan" in calls[-1].text
    calls = await h.sim.send(MEMBER, text="Nama organisasi")
    assert "perintah" in calls[-1].text  # no dialog any more
    await h.sim.send(MEMBER, text="/daftar")
    h.clock.advance(timedelta(hours=1))
    calls = await h.sim.send(MEMBER, text="Nama organisasi")
    assert "kedaluwarsa" in calls[-1].text
    assert q(db_path, "SELECT COUNT(*) FROM dialogs") == [(0,)]


async def test_conversation_survives_restart(db_path: Path) -> None:
    async with running(db_path) as h:
        h.api.set_member(GROUP_ID, ADMIN.json(), "creator")
        h.api.set_bot_rights(GROUP_ID)
        await setup_cluster(h)
        await h.sim.send(MEMBER, text="/daftar")
        await h.sim.send(MEMBER, text="Badan SAR Nasional Banjarmasin")
        clock = h.clock
    async with running(db_path, clock=clock) as h2:
        calls = await h2.sim.send(MEMBER, text="Basarnas Bjm")
        assert "3/5" in calls[-1].text


async def test_non_member_is_blocked_with_a_clear_message(h: Harness, db_path: Path) -> None:
    await setup_cluster(h)
    calls = await h.sim.send(OTHER, text="/kapasitas kendaraan perahu karet 4 HSS")
    assert "/daftar" in calls[-1].text
    await register_one_line(h, OTHER, "Dinas Sosial | Dinsos | opd | Bjb | Kabid")
    calls = await h.sim.send(OTHER, text="/kapasitas kendaraan perahu karet 4 HSS")
    assert "menunggu persetujuan" in calls[-1].text
    assert q(db_path, "SELECT COUNT(*) FROM capacities") == [(0,)]


async def test_handover_accepted_and_declined(h: Harness, db_path: Path) -> None:
    await setup_cluster(h)
    await register_one_line(h, MEMBER, "Palang Merah Indonesia Kalsel | PMI Kalsel | ngo | Bjm | Kepala Gudang")
    await approve_last(h)
    # by @username, declined
    await h.sim.send(COLLEAGUE, GROUP_ID, "/bantuan")  # the bot learns the colleague's username
    calls = await h.sim.send(MEMBER, GROUP_ID, "/serahterima @dimas_pmi")
    offer = calls[-1]
    assert "Dimas" in offer.text
    calls = await h.sim.press(OTHER, offer, text="✖ Tolak")
    assert any("orang lain" in str(c.params.get("text", "")) for c in calls)
    await h.sim.press(COLLEAGUE, offer, text="✖ Tolak")
    assert q(db_path, "SELECT status FROM members WHERE user_id = ?", MEMBER.id) == [("active",)]
    # by one-time code, accepted
    calls = await h.sim.send(MEMBER, text="/serahterima")
    code = calls[-1].text.split("<code>")[1].split("</code>")[0]
    calls = await h.sim.send(COLLEAGUE, text=f"/terima {code}")
    assert "Tersimpan" in calls[0].text
    assert q(db_path, "SELECT user_id, status FROM members ORDER BY id") == [
        (MEMBER.id, "former"),
        (COLLEAGUE.id, "active"),
    ]
    calls = await h.sim.send(COLLEAGUE, GROUP_ID, "/anggota PMI")
    assert "Riwayat serah terima" in calls[-1].text and "Dimas" in calls[-1].text
    # the code cannot be used twice (and a used code says nothing about itself to anyone else)
    calls = await h.sim.send(OTHER, text=f"/terima {code}")
    assert "tidak mengenal kode" in calls[-1].text


async def test_member_leaving_group_is_marked_inactive(h: Harness, db_path: Path) -> None:
    await setup_cluster(h)
    await register_one_line(h, MEMBER, "Palang Merah Indonesia Kalsel | PMI Kalsel | ngo | Bjm | Kepala Gudang")
    await approve_last(h)
    calls = await h.sim.member_update(MEMBER, GROUP_ID, "member", "left")
    assert "tidak aktif" in calls[-1].text and "tidak punya perwakilan aktif" in calls[-1].text
    assert q(db_path, "SELECT status FROM members") == [("inactive",)]
    assert q(db_path, "SELECT status FROM organizations") == [("approved",)]
    calls = await h.sim.send(ADMIN, GROUP_ID, "/anggota")
    assert "tidak ada perwakilan aktif" in calls[-1].text


async def test_directory_paginated_with_60_orgs(h: Harness, db_path: Path) -> None:
    await setup_cluster(h)
    types = ["opd", "tni", "ngo", "usaha", "bumn"]
    with connect(db_path) as conn:
        for i in range(60):
            conn.execute(
                "INSERT INTO organizations (cluster_id, name, norm_name, type, status, created_at, last_activity) "
                "VALUES (1, ?, ?, ?, 'approved', ?, ?)",
                (f"Organisasi {i:02d}", f"organisasi {i:02d}", types[i % 5], h.clock.timestamp(), h.clock.timestamp()),
            )
    calls = await h.sim.send(MEMBER, GROUP_ID, "/anggota")
    page = calls[-1]
    assert "Halaman 1 dari 6" in page.text and page.button_texts() == ["▶"]
    calls = await h.sim.press(MEMBER, page, data="dir:1")
    edited = next(c for c in calls if c.method == "editMessageText")
    assert "Halaman 2 dari 6" in edited.text and edited.button_texts() == ["◀", "▶"]
    assert h.api.message(GROUP_ID, page.result["message_id"]).edits == 1
    calls = await h.sim.press(MEMBER, page, data="dir:abc")
    assert any(c.method == "answerCallbackQuery" for c in calls)


async def test_capacity_register_and_misspelled_search(h: Harness, db_path: Path) -> None:
    await setup_cluster(h)
    await register_one_line(h, MEMBER, "Palang Merah Indonesia Kalsel | PMI Kalsel | ngo | Bjm | Kepala Gudang")
    await approve_last(h)
    calls = await h.sim.send(MEMBER, text="/kapasitas kendaraan perahu karet 4 HSS")
    assert "Tersimpan" in calls[-1].text
    await h.sim.send(MEMBER, text="/kapasitas gudang Gudang Liang Anggang 500 Bjb")
    await h.sim.send(MEMBER, text="/kapasitas materi manajemen gudang")
    calls = await h.sim.send(MEMBER, text="/kapasitas")
    assert "perahu karet" in calls[-1].text and "500" in calls[-1].text
    calls = await h.sim.send(OTHER, GROUP_ID, "/kapasitas prahu")
    assert (
        "PMI Kalsel" in calls[-1].text and "perahu karet" in calls[-1].text and "Hulu Sungai Selatan" in calls[-1].text
    )


async def test_two_clusters_never_see_each_other(h: Harness, db_path: Path) -> None:
    await setup_cluster(h)
    group2 = -100222
    h.api.set_member(group2, OTHER.json(), "creator")
    h.api.set_bot_rights(group2)
    await h.sim.send(OTHER, group2, "/pasang Klaster Kabupaten Banjar")
    calls = await h.sim.send(MEMBER, text="/daftar PMI | PMI | ngo | Bjm | Ketua")
    assert "belum tahu klaster" in calls[-1].text  # two clusters: the deep link decides
    await h.sim.send(MEMBER, text="/start daftar_1")
    await register_one_line(h, MEMBER, "Palang Merah Indonesia Kalsel | PMI Kalsel | ngo | Bjm | Kepala Gudang")
    await approve_last(h)
    calls = await h.sim.send(OTHER, group2, "/anggota")
    assert "PMI" not in calls[-1].text
    calls = await h.sim.send(OTHER, group2, "/anggota PMI")
    assert "Tidak ada organisasi" in calls[-1].text
    calls = await h.sim.send(MEMBER, GROUP_ID, "/anggota")
    assert "PMI" in calls[-1].text


async def test_secretariat_add_and_remove(h: Harness, db_path: Path) -> None:
    await setup_cluster(h)
    await h.sim.send(OTHER, GROUP_ID, "/bantuan")
    calls = await h.sim.send(MEMBER, GROUP_ID, "/sekretariat tambah @sari_dinsos")
    assert "sekretariat" in calls[-1].text.lower() and "Tersimpan" not in calls[-1].text
    calls = await h.sim.send(ADMIN, GROUP_ID, "/sekretariat tambah @sari_dinsos")
    assert "Tersimpan" in calls[-1].text
    calls = await h.sim.send(OTHER, GROUP_ID, "/bahasa en")
    assert "English" in calls[-1].text
    calls = await h.sim.send(ADMIN, GROUP_ID, "/sekretariat hapus @sari_dinsos")
    assert "no longer" in calls[-1].text
