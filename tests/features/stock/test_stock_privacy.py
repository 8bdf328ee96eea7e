"""The cluster's stock picture: the published table against a hand-computed fixture, /cari nearest first and
asked privately, and the privacy rule over every command that can show stock in the group (docs/privacy.md;
the arithmetic routes are in tests/features/stock/test_stock_sdc.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.devtools.harness import Harness
from bot.devtools.sim import SimUser
from bot.features.stock import service as svc
from tests.support.buttons import data_of
from tests.support.db import connect, q
from tests.support.people import ADMIN, GROUP_ID, MEMBER, OTHER
from tests.support.world import member

DONOR = SimUser(1005, "Joko", None, "joko_mdmc")

# Private figures that must never reach the group (none equals a total that may be shown).
PMI = ["beras 1.234 kg gudang PMI Bjm", "terpal 57 lembar HSS", "selimut 75 lembar Bjm"]
DINSOS = ["beras 2.345 kg Bjb", "beras 321 kg Bjm", "selimut 140 lembar Bjm"]
MDMC = ["beras 500 kg Bjm", "terpal 30 lembar HSS", "genset 3 unit Tala"]
PRIVATE_FIGURES = ["1.234", "2.345", "321 kg", "57 lembar", "75 lembar", "140 lembar", "500 kg", "30 lembar",
                   "3 unit", "87 lembar", "215 lembar"]  # fmt: skip
PRIVATE_NAMES = ["PMI", "Palang Merah", "Dinsos", "Dinas Sosial", "Budi", "Sari", "MDMC", "Joko"]


async def fixture(h: Harness) -> None:
    await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
    await member(h, MEMBER, "Palang Merah Indonesia Kalsel | PMI Kalsel | ngo | Bjm | Kepala Gudang")
    await member(h, OTHER, "Dinas Sosial Provinsi | Dinsos | opd | Bjb | Kabid")
    await member(h, DONOR, "Muhammadiyah Disaster Management Center | MDMC | ngo | Bjm | Koordinator")
    for user, lines in ((MEMBER, PMI), (OTHER, DINSOS), (DONOR, MDMC)):
        await h.sim.send(user, text="/stok\n" + "\n".join(lines))


def published(db_path: Path | str) -> svc.Published:
    with connect(db_path) as conn:
        result = svc.published(conn, 1)
    assert result is not None
    return result


async def test_published_table_matches_the_hand_computed_fixture(h: Harness, db_path: Path) -> None:
    await fixture(h)
    calls = await h.sim.send(ADMIN, text="/stok")  # the secretariat's /stok is the cluster picture
    text = calls[-1].text
    figures = {(r.category, r.unit, r.level, r.norm_item, r.region_code): (r.quantity, r.contributors)
               for r in published(db_path).rows if r.level not in ("holders",)}  # fmt: skip
    assert figures == {
        # beras in Banjarmasin: PMI 1234 + Dinsos 321 + MDMC 500, three organisations: a cell
        ("pangan", "kg", "cell", "beras", "63.71"): (2055.0, 3),
        # Dinsos's 2.345 kg in Banjarbaru: one organisation, so neither a cell nor "beras elsewhere"
        ("pangan", "kg", "hidden", "", ""): (None, 1),
        ("pangan", "kg", "table", "", ""): (None, 3),
        # terpal (PMI, MDMC) and selimut (PMI, Dinsos): two each, pooled into the category: 57+30+75+140
        ("hunian", "lembar", "category", "", ""): (302.0, 3),
        ("hunian", "lembar", "table", "", ""): (None, 3),
        # genset: MDMC only
        ("penerangan", "unit", "hidden", "", ""): (None, 1),
        ("penerangan", "unit", "table", "", ""): (None, 1),
    }
    assert "3 organisasi melaporkan stok · 9 baris" in text
    assert "• Pangan: sekurang-kurangnya 2.055 kg (3 org.)" in text
    assert "• Hunian sementara: 302 lembar (3 org.)" in text
    assert "• Penerangan &amp; listrik: disembunyikan (1 org.)" in text
    assert "📍 Kota Banjarmasin: Pangan 2.055 kg" in text and "Banjarbaru" not in text
    assert "Kesegaran: 9 dari 9 baris" in text
    h.clock.advance(timedelta(days=31))
    await h.sim.send(DONOR, text="/stok genset 4 unit Tala")
    calls = await h.sim.send(ADMIN, text="/stok")
    assert "Kesegaran: 1 dari 9 baris" in calls[-1].text


async def test_no_group_answer_names_or_figures_a_private_organisation(h: Harness, db_path: Path) -> None:
    await fixture(h)
    before = len(h.api.calls)
    commands = [
        (MEMBER, "/stok"), (MEMBER, "/stok saya"), (MEMBER, "/stok beras 99 kg Bjm"), (OTHER, "/stok total"),
        (ADMIN, "/stok ringkasan"), (OTHER, "/ringkasan stok"), (ADMIN, "/ringkasan stok"), (MEMBER, "/ringkasan"),
        (OTHER, "/cari beras"), (OTHER, "/cari beras Bjm"), (DONOR, "/cari terpal HSS"), (MEMBER, "/cari selimut"),
        (ADMIN, "/cari genset Tala"), (MEMBER, "/cari beras Kab. Atlantis"), (OTHER, "/stok basi"),
        (OTHER, "/stok sekretariat tidak"), (OTHER, "/stok lapor"), (ADMIN, "/cari beras"),
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
    assert "2.055 kg (3 org.)" in everything  # a cell of three organisations is shown
    assert "disembunyikan" in everything
    # the group's questions never stored a figure
    assert q(db_path, "SELECT COUNT(*) FROM stock") == [(9,)]


async def test_cari_nearest_first_and_forwarded_privately(h: Harness, db_path: Path) -> None:
    await fixture(h)
    for user, figure in ((MEMBER, 100), (OTHER, 200), (DONOR, 800)):
        await h.sim.send(user, text=f"/stok beras {figure} kg gudang Barabai HST")
    calls = await h.sim.send(OTHER, text="/cari beras HSS")
    text = calls[-1].text
    assert "terdekat ke Kab. Hulu Sungai Selatan dulu" in text
    # HST borders HSS, Banjarmasin is further
    assert text.index("Beras · Kab. Hulu Sungai Tengah: 1.100 kg (3 org.)") < \
        text.index("Beras · Kota Banjarmasin: 2.055 kg (3 org.)")  # fmt: skip
    own = text.split("Stok Anda (tidak ditampilkan ke pihak lain): ")[1].split("\n")[0]
    assert "Beras 2.345 kg · Kota Banjarbaru" in own and "Beras 200 kg · Kab. Hulu Sungai Tengah" in own
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
    assert "Tidak ada yang ditemukan untuk barang ini dalam stok terbitan, daftar kapasitas, maupun tawaran " \
        "terbuka." in calls[-1].text  # fmt: skip


async def test_situation_summary_uses_stock_without_exposing_it(h: Harness, db_path: Path) -> None:
    await fixture(h)
    await h.sim.send(DONOR, GROUP_ID, "/butuh 5 ton beras Bjm")
    await h.sim.send(DONOR, GROUP_ID, "/butuh 100 lembar terpal HSS")
    before = len(h.api.calls)
    await h.sim.send(ADMIN, GROUP_ID, "/lapsit")
    summary = "\n".join(c.text for c in h.api.calls[before:] if c.chat_id == GROUP_ID and c.text)
    assert "• Beras: 2,94 ton dari 5" in summary  # 5 ton needed − the published 2.055 kg (Banjarmasin's cell)
    assert "• Terpal: 100 lembar" in summary  # terpal is only inside the category's pool: no figure of its own
    assert "3 organisasi" in summary
    for secret in PRIVATE_FIGURES + PRIVATE_NAMES:
        assert secret not in summary, secret
