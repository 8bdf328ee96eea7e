"""The cluster's stock picture: totals against a hand-computed fixture, /cari nearest first with private
holders pooled and asked privately, and the privacy rule over every command that can show stock in the group."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from bot.devtools.harness import Harness
from bot.devtools.sim import SimUser
from bot.services import stock as svc
from bot.storage.db import open_sync
from tests.conftest import ADMIN, GROUP_ID, MEMBER, OTHER
from tests.test_stock_e2e import data_of, member

DONOR = SimUser(1005, "Joko", None, "joko_mdmc")

# Private figures that must never reach the group (none equals a total that may be shown).
PMI = ["beras 1.234 kg gudang PMI Bjm", "terpal 57 lembar HSS", "selimut 75 lembar Bjm"]
DINSOS = ["beras 2.345 kg Bjb", "beras 321 kg Bjm", "selimut 140 lembar Bjm"]
MDMC = ["beras 500 kg Bjm", "terpal 30 lembar HSS", "genset 3 unit Tala"]  # MDMC allows its stock by name
PRIVATE_FIGURES = ["1.234", "2.345", "321 kg", "57 lembar", "75 lembar", "140 lembar"]
PRIVATE_NAMES = ["PMI", "Palang Merah", "Dinsos", "Dinas Sosial", "Budi", "Sari"]


async def fixture(h: Harness) -> None:
    await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
    await member(h, MEMBER, "Palang Merah Indonesia Kalsel | PMI Kalsel | ngo | Bjm | Kepala Gudang")
    await member(h, OTHER, "Dinas Sosial Provinsi | Dinsos | opd | Bjb | Kabid")
    await member(h, DONOR, "Muhammadiyah Disaster Management Center | MDMC | ngo | Bjm | Koordinator")
    for user, lines in ((MEMBER, PMI), (OTHER, DINSOS), (DONOR, MDMC)):
        await h.sim.send(user, text="/stok\n" + "\n".join(lines))
    await h.sim.send(DONOR, text="/stok publik ya")


def totals(db_path: Path, now: int) -> svc.Totals:
    conn = open_sync(db_path)
    try:
        return svc.cluster_totals(conn, 1, now)
    finally:
        conn.close()


async def test_totals_by_category_and_region_match_the_hand_computed_fixture(h: Harness, db_path: Path) -> None:
    await fixture(h)
    result = totals(db_path, h.clock.timestamp())
    by_category = {(r.category, r.unit): (r.quantity, r.contributors, r.lines) for r in result.by_category}
    assert by_category == {
        # beras: PMI 1234 + Dinsos 2345 + 321 + MDMC 500 — two private contributors, shown
        ("pangan", "kg"): (4400.0, 3, 4),
        # terpal 57 + 30, selimut 75 + 140: PMI, Dinsos private, MDMC public
        ("hunian", "lembar"): (302.0, 3, 4),
        # genset: MDMC only, public: shown
        ("penerangan", "unit"): (3.0, 1, 1),
    }
    by_region = {(r.region_code, r.category, r.unit): (r.quantity, r.contributors) for r in result.by_region}
    assert by_region == {
        ("63.71", "pangan", "kg"): (2055.0, 3),  # PMI 1234 + Dinsos 321 + MDMC 500
        ("63.72", "pangan", "kg"): (None, 1),  # Dinsos alone: hidden
        ("63.71", "hunian", "lembar"): (215.0, 2),  # PMI 75 + Dinsos 140
        ("63.06", "hunian", "lembar"): (None, 2),  # PMI 57 + MDMC 30: one private, public known → hidden
        ("63.01", "penerangan", "unit"): (3.0, 1),
    }
    assert (result.organizations, result.lines, result.stale_lines, result.near_expiry_lines) == (3, 9, 0, 0)
    h.clock.advance(timedelta(days=31))
    await h.sim.send(DONOR, text="/stok genset 4 unit Tala")
    later = totals(db_path, h.clock.timestamp())
    assert later.stale_lines == 8 and round(later.mean_age_days, 1) == round(31 * 8 / 9, 1)
    calls = await h.sim.send(ADMIN, text="/stok")  # the secretariat's /stok is the cluster picture
    text = calls[-1].text
    assert "3 organisasi melaporkan stok · 9 baris" in text
    assert "• Pangan: 4.400 kg (3 org.)" in text and "• Hunian sementara: 302 lembar (3 org.)" in text
    assert "Kota Banjarmasin: Pangan 2.055 kg; Hunian sementara 215 lembar" in text
    assert "Kota Banjarbaru: Pangan disembunyikan" in text
    assert "Kesegaran: 1 dari 9 baris" in text


async def test_no_group_answer_names_or_figures_a_private_organisation(h: Harness, db_path: Path) -> None:
    await fixture(h)
    before = len(h.api.calls)
    commands = [
        (MEMBER, "/stok"), (MEMBER, "/stok saya"), (MEMBER, "/stok beras 99 kg Bjm"), (OTHER, "/stok total"),
        (ADMIN, "/stok ringkasan"), (OTHER, "/ringkasan stok"), (ADMIN, "/ringkasan stok"), (MEMBER, "/ringkasan"),
        (OTHER, "/cari beras"), (OTHER, "/cari beras Bjm"), (DONOR, "/cari terpal HSS"), (MEMBER, "/cari selimut"),
        (ADMIN, "/cari genset Tala"), (MEMBER, "/cari beras Kab. Atlantis"), (OTHER, "/stok basi"),
        (OTHER, "/stok publik ya"), (OTHER, "/stok lapor"), (ADMIN, "/cari beras"),
    ]  # fmt: skip
    for user, text in commands:
        await h.sim.send(user, GROUP_ID, text)
        h.clock.advance(timedelta(seconds=1))
    search = next(c for c in h.api.calls[before:] if c.chat_id == GROUP_ID and "🔎 <b>Beras</b>" in c.text)
    await h.sim.press(OTHER, search, data=data_of(search, "📨 Tanya pemilik secara pribadi"))
    group_texts = [c.text for c in h.api.calls[before:] if c.chat_id == GROUP_ID and c.text]
    group_texts += [str(c.params.get("text", "")) for c in h.api.calls[before:] if c.method == "answerCallbackQuery"]
    assert len(group_texts) >= len(commands)
    for text in group_texts:
        for secret in PRIVATE_FIGURES + PRIVATE_NAMES:
            assert secret not in text, (secret, text)
    everything = "\n".join(group_texts)
    assert "MDMC: 500 kg" in everything and "MDMC: 30 lembar" in everything  # the consenting one is named
    assert "2.055 kg" in everything  # totals pooling two private organisations are shown
    assert "disembunyikan" in everything
    assert "2 organisasi memilikinya (angka privat)" in everything
    # the group's questions never stored a figure
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT COUNT(*) FROM stock").fetchone() == (9,)
    finally:
        conn.close()


async def test_cari_nearest_first_and_forwarded_privately(h: Harness, db_path: Path) -> None:
    await fixture(h)
    await h.sim.send(MEMBER, text="/stok publik ya")
    await h.sim.send(DONOR, text="/stok beras 800 kg gudang Barabai HST")
    calls = await h.sim.send(OTHER, text="/cari beras HSS")
    text = calls[-1].text
    assert "terdekat ke Kab. Hulu Sungai Selatan dulu" in text
    # HST borders HSS, Banjarmasin is further; within a region the larger holding first
    assert text.index("MDMC: 800 kg · Kab. Hulu Sungai Tengah") < text.index("PMI Kalsel: 1.234 kg · Kota Banjarmasin")
    assert text.index("PMI Kalsel: 1.234 kg") < text.index("MDMC: 500 kg · Kota Banjarmasin")
    assert "memilikinya (angka privat)" not in text  # the asker's own (private) stock is not pooled
    search = calls[-1]
    forward = data_of(search, "📨 Tanya pemilik secara pribadi")
    calls = await h.sim.press(MEMBER, search, data=forward)  # not the asker
    assert "Hanya orang yang mencari" in calls[-1].params["text"]
    calls = await h.sim.press(OTHER, search, data=forward)
    assert "Terkirim secara pribadi ke 2 organisasi" in calls[0].params["text"]
    asks = [c for c in calls if c.method == "sendMessage" and c.chat_id in (MEMBER.id, DONOR.id)]
    assert sorted(c.chat_id for c in asks) == [MEMBER.id, DONOR.id]
    assert all("Dinsos mencari <b>beras</b> untuk Kab. Hulu Sungai Selatan" in c.text for c in asks)
    assert not any(c.chat_id == OTHER.id and "Bisakah membantu" in c.text for c in calls)
    calls = await h.sim.press(OTHER, search, data=forward)  # once only
    assert "sudah diteruskan" in calls[-1].params["text"]
    pmi_ask = next(c for c in asks if c.chat_id == MEMBER.id)
    mdmc_ask = next(c for c in asks if c.chat_id == DONOR.id)
    await h.sim.press(DONOR, mdmc_ask, text="✖ Tidak sekarang")
    calls = await h.sim.press(MEMBER, pmi_ask, data=data_of(pmi_ask, "✅ Ya, kami bisa bantu"))
    told = [c for c in calls if c.chat_id == OTHER.id and c.method == "sendMessage"]
    assert len(told) == 1 and "PMI Kalsel bisa membantu dengan beras. Kontak: Budi Santoso (@budi_pmi)" in told[0].text
    calls = await h.sim.press(MEMBER, pmi_ask, data=data_of(pmi_ask, "✅ Ya, kami bisa bantu"))  # once only
    assert "tidak berlaku" in calls[-1].params["text"]
    assert not any("Joko" in c.text for c in h.api.sent(OTHER.id))  # "no" shares nothing


async def test_cari_bad_input(h: Harness) -> None:
    await fixture(h)
    calls = await h.sim.send(OTHER, GROUP_ID, "/cari")
    assert "Barang apa yang Anda cari?" in calls[-1].text and "/cari terpal HSS" in calls[-1].text
    calls = await h.sim.send(OTHER, GROUP_ID, "/cari beras Kab. Atlantis")
    assert "“Kab. Atlantis”" in calls[-1].text
    calls = await h.sim.send(OTHER, GROUP_ID, "/cari kapal selam")
    assert "Belum ada anggota yang melaporkan stok terkini barang ini." in calls[-1].text


async def test_situation_summary_uses_stock_without_exposing_it(h: Harness, db_path: Path) -> None:
    await fixture(h)
    await h.sim.send(DONOR, GROUP_ID, "/butuh 5 ton beras Bjm")
    await h.sim.send(DONOR, GROUP_ID, "/butuh 100 lembar terpal HSS")
    before = len(h.api.calls)
    await h.sim.send(ADMIN, GROUP_ID, "/lapsit")
    summary = "\n".join(c.text for c in h.api.calls[before:] if c.chat_id == GROUP_ID and c.text)
    assert "• Beras: 0,6 ton dari 5" in summary  # 5 ton needed − 4.400 kg pooled from three organisations
    assert "• Terpal: 100 lembar" in summary  # 57 (private) + 30 (public) would expose the private one: left out
    assert "3 organisasi" in summary
    for secret in PRIVATE_FIGURES + PRIVATE_NAMES:
        assert secret not in summary, secret
