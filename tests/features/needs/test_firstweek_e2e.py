"""Issue #14 parts 2 and 4 and issue #13 part 3 through the real Application: the way officers write,
acting where people are, the double-post guard; and the flood guard's wording (part 1)."""

from __future__ import annotations

from pathlib import Path

from bot.devtools.harness import Harness
from bot.devtools.sim import SimUser
from tests.support.db import q
from tests.support.people import ADMIN, GROUP_ID, MEMBER, OTHER

DONOR = SimUser(1005, "Joko", None, "joko_bulog")


async def test_flood_note_says_the_message_was_not_processed(h: Harness) -> None:
    replies = []
    for _ in range(22):
        calls = await h.sim.send(MEMBER, text="/start")
        replies += [c.text for c in calls if c.method == "sendMessage"]
    assert "tidak saya proses" in replies[-1] and "kirim lagi" in replies[-1]
    assert "akan menjawab" not in replies[-1]  # no promise of an answer that never comes


async def cluster_with_members(h: Harness) -> None:
    from tests.support.world import cluster_with_members as setup

    await setup(h)


# ---- issue #13 part 3: the double-post guard -------------------------------------------------------------------


async def test_same_need_twice_asks_before_a_second_card(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    line = "/butuh 75 lembar terpal Tapin tinggi"
    await h.sim.send(MEMBER, GROUP_ID, line)
    h.clock.advance(__import__("datetime").timedelta(seconds=1))
    calls = await h.sim.send(MEMBER, GROUP_ID, line)
    question = next(c for c in calls if c.method == "sendMessage")
    assert "Kebutuhan yang sama sudah ada: <b>K-0001</b>" in question.text and "Tetap kirim?" in question.text
    assert question.button_texts() == ["📤 Tetap kirim", "✖ Jangan kirim"]
    assert q(db_path, "SELECT COUNT(*) FROM needs") == [(1,)]  # no second card, nothing stored
    assert not any("K-0002" in c.text for c in calls)
    # "Jangan kirim" keeps one need; "Tetap kirim" on a second attempt posts K-0002 after all.
    await h.sim.press(MEMBER, question, text="✖ Jangan kirim")
    assert q(db_path, "SELECT COUNT(*) FROM needs") == [(1,)]
    calls = await h.sim.send(MEMBER, GROUP_ID, line)
    question = next(c for c in calls if c.method == "sendMessage")
    calls = await h.sim.press(MEMBER, question, text="📤 Tetap kirim")
    assert any(c.method == "sendMessage" and "K-0002 · Terpal" in c.text for c in calls)
    assert q(db_path, "SELECT COUNT(*) FROM needs") == [(2,)]


async def test_guard_only_for_the_same_need_of_the_same_org_within_minutes(h: Harness, db_path: Path) -> None:
    from datetime import timedelta

    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 75 lembar terpal Tapin tinggi")
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 80 lembar terpal Tapin tinggi")  # another quantity
    await h.sim.send(OTHER, GROUP_ID, "/butuh 75 lembar terpal Tapin tinggi")  # another organisation
    h.clock.advance(timedelta(minutes=11))
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 75 lembar terpal Tapin tinggi")  # minutes later: a new need
    assert q(db_path, "SELECT COUNT(*) FROM needs") == [(4,)]


# ---- issue #14 part 4: acting where people are ------------------------------------------------------------------


async def test_an_organisation_cannot_pledge_to_its_own_need(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 100 lembar terpal HSS")
    need_id = q(db_path, "SELECT id FROM needs")[0][0]
    calls = await h.sim.send(MEMBER, text=f"/start bantu_{need_id}")
    assert "kebutuhan organisasi Anda sendiri" in calls[-1].text
    assert q(db_path, "SELECT COUNT(*) FROM pledges") == [(0,)]
    # Nor through a forged amount button.
    calls = await h.sim.press(MEMBER, h.api.last(MEMBER.id), data=f"pl:q:{need_id}:50")
    assert q(db_path, "SELECT COUNT(*) FROM pledges") == [(0,)]
    assert q(db_path, "SELECT pledged FROM needs") == [(0.0,)]


async def test_need_card_shows_pledged_sent_and_received(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 100 lembar terpal HSS")
    need_id = q(db_path, "SELECT id FROM needs")[0][0]
    await h.sim.send(DONOR, text=f"/start bantu_{need_id}")
    await h.sim.send(DONOR, text="60")
    saved = h.api.last(DONOR.id)
    await h.sim.press(DONOR, saved, text="📦 Dikirim")
    text = h.api.message(GROUP_ID, int(q(db_path, "SELECT message_id FROM needs")[0][0])).text
    assert "Komitmen" in text and "60/100 (60%)" in text
    assert "Dikirim  ▰▰▰▰▰▰▱▱▱▱ 60/100 (60%)" in text
    assert "Diterima  ▱▱▱▱▱▱▱▱▱▱ 0/100 (0%)" in text


async def _pledged(h: Harness, db_path: Path, amount: str = "60") -> tuple[int, object]:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 100 lembar terpal HSS")
    need_id = int(q(db_path, "SELECT id FROM needs")[0][0])
    await h.sim.send(DONOR, text=f"/start bantu_{need_id}")
    await h.sim.send(DONOR, text=amount)
    return need_id, h.api.last(DONOR.id)


async def test_replying_a_number_to_a_need_card_pledges_it(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 100 lembar terpal HSS")
    card = h.api.message(GROUP_ID, int(q(db_path, "SELECT message_id FROM needs")[0][0]))
    calls = await h.sim.send(DONOR, GROUP_ID, "40", reply_to=card)
    assert q(db_path, "SELECT quantity, status FROM pledges") == [(40.0, "pledged")]
    assert any("Tersimpan: Bulog menjanjikan 40 lembar untuk K-0001" in c.text for c in calls)
    assert "40/100 (40%)" in h.api.message(GROUP_ID, card.message_id).text  # the card moved
    # Chatter in reply to a card is not a pledge.
    await h.sim.send(OTHER, GROUP_ID, "terima kasih", reply_to=card)
    assert q(db_path, "SELECT COUNT(*) FROM pledges") == [(1,)]


async def test_replying_sudah_dikirim_to_a_pledge_notice_asks_then_moves_it(h: Harness, db_path: Path) -> None:
    _, saved = await _pledged(h, db_path)
    stored = h.api.message(DONOR.id, saved.result["message_id"])
    calls = await h.sim.send(DONOR, text="sudah dikirim", reply_to=stored)
    question = calls[-1]
    assert "sebagai sudah dikirim?" in question.text and question.button_texts() == ["📦 Ya, sudah dikirim"]
    assert q(db_path, "SELECT status FROM pledges") == [("pledged",)]  # not before the confirmation
    await h.sim.press(DONOR, question, text="📦 Ya, sudah dikirim")
    assert q(db_path, "SELECT status FROM pledges") == [("sent",)]
    # The need's organisation replies "sudah diterima" to the notice it got.
    notice = h.api.last(MEMBER.id)
    assert "✅ Diterima" in notice.button_texts()
    calls = await h.sim.send(
        MEMBER, text="sudah diterima", reply_to=h.api.message(MEMBER.id, notice.result["message_id"])
    )
    await h.sim.press(MEMBER, calls[-1], text="✅ Ya, sudah diterima")
    assert q(db_path, "SELECT status FROM pledges") == [("received",)]


async def test_kebutuhan_code_shows_one_need_and_the_owner_edits_it(h: Harness, db_path: Path) -> None:
    await _pledged(h, db_path)
    calls = await h.sim.send(OTHER, text="/kebutuhan K-0001")
    shown = calls[-1]
    assert "K-0001 · Terpal" in shown.text and "Kebutuhan terbuka" not in shown.text
    assert "🤝 Saya bantu" in shown.button_texts()
    assert "Untuk mengubahnya" not in shown.text  # only the owner is shown how to change it
    calls = await h.sim.send(MEMBER, text="/kebutuhan K-0001")
    assert "Untuk mengubahnya" in calls[-1].text and "/kebutuhan K-0001 jumlah 100" in calls[-1].text
    # Someone else cannot change it.
    calls = await h.sim.send(OTHER, text="/kebutuhan K-0001 jumlah 150")
    assert "Hanya organisasi yang mengajukan" in calls[-1].text
    assert q(db_path, "SELECT quantity FROM needs") == [(100.0,)]
    # The owner can; the pledger (Bulog) is told, the group card changes.
    calls = await h.sim.send(MEMBER, text="/kebutuhan K-0001 jumlah 150 lembar")
    assert q(db_path, "SELECT quantity FROM needs") == [(150.0,)]
    assert any(c.chat_id == MEMBER.id and "jumlah 100 lembar → 150 lembar" in c.text for c in calls)
    assert any(c.chat_id == DONOR.id and "diubah oleh PMI Kalsel" in c.text for c in calls)
    assert "60/150 (40%)" in h.api.message(GROUP_ID, int(q(db_path, "SELECT message_id FROM needs")[0][0])).text
    await h.sim.send(MEMBER, text="/kebutuhan K-0001 lokasi Posko Kandangan")
    await h.sim.send(MEMBER, text="/kebutuhan K-0001 tenggat besok 16.00")
    assert q(db_path, "SELECT location FROM needs") == [("Posko Kandangan",)]
    assert q(db_path, "SELECT needed_by IS NOT NULL FROM needs") == [(1,)]
    calls = await h.sim.send(MEMBER, text="/kebutuhan K-0042")
    assert "Tidak ada kebutuhan K-0042" in calls[-1].text


# ---- issue #14 part 2: the way officers write -------------------------------------------------------------------


async def test_missing_unit_is_the_items_counting_unit_never_a_pack(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    for line in ("/butuh 1.200 popok bayi HSS", "/butuh 600 pembalut HSS", "/butuh 1rb masker HSS"):
        await h.sim.send(MEMBER, GROUP_ID, line)
    rows = q(db_path, "SELECT item_key, quantity, unit FROM needs ORDER BY id")
    assert rows == [("popok", 1200.0, "buah"), ("pembalut", 600.0, "buah"), ("masker", 1000.0, "buah")]
    # A pack is kept when it is typed.
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 50 bks popok HSU")
    assert q(db_path, "SELECT unit FROM needs ORDER BY id DESC LIMIT 1") == [("bungkus",)]


async def test_kecamatan_recognised_stored_shown_and_exported(h: Harness, db_path: Path) -> None:
    import csv
    import io

    from bot.shared import regions

    assert len(regions.districts("63")) == 156
    assert {d.name for d in regions.districts("63") if d.regency == "63.06"} >= {"Daha Utara", "Daha Selatan", "Angkinang"}
    await cluster_with_members(h)
    calls = await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 lembar terpal Daha Utara")
    assert q(db_path, "SELECT region_code, district_code, note FROM needs") == [("63.06", "63.06.08", "")]
    card = next(c for c in calls if c.method == "sendMessage" and "K-0001" in c.text)
    assert "📍 Kec. Daha Utara, Kab. Hulu Sungai Selatan" in card.text
    await h.sim.send(OTHER, GROUP_ID, "/butuh 100 lembar selimut Negara")
    await h.sim.send(OTHER, GROUP_ID, "/tawar 40 lembar terpal kec. Angkinang")
    assert q(db_path, "SELECT region_code, note FROM needs WHERE number = 2") == [("63.06", "")]
    assert q(db_path, "SELECT region_code, district_code FROM offers") == [("63.06", "63.06.04")]
    await h.sim.send(ADMIN, GROUP_ID, "/ekspor")
    files = {c.files.get("document:filename", b"").decode(): c.files.get("document") for c in h.api.sent(method="sendDocument")}
    needs_csv = next(v for k, v in files.items() if k.endswith("-kebutuhan.csv"))
    rows = list(csv.reader(io.StringIO(needs_csv.decode("utf-8-sig")), delimiter=";" if b";" in needs_csv[:200] else ","))
    tags = rows[1]
    assert "#adm3+code" in tags and "#adm3+name" in tags
    first = dict(zip(tags, rows[2], strict=False))
    assert first["#adm3+code"] == "63.06.08" and first["#adm3+name"] == "Daha Utara"


def test_a_migration_numbered_below_the_schema_version_still_applies(tmp_path: Path, monkeypatch) -> None:
    """Branches add numbered migrations in parallel: a database that has 0031 still gets a 0021 later (0021 stands
    for one no later migration builds on; 0031 adds to 0010's outbox, so 0010 cannot stand in)."""
    from bot.kernel import db as db_module

    shipped = db_module.migrations()
    without = [m for m in shipped if m[0] != 21] if any(m[0] == 21 for m in shipped) else shipped
    late = (21, "0021_late.sql", "CREATE TABLE late_arrival (x INTEGER);")
    conn = db_module.open_sync(tmp_path / "x.db")
    monkeypatch.setattr(db_module, "migrations", lambda: without)
    db_module.apply_migrations(conn)
    monkeypatch.setattr(db_module, "migrations", lambda: sorted([*without, late]))
    assert db_module.apply_migrations(conn) == [21]
    assert tuple(conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'late_arrival'").fetchone()) == (1,)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == max(v for v, _, _ in shipped)
    assert db_module.apply_migrations(conn) == []


async def test_several_items_in_one_line_make_one_card_each_and_one_answer(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 lbr terpal + 200 selimut HSS mendesak")
    rows = q(db_path, "SELECT item_key, quantity, unit, region_code, priority, note FROM needs ORDER BY id")
    assert rows == [("terpal", 500.0, "lembar", "63.06", 1, ""), ("selimut", 200.0, "lembar", "63.06", 1, "")]
    cards = [c for c in calls if c.method == "sendMessage" and " · " in c.text and "K-000" in c.text]
    assert len(cards) == 2
    answers = [c for c in calls if c.method == "sendMessage" and "Tersimpan: 2 kebutuhan dari satu pesan" in c.text]
    assert len(answers) == 1 and "K-0001, K-0002" in answers[0].text
    # One item that cannot be understood: nothing is saved.
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 5 unit genset + 0 selimut HSS")
    assert q(db_path, "SELECT COUNT(*) FROM needs") == [(2,)]


async def test_words_not_understood_are_shown_back_not_kept_as_a_note(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(MEMBER, GROUP_ID, "/butuh 200 terpal HSS tolong cepat ya pak")
    assert "Tidak saya pahami: “cepat ya pak”" in calls[-1].text  # "tolong" is a filler word
    assert q(db_path, "SELECT COUNT(*) FROM needs") == [(0,)]
    # Written as a note on purpose it is kept.
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 200 terpal HSS catatan: antar ke posko Kandangan")
    assert q(db_path, "SELECT note FROM needs") == [("antar ke posko Kandangan",)]
    # "sgt mendesak" is a priority, with no leftover "sgt".
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 80 lembar selimut HSU sgt mendesak")
    assert q(db_path, "SELECT priority, note FROM needs WHERE number = 2") == [(1, "")]


async def test_besok_pagi_jam_8_keeps_the_time(h: Harness, db_path: Path) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    await cluster_with_members(h)
    calls = await h.sim.send(MEMBER, GROUP_ID, "/butuh 100 lembar terpal HSS besok pagi jam 8")
    (needed_by,) = q(db_path, "SELECT needed_by FROM needs")[0]
    local = datetime.fromtimestamp(int(needed_by), UTC).astimezone(ZoneInfo("Asia/Makassar"))
    assert (local.hour, local.minute) == (8, 0)
    card = next(c for c in calls if c.method == "sendMessage" and "K-0001" in c.text)
    assert "08.00" in card.text


async def test_a_place_outside_the_province_is_named_as_such(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(MEMBER, GROUP_ID, "/butuh 200 terpal Jakarta Selatan")
    assert "Jakarta Selatan berada di luar Provinsi Kalimantan Selatan" in calls[-1].text
    assert "Untuk kabupaten/kota mana" not in calls[-1].text
    assert q(db_path, "SELECT COUNT(*) FROM needs") == [(0,)]


async def test_hitung_accepts_households(h: Harness) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(ADMIN, GROUP_ID, "/hitung 350 KK 3 hari HSS")
    text = calls[-1].text
    assert "1.260 orang, 3 hari" in text and "350 KK × 3,6 jiwa per KK ≈ 1.260 jiwa (BPS Kalsel, Susenas 2020" in text
    assert "➕" in "".join(calls[-1].button_texts())  # HSS was understood too


async def test_household_size_is_the_provinces_bps_figure_kept_as_data_with_its_source(h: Harness) -> None:
    """Issue #14: people per KK is Kalimantan Selatan's average household size (BPS), not a calculator guess; the
    figure, its source and year live in bot/data/standards.json and the answer shows them."""
    import json
    from importlib import resources

    entry = json.loads(resources.files("bot.data").joinpath("standards.json").read_text("utf-8"))["household_size"]
    assert entry["province"] == "63" and "BPS" in entry["source"] and "Susenas" in entry["source"] and entry["year"]
    assert 3 < entry["value"] < 5 and entry["value"] != 4  # a measured figure, not the old round assumption
    await cluster_with_members(h)
    calls = await h.sim.send(ADMIN, GROUP_ID, "/hitung 1.000 KK 2 hari")
    text = calls[-1].text
    people = round(1000 * entry["value"])
    assert f"{people:,}".replace(",", ".") + " orang, 2 hari" in text
    assert "BPS Kalsel" in text and str(entry["year"]) in text and "asumsi" not in text


async def test_card_shows_the_members_own_words_with_the_catalogue_item(h: Harness) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(MEMBER, GROUP_ID, "/butuh 100 dus air mineral Bjm")
    card = next(c for c in calls if c.method == "sendMessage" and "K-0001" in c.text)
    assert "K-0001 · Air mineral</b>" in card.text
    assert "🏷 Air minum kemasan · Pangan" in card.text


async def test_incident_start_date_lies_in_the_past(h: Harness, db_path: Path) -> None:
    from datetime import UTC, datetime

    h.clock.set(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
    await cluster_with_members(h)
    await h.sim.send(ADMIN, GROUP_ID, "/kejadian banjir HSS tanggap darurat 20/8")
    (started,) = q(db_path, "SELECT started_at FROM incidents")[0]
    local = datetime.fromtimestamp(int(started), UTC).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Makassar"))
    assert local.date().isoformat() == "2026-08-20"  # not August 2027


async def test_weekday_that_does_not_match_the_date_is_named(h: Harness) -> None:
    from datetime import UTC, datetime

    h.clock.set(datetime(2026, 8, 1, 2, 0, tzinfo=UTC))
    await cluster_with_members(h)
    calls = await h.sim.send(
        ADMIN, GROUP_ID, "/agenda baru pelatihan | Manajemen Gudang | Kamis 4/9 09.00 | 2 jam | Aula BPBD Kalsel"
    )
    text = calls[-1].text
    assert "harinya tidak cocok dengan tanggalnya, yaitu Jumat, 4 September 2026" in text
    assert "Kamis 4/9" not in text.split("Tulis seperti ini:")[-1]  # the example is not the same stale date


async def test_examples_in_help_are_computed_from_today(h: Harness) -> None:
    import re
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    calls = await h.sim.send(MEMBER, text="/bantuan")
    text = calls[-1].text
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Makassar")).date()
    assert f"sampai {(today + timedelta(days=14)).day}/{(today + timedelta(days=14)).month}" in text
    assert f"tanggap darurat {(today - timedelta(days=2)).day}/{(today - timedelta(days=2)).month}" in text
    assert "{d" not in text and "30/8" not in text and "20/8" not in text
    assert not re.search(r"\{(?:d|wd|m)[+-]\d+\}", text)
