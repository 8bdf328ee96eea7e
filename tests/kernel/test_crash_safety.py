"""Crash safety: the bot as a real process (``python -m bot run``) on a file database against the HTTP Bot API
stand-in, whose getUpdates has Telegram's offset semantics (an update is handed out again until a later
getUpdates confirms it) and whose answers arrive after a random delay (a request Telegram already took is still
in flight, as on a slow link). Several members stream needs, stock reports, pledges and RSVPs while the process
is SIGKILLed at random moments over several rounds (the seed is printed), then it drains and stops.

Asserts, for every update that was sent:
- its effect is stored exactly once (the quantities are unique per update) and it is marked processed;
- it was answered exactly once, or its answer is recorded 'uncertain' (the request was in flight at a kill) with a
  reason: never silently missing, never twice; every "Tersimpan" matches stored data;
- the RSVP card in the group ends showing the stored answers (edits coalesced, last state wins);
- every reminder due in the window was sent once, or recorded failed/uncertain/interrupted with a reason;
- the daily digest due in the window reached the group once, or its run is recorded uncertain/failed with a reason.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.devtools.harness import running
from bot.devtools.httpapi import HttpBotApi
from tests.support.db import execute, q
from tests.support.engine import database_errors, on_postgresql
from tests.support.paths import ROOT
from tests.support.people import ADMIN, DONOR, GROUP_ID, MEMBER, OTHER

TOKEN = "123456789:CRASHTEST-klaster-logistik-0000000000"
ROUNDS = 4  # kills per phase
NEEDS = 24
STOCK = 24
PLEDGES = 24
RSVPS = 18
_ids = itertools.count(10_000_000)


async def _seed(db: Path | str) -> None:
    async with running(db) as h:
        h.clock.set(datetime.now(UTC))
        h.api.add_chat(GROUP_ID, "supergroup", "Klaster")
        h.api.set_bot_rights(GROUP_ID)
        h.api.set_member(GROUP_ID, ADMIN.json(), "creator")
        await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
        for user, line in ((MEMBER, "Palang Merah Indonesia Kalsel | PMI Kalsel | ngo | Bjm | Kepala Gudang"),
                           (OTHER, "Dinas Sosial Provinsi | Dinsos | opd | Bjb | Kabid"),
                           (DONOR, "Perum Bulog Kanwil Kalsel | Bulog | bumn | Bjm | Manajer")):  # fmt: skip
            await h.sim.send(user, text="/daftar " + line)
            await h.sim.press(ADMIN, h.api.last(GROUP_ID), text="✅ Setujui")
        day = (datetime.now(UTC) + timedelta(days=3)).astimezone().strftime("%d/%m")
        await h.sim.send(ADMIN, GROUP_ID, f"/agenda baru rapat | Rakor logistik banjir | {day} 10.00 | 2 jam | Posko")


def _chat(user: Any, chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": user.first_name}
    return {"id": chat_id, "type": "supergroup", "title": "Klaster"}


def _message(user: Any, chat_id: int, text: str) -> dict[str, Any]:
    message: dict[str, Any] = {"message_id": next(_ids), "date": int(time.time()), "chat": _chat(user, chat_id),
                               "from": user.json(), "text": text}  # fmt: skip
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": next(_ids), "message": message}


def _callback(user: Any, data: str, chat_id: int, message_id: int) -> dict[str, Any]:
    return {"update_id": next(_ids), "callback_query": {
        "id": str(next(_ids)), "from": user.json(), "chat_instance": "1", "data": data,
        "message": {"message_id": message_id, "date": int(time.time()), "chat": _chat(user, chat_id)},
    }}  # fmt: skip


def _start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, stdout=log.open("ab"),
                            stderr=subprocess.STDOUT, cwd=ROOT)  # fmt: skip


def _query(db: Path | str, sql: str) -> list[tuple[Any, ...]]:
    try:
        return q(db, sql)
    except database_errors():
        return []  # a table the code under test does not have


def _kill_rounds(api: HttpBotApi, env: dict[str, str], log: Path, rng: random.Random,
                 chunks: list[list[dict[str, Any]]]) -> None:  # fmt: skip
    """Each round: start the bot, wait until it polls, push a chunk of the stream, SIGKILL at a random moment."""
    for chunk in chunks:
        before = api.get_updates_calls
        proc = _start(env, log)
        deadline = time.monotonic() + 60  # start-up under load from other processes: bounded but generous
        while time.monotonic() < deadline and api.get_updates_calls <= before and proc.poll() is None:
            time.sleep(0.05)
        for update in chunk:
            api.push(update)
            time.sleep(rng.uniform(0.0, 0.03))
        time.sleep(rng.uniform(0.05, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait(20)


def _slices(updates: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Contiguous chunks: Telegram's update ids grow in arrival order (an id below the offset counts as confirmed)."""
    size = -(-len(updates) // ROUNDS)
    return [updates[i : i + size] for i in range(0, len(updates), size)]


def test_sigkill_rounds_process_every_update_exactly_once(tmp_path: Path, db_path: Path | str) -> None:
    db = db_path  # a SQLite file, or a PostgreSQL database of the test's own
    asyncio.run(_seed(db))
    seed = int(os.environ.get("CRASH_SEED") or random.randrange(1 << 30))
    print(f"crash-safety seed: CRASH_SEED={seed}")
    rng = random.Random(seed)
    api = HttpBotApi(latency=(0.005, 0.06), seed=seed)
    base = api.start()
    for chat_id, message_id in _query(db, "SELECT chat_id, message_id FROM events"):
        api.fake.adopt_message(chat_id, message_id, "card")
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": base, "KLASTER_DB": str(db),
           "KLASTER_TICK_S": "0.5", "KLASTER_LOG_LEVEL": "WARNING"}  # fmt: skip
    log = tmp_path / "bot.log"
    (event_id, card_id), = _query(db, "SELECT id, message_id FROM events")  # fmt: skip
    # Two reminders of the event fall due during the pledge phase.
    now = int(time.time())
    execute(db, "UPDATE scheduled_jobs SET due_at = ? WHERE kind = 'agenda.reminder' AND id = "
                "(SELECT MIN(id) FROM scheduled_jobs WHERE kind = 'agenda.reminder')", now + 25)  # fmt: skip
    execute(db, "UPDATE scheduled_jobs SET due_at = ? WHERE kind = 'agenda.reminder' AND id = "
                "(SELECT MAX(id) FROM scheduled_jobs WHERE kind = 'agenda.reminder')", now + 35)  # fmt: skip
    # And the daily digest: yesterday's slot (its time has passed in the cluster's zone), due in the window.
    (cluster_id, tz), = q(db, "SELECT id, timezone FROM clusters")  # fmt: skip
    yesterday = (datetime.now(ZoneInfo(str(tz))) - timedelta(days=1)).date().isoformat()
    execute(db, "INSERT INTO scheduled_jobs (cluster_id, kind, ref, due_at, payload) VALUES (?, ?, ?, ?, '{}')",
            cluster_id, "digest.daily", f"digest:daily:{cluster_id}:{yesterday}", now + 30)  # fmt: skip
    stream: list[dict[str, Any]] = []
    for i in range(max(NEEDS, STOCK)):
        if i < NEEDS:
            stream.append(_message(MEMBER, MEMBER.id, f"/butuh {100 + i} buah genset HSS mendesak"))
        if i < STOCK:
            stream.append(_message(OTHER, OTHER.id, f"/stok beras {2000 + i} kg gudang Posko {i} Banjarbaru"))
    voters = [MEMBER, OTHER, DONOR]
    last_answer: dict[int, str] = {}
    try:
        _kill_rounds(api, env, log, rng, _slices(stream))
        # Phase 2: pledges against the needs that exist and RSVPs on the event card, again across kills.
        need_ids = [row[0] for row in _query(db, "SELECT id FROM needs ORDER BY id")]
        assert need_ids, log.read_text()[-3000:]
        second: list[dict[str, Any]] = []
        for i in range(max(PLEDGES, RSVPS)):
            if i < PLEDGES:
                second.append(_callback(DONOR, f"pl:q:{need_ids[i % len(need_ids)]}:{1 + i}", DONOR.id, 1))
            if i < RSVPS:
                voter = voters[i % len(voters)]
                answer = "ymn"[rng.randrange(3)]
                last_answer[voter.id] = answer
                second.append(_callback(voter, f"ag:r:{event_id}:{answer}", GROUP_ID, card_id))
        _kill_rounds(api, env, log, rng, _slices(second))
        # Final run: drain everything (and the reminders due by now), then stop cleanly.
        proc = _start(env, log)
        deadline = time.monotonic() + 80  # the group takes 20 a minute: cards, edits, reminders and the digest
        while time.monotonic() < deadline and (
            api.pending() or _query(db, "SELECT COUNT(*) FROM inbox") != [(0,)]
            or _query(db, "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')") not in ([(0,)], [])
            or time.time() < now + 38
            or _query(db, "SELECT COUNT(*) FROM scheduled_jobs WHERE kind = 'digest.daily' AND status = 'claimed'")
            != [(0,)]
        ):  # fmt: skip
            time.sleep(0.3)
        time.sleep(1)
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    finally:
        api.stop()

    tail = log.read_text()[-3000:]
    assert api.pending() == 0, tail
    everything = stream + second
    processed = {u for (u,) in _query(db, "SELECT update_id FROM processed_updates")}
    missing = [u["update_id"] for u in everything if u["update_id"] not in processed]
    uncertain = _query(db, "SELECT chat_id, text, reason FROM outbox WHERE status IN ('uncertain', 'failed')")
    print(f"crash-safety: {2 * ROUNDS} SIGKILLs, {len(everything)} updates, {api.fake_redeliveries()} handed out "
          f"again, {len(missing)} never processed, {len(uncertain)} answers uncertain/failed")  # fmt: skip
    assert not missing, f"{len(missing)} of {len(everything)} updates lost\n{tail}"
    assert all(reason for _, _, reason in uncertain)
    unsure = Counter(chat_id for chat_id, _, _ in uncertain)

    def received(chat_id: int, pattern: str) -> list[str]:
        return [m.group(1) for c in api.calls("sendMessage") if c.error is None and c.chat_id == chat_id
                for m in [re.search(pattern, c.text)] if m]  # fmt: skip

    # Needs: stored exactly once each; each answered once ("Tersimpan sebagai K-…" names a stored need).
    quantities = Counter(int(q) for (q,) in _query(db, "SELECT quantity FROM needs"))
    # (when one is missing although its update was processed: what the member was told instead, e.g. the flood
    # guard's "sending very quickly", which claims an update without running it)
    told_instead = [c.text[:120] for c in api.calls("sendMessage") if c.chat_id == MEMBER.id and c.error is None
                    and "Tersimpan" not in c.text]  # fmt: skip
    assert quantities == Counter(100 + i for i in range(NEEDS)), (
        sorted(set(range(100, 100 + NEEDS)) - set(quantities)), told_instead, tail)
    codes = {f"K-{n:04d}" for (n,) in _query(db, "SELECT number FROM needs")}
    told = received(MEMBER.id, r"Tersimpan sebagai (K-\d{4})")
    assert len(told) == len(set(told)) and set(told) <= codes, told
    assert NEEDS - unsure[MEMBER.id] <= len(told) <= NEEDS
    cards = Counter(received(GROUP_ID, r"^\S+ <b>(K-\d{4}) · "))
    assert set(cards) <= codes and all(n == 1 for n in cards.values()), cards  # a card is posted at most once
    # Stock reports: stored exactly once with the acknowledged figure; answered once.
    stock = Counter(int(q) for (q,) in _query(db, "SELECT quantity FROM stock"))
    assert stock == Counter(2000 + i for i in range(STOCK))
    acked = Counter(int(x.replace(".", "")) for x in received(OTHER.id, r"✅ 1\. Beras — ([\d.]+) kg"))
    assert all(n == 1 for n in acked.values()) and set(acked) <= set(stock), acked
    # Pledges: stored exactly once; every "Tersimpan: … menjanjikan" names a stored pledge, once.
    pledges = Counter(int(q) for (q,) in _query(db, "SELECT quantity FROM pledges"))
    assert pledges == Counter(1 + i for i in range(PLEDGES))
    acked_p = Counter(int(x.replace(".", "")) for x in received(DONOR.id, r"Tersimpan: .* menjanjikan ([\d.]+) buah"))
    assert all(n == 1 for n in acked_p.values()) and set(acked_p) <= set(pledges), acked_p
    assert PLEDGES - unsure[DONOR.id] <= sum(acked_p.values()) <= PLEDGES
    # Stock and needs replies share the members' chats with nothing else here, so the count is exact too.
    assert STOCK - unsure[OTHER.id] <= sum(acked.values()) <= STOCK
    for need_id, pledged in _query(db, "SELECT id, pledged FROM needs"):
        (total,) = _query(db, f"SELECT COALESCE(SUM(quantity), 0) FROM pledges WHERE need_id = {need_id} "
                              "AND status != 'cancelled'")[0]  # fmt: skip
        (events,) = _query(db, f"SELECT COALESCE(SUM(quantity), 0) FROM pledge_events WHERE need_id = {need_id}")[0]
        assert pledged == total == events
    # RSVPs: the stored answers are each voter's last; the card's last state shows them.
    stored = dict(_query(db, f"SELECT user_id, answer FROM event_rsvps WHERE event_id = {event_id}"))
    expected = {uid: {"y": "yes", "m": "maybe", "n": "no"}[a] for uid, a in last_answer.items()}
    assert stored == expected
    ((card_chat, card_message),) = _query(db, f"SELECT chat_id, message_id FROM events WHERE id = {event_id}")
    card = api.fake.message(card_chat, card_message).text  # reposted here: the seed's card is not in this stand-in
    counts = Counter(stored.values())
    assert f"Hadir {counts['yes']} · Mungkin {counts['maybe']} · Tidak hadir {counts['no']}" in card, card
    # Reminders due in the window: each sent once to the group, or recorded with a reason.
    jobs = _query(db, "SELECT id, status, note FROM scheduled_jobs WHERE kind = 'agenda.reminder' "
                      f"AND due_at <= {now + 36}")  # fmt: skip
    assert len(jobs) == 2 and all(status in ("done", "missed", "interrupted") for _, status, _ in jobs), jobs
    assert all(note for _, status, note in jobs if status != "done"), jobs
    # (the reminder's own header: the creation answer, an outbox row too, also says "Pengingat: H-1 …")
    group_reminders = len(received(GROUP_ID, r"(<b>Pengingat:)"))
    sent_rows = _query(db, f"SELECT status FROM outbox WHERE chat_id = {GROUP_ID} AND text LIKE '%<b>Pengingat:%'")
    done = sum(1 for _, status, _ in jobs if status == "done")
    assert sum(1 for (s,) in sent_rows if s == "sent") <= group_reminders <= done
    assert done - sum(1 for (s,) in sent_rows if s in ("uncertain", "failed")) <= group_reminders
    # The digest due in the window: its slot ran once (a claim a kill left runs again: it owed nothing yet); the
    # group received it once, or its run and outbox row are recorded uncertain/failed with a reason.
    slot = f"digest:daily:{cluster_id}:{yesterday}"
    assert _query(db, f"SELECT status FROM scheduled_jobs WHERE ref = '{slot}'") == [("done",)], tail
    group_digests = len(received(GROUP_ID, r"(Ringkasan harian)"))
    [(run_status, run_error)] = _query(db, f"SELECT status, error FROM digest_runs WHERE slot = '{yesterday}'")
    assert group_digests <= 1
    assert (group_digests == 1 and run_status in ("sent", "empty")) or (
        run_status in ("uncertain", "failed") and run_error
    ), (group_digests, run_status, run_error)
    if not on_postgresql():  # the SQLite file after the SIGKILLs (PostgreSQL's server is not killed, only the bot)
        assert _query(db, "PRAGMA integrity_check") == [("ok",)]
