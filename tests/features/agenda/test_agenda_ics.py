"""Calendar files that calendars trust (issue 15 part 2), read with independent parsers: icalendar,
recurring-ical-events (expands the series), vobject (its own RRULE/EXDATE set) and ics. A weekly series is one
master with RRULE and EXDATE for a cancelled occurrence, moved or changed occurrences are RECURRENCE-ID
overrides, UIDs are unique per deployment and cluster, VALARMs follow the cluster's reminder setting, and
SEQUENCE rises with every change. The clock starts at Thursday 21 August 2025, 09.00 WITA (01.00 UTC)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import ics
import recurring_ical_events
import vobject

from bot.devtools.fakeapi import ApiCall
from bot.devtools.harness import Harness, running
from tests.support.agenda import at, create, utc
from tests.support.db import execute
from tests.support.engine import NUL
from tests.support.people import ADMIN, GROUP_ID, MEMBER, OTHER
from tests.support.world import cluster_with_members

WITA = ZoneInfo("Asia/Makassar")
SERIES = "forum | Forum berbagi logistik | Kamis 28/8 10.00 setiap minggu | 1 jam | Zoom"


def wita(*args: int) -> datetime:
    return datetime(*args, tzinfo=WITA)


async def ics_of(h: Harness, event_id: int) -> bytes:
    calls: list[ApiCall] = await h.sim.send(MEMBER, text=f"/start agenda_ics-{event_id}")
    [doc] = [c for c in calls if c.method == "sendDocument" and c.chat_id == MEMBER.id]
    return doc.files["document"]


def vevents(raw: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(raw).walk("VEVENT"))


def master_of(raw: bytes) -> icalendar.Event:
    [master] = [e for e in vevents(raw) if "RRULE" in e]
    return master


def exdates(event: icalendar.Event) -> list[datetime]:
    value = event.get("EXDATE")
    values = value if isinstance(value, list) else [value] if value is not None else []
    return [d.dt for v in values for d in v.dts]


async def weekly_series_with_a_cancelled_and_a_moved_occurrence(h: Harness) -> None:
    await cluster_with_members(h)
    await create(h, SERIES)  # A-1, Thursday 28/8 10.00 WITA
    await at(h, utc(2025, 8, 28, 3, 0, 10))  # A-1 ends: A-2 (4/9) is created
    await h.sim.send(ADMIN, GROUP_ID, "/agenda batal A-2 Libur")  # one occurrence cancelled, the series goes on
    await at(h, utc(2025, 9, 4, 3, 0, 10))  # A-3 (11/9)
    await h.sim.send(ADMIN, GROUP_ID, "/agenda ubah A-3 waktu Kamis 11/9 13.00")  # moved
    await h.sim.send(ADMIN, GROUP_ID, "/agenda ubah A-3 tempat Aula BPBD Kalsel")  # the series' place from now on


async def test_weekly_series_has_rrule_exdate_and_overrides(h: Harness, db_path: Path) -> None:
    await weekly_series_with_a_cancelled_and_a_moved_occurrence(h)
    raw = await ics_of(h, 3)
    assert b"BEGIN:VTIMEZONE" in raw and b"TZID:Asia/Makassar" in raw
    events = vevents(raw)
    uids = {str(e["UID"]) for e in events}
    assert len(uids) == 1  # master and overrides share the series' UID
    master = master_of(raw)
    assert master["RRULE"]["FREQ"] == ["WEEKLY"] and "UNTIL" not in master["RRULE"]
    assert master.decoded("DTSTART") == wita(2025, 8, 28, 10) and str(master["LOCATION"]) == "Aula BPBD Kalsel"
    assert exdates(master) == [wita(2025, 9, 4, 10)]
    overrides = {e.decoded("RECURRENCE-ID"): e for e in events if "RECURRENCE-ID" in e}
    assert sorted(overrides) == [wita(2025, 8, 28, 10), wita(2025, 9, 11, 10)]
    assert str(overrides[wita(2025, 8, 28, 10)]["LOCATION"]) == "Zoom"  # the first one took place on Zoom
    assert overrides[wita(2025, 9, 11, 10)].decoded("DTSTART") == wita(2025, 9, 11, 13)

    # recurring-ical-events expands the series the way a calendar shows it
    expanded = recurring_ical_events.of(icalendar.Calendar.from_ical(raw)).between(date(2025, 8, 25), date(2025, 10, 1))
    shown = sorted((e.decoded("DTSTART"), str(e["LOCATION"])) for e in expanded)
    assert shown == [
        (wita(2025, 8, 28, 10), "Zoom"), (wita(2025, 9, 11, 13), "Aula BPBD Kalsel"),
        (wita(2025, 9, 18, 10), "Aula BPBD Kalsel"), (wita(2025, 9, 25, 10), "Aula BPBD Kalsel"),
    ]  # fmt: skip

    # vobject builds its own recurrence set from RRULE and EXDATE
    parsed = vobject.readOne(raw.decode("utf-8"))
    [vmaster] = [v for v in parsed.vevent_list if hasattr(v, "rrule")]
    slots = vmaster.getrruleset(addRDate=True).between(wita(2025, 8, 25), wita(2025, 10, 1), inc=True)
    assert slots == [wita(2025, 8, 28, 10), wita(2025, 9, 11, 10), wita(2025, 9, 18, 10), wita(2025, 9, 25, 10)]
    assert vmaster.uid.value == next(iter(uids))

    # and the `ics` package reads the file too (it keeps every VEVENT as an event)
    calendar = ics.Calendar(raw.decode("utf-8"))
    assert {e.uid for e in calendar.events} == uids and len(calendar.events) == len(events)


async def test_monthly_series_keeps_its_weekday_early_in_the_morning(h: Harness, db_path: Path) -> None:
    """07.00 WITA is 23.00 UTC the day before: the rule is written in the cluster's zone, not in UTC."""
    await cluster_with_members(h)
    await create(h, "rapat | Rakor bulanan | Kamis 4/9 07.00 setiap Kamis pertama | 2 jam | Aula BPBD")
    raw = await ics_of(h, 1)
    master = master_of(raw)
    assert master["RRULE"]["FREQ"] == ["MONTHLY"] and master["RRULE"]["BYDAY"] == ["1TH"]
    expanded = recurring_ical_events.of(icalendar.Calendar.from_ical(raw)).between(date(2025, 9, 1), date(2026, 1, 1))
    assert [e.decoded("DTSTART") for e in expanded] == [
        wita(2025, 9, 4, 7), wita(2025, 10, 2, 7), wita(2025, 11, 6, 7), wita(2025, 12, 4, 7)
    ]


