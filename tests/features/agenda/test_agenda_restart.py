"""Agenda reminders across restarts (a new Application on the same database): each reminder is sent exactly
once; one that fell due while the bot was down is sent late with the "terlambat" note while still useful (before
the event starts), and recorded as missed after that; a crash between claim and send never sends twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.devtools.fakeapi import FakeBotApi
from bot.devtools.harness import Harness, running
from bot.kernel import jobs_storage as jobs_repo
from bot.kernel import scheduling
from bot.kernel.clock import FakeClock
from bot.kernel.db import migrations, open_sync
from tests.support.agenda import at, create, reminders, sent, ts, utc
from tests.support.db import q
from tests.support.outbox import later
from tests.support.people import GROUP_ID, MEMBER, OTHER
from tests.support.world import cluster_with_members, group_api


def _api(clock: FakeClock) -> FakeBotApi:
    api = group_api(clock)
    api.set_member(GROUP_ID, MEMBER.json(), "member")
    api.set_member(GROUP_ID, OTHER.json(), "member")
    return api


async def _setup(h: Harness) -> None:
    await cluster_with_members(h)
    card = await create(h, "rapat | Rakor logistik | Jumat 22/8 14.00 | 2 jam | Aula BPBD Kalsel")
    await h.sim.press(MEMBER, card, text="✅ Hadir (0)")


async def test_a_restart_between_scheduling_and_due_time_sends_each_reminder_once(db_path: Path) -> None:
    clock = FakeClock()  # Thursday 21 August 2025, 09.00 WITA
    api = _api(clock)
    day_before = utc(2025, 8, 21, 8)  # Thursday 16.00 WITA
    hour_before = utc(2025, 8, 22, 5)  # Friday 13.00 WITA
    async with running(db_path, clock=clock, api=api) as h:
        await _setup(h)
        await at(h, day_before - timedelta(seconds=30))
    assert not reminders(api.calls, GROUP_ID)
    # down just before the due time, back just after it: the start-up run sends it, on time, once
    clock.set(day_before + timedelta(seconds=20))
    async with running(db_path, clock=clock, api=api) as h:
        [group] = reminders(api.calls, GROUP_ID)
        assert "Terlambat" not in group.text and len(reminders(api.calls, MEMBER.id)) == 1
        assert await scheduling.run_due(h.app) == 0
    async with running(db_path, clock=clock, api=api) as h:  # and another restart right after
        await at(h, day_before + timedelta(minutes=5))
    assert len(reminders(api.calls, GROUP_ID)) == 1
    # two runners racing at the next reminder: only the one that claims the row sends
    async with running(db_path, clock=clock, api=api) as h:
        clock.set(hour_before + timedelta(seconds=5))
        await asyncio.gather(scheduling.run_due(h.app), scheduling.run_due(h.app))
    assert len(reminders(api.calls, GROUP_ID)) == 2 and len(reminders(api.calls, MEMBER.id)) == 2
    assert q(db_path, "SELECT ref, status, note FROM scheduled_jobs WHERE kind = 'agenda.reminder' ORDER BY due_at") == [
        ("event:1:1d16:00", "done", ""), ("event:1:1h", "done", "")
    ]  # fmt: skip


async def test_a_reminder_claimed_before_a_crash_is_sent_once_after_the_restart(db_path: Path) -> None:
    """The claim commits, then the process dies before the reminder's transaction: nothing was owed or sent, so
    the restart runs it (once); it is never left 'interrupted' and silently missing, nor sent twice."""
    clock = FakeClock()
    api = _api(clock)
    async with running(db_path, clock=clock, api=api) as h:
        await _setup(h)
        clock.set(utc(2025, 8, 21, 8, 0, 5))
        claimed = await h.runtime.db.write(jobs_repo.claim_due, clock.timestamp())  # then the process dies
        assert [j.ref for j in claimed] == ["event:1:1d16:00"]
    async with running(db_path, clock=clock, api=api) as h:
        await at(h, utc(2025, 8, 21, 8, 5))
    [group] = reminders(api.calls, GROUP_ID)
    assert "Terlambat" not in group.text and len(reminders(api.calls, MEMBER.id)) == 1
    assert q(db_path, "SELECT status FROM scheduled_jobs WHERE ref = 'event:1:1d16:00'") == [("done",)]
    async with running(db_path, clock=clock, api=api) as h:  # another restart sends nothing again
        await at(h, utc(2025, 8, 21, 8, 10))
    assert len(reminders(api.calls, GROUP_ID)) == 1
    async with running(db_path, clock=clock, api=api) as h:  # the next reminder is unaffected
        await at(h, utc(2025, 8, 22, 5, 0, 5))
    assert len(reminders(api.calls, GROUP_ID)) == 2


async def test_reminders_committed_before_a_crash_are_delivered_after_the_restart_once(db_path: Path) -> None:
    """The job's transaction committed its outbox rows, then Telegram failed (5xx) and the process went down:
    the rows are pending, and the next start delivers each once."""
    clock = FakeClock()
    api = _api(clock)
    async with running(db_path, clock=clock, api=api) as h:
        await _setup(h)
        api.fail("sendMessage", "server", chat_id=GROUP_ID, times=5)
        api.fail("sendMessage", "server", chat_id=MEMBER.id, times=5)
        await at(h, utc(2025, 8, 21, 8, 0, 5))
        assert not reminders(api.calls, GROUP_ID) and not reminders(api.calls, MEMBER.id)
    assert q(db_path, "SELECT status FROM scheduled_jobs WHERE ref = 'event:1:1d16:00'") == [("done",)]
    assert q(db_path, "SELECT status FROM outbox WHERE text LIKE '%<b>Pengingat:%' ORDER BY id") == [
        ("pending",), ("pending",)
    ]  # fmt: skip
    clock.set(utc(2025, 8, 21, 8, 5))
    async with running(db_path, clock=clock, api=api) as h:
        await later(h, 60)
        await later(h, 60)  # and nothing more on a second pass
    assert len(reminders(api.calls, GROUP_ID)) == 1 and len(reminders(api.calls, MEMBER.id)) == 1


async def test_a_speaker_request_in_a_5xx_storm_is_sent_after_the_restart(db_path: Path) -> None:
    """Before, the speaker job sent directly: a storm longer than the retries dropped the request ("missed",
    "error") and nobody was asked. Now the request is an outbox row of the job's transaction."""
    clock = FakeClock()
    api = _api(clock)
    async with running(db_path, clock=clock, api=api) as h:
        await cluster_with_members(h)
        await create(h, "pelatihan | Manajemen Gudang Darurat | Senin 8/9 09.00 | 2 jam | Aula | PMI Kalsel")
        api.fail("sendMessage", "server", chat_id=MEMBER.id, times=8)
        await at(h, utc(2025, 9, 1, 1, 0, 5))  # a week before
    assert not sent(api.calls, MEMBER.id, "narasumber")
    assert q(db_path, "SELECT status, note FROM scheduled_jobs WHERE kind = 'agenda.speaker'") == [("done", "")]
    async with running(db_path, clock=clock, api=api) as h:
        await later(h, 60)
    assert len(sent(api.calls, MEMBER.id, "narasumber")) == 1


