"""Needs, offers, pledges, matching, escalation and lists through the real Application."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.devtools.harness import Harness
from bot.kernel import scheduling
from tests.support.db import q
from tests.support.needs import card_of
from tests.support.outbox import later
from tests.support.people import ADMIN, DONOR, GROUP_ID, MEMBER, OTHER, STRANGER
from tests.support.world import cluster_with_members


async def test_one_line_need_posts_a_card(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 paket sembako HSS mendesak untuk 120 KK besok")
    card = next(c for c in calls if c.method == "sendMessage" and "K-0001" in c.text)
    assert "— mendesak" in card.text and "500 paket" in card.text and "Hulu Sungai Selatan" in card.text
    assert "120 KK" in card.text
    assert card.button_texts() == ["🤝 Saya bantu", "ℹ️ Detail", "✅ Terpenuhi", "✖ Batalkan kebutuhan"]
    row = q(db_path, "SELECT item_key, quantity, unit, region_code, priority, beneficiaries, status FROM needs")
    assert row == [("sembako", 500.0, "paket", "63.06", 1, 120, "open")]


async def test_need_parse_errors_store_nothing(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    for line, expected in [
        ("sembako HSS", "jumlah"),
        ("banyak sekali beras HSS", "banyak sekali"),
        ("500 paket sembako Kab. Atlantis", "Kab. Atlantis"),
        ("-5 kg beras HSS", "lebih dari nol"),
        ("500 paket sembako", "kabupaten/kota"),
    ]:
        calls = await h.sim.send(MEMBER, GROUP_ID, "/butuh " + line)
        assert expected in calls[-1].text, (line, calls[-1].text)
        assert "Tidak ada yang disimpan" in calls[-1].text
    assert q(db_path, "SELECT COUNT(*) FROM needs") == [(0,)]


async def test_non_member_cannot_post_or_pledge(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(STRANGER, GROUP_ID, "/butuh 500 paket sembako HSS")
    assert "/daftar" in calls[-1].text
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 paket sembako HSS")
    calls = await h.sim.send(STRANGER, text="/start bantu_1")
    assert "/daftar" in calls[-1].text
    assert q(db_path, "SELECT COUNT(*) FROM needs") == [(1,)]
    assert q(db_path, "SELECT COUNT(*) FROM pledges") == [(0,)]


async def test_guided_need_flow(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(MEMBER, text="/butuh")
    assert "1/6" in calls[-1].text
    calls = await h.sim.send(MEMBER, text="air mineral")
    assert "2/6" in calls[-1].text
    calls = await h.sim.send(MEMBER, text="1.000 dus")
    assert "3/6" in calls[-1].text
    calls = await h.sim.send(MEMBER, text="Batola kec. Alalak")
    calls = await h.sim.press(MEMBER, calls[-1], data="nf:prio:2")
    calls = await h.sim.press(MEMBER, calls[-1], data="nf:when:1")
    calls = await h.sim.send(MEMBER, text="300 jiwa")
    assert "Periksa" in calls[-1].text
    calls = await h.sim.press(MEMBER, calls[-1], data="nf:ok")
    assert any(c.chat_id == GROUP_ID and "K-0001" in c.text for c in calls)
    assert any(c.chat_id == MEMBER.id and "K-0001" in c.text for c in calls)
    assert q(db_path, "SELECT item_key, quantity, unit, region_code, location, priority, beneficiaries FROM needs") == [
        ("air_minum", 1000.0, "dus", "63.04", "Kec. Alalak", 2, 300)
    ]


async def test_pledge_cycle_closes_the_need_and_edits_the_card_in_place(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 paket sembako HSS mendesak")
    card = card_of(h)
    calls = await h.sim.press(OTHER, card, data="nd:help:1")
    assert any(c.method == "answerCallbackQuery" and "start=bantu_1" in str(c.params.get("url")) for c in calls)
    calls = await h.sim.send(OTHER, text="/start bantu_1")
    ask = calls[-1]
    assert "500 paket" in ask.text and ask.button_texts()[0] == "500 paket"
    calls = await h.sim.send(OTHER, text="300")
    saved = next(c for c in calls if c.chat_id == OTHER.id and "Tersimpan" in c.text)
    assert any(c.chat_id == MEMBER.id and "Dinsos" in c.text for c in calls)  # owner told
    assert card_of(h).edits == 1 and "300/500" in card_of(h).text
    calls = await h.sim.press(DONOR, h.api.last(DONOR.id) if h.api.sent(DONOR.id) else saved, data="pg:sent:1")
    assert any("hanya" in str(c.params.get("text", "")).lower() for c in calls if c.method == "answerCallbackQuery")
    calls = await h.sim.press(OTHER, saved, text="📦 Dikirim")
    notice = next(c for c in calls if c.chat_id == MEMBER.id)
    calls = await h.sim.press(MEMBER, notice, text="✅ Diterima")
    assert q(db_path, "SELECT pledged, sent, received, status FROM needs") == [(300.0, 300.0, 300.0, "open")]
    # a second pledge covering the rest, received directly
    await h.sim.send(DONOR, text="/start bantu_1")
    calls = await h.sim.send(DONOR, text="200")
    notice = next(c for c in calls if c.chat_id == MEMBER.id)
    calls = await h.sim.press(MEMBER, notice, text="✅ Diterima")
    assert q(db_path, "SELECT status FROM needs") == [("fulfilled",)]
    assert any(c.chat_id == GROUP_ID and "terpenuhi" in c.text for c in calls)
    final = card_of(h)
    assert "TERPENUHI" in final.text and not (final.reply_markup or {}).get("inline_keyboard")
    assert len([c for c in h.api.sent(GROUP_ID) if "K-0001 ·" in c.text]) == 1  # never reposted
    # audit trail equals the totals
    assert q(db_path, "SELECT COUNT(*) FROM pledge_events") == [(5,)]


async def test_cancelled_pledge_reopens_the_amount(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 100 lembar terpal Bjm")
    await h.sim.send(OTHER, text="/start bantu_1")
    calls = await h.sim.send(OTHER, text="150")
    saved = next(c for c in calls if c.chat_id == OTHER.id and "Tersimpan" in c.text)
    assert "lebih" in saved.text  # over-pledge shown
    assert "Kelebihan komitmen" in card_of(h).text
    await h.sim.press(OTHER, saved, text="✖ Batalkan komitmen")
    assert q(db_path, "SELECT pledged, status FROM needs") == [(0.0, "open")]
    assert q(db_path, "SELECT status FROM pledges") == [("cancelled",)]
    calls = await h.sim.press(OTHER, saved, data="pg:cancel:1")  # replayed
    assert any(c.method == "answerCallbackQuery" for c in calls)
    assert q(db_path, "SELECT pledged FROM needs") == [(0.0,)]


async def test_only_owner_or_secretariat_closes_a_need(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 50 buah genset HSS")
    calls = await h.sim.press(OTHER, card_of(h), data="nd:done:1")
    assert any("Hanya" in str(c.params.get("text", "")) for c in calls)
    assert q(db_path, "SELECT status FROM needs") == [("open",)]
    await h.sim.press(ADMIN, card_of(h), data="nd:cancel:1")
    assert q(db_path, "SELECT status FROM needs") == [("cancelled",)]
    assert "DIBATALKAN" in card_of(h).text


async def test_stale_and_tampered_callbacks_are_harmless(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 50 buah genset HSS")
    card = card_of(h)
    for data in ["nd:done:999", "nd:x:1", "pl:q:1:-5", "pl:q:1:abc", "pg:recv:77", "nf:ok", "nl:zz:0", "pl:o:1:9"]:
        calls = await h.sim.press(OTHER, card, data=data)
        assert any(c.method == "answerCallbackQuery" for c in calls), data
    assert q(db_path, "SELECT status, pledged FROM needs") == [("open", 0.0)]
    assert q(db_path, "SELECT COUNT(*) FROM pledges") == [(0,)]


async def test_offer_and_matching_notifies_only_the_holder(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(DONOR, text="/tawar 2 ton beras Banjarmasin sampai 30/9")
    assert any(c.chat_id == GROUP_ID and "T-0001" in c.text for c in calls)
    h.api.clear()
    calls = await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 kg beras HSS tinggi")
    private = [c for c in calls if c.method == "sendMessage" and c.chat_id is not None and c.chat_id > 0]
    assert [c.chat_id for c in private] == [DONOR.id]
    assert "T-0001" in private[0].text
    assert any(c.chat_id == GROUP_ID and "Tawaran yang cocok" in c.text for c in calls)
    calls = await h.sim.press(DONOR, private[0], data=private[0].buttons[0][0]["callback_data"])
    assert q(db_path, "SELECT source, quantity, offer_id FROM pledges") == [("offer", 500.0, 1)]
    assert q(db_path, "SELECT committed, unit FROM offers") == [(0.5, "ton")]


async def test_offer_posting_suggests_open_needs(h: Harness) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 300 lembar terpal HSS")
    calls = await h.sim.send(DONOR, GROUP_ID, "/tawar 100 lembar terpal Bjm")
    # one group message: the offer's card with the needs it could cover under it (issue #13 part 4)
    [card] = [c for c in calls if c.method == "sendMessage" and c.chat_id == GROUP_ID]
    assert "T-0001" in card.text and "K-0001" in card.text and card.text.index("T-0001") < card.text.index("K-0001")


async def test_uncovered_need_escalates_to_the_secretariat(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 paket sembako HSS mendesak")
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 10 buah genset HST rendah")
    h.api.clear()
    h.clock.advance(timedelta(hours=1))
    assert await scheduling.run_due(h.app) == 0
    h.clock.advance(timedelta(hours=1, minutes=1))
    await scheduling.run_due(h.app)
    texts = [c.text for c in h.api.sent()]
    assert any("K-0001" in text and "⚠️" in text for text in texts)
    assert not any("K-0002" in text for text in texts)
    assert any(c.chat_id == ADMIN.id for c in h.api.sent())
    assert await scheduling.run_due(h.app) == 0  # never twice


async def test_lists_filter_and_paginate(h: Harness) -> None:
    await cluster_with_members(h)
    for i in range(10):
        await h.sim.send(MEMBER, GROUP_ID, f"/butuh {i + 1}0 paket sembako HSS {'mendesak' if i % 2 else 'rendah'}")
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 5 buah genset Tala")
    calls = await h.sim.send(OTHER, GROUP_ID, "/kebutuhan")
    page = calls[-1]
    assert "Halaman 1 dari 2" in page.text and page.text.index("🔴") < page.text.index("🟢")
    calls = await h.sim.send(OTHER, GROUP_ID, "/kebutuhan Tala")
    assert "K-0011" in calls[-1].text and "K-0001" not in calls[-1].text
    calls = await h.sim.send(OTHER, GROUP_ID, "/kebutuhan sembako mendesak")
    assert "Halaman 1 dari 1" in calls[-1].text and "K-0002" in calls[-1].text and "K-0001 " not in calls[-1].text
    calls = await h.sim.press(OTHER, page, data=page.buttons[0][0]["callback_data"])
    assert any(c.method == "editMessageText" and "Halaman 2 dari 2" in c.text for c in calls)


async def test_incident_declared_and_needs_attached(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(MEMBER, GROUP_ID, "/kejadian banjir HSS tanggap darurat")
    assert "sekretariat" in calls[-1].text.lower()
    calls = await h.sim.send(ADMIN, GROUP_ID, "/kejadian banjir HSS, HST tanggap darurat 20/8")
    assert "Banjir HSS, HST" in calls[-1].text
    calls = await h.sim.send(ADMIN, GROUP_ID, "/kejadian gunung meletus HSS")
    assert "gunung" in calls[-1].text
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 100 lembar terpal HST")
    assert q(db_path, "SELECT incident_id FROM needs") == [(1,)]
    await h.sim.send(ADMIN, GROUP_ID, "/kejadian status 1 transisi")
    assert q(db_path, "SELECT status FROM incidents") == [("transisi",)]
    await h.sim.send(ADMIN, GROUP_ID, "/kejadian tutup 1")
    calls = await h.sim.send(MEMBER, GROUP_ID, "/kejadian")
    assert "Tidak ada kejadian aktif" in calls[-1].text


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["pledge", "sent", "recv", "cancel"]), st.integers(1, 400)), max_size=12))
async def test_totals_always_equal_the_audit_log(h: Harness, ops: list[tuple[str, int]]) -> None:
    from bot.features.needs import service as svc
    from bot.features.needs import storage as repo
    from bot.features.needs.service import NeedDraft

    db = h.runtime.db
    if not await db.read(lambda c: c.execute("SELECT COUNT(*) FROM clusters").fetchone()[0]):
        await cluster_with_members(h)
    now = h.clock.timestamp()
    draft = NeedDraft("beras", "Beras", "pangan", 1000, "kg", "63.06")
    # Each example posts the same need again at the same time: past the double-post guard on purpose.
    posted = await db.write(svc.post_need, 1, 1, MEMBER.id, draft, now, False, True)
    need_id = posted.need.id
    pledge_ids: list[int] = []
    for op, amount in ops:
        if op == "pledge":
            result = await db.write(svc.make_pledge, need_id, 2, OTHER.id, float(amount), now)
            if result.ok:
                pledge_ids.append(result.pledge.id)
        elif pledge_ids:
            target = {"sent": "sent", "recv": "received", "cancel": "cancelled"}[op]
            await db.write(svc.move_pledge, pledge_ids[amount % len(pledge_ids)], target, ADMIN.id, None, True, now)
    need = await db.read(repo.need_by_id, need_id)
    assert await db.read(repo.totals_from_events, need_id) == (need.pledged, need.sent, need.received)
    pledges = await db.read(repo.pledges_of_need, need_id)
    assert need.pledged == sum(p.quantity for p in pledges if p.status != "cancelled")
    assert need.received == sum(p.quantity for p in pledges if p.status == "received")


async def test_an_offer_card_with_its_matches_in_a_5xx_storm_is_posted_once(h: Harness, db_path: Path) -> None:
    """Issue #13: the offer and its matches are one outbox row (before: a card and a second match message, each
    retried on its own); a 5xx storm past the inline retries delivers it once, later, with the matches."""
    await cluster_with_members(h)
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 300 lembar terpal HSS")
    h.api.fail("sendMessage", "server", chat_id=GROUP_ID, times=5)
    calls = await h.sim.send(DONOR, GROUP_ID, "/tawar 100 lembar terpal Bjm")
    assert not any(c.error is None for c in calls if c.method == "sendMessage" and c.chat_id == GROUP_ID)
    calls = await later(h)
    [card] = [c for c in calls if c.method == "sendMessage" and c.chat_id == GROUP_ID and c.error is None]
    assert "T-0001" in card.text and "K-0001" in card.text
    assert q(db_path, "SELECT chat_id IS NOT NULL, message_id = ? FROM offers", card.result["message_id"]) == [(1, 1)]
