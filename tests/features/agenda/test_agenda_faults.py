"""Telegram faults (5xx, 429, timeout) on the agenda's sends after a commit: the change stands, the member is
never told "tidak ada yang disimpan", what is owed is retried (a 5xx or 429) or recorded uncertain (a timed-out
send, not repeated), and nothing is sent twice."""

from __future__ import annotations

from pathlib import Path

from bot.devtools.harness import Harness
from tests.support.agenda import at, create, sent, utc
from tests.support.db import q
from tests.support.outbox import NOTHING_SAVED, later, texts
from tests.support.people import ADMIN, GROUP_ID, MEMBER, OTHER
from tests.support.world import cluster_with_members

LINE = "rapat | Rakor logistik | Jumat 22/8 14.00 | 2 jam | Aula BPBD Kalsel"


async def test_event_card_5xx_storm_after_creation_is_retried_and_the_secretariat_told_saved(
    h: Harness, db_path: Path
) -> None:
    await cluster_with_members(h)
    h.api.fail("sendMessage", "server", chat_id=GROUP_ID, times=6)
    calls = await h.sim.send(ADMIN, ADMIN.id, "/agenda baru " + LINE)
    answers = texts(calls, ADMIN.id)
    assert any("Tersimpan: A-0001" in a for a in answers) and not any(NOTHING_SAVED in a for a in answers), answers
    assert q(db_path, "SELECT COUNT(*) FROM events") == [(1,)]
    assert q(db_path, "SELECT status FROM outbox WHERE chat_id = ? AND text LIKE '%A-0001%'", GROUP_ID) == [
        ("pending",)
    ]
    calls = await later(h)
    assert len([c for c in calls if c.chat_id == GROUP_ID and c.error is None and "ag:r:1:" in str(c.buttons)]) == 1
    assert q(db_path, "SELECT message_id IS NOT NULL FROM events") == [(1,)]  # the card's id is recorded


async def test_event_change_notice_429_after_commit_honours_retry_after(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await create(h, LINE)
    h.api.fail("sendMessage", "retry_after", chat_id=GROUP_ID, times=5, arg=7)
    calls = await h.sim.send(ADMIN, ADMIN.id, "/agenda ubah A-1 tempat Posko BPBD Banjarbaru")
    answers = texts(calls, ADMIN.id)
    assert any(a.startswith("Tersimpan.") for a in answers) and not any(NOTHING_SAVED in a for a in answers), answers
    assert q(db_path, "SELECT place FROM events") == [("Posko BPBD Banjarbaru",)]
    assert 7.0 in h.slept
    calls = await later(h)
    notices = [t for t in texts(calls, GROUP_ID) if "Posko BPBD Banjarbaru" in t]
    assert len(notices) == 1


async def test_event_cancel_notice_timeout_is_uncertain_and_not_resent(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await create(h, LINE)
    h.api.fail("sendMessage", "timeout", chat_id=GROUP_ID)
    calls = await h.sim.send(ADMIN, ADMIN.id, "/agenda batal A-1 jalan banjir")
    answers = texts(calls, ADMIN.id)
    assert any(a.startswith("Tersimpan.") for a in answers) and not any(NOTHING_SAVED in a for a in answers), answers
    assert q(db_path, "SELECT status FROM events") == [("cancelled",)]
    [(status, reason)] = q(db_path, "SELECT status, reason FROM outbox WHERE method = 'send' AND chat_id = ? "
                                    "AND text LIKE '%jalan banjir%'", GROUP_ID)  # fmt: skip
    assert status == "uncertain" and reason.startswith("timed out")
    calls = await later(h)
    assert not [t for t in texts(calls, GROUP_ID) if "jalan banjir" in t]  # maybe delivered: never sent twice


async def test_feedback_questions_in_a_429_storm_drop_nobody(h: Harness, db_path: Path) -> None:
    """Before, the job sent directly: a 429 longer than the retries ended it ("missed", "error") and the
    attendees after the first were never asked."""
    await cluster_with_members(h)
    card = await create(h, "pelatihan | Pengelolaan Gudang | besok 09.00 | 2 jam | Aula BPBD")
    await h.sim.press(MEMBER, card, text="✅ Hadir (0)")
    await h.sim.press(OTHER, card, data="ag:r:1:m")
    h.api.fail("sendMessage", "retry_after", chat_id=MEMBER.id, times=6, arg=3)
    await at(h, utc(2025, 8, 22, 3, 0, 5))  # it ends at 11.00 WITA
    assert q(db_path, "SELECT status, note FROM scheduled_jobs WHERE kind = 'agenda.feedback'") == [("done", "")]
    await later(h)
    assert len(sent(h.api.calls, MEMBER.id, "Seberapa bermanfaat")) == 1
    assert len(sent(h.api.calls, OTHER.id, "Seberapa bermanfaat")) == 1