async def test_stopping_the_series_adds_until_and_raises_sequence(h: Harness, db_path: Path) -> None:
    await weekly_series_with_a_cancelled_and_a_moved_occurrence(h)
    before = int(master_of(await ics_of(h, 3))["SEQUENCE"])
    assert before >= 3  # A-2 cancelled, A-3 moved and relocated
    await h.sim.send(ADMIN, GROUP_ID, "/agenda batal A-3 semua Forum pindah ke rapat bulanan")
    raw = await ics_of(h, 3)
    master = master_of(raw)
    assert int(master["SEQUENCE"]) > before
    assert master["RRULE"]["UNTIL"] == [wita(2025, 9, 11, 10)]
    assert exdates(master) == [wita(2025, 9, 4, 10), wita(2025, 9, 11, 10)]
    expanded = recurring_ical_events.of(icalendar.Calendar.from_ical(raw)).between(date(2025, 8, 1), date(2026, 1, 1))
    assert [e.decoded("DTSTART") for e in expanded] == [wita(2025, 8, 28, 10)]


async def test_sequence_rises_with_every_change_of_a_single_event(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await create(h, "rapat | Rakor logistik | Senin 25/8 09.00 | 1 jam | Aula")
    sequences = [int(vevents(await ics_of(h, 1))[0]["SEQUENCE"])]
    for command in ("/agenda ubah A-1 waktu Selasa 26/8 10.00", "/agenda ubah A-1 tempat Zoom",
                    "/agenda batal A-1 Bentrok"):  # fmt: skip
        await h.sim.send(ADMIN, GROUP_ID, command)
        sequences.append(int(vevents(await ics_of(h, 1))[0]["SEQUENCE"]))
    assert sequences == sorted(set(sequences)) and len(sequences) == 4
    [event] = vevents(await ics_of(h, 1))
    assert str(event["STATUS"]) == "CANCELLED" and not list(event.walk("VALARM"))


async def test_alarms_follow_the_cluster_reminder_setting(h: Harness, db_path: Path) -> None:
    await cluster_with_members(h)
    await create(h, SERIES)
    master = master_of(await ics_of(h, 1))
    # the default: the day before at 16.00 (18 hours before a 10.00 start) and one hour before
    assert [a.decoded("TRIGGER") for a in master.walk("VALARM")] == [-timedelta(hours=18), -timedelta(hours=1)]
    assert all(str(a["ACTION"]) == "DISPLAY" and str(a["DESCRIPTION"]) for a in master.walk("VALARM"))
    await h.sim.send(ADMIN, GROUP_ID, "/agenda pengingat 2d09:00,30m")
    raw = await ics_of(h, 1)
    triggers = [a.decoded("TRIGGER") for a in master_of(raw).walk("VALARM")]
    assert triggers == [-timedelta(days=2, hours=1), -timedelta(minutes=30)]
    [vmaster] = vobject.readOne(raw.decode("utf-8")).vevent_list
    assert sorted(a.trigger.value for a in vmaster.valarm_list) == sorted(triggers)


async def test_uids_are_unique_per_deployment_and_cluster(tmp_path: Path) -> None:
    uids = []
    for name in ("bpbd-a.db", "bpbd-b.db"):  # two deployments with the same groups, users and event
        async with running(tmp_path / name) as h:
            h.api.add_chat(GROUP_ID, "supergroup", "Klaster Logistik Kalsel")
            h.api.set_bot_rights(GROUP_ID)
            for user, status in ((ADMIN, "creator"), (MEMBER, "member"), (OTHER, "member")):
                h.api.set_member(GROUP_ID, user.json(), status)
            await cluster_with_members(h)
            await create(h, "rapat | Rakor logistik | Senin 25/8 09.00 | 1 jam | Aula")
            uids.append(str(vevents(await ics_of(h, 1))[0]["UID"]))
    assert uids[0] != uids[1]
    assert all(re.fullmatch(r"[0-9a-f]{16}-c1-e1@klaster-logistik-bot", uid) for uid in uids)
    async with running(tmp_path / "bpbd-a.db") as h:  # a restart keeps the calendar's identity
        h.api.add_chat(GROUP_ID, "supergroup", "Klaster Logistik Kalsel")
        h.api.set_member(GROUP_ID, MEMBER.json(), "member")
        assert str(vevents(await ics_of(h, 1))[0]["UID"]) == uids[0]


def test_a_zone_with_daylight_saving_gets_its_transitions() -> None:
    """Not an Indonesian case, but /zona accepts any IANA zone: the VTIMEZONE carries the offset changes, so a
    weekly 10.00 stays 10.00 across them."""
    from bot.features.agenda import domain

    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2025, 10, 16, 10, tzinfo=berlin)
    event = domain.IcsEvent(uid="x@y", sequence=0, start=start, end=start + timedelta(hours=1), summary="Rapat",
                            tz=berlin, rrule=domain.ics_rrule(domain.Recurrence("weekly")))  # fmt: skip
    raw = domain.ics_calendar([event], start)
    assert b"BEGIN:DAYLIGHT" in raw and b"TZOFFSETTO:+0100" in raw
    expanded = recurring_ical_events.of(icalendar.Calendar.from_ical(raw)).between(date(2025, 10, 1), date(2025, 11, 10))
    assert [e.decoded("DTSTART").astimezone(berlin).hour for e in expanded] == [10] * 4
    assert [e.decoded("DTSTART").utcoffset() for e in expanded] == [timedelta(hours=2)] * 2 + [timedelta(hours=1)] * 2


