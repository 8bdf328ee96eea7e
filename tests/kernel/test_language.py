"""Indonesian that reads naturally (issue #14 part 5): the glossary's words to avoid never reach users, the cluster
name is never doubled, reminders are written the way officers write them, the successor is addressed as "Anda",
expiry is spelled "kedaluwarsa" but every common spelling is accepted, item names are lower-case mid-sentence and
the priority labels share one case. Everything user-facing goes through the real Application."""

from __future__ import annotations

import html
import re
from pathlib import Path

from bot.devtools.harness import Harness
from bot.features.export import service as export
from bot.features.needs import views as need_views
from bot.features.stock import views as stock_views
from bot.kernel.i18n import merged_catalog, translator
from bot.kernel.views import in_sentence
from tests.support.buttons import data_of
from tests.support.db import q
from tests.support.paths import ROOT
from tests.support.people import ADMIN, GROUP_ID, MEMBER, OTHER
from tests.support.world import cluster_with_two_members as cluster_with_members

GLOSSARY = ROOT / "docs" / "glossary.md"
CLUSTER = "Klaster Logistik Kalsel"


def avoid_phrases() -> list[str]:
    """Every `backticked` phrase in the glossary's last column ("Hindari / Avoid")."""
    phrases: list[str] = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| ") or line.startswith("| ---") or line.startswith("| Istilah"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        phrases += re.findall(r"`([^`]+)`", cells[-1])
    return phrases


def found_avoided(text: str, phrases: list[str]) -> list[str]:
    plain = html.unescape(re.sub(r"<[^>]+>", "", text))
    return [p for p in phrases if re.search(r"(?<![\w-])" + re.escape(p) + r"(?![\w])", plain, re.IGNORECASE)]


def indonesian_strings() -> list[str]:
    """Everything Indonesian users can be shown: the merged catalogue plus Indonesian labels kept in code."""
    out: list[str] = []
    for msg in merged_catalog("id"):
        if not msg.id:
            continue
        out += list(msg.string) if isinstance(msg.string, tuple) else [msg.string]
    out += list(export.STATUS_ID.values()) + list(export.PRIORITY_ID.values())
    out.append(stock_views.stock_example())
    # the export's Indonesian column headers: ("Jumlah dijanjikan", "#item+num+pledged")
    out += re.findall(r'\("([^"#]+)", "#', Path(export.__file__).read_text(encoding="utf-8"))
    return out


def test_glossary_lists_the_words_to_avoid() -> None:
    phrases = avoid_phrases()
    for expected in ("dikomitkan", "dikomitmenkan", "komitkan", "chat pribadi", "kadaluarsa", "pasang kebutuhan",
                     "1d16:00", "klaster Klaster"):  # fmt: skip
        assert expected in phrases


def test_no_avoided_word_in_the_indonesian_catalogue() -> None:
    phrases = avoid_phrases()
    assert "Jumlah dibutuhkan" in indonesian_strings()  # the export's headers are part of the scan
    bad = {text: hits for text in indonesian_strings() if (hits := found_avoided(text, phrases))}
    assert not bad, bad


def test_the_word_klaster_never_stands_before_the_cluster_name() -> None:
    doubled = [
        s for s in indonesian_strings() if re.search(r"klaster\s+(?:<b>)?\{(?:name|cluster)\}", s, re.IGNORECASE)
    ]
    assert not doubled, doubled


async def test_cluster_name_is_never_shown_doubled(h: Harness) -> None:
    await cluster_with_members(h)
    await h.sim.send(ADMIN, GROUP_ID, "/pasang " + CLUSTER)  # "already set up as …"
    await h.sim.send(MEMBER, text="/stok beras 2.500 kg gudang Banjarbaru")
    for command in ("/ringkasan stok", "/anggota", "/agenda", "/rencana", "/zona", "/lapsit", "/ringkasan harian",
                    "/ringkasan jadwal"):  # fmt: skip
        await h.sim.send(ADMIN, GROUP_ID, command)
    texts = [c.text for c in h.api.calls if c.text]
    shown = [t for t in texts if CLUSTER in t]
    assert len(shown) >= 3, texts  # the name is shown, so the check below means something
    doubled = [t for t in texts if re.search(r"klaster\s+klaster", re.sub(r"<[^>]+>", "", t), re.IGNORECASE)]
    assert not doubled, doubled
    phrases = avoid_phrases()
    assert not {t: hits for t in texts if (hits := found_avoided(t, phrases))}


async def test_reminder_setting_is_written_h_minus_one(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    calls = await h.sim.send(ADMIN, GROUP_ID, "/agenda pengingat")
    text = calls[-1].text
    assert "Pengingat agenda dikirim: H-1 pukul 16.00, 1 jam sebelum mulai." in text
    assert "<code>/agenda pengingat H-1 16.00, 1 jam</code>" in text and "1d16" not in text
    # the written form is what the bot accepts
    calls = await h.sim.send(ADMIN, GROUP_ID, "/agenda pengingat H-2 09.00, 3 jam, 30 menit")
    assert "Tersimpan. Pengingat kini dikirim: H-2 pukul 09.00, 3 jam sebelum mulai, 30 menit sebelum mulai." in (
        calls[-1].text
    )
    assert q(db_path, "SELECT value FROM cluster_settings WHERE key = 'agenda_reminders'") == [("2d09:00,3h,30m",)]
    # the old compact form is still understood
    calls = await h.sim.send(ADMIN, GROUP_ID, "/agenda pengingat 1d16:00,1h")
    assert "Pengingat kini dikirim: H-1 pukul 16.00, 1 jam sebelum mulai." in calls[-1].text
    calls = await h.sim.send(ADMIN, GROUP_ID, "/agenda pengingat kapan saja")
    assert "<code>/agenda pengingat H-2 09.00, 3 jam, 30 menit</code>" in calls[-1].text
    assert "1d16" not in calls[-1].text and "2d09" not in calls[-1].text
    calls = await h.sim.send(ADMIN, GROUP_ID, "/agenda bantuan")
    assert "<code>/agenda pengingat H-1 16.00, 1 jam</code>" in calls[-1].text and "1d16" not in calls[-1].text
    # English keeps its own example
    await h.sim.send(MEMBER, text="/bahasa en")
    calls = await h.sim.send(MEMBER, text="/agenda bantuan")
    assert "<code>/agenda pengingat 1d16:00,1h</code>" in calls[-1].text


async def test_successor_who_already_represents_an_organisation_is_told_anda(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)  # Budi represents PMI Kalsel, Sari represents Dinsos
    calls = await h.sim.send(MEMBER, text="/serahterima")
    code = calls[-1].text.split("<code>")[1].split("</code>")[0]
    calls = await h.sim.send(OTHER, text=f"/terima {code}")
    text = calls[-1].text
    assert text.startswith("Anda sudah mewakili organisasi lain di klaster ini"), text
    assert "Palang Merah Indonesia Kalsel" in text and "/serahterima" in text
    assert "Orang itu" not in text
    assert q(db_path, "SELECT user_id, status FROM members WHERE status = 'active' ORDER BY user_id") == [
        (MEMBER.id, "active"), (OTHER.id, "active")
    ]  # fmt: skip
    # the person who names someone else still hears about "that person"
    await h.sim.send(OTHER, GROUP_ID, "/bantuan")
    calls = await h.sim.send(MEMBER, GROUP_ID, "/serahterima @sari_dinsos")
    assert "Orang itu sudah mewakili organisasi lain" in calls[-1].text


async def test_expiry_is_shown_kedaluwarsa_and_every_spelling_is_accepted(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    spellings = ("kadaluarsa", "kadaluwarsa", "kedaluwarsa", "expired")
    for n, word in enumerate(spellings):
        calls = await h.sim.send(MEMBER, text=f"/stok beras 10 kg gudang G{n} Bjm {word} 12/2027")
        assert "kedaluwarsa 31 Des 2027" in calls[-1].text, (word, calls[-1].text)
        assert "kadaluarsa" not in calls[-1].text
    assert q(db_path, "SELECT COUNT(*) FROM stock WHERE expires_at IS NOT NULL") == [(len(spellings),)]
    calls = await h.sim.send(MEMBER, text="/stok")
    assert "kedaluwarsa 12/" in calls[-1].text and "kadaluarsa" not in calls[-1].text


def test_item_names_read_lower_case_mid_sentence() -> None:
    assert in_sentence("Beras") == "beras"
    assert in_sentence("Air minum kemasan") == "air minum kemasan"
    for kept in ("MPASI (makanan pendamping ASI)", "P3K", "HT", "genset"):
        assert in_sentence(kept) == kept


async def test_priority_labels_share_one_case(h: Harness) -> None:
    t = translator("id")
    labels = [t.gettext(label) for label in need_views.PRIORITY_LABELS.values()]
    assert labels == ["mendesak", "tinggi", "sedang", "rendah"]
    await cluster_with_members(h)
    calls = await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 paket sembako HSS mendesak untuk 120 KK besok")
    card = next(c for c in calls if c.method == "sendMessage" and "K-0001" in c.text)
    assert "— mendesak" in card.text and "MENDESAK" not in card.text


async def test_digest_never_says_zero_still_missing(h: Harness) -> None:
    """A fully pledged need is still open until received: the digest says so instead of "masih kurang 0"."""
    await cluster_with_members(h)
    await h.sim.send(MEMBER, text="/stok terpal 500 lembar gudang PMI Bjm")
    await h.sim.send(OTHER, GROUP_ID, "/butuh 300 lembar terpal Bjm")
    notice = h.api.last(MEMBER.id)
    await h.sim.press(MEMBER, notice, data=data_of(notice, "🤝 Janjikan 300 lembar dari stok"))
    calls = await h.sim.send(ADMIN, GROUP_ID, "/ringkasan mingguan")
    text = next(c.text for c in calls if "Ringkasan mingguan" in c.text)
    assert "Terpal — sudah dijanjikan penuh, belum semua diterima" in text, text
    assert "masih kurang 0" not in text
