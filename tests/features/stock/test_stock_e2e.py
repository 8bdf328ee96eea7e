"""Private stock reports through the real Application: one line, many lines, guided; replacement with history;
my stock buttons; stale and near-expiry reminders; pledging from stock; settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.devtools.harness import Harness
from bot.devtools.sim import SimUser
from bot.kernel import scheduling
from tests.support.buttons import data_of
from tests.support.db import q
from tests.support.people import ADMIN, GROUP_ID, MEMBER, OTHER
from tests.support.world import cluster_with_two_members as cluster_with_members

DONOR = SimUser(1005, "Joko", None, "joko_mdmc")
STRANGER = SimUser(1006, "Tamu", None, None)


async def test_one_line_report(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(MEMBER, text="/stok beras 2.500 kg gudang Banjarbaru kadaluarsa 12/2026")
    text = calls[-1].text
    assert text.startswith("Tersimpan: 1 baris stok.")
    assert "Beras — 2.500 kg · Kota Banjarbaru · gudang Banjarbaru · kedaluwarsa 31 Des 2026" in text
    rows = q(
        db_path, "SELECT item_key, category, quantity, unit, region_code, location, expires_at, condition FROM stock"
    )
    end_of_2026 = int(datetime(2026, 12, 31, 23, 59, 59, tzinfo=ZoneInfo("Asia/Makassar")).timestamp())
    assert rows == [("beras", "pangan", 2500.0, "kg", "63.72", "gudang Banjarbaru", end_of_2026, "baik")]
    assert q(db_path, "SELECT action, previous, quantity FROM stock_history") == [("report", None, 2500.0)]
    # converted to the base unit; region from the organisation's profile when none is typed
    await h.sim.send(MEMBER, text="/stok terpal 2 ton rusak ringan")
    assert q(db_path, "SELECT quantity, unit, region_code, condition FROM stock WHERE item_key = 'terpal'") == [
        (2000.0, "kg", "63.71", "rusak_ringan")
    ]


async def test_multi_line_two_bad_lines_among_ten(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    lines = [
        "beras 1.000 kg gudang PMI Bjm",
        "mi instan 120 dus Bjm kadaluarsa 3/2026",
        "terpal 200 lembar HSS",
        "selimut banyak HSS",  # bad: vague amount
        "air mineral 50 dus (24 botol) Kab Banjar",
        "genset 2 unit Tala kondisi baik",
        "hygiene kit 80 paket Banjarbaru",
        "popok 40 bungkus Kab. Atlantis",  # bad: unknown kabupaten
        "matras 60 buah HSU",
        "beras;500;kg;Banjarbaru",
    ]
    calls = await h.sim.send(MEMBER, text="/stok\n" + "\n".join(lines))
    text = calls[-1].text
    assert text.startswith("Tersimpan: 8 baris stok.")
    assert text.count("✅") == 8 and text.count("❌") == 2
    assert "❌ 4. <code>selimut banyak HSS</code> — “banyak” bukan angka" in text
    assert "❌ 8. <code>popok 40 bungkus Kab. Atlantis</code> — kabupaten/kota “Kab. Atlantis” tidak dikenal" in text
    assert "Perbaiki baris-baris itu" in text
    assert q(db_path, "SELECT COUNT(*) FROM stock") == [(8,)]
    assert q(db_path, "SELECT quantity, unit FROM stock WHERE item_key = 'air_minum'") == [(1200.0, "botol")]
    assert not q(db_path, "SELECT 1 FROM stock WHERE item_key IN ('selimut', 'popok')")


async def test_bad_input_changes_nothing(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    for line, expected in [
        ("beras banyak sekali", "“banyak sekali” bukan angka"),
        ("beras -5 kg Bjm", "tidak boleh negatif"),
        ("beras 10 kg Kab. Atlantis", "“Kab. Atlantis” tidak dikenal"),
        ("beras 10 kg Bjm kadaluarsa 31/2/2026", "tanggal tidak dipahami"),
    ]:
        calls = await h.sim.send(MEMBER, text="/stok " + line)
        assert expected in calls[-1].text, calls[-1].text
        assert "Tidak ada yang disimpan" in calls[-1].text and "/stok beras 2.500 kg" in calls[-1].text
    assert q(db_path, "SELECT COUNT(*) FROM stock") == [(0,)]
    calls = await h.sim.send(STRANGER, text="/stok beras 10 kg Bjm")
    assert "/daftar" in calls[-1].text
    assert q(db_path, "SELECT COUNT(*) FROM stock") == [(0,)]


async def test_guided_report_and_stale_buttons(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(MEMBER, text="/stok lapor")
    assert "(1/6)" in calls[-1].text
    await h.sim.send(MEMBER, text="susu")
    calls = await h.sim.send(MEMBER, text="dua ratus dus")
    assert "(3/6)" in calls[-1].text and "HSS" in calls[-1].button_texts()
    region_prompt = calls[-1]
    calls = await h.sim.send(MEMBER, text="Kab. Atlantis")
    assert "“Kab. Atlantis”" in calls[-1].text
    calls = await h.sim.press(MEMBER, region_prompt, data="sf:reg:99.99")  # tampered
    assert calls[-1].method == "answerCallbackQuery" and "tidak berlaku" in calls[-1].params["text"]
    calls = await h.sim.press(MEMBER, region_prompt, data="sf:reg:63.06")
    assert "(4/6)" in calls[-1].text
    calls = await h.sim.press(MEMBER, region_prompt, data="sf:reg:63.07")  # stale: the step moved on
    assert "tidak berlaku" in calls[-1].params["text"]
    calls = await h.sim.send(MEMBER, text="Gudang Posko Kandangan")
    assert "(5/6)" in calls[-1].text  # food: asks the expiry date
    calls = await h.sim.send(MEMBER, text="30/2/2026")
    assert "“30/2/2026”" in calls[-1].text
    calls = await h.sim.send(MEMBER, text="10/2026")
    calls = await h.sim.press(MEMBER, calls[-1], data="sf:cond:baik")
    assert "Periksa kembali" in calls[-1].text and "Susu — 200 dus" in calls[-1].text
    assert q(db_path, "SELECT COUNT(*) FROM stock") == [(0,)]
    calls = await h.sim.press(MEMBER, calls[-1], data="sf:ok")
    assert any(c.text.startswith("Tersimpan: 1 baris stok.") for c in calls)
    assert q(db_path, "SELECT item_key, quantity, unit, region_code, location FROM stock") == [
        ("susu", 200.0, "dus", "63.06", "Gudang Posko Kandangan")
    ]
    calls = await h.sim.press(MEMBER, calls[-1], data="sf:ok")  # replayed confirm: dialog is gone
    assert "tidak berlaku" in calls[-1].params["text"]
    assert q(db_path, "SELECT COUNT(*) FROM stock_history") == [(1,)]


async def test_replacement_keeps_history(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, text="/stok beras 2.500 kg gudang BPBD Bjm")
    h.clock.advance(timedelta(days=3))
    # the same place, typed differently
    calls = await h.sim.send(MEMBER, text="/stok beras 1,8 ton Gudang  bpbd Banjarmasin")
    assert "(sebelumnya 2.500 kg)" in calls[-1].text
    await h.sim.send(MEMBER, text="/stok beras 300 kg gudang Posko Martapura Kab Banjar")
    assert q(db_path, "SELECT quantity, region_code FROM stock ORDER BY id") == [(1800.0, "63.71"), (300.0, "63.03")]
    # PostgreSQL's identity takes a number for the upsert that replaced a line too: the ids are read, not assumed
    first, second = (r[0] for r in q(db_path, "SELECT id FROM stock ORDER BY id"))
    assert q(db_path, "SELECT stock_id, action, previous, quantity FROM stock_history ORDER BY id") == [
        (first, "report", None, 2500.0),
        (first, "replace", 2500.0, 1800.0),
        (second, "report", None, 300.0),
    ]
    assert q(db_path, "SELECT SUM(quantity), SUM(lines) FROM stock_totals") == [(2100.0, 2)]


async def test_my_stock_buttons(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, text="/stok terpal 200 lembar HSS")
    await h.sim.send(OTHER, text="/stok selimut 50 lembar Bjb")
    calls = await h.sim.send(MEMBER, text="/stok saya")
    listing = calls[-1]
    assert "<b>Stok PMI Kalsel</b> — sekretariat melihat angka Anda; anggota hanya melihat angka klaster" in listing.text
    assert "1. Terpal — 200 lembar · Kab. Hulu Sungai Selatan" in listing.text
    calls = await h.sim.press(MEMBER, listing, text="1")
    card = calls[-1]
    assert card.button_texts()[:4] == ["➕ Tambah", "➖ Kurangi", "⛔ Habis", "🗑 Hapus"]
    calls = await h.sim.press(MEMBER, card, text="➖ Kurangi")
    assert "Berapa yang dikurangi" in calls[-1].text
    calls = await h.sim.send(MEMBER, text="500")
    assert "Anda hanya punya 200 lembar" in calls[-1].text
    calls = await h.sim.send(MEMBER, text="dua puluh")
    assert "Terpal — 180 lembar" in calls[-1].text and "(sebelumnya 200 lembar)" in calls[-1].text
    calls = await h.sim.press(MEMBER, card, text="➕ Tambah")
    calls = await h.sim.send(MEMBER, text="banyak")
    assert "“banyak”" in calls[-1].text
    await h.sim.send(MEMBER, text="20 lembar")
    assert q(db_path, "SELECT quantity FROM stock WHERE organization_id = 1") == [(200.0,)]
    await h.sim.press(MEMBER, card, text="⛔ Habis")
    assert q(db_path, "SELECT quantity FROM stock WHERE organization_id = 1") == [(0.0,)]
    other_line = q(db_path, "SELECT id FROM stock WHERE organization_id = 2")[0][0]
    calls = await h.sim.press(MEMBER, card, data=f"sk:del:{other_line}")  # another organisation's line
    assert "tidak berlaku" in calls[-1].params["text"]
    remove = data_of(card, "🗑 Hapus")
    calls = await h.sim.press(MEMBER, card, data=remove)
    assert any("Dihapus" in c.text for c in calls)
    assert q(db_path, "SELECT organization_id FROM stock") == [(2,)]
    assert [r[0] for r in q(db_path, "SELECT action FROM stock_history WHERE organization_id = 1 ORDER BY id")] == [
        "report", "subtract", "add", "empty", "remove",
    ]  # fmt: skip
    calls = await h.sim.press(MEMBER, card, data=remove)  # the line is gone
    assert "tidak berlaku" in calls[-1].params["text"]


async def test_stale_and_near_expiry_reminders(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    now = h.clock.now()  # 21 Aug 2025
    await h.sim.send(MEMBER, text="/stok\nberas 1.000 kg Bjm\nsusu 10 dus Bjm kadaluarsa 15/10/2025")
    assert await scheduling.run_due(h.app) == 0
    h.clock.advance(timedelta(days=25, hours=15))  # 15 Sep 16.00 UTC: 15 Oct (end of day, WITA) is 30 days away
    assert await scheduling.run_due(h.app) == 2  # the reminder and the hourly stock publication armed by the report
    reminder = h.api.last(MEMBER.id)
    assert "⏳ Kedaluwarsa dalam 30 hari" in reminder.text and "Susu — 10 dus" in reminder.text
    assert "Beras" not in reminder.text and "terlambat" not in reminder.text
    assert await scheduling.run_due(h.app) == 0  # once per expiry date
    h.clock.advance(timedelta(days=4, hours=9, minutes=1))  # 30 days and a minute after the report
    assert await scheduling.run_due(h.app) == 2  # the reminder and the daily stock publication
    reminder = h.api.last(MEMBER.id)
    assert "belum dikonfirmasi selama 30 hari" in reminder.text and "Beras — 1.000 kg" in reminder.text
    calls = await h.sim.send(MEMBER, text="/stok saya")
    assert "lama tidak dikonfirmasi" in calls[-1].text
    confirm = data_of(reminder, "✅ Semua masih benar")
    calls = await h.sim.press(OTHER, reminder, data=confirm)  # not their organisation
    assert "tidak berlaku" in calls[-1].params["text"]
    calls = await h.sim.press(MEMBER, reminder, data=confirm)
    assert any("2 baris dikonfirmasi masih benar" in c.text for c in calls)
    assert q(db_path, "SELECT COUNT(*) FROM stock WHERE confirmed_at = ?", h.clock.timestamp()) == [(2,)]
    due = q(db_path, "SELECT due_at, status FROM scheduled_jobs WHERE kind = 'stock.stale'")
    assert due == [(h.clock.timestamp() + 30 * 86400, "pending")]
    # a configurable period: the secretariat shortens it, the reminder moves earlier
    calls = await h.sim.send(MEMBER, text="/stok basi 10")
    assert "sekretariat" in calls[-1].text
    calls = await h.sim.send(ADMIN, GROUP_ID, "/stok basi 10")
    assert "basi setelah 10 hari" in calls[-1].text
    assert q(db_path, "SELECT due_at FROM scheduled_jobs WHERE kind = 'stock.stale'") == [
        (h.clock.timestamp() + 10 * 86400,)
    ]
    calls = await h.sim.send(ADMIN, GROUP_ID, "/stok basi sepuluh")
    assert "“sepuluh”" in calls[-1].text and "/stok basi 45" in calls[-1].text
    assert now < h.clock.now()


async def test_group_stok_never_shows_figures_and_links_privately(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, text="/stok beras 1.234 kg Bjm")
    for text in ("/stok", "/stok saya", "/stok beras 500 kg Bjm"):
        calls = await h.sim.send(MEMBER, GROUP_ID, text)
        answer = calls[-1]
        assert answer.chat_id == GROUP_ID and "1.234" not in answer.text
        assert "start=stok_lapor" in answer.buttons[0][0]["url"]
    assert "Tidak ada yang disimpan di sini" in answer.text
    assert q(db_path, "SELECT quantity FROM stock") == [(1234.0,)]
    calls = await h.sim.send(MEMBER, text="/start stok_lapor")
    assert "(1/6)" in calls[-1].text


async def test_secretariat_visibility_setting(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, text="/stok beras 100 kg Bjm")
    calls = await h.sim.send(MEMBER, text="/stok sekretariat mungkin")
    assert "“mungkin”" in calls[-1].text and "/stok sekretariat ya" in calls[-1].text
    assert q(db_path, "SELECT stock_secretariat FROM organizations WHERE id = 1") == [(1,)]  # the default
    calls = await h.sim.send(MEMBER, text="/stok sekretariat tidak")
    assert "juga bagi sekretariat" in calls[-1].text
    assert q(db_path, "SELECT stock_secretariat FROM organizations WHERE id = 1") == [(0,)]
    calls = await h.sim.send(MEMBER, text="/stok publik ya")  # the old command explains the setting, changes nothing
    assert "/stok sekretariat ya" in calls[-1].text
    assert q(db_path, "SELECT stock_secretariat, stock_public FROM organizations WHERE id = 1") == [(0, 0)]
    calls = await h.sim.send(MEMBER, text="/stok sekretariat ya")
    assert calls[-1].text.startswith("Tersimpan. Sekretariat boleh melihat angka stok PMI Kalsel")
    assert q(db_path, "SELECT stock_secretariat FROM organizations WHERE id = 1") == [(1,)]


async def test_pledge_from_stock_and_deduction_on_receipt(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, text="/stok beras 1 ton gudang PMI Bjm")
    await h.sim.send(OTHER, text="/stok beras 5 ton Bjb")  # the need's own organisation is never asked
    await h.sim.send(OTHER, GROUP_ID, "/butuh 300 kg beras Bjm")
    notice = h.api.last(MEMBER.id)
    assert "K-0001" in notice.text and "Stok Anda: 1.000 kg" in notice.text
    assert notice.button_texts() == ["🤝 Janjikan 300 kg dari stok"]
    assert all("Janjikan" not in " ".join(c.button_texts()) for c in h.api.sent(OTHER.id))
    calls = await h.sim.press(STRANGER, notice, text="🤝 Janjikan 300 kg dari stok")
    assert "tidak berlaku" in calls[-1].params["text"]
    pledge_button = data_of(notice, "🤝 Janjikan 300 kg dari stok")
    calls = await h.sim.press(MEMBER, notice, data=pledge_button)
    assert any("Tersimpan" in c.text and "300 kg" in c.text for c in calls)
    assert q(db_path, "SELECT source, quantity, status FROM pledges") == [("stock", 300.0, "pledged")]
    assert q(db_path, "SELECT status FROM stock_pledges") == [("open",)]
    calls = await h.sim.press(MEMBER, notice, data=pledge_button)  # fully pledged now
    assert "sudah dijanjikan" in calls[-1].params["text"]
    assert q(db_path, "SELECT COUNT(*) FROM pledges") == [(1,)]
    owner = h.api.last(OTHER.id)
    await h.sim.press(OTHER, owner, text="✅ Diterima")
    ask = h.api.last(MEMBER.id)
    assert "Kurangi" in ask.text and "sebanyak 300 kg" in ask.text
    assert q(db_path, "SELECT quantity FROM stock WHERE organization_id = 1") == [(1000.0,)]  # not without consent
    deduct = data_of(ask, "✅ Kurangi stok saya")
    await h.sim.press(MEMBER, ask, data=deduct)
    assert q(db_path, "SELECT quantity FROM stock WHERE organization_id = 1") == [(700.0,)]
    calls = await h.sim.press(MEMBER, ask, data=deduct)  # a second tap deducts nothing
    assert "tidak berlaku" in calls[-1].params["text"]
    assert q(db_path, "SELECT quantity FROM stock WHERE organization_id = 1") == [(700.0,)]
    assert q(db_path, "SELECT action, previous, quantity FROM stock_history WHERE action = 'pledge'") == [
        ("pledge", 1000.0, 700.0)
    ]


async def test_stale_stock_is_not_matched(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, text="/stok beras 1 ton Bjm")
    h.clock.advance(timedelta(days=31))
    before = len(h.api.sent(MEMBER.id))
    await h.sim.send(OTHER, GROUP_ID, "/butuh 300 kg beras Bjm")
    assert not any("Janjikan" in " ".join(c.button_texts()) for c in h.api.sent(MEMBER.id)[before:])
    assert datetime.fromtimestamp(h.clock.timestamp(), UTC) > datetime(2025, 9, 1, tzinfo=UTC)


async def test_a_report_delivered_twice_is_stored_once(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    update_id = h.sim.next_update_id()
    await h.sim.send(MEMBER, text="/stok beras 100 kg Bjm", update_id=update_id)
    calls = await h.sim.send(MEMBER, text="/stok beras 100 kg Bjm", update_id=update_id)
    assert not calls
    assert q(db_path, "SELECT COUNT(*) FROM stock_history") == [(1,)]
