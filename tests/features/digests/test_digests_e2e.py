"""Scheduled digests through the real Application with a controllable clock: local time in two zones, restarts
around the due time, filtered private subscriptions, the one-line empty digest, late slots, weekly charts and
the secretariat's schedule command."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.devtools.fakeapi import ApiCall
from bot.devtools.harness import Harness, running
from bot.features.digests import handlers as digest_handlers
from bot.kernel import jobs_storage as jobs_repo
from bot.kernel import scheduling
from bot.kernel.clock import FakeClock
from tests.support.agenda import at, utc
from tests.support.db import execute, q
from tests.support.digests import digests
from tests.support.people import ADMIN, DONOR, GROUP_ID, MEMBER, OTHER, STRANGER
from tests.support.world import cluster_with_members, group_api

GROUP2 = -1009876543210
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def pending_digest_jobs(db_path: Path) -> list[tuple[object, ...]]:
    return q(db_path, "SELECT cluster_id, kind, due_at FROM scheduled_jobs WHERE kind LIKE 'digest.%' "
                      "AND status = 'pending' ORDER BY cluster_id, kind")  # fmt: skip


async def second_cluster_in_wib(h: Harness, db_path: Path) -> None:
    h.api.add_chat(GROUP2, "supergroup", "Klaster Logistik Jawa Barat")
    h.api.set_bot_rights(GROUP2)
    h.api.set_member(GROUP2, ADMIN.json(), "creator")
    await h.sim.send(ADMIN, GROUP2, "/pasang Klaster Logistik Jabar")
    execute(db_path, "UPDATE clusters SET timezone = 'Asia/Jakarta', province = '32' WHERE chat_id = ?", GROUP2)


async def test_daily_and_weekly_at_local_time_in_two_zones(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)  # Kalsel, WITA (UTC+8); the clock stands at Thu 21 Aug 2025 09.00 WITA
    await second_cluster_in_wib(h, db_path)  # WIB (UTC+7)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 paket sembako HSS mendesak")
    assert await digest_handlers.ensure_slots(h.app) == 4
    assert await digest_handlers.ensure_slots(h.app) == 0  # idempotent
    assert pending_digest_jobs(db_path) == [
        (1, "digest.daily", int(utc(2025, 8, 21, 23).timestamp())),  # Fri 07.00 WITA
        (1, "digest.weekly", int(utc(2025, 8, 24, 23).timestamp())),  # Mon 07.00 WITA
        (2, "digest.daily", int(utc(2025, 8, 22, 0).timestamp())),  # Fri 07.00 WIB
        (2, "digest.weekly", int(utc(2025, 8, 25, 0).timestamp())),  # Mon 07.00 WIB
    ]
    calls = await at(h, utc(2025, 8, 21, 22, 59))
    assert not digests(calls, GROUP_ID) and not digests(calls, GROUP2)
    calls = await at(h, utc(2025, 8, 21, 23, 0, 30))
    first = digests(calls, GROUP_ID)
    assert len(first) == 1 and not digests(calls, GROUP2)
    assert "Jumat, 22 Agustus 2025" in first[0].text and "K-0001" in first[0].text
    calls = await at(h, utc(2025, 8, 22, 0, 0, 30))
    second = digests(calls, GROUP2)
    assert len(second) == 1 and not digests(calls, GROUP_ID)
    assert "Jumat, 22 Agustus 2025" in second[0].text and "tidak ada yang baru" in second[0].text
    everything: list[ApiCall] = list(first) + list(second)
    day = utc(2025, 8, 22, 23, 0, 30)
    while day < utc(2025, 8, 25, 1):
        everything += await at(h, day)
        everything += await at(h, day + timedelta(hours=1))
        day += timedelta(days=1)
    assert len(digests(everything, GROUP_ID)) == 4 and len(digests(everything, GROUP2)) == 4  # Fri … Mon
    weekly = digests(everything, GROUP_ID, "Ringkasan mingguan")
    assert len(weekly) == 1 and "K-0001" in weekly[0].text and "Senin, 25 Agustus 2025" in weekly[0].text
    weekly2 = digests(everything, GROUP2, "Ringkasan mingguan")
    assert len(weekly2) == 1 and "tidak ada yang baru minggu ini" in weekly2[0].text
    assert weekly[0].params["chat_id"] == GROUP_ID
    photos = [c for c in everything if c.method == "sendPhoto" and c.chat_id == GROUP_ID]
    assert photos and all(c.files["photo"].startswith(PNG_MAGIC) for c in photos)
    assert not [c for c in everything if c.method == "sendPhoto" and c.chat_id == GROUP2]  # nothing to draw
    assert pending_digest_jobs(db_path) == [
        (1, "digest.daily", int(utc(2025, 8, 25, 23).timestamp())),
        (1, "digest.weekly", int(utc(2025, 8, 31, 23).timestamp())),
        (2, "digest.daily", int(utc(2025, 8, 26, 0).timestamp())),
        (2, "digest.weekly", int(utc(2025, 9, 1, 0).timestamp())),
    ]
    runs = q(db_path, "SELECT cluster_id, frequency, COUNT(*), COUNT(DISTINCT slot) FROM digest_runs "
                      "GROUP BY cluster_id, frequency ORDER BY cluster_id, frequency")  # fmt: skip
    assert runs == [(1, "daily", 4, 4), (1, "weekly", 1, 1), (2, "daily", 4, 4), (2, "weekly", 1, 1)]


async def test_a_restart_around_the_due_time_sends_exactly_one(db_path: Path) -> None:
    clock = FakeClock()
    api = group_api(clock)
    due = utc(2025, 8, 21, 23)
    async with running(db_path, clock=clock, api=api) as h:
        await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
        await digest_handlers.ensure_slots(h.app)
        await at(h, due - timedelta(seconds=30))
    # down just before the due time, back just after it: the start-up run sends it, once
    clock.set(due + timedelta(seconds=20))
    async with running(db_path, clock=clock, api=api) as h:
        assert len(digests(api.calls, GROUP_ID)) == 1
        assert await scheduling.run_due(h.app) == 0
    async with running(db_path, clock=clock, api=api) as h:  # and another restart right after
        await at(h, due + timedelta(minutes=1))
    assert len(digests(api.calls, GROUP_ID)) == 1
    # two runners racing at the next slot: only the one that claims the row sends
    async with running(db_path, clock=clock, api=api) as h:
        clock.set(due + timedelta(days=1, seconds=5))
        await asyncio.gather(scheduling.run_due(h.app), scheduling.run_due(h.app))
    assert len(digests(api.calls, GROUP_ID)) == 2
    # a crash after the claim and before its transaction: the claim owed nothing yet, so the restart sends the
    # digest once (issue #13: before, it was recorded 'interrupted' and never sent), and the chain goes on
    async with running(db_path, clock=clock, api=api) as h:
        clock.set(due + timedelta(days=2, seconds=5))
        claimed = await h.runtime.db.write(jobs_repo.claim_due, clock.timestamp())
        assert [j.kind for j in claimed] == ["digest.daily"]
    async with running(db_path, clock=clock, api=api) as h:
        await at(h, due + timedelta(days=2, minutes=5))
    assert len(digests(api.calls, GROUP_ID)) == 3
    assert q(db_path, "SELECT status FROM scheduled_jobs WHERE ref = 'digest:daily:1:2025-08-24'") == [("done",)]
    assert q(db_path, "SELECT slot, status FROM digest_runs WHERE slot = '2025-08-24'") == [("2025-08-24", "empty")]
    assert q(db_path, "SELECT due_at FROM scheduled_jobs WHERE kind = 'digest.daily' AND status = 'pending'") == [
        (int((due + timedelta(days=3)).timestamp()),)
    ]


async def test_filtered_subscription(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(MEMBER, text="/langganan harian HSS pangan")
    assert "Tersimpan" in calls[-1].text and "Kab. Hulu Sungai Selatan · Pangan" in calls[-1].text
    await h.sim.send(OTHER, text="/langganan harian")
    calls = await h.sim.send(OTHER, text="/langganan berhenti")
    assert "tidak dikirim lagi" in calls[-1].text
    await h.sim.send(DONOR, text="/langganan harian Tala")
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 paket sembako HSS mendesak")  # K-0001: pangan, HSS
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 100 lembar terpal HSS")  # K-0002: shelter, HSS
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 2 ton beras Bjm")  # K-0003: pangan, Banjarmasin
    calls = await at(h, utc(2025, 8, 21, 23, 0, 30))
    group = digests(calls, GROUP_ID)
    assert len(group) == 1 and all(code in group[0].text for code in ("K-0001", "K-0002", "K-0003"))
    mine = digests(calls, MEMBER.id)
    assert len(mine) == 1
    assert "K-0001" in mine[0].text and "K-0002" not in mine[0].text and "K-0003" not in mine[0].text
    assert "Filter Anda: Kab. Hulu Sungai Selatan · Pangan" in mine[0].text
    assert not digests(calls, OTHER.id)  # unsubscribed
    quiet = digests(calls, DONOR.id)  # Tanah Laut: nothing there
    assert len(quiet) == 1 and "\n" not in quiet[0].text and "tidak ada yang baru" in quiet[0].text
    assert q(db_path, "SELECT chat_id, status FROM digest_runs ORDER BY id") == [
        (GROUP_ID, "sent"), (MEMBER.id, "sent"), (DONOR.id, "empty"),
    ]  # fmt: skip
    calls = await h.sim.send(MEMBER, text="/langganan")
    assert "Harian: Kab. Hulu Sungai Selatan · Pangan" in calls[-1].text


async def test_subscription_input_errors_store_nothing(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    for line, expected in [
        ("/langganan harian Kab. Atlantis", "Kab. Atlantis"),
        ("/langganan harian pisang goreng", "pisang goreng"),
        ("/langganan HSS pangan", "Harian atau mingguan"),
    ]:
        calls = await h.sim.send(MEMBER, text=line)
        assert expected in calls[-1].text and "Tidak ada yang disimpan" in calls[-1].text, (line, calls[-1].text)
    calls = await h.sim.send(MEMBER, GROUP_ID, "/langganan harian")
    assert "obrolan pribadi" in calls[-1].text
    calls = await h.sim.send(STRANGER, text="/langganan harian")
    assert "/daftar" in calls[-1].text
    calls = await h.sim.send(MEMBER, text="/langganan berhenti")
    assert "Tidak ada langganan" in calls[-1].text
    calls = await h.sim.send(MEMBER, text="/langganan")
    assert "Anda belum berlangganan" in calls[-1].text and "/langganan berhenti" in calls[-1].text
    assert q(db_path, "SELECT COUNT(*) FROM digest_subscriptions") == [(0,)]


async def test_an_empty_digest_says_so_in_one_line(h: Harness, db_path: Path) -> None:
    await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
    await digest_handlers.ensure_slots(h.app)
    calls = await at(h, utc(2025, 8, 21, 23, 1))
    [line] = digests(calls, GROUP_ID)
    assert "\n" not in line.text
    assert line.text == "🗞 <b>Ringkasan harian — Klaster Logistik Kalsel</b> (Jumat, 22 Agustus 2025): tidak ada " \
                        "yang baru sejak kemarin."  # fmt: skip
    assert q(db_path, "SELECT status FROM digest_runs") == [("empty",)]


async def test_late_digest_is_marked_and_a_stale_one_is_skipped(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 paket sembako HSS mendesak")
    await digest_handlers.ensure_slots(h.app)
    calls = await at(h, utc(2025, 8, 22, 2))  # three hours late (the bot was down)
    [late] = digests(calls, GROUP_ID)
    assert "⏰ Terlambat" in late.text and "22 Agu 07.00 WITA" in late.text
    calls = await at(h, utc(2025, 8, 23, 7))  # Saturday's slot is eight hours old: no longer news
    assert not digests(calls, GROUP_ID)
    assert q(db_path, "SELECT status, note FROM scheduled_jobs WHERE ref = 'digest:daily:1:2025-08-23'") == [
        ("missed", "too late")
    ]
    assert q(db_path, "SELECT due_at FROM scheduled_jobs WHERE kind = 'digest.daily' AND status = 'pending'") == [
        (int(utc(2025, 8, 23, 23).timestamp()),)
    ]


async def test_weekly_digest_with_charts_for_the_group_and_subscribers(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(ADMIN, GROUP_ID, "/ringkasan jadwal mingguan kamis 10.00")
    assert "setiap Kamis pukul 10.00 WITA" in calls[-1].text
    await h.sim.send(MEMBER, text="/langganan mingguan")
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 paket sembako HSS mendesak")
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 100 lembar terpal HST")
    await h.sim.send(OTHER, text="/stok beras 2.000 kg gudang Banjarbaru")
    await h.sim.send(MEMBER, text="/stok beras 500 kg gudang Banjarbaru")
    await h.sim.send(DONOR, text="/stok beras 3.000 kg gudang Banjarbaru")  # three organisations: a published cell
    await h.sim.send(OTHER, text="/start bantu_1")
    await h.sim.send(OTHER, text="200")
    calls = await at(h, utc(2025, 8, 21, 2, 0, 30))  # Thu 10.00 WITA
    [weekly] = digests(calls, GROUP_ID, "Ringkasan mingguan")
    assert "K-0001" in weekly.text and "K-0002" in weekly.text
    photos = [c for c in calls if c.method == "sendPhoto" and c.error is None]
    group_photos = [c for c in photos if c.chat_id == GROUP_ID]
    assert len(group_photos) == 2  # needs by category, stock by kabupaten/kota
    for photo in group_photos:
        content = photo.files["photo"]
        assert content.startswith(PNG_MAGIC) and len(content) > 10_000
    assert "per kategori barang" in group_photos[0].text and "kabupaten/kota" in group_photos[1].text
    private = [c for c in photos if c.chat_id == MEMBER.id]
    # the same pictures: uploaded again while the group's were still on their way (chats are sent concurrently),
    # else by the file id Telegram gave the group's
    assert len(private) == 2
    for mine, group in zip(private, group_photos, strict=True):
        assert mine.files.get("photo") == group.files["photo"] or str(mine.params.get("photo")).startswith("ph")
    assert q(db_path, "SELECT COUNT(*) FROM outbox_files") == [(0,)]  # the bytes are gone once sent


async def test_schedule_command(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(MEMBER, GROUP_ID, "/ringkasan jadwal harian 18.00")
    assert "sekretariat" in calls[-1].text.lower()
    calls = await h.sim.send(ADMIN, GROUP_ID, "/ringkasan jadwal harian 18.30")
    text = calls[-1].text
    assert "Tersimpan" in text and "setiap hari pukul 18.30 WITA" in text and "berikutnya: 21 Agu 18.30 WITA" in text
    assert len([c for c in calls if c.method == "sendMessage"]) == 1  # the stock feature's /ringkasan stays quiet
    assert pending_digest_jobs(db_path) == [
        (1, "digest.daily", int(utc(2025, 8, 21, 10, 30).timestamp())),
        (1, "digest.weekly", int(utc(2025, 8, 24, 23).timestamp())),
    ]
    calls = await h.sim.send(ADMIN, GROUP_ID, "/ringkasan jadwal mingguan rabu 08.00")
    assert "setiap Rabu pukul 08.00 WITA" in calls[-1].text
    calls = await h.sim.send(ADMIN, GROUP_ID, "/ringkasan jadwal harian 25.00")
    assert "“25.00”" in calls[-1].text and "Tidak ada yang disimpan" in calls[-1].text
    calls = await h.sim.send(ADMIN, GROUP_ID, "/ringkasan jadwal harian mati")
    assert "Harian: nonaktif" in calls[-1].text
    assert pending_digest_jobs(db_path) == [(1, "digest.weekly", int(utc(2025, 8, 27, 0).timestamp()))]
    calls = await h.sim.send(MEMBER, text="/ringkasan jadwal")
    assert "Harian: nonaktif" in calls[-1].text and "setiap Rabu pukul 08.00 WITA" in calls[-1].text
    calls = await h.sim.send(MEMBER, text="/langganan harian")
    assert "menonaktifkan ringkasan harian" in calls[-1].text
    # moving the time later on a day whose digest already went out does not send that day twice
    await h.sim.send(ADMIN, GROUP_ID, "/ringkasan jadwal harian 07.00")
    await at(h, utc(2025, 8, 21, 23, 0, 30))
    h.clock.set(utc(2025, 8, 22, 2))
    await h.sim.send(ADMIN, GROUP_ID, "/ringkasan jadwal harian 19.00")
    calls = await at(h, utc(2025, 8, 22, 11, 0, 30))
    assert not digests(calls, GROUP_ID)
    assert pending_digest_jobs(db_path)[0] == (1, "digest.daily", int(utc(2025, 8, 23, 11).timestamp()))
    # the stock summary is still the stock feature's
    calls = await h.sim.send(OTHER, GROUP_ID, "/ringkasan stok")
    assert "Stok ·" in calls[-1].text or "stok" in calls[-1].text.lower()


async def test_digest_on_demand_and_zone_change(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 paket sembako HSS mendesak")
    calls = await h.sim.send(OTHER, GROUP_ID, "/ringkasan harian")
    assert "Ringkasan harian" in calls[-1].text and "K-0001" in calls[-1].text
    calls = await h.sim.send(OTHER, GROUP_ID, "/ringkasan mingguan")
    assert any("Ringkasan mingguan" in c.text for c in calls)
    assert any(c.method == "sendPhoto" for c in calls)
    assert q(db_path, "SELECT COUNT(*) FROM digest_runs") == [(0,)]  # previews are not runs
    # the zone changes after the slot was planned: the slot moves to 07.00 in the new zone
    await digest_handlers.ensure_slots(h.app)
    execute(db_path, "UPDATE clusters SET timezone = 'Asia/Jakarta'")  # WIB, UTC+7
    calls = await at(h, utc(2025, 8, 21, 23, 0, 30))
    assert not digests(calls, GROUP_ID)
    calls = await at(h, utc(2025, 8, 22, 0, 0, 30))
    assert len(digests(calls, GROUP_ID)) == 1


async def test_digest_lists_the_coming_week(h) -> None:  # type: ignore[no-untyped-def]
    from bot.features.digests import service as digests_svc
    from tests.support.people import ADMIN, GROUP_ID, MEMBER
    from tests.support.world import cluster_with_members

    await cluster_with_members(h)
    await h.sim.send(
        ADMIN,
        GROUP_ID,
        "/agenda baru rapat koordinasi | Rakor logistik banjir | besok 14.00 | 2 jam | Posko BPBD Kalsel",
    )
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 10 buah genset HSS")
    calls = await h.sim.send(ADMIN, GROUP_ID, "/ringkasan harian")
    text = "\n".join(c.text for c in calls if c.method == "sendMessage")
    assert "Sepekan ke depan" in text and "Rakor logistik banjir" in text
    assert digests_svc.coming_week_section in digests_svc.SECTIONS