async def test_a_job_that_sends_directly_is_recorded_interrupted_with_the_reason(db_path: Path) -> None:
    """A claim left by a job kind that still sends by itself (not one transaction) may have sent part: it is
    recorded 'interrupted' with the reason, and not repeated."""
    clock = FakeClock()
    api = _api(clock)
    async with running(db_path, clock=clock, api=api) as h:
        await h.runtime.db.write(lambda c: c.execute(
            "INSERT INTO scheduled_jobs (kind, ref, due_at, status, claimed_at) VALUES ('legacy.kind', 'x', 1, "
            "'claimed', 1)"
        ))  # fmt: skip
    async with running(db_path, clock=clock, api=api):
        pass
    [(status, note)] = q(db_path, "SELECT status, note FROM scheduled_jobs WHERE kind = 'legacy.kind'")
    assert status == "interrupted" and "may have sent part" in note


async def test_overdue_reminders_are_sent_late_with_a_note_while_useful(db_path: Path) -> None:
    clock = FakeClock()
    api = _api(clock)
    async with running(db_path, clock=clock, api=api) as h:
        await _setup(h)
    # down from Thursday 09.00 to Friday 10.00 WITA: the day-before reminder (Thursday 16.00) is overdue
    clock.set(utc(2025, 8, 22, 2))
    async with running(db_path, clock=clock, api=api):
        [group] = reminders(api.calls, GROUP_ID)
        assert "Terlambat: pengingat ini seharusnya terkirim Kamis, 21 Agustus 2025 pukul 16.00 WITA" in group.text
        assert "Mulai hari ini pukul 14.00" in group.text
        [private] = reminders(api.calls, MEMBER.id)
        assert "Terlambat" in private.text
    assert q(db_path, "SELECT status, note FROM scheduled_jobs WHERE ref = 'event:1:1d16:00'") == [
        ("done", "terlambat")
    ]
    # down again over the one-hour reminder and past the start: recorded as missed, nothing sent
    clock.set(utc(2025, 8, 22, 6, 30))  # Friday 14.30 WITA
    async with running(db_path, clock=clock, api=api):
        pass
    assert len(reminders(api.calls, GROUP_ID)) == 1 and len(reminders(api.calls, MEMBER.id)) == 1
    assert q(db_path, "SELECT status, note FROM scheduled_jobs WHERE ref = 'event:1:1h'") == [
        ("missed", "event already started")
    ]


async def test_a_restart_keeps_a_series_going(db_path: Path) -> None:
    clock = FakeClock()
    api = _api(clock)
    async with running(db_path, clock=clock, api=api) as h:
        await cluster_with_members(h)
        await create(h, "forum | Forum berbagi | Kamis 28/8 10.00 setiap minggu | 1 jam | Zoom")
    clock.set(utc(2025, 8, 28, 3, 30))  # back half an hour after the first one ended
    async with running(db_path, clock=clock, api=api):
        pass
    assert q(db_path, "SELECT number, starts_at FROM events ORDER BY number") == [
        (1, ts(2025, 8, 28, 2)), (2, ts(2025, 9, 4, 2))
    ]  # fmt: skip
    async with running(db_path, clock=clock, api=api):  # another restart creates nothing more
        pass
    assert q(db_path, "SELECT COUNT(*) FROM events") == [(2,)]
    cards = [c for c in api.sent(GROUP_ID) if "A-0002" in c.text and c.buttons]
    assert len(cards) == 1


@pytest.mark.sqlite_only  # the SQLite migrations applied by hand to a file (PostgreSQL's have their own history)
async def test_a_database_already_past_version_8_gets_the_agenda_tables(db_path: Path) -> None:
    """Deployed databases applied the empty 0006 and went on to 0008: the agenda arrives with 0009."""
    conn = open_sync(db_path)
    for version, _, sql in migrations():
        if version <= 8:
            conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;")
    assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'events'").fetchone() is None
    conn.close()
    clock = FakeClock()
    api = _api(clock)
    async with running(db_path, clock=clock, api=api) as h:
        await _setup(h)
    assert q(db_path, "PRAGMA user_version") == [(migrations()[-1][0],)]
    assert q(db_path, "SELECT number, title FROM events") == [(1, "Rakor logistik")]