async def test_control_characters_in_a_title_or_place_never_reach_the_calendar_file(h: Harness, db_path: Path) -> None:
    """RFC 5545 §3.3.11: TEXT carries no control characters but the escaped newline, and a bidi override would
    reorder what the calendar shows. A bell in the place, a vertical tab and a right-to-left override in the title
    (stored before input was cleaned, or pasted from another tool) went into the file as they were."""
    await cluster_with_members(h)
    await create(h, "rapat | Rakor logistik | Senin 25/8 09.00 | 1 jam | Aula\x07 BPBD")
    execute(db_path, "UPDATE events SET title = ?, description = ? WHERE id = 1",
            "Rakor\x0b lo\u202egistik\x1b", f"baris satu\r\nbaris{NUL} dua\x7f")  # fmt: skip
    raw = await ics_of(h, 1)
    body = raw.replace(b"\r\n", b"")
    assert not re.search(rb"[\x00-\x08\x0a-\x1f\x7f]", body), body
    assert "\u202e" not in raw.decode("utf-8")
    [event] = vevents(raw)
    assert str(event["LOCATION"]) == "Aula BPBD" and str(event["SUMMARY"]).endswith("Rakor logistik")
    assert str(event["DESCRIPTION"]).startswith("baris satu\nbaris dua")
    [vevent] = vobject.readOne(raw.decode("utf-8")).vevent_list
    assert vevent.location.value == "Aula BPBD"


async def test_the_caption_of_a_series_file_says_it_holds_the_whole_series(h: Harness, db_path: Path) -> None:
    """The file of one occurrence is the whole series (master with RRULE): the caption said "open the file to add
    it", so an officer adding one meeting found a weekly series in the calendar."""
    await cluster_with_members(h)
    await create(h, SERIES)
    calls = await h.sim.send(MEMBER, text="/start agenda_ics-1")
    [doc] = [c for c in calls if c.method == "sendDocument"]
    assert "seluruh rangkaian" in doc.text and "Setiap minggu, hari Kamis" in doc.text, doc.text
    assert "RRULE" in str(master_of(doc.files["document"]))
    await create(h, "rapat | Rakor logistik | Senin 25/8 09.00 | 1 jam | Aula")
    calls = await h.sim.send(MEMBER, text="/start agenda_ics-2")
    [doc] = [c for c in calls if c.method == "sendDocument"]
    assert "rangkaian" not in doc.text and "menambahkannya ke kalender Anda" in doc.text, doc.text
