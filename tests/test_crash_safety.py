"""Crash safety: the bot as a real process (``python -m bot run``) against the Bot API stand-in over
HTTP, killed with SIGKILL at random points while members post needs and pledge, then restarted.

Checks: every acknowledged post and pledge is stored exactly once, redelivered updates change
nothing (needs, stock reports, pledges), totals equal the audit log (no half-written state), and no escalation is sent twice.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bot.devtools.harness import running
from bot.devtools.httpapi import HttpBotApi
from tests.conftest import ADMIN, GROUP_ID, MEMBER, OTHER

TOKEN = "123456789:CRASHTEST-klaster-logistik-0000000000"
ROUNDS = 5
NEEDS = 30
PLEDGES = 30
_ids = itertools.count(10_000_000)


async def _seed(db: Path) -> None:
    async with running(db) as h:
        h.api.add_chat(GROUP_ID, "supergroup", "Klaster")
        h.api.set_bot_rights(GROUP_ID)
        h.api.set_member(GROUP_ID, ADMIN.json(), "creator")
        await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
        for user, line in ((MEMBER, "Palang Merah Indonesia Kalsel | PMI Kalsel | ngo | Bjm | Kepala Gudang"),
                           (OTHER, "Dinas Sosial Provinsi | Dinsos | opd | Bjb | Kabid")):  # fmt: skip
            await h.sim.send(user, text="/daftar " + line)
            await h.sim.press(ADMIN, h.api.last(GROUP_ID), text="✅ Setujui")
        # escalate uncovered needs after ~2 seconds so escalations happen during the crash rounds
        await h.runtime.db.write(
            lambda c: c.execute(
                "INSERT INTO cluster_settings VALUES (1, 'escalation_h', '0.0006,0.0006,0.0006,0.0006')"
            )
        )


def _message(user: Any, chat_id: int, text: str) -> dict[str, Any]:
    chat = {"id": chat_id, "type": "private", "first_name": user.first_name} if chat_id > 0 else {
        "id": chat_id, "type": "supergroup", "title": "Klaster"}  # fmt: skip
    message: dict[str, Any] = {"message_id": next(_ids), "date": int(time.time()), "chat": chat, "from": user.json(),
                               "text": text}  # fmt: skip
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": next(_ids), "message": message}


def _callback(user: Any, data: str) -> dict[str, Any]:
    return {"update_id": next(_ids), "callback_query": {
        "id": str(next(_ids)), "from": user.json(), "chat_instance": "1", "data": data,
        "message": {"message_id": 1, "date": int(time.time()), "chat": {"id": user.id, "type": "private",
                                                                         "first_name": user.first_name}},
    }}  # fmt: skip


def _start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, stdout=log.open("ab"),
                            stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parent.parent)  # fmt: skip


def _query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_sigkill_rounds_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    db = tmp_path / "klaster.db"
    asyncio.run(_seed(db))
    api = HttpBotApi()
    base = api.start()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": base, "KLASTER_DB": str(db),
           "KLASTER_TICK_S": "0.5", "KLASTER_LOG_LEVEL": "WARNING"}  # fmt: skip
    log = tmp_path / "bot.log"
    rng = random.Random(20250821)
    try:
        # Phase 1: needs posted while the process is killed at random points.
        for i in range(NEEDS):
            api.push(_message(MEMBER, MEMBER.id, f"/butuh {100 + i} buah genset HSS mendesak"))
            api.push(_message(OTHER, OTHER.id, f"/stok beras {2000 + i} kg gudang Posko {i} Banjarbaru"))
        for _ in range(ROUNDS):
            proc = _start(env, log)
            time.sleep(rng.uniform(1.2, 3.0))
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        # Phase 2: pledges against the needs that exist, again across kills.
        need_ids = [row[0] for row in _query(db, "SELECT id FROM needs ORDER BY id")]
        assert need_ids, log.read_text()[-3000:]
        for i in range(PLEDGES):
            api.push(_callback(OTHER, f"pl:q:{need_ids[i % len(need_ids)]}:{1 + i}"))
        for _ in range(ROUNDS):
            proc = _start(env, log)
            time.sleep(rng.uniform(1.2, 3.0))
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        # Final run: drain everything, let escalations fire, then stop cleanly.
        proc = _start(env, log)
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and api.pending():
            time.sleep(0.3)
        time.sleep(4)
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)
    finally:
        api.stop()

    assert api.pending() == 0, log.read_text()[-3000:]
    duplicates = _query(db, "SELECT COUNT(*) FROM processed_updates")[0][0]
    print(
        f"crash-safety: {ROUNDS * 2} SIGKILLs, {len(api.updates)} updates pushed, {duplicates} claimed once, "
        f"{api.fake_redeliveries()} redelivered after a kill"
    )
    sent = [c for c in api.calls("sendMessage") if c.error is None]
    # every acknowledged need exists exactly once
    acked_needs = {m.group(1) for c in sent if c.chat_id == MEMBER.id
                   for m in [re.search(r"Tersimpan sebagai K-(\d{4})", c.text)] if m}  # fmt: skip
    numbers = {f"{n:04d}" for (n,) in _query(db, "SELECT number FROM needs")}
    assert acked_needs and acked_needs <= numbers
    assert _query(db, "SELECT quantity FROM needs GROUP BY quantity HAVING COUNT(*) > 1") == []
    assert len(numbers) <= NEEDS
    # every acknowledged stock report exists exactly once, with the acknowledged figure
    acked_stock = [int(m.group(1).replace(".", "")) for c in sent if c.chat_id == OTHER.id
                   for m in [re.search(r"✅ 1\. Beras — ([\d.]+) kg", c.text)] if m]  # fmt: skip
    stock = [int(q) for (q,) in _query(db, "SELECT quantity FROM stock")]
    assert acked_stock and set(acked_stock) <= set(stock)
    assert len(stock) == len(set(stock)) <= NEEDS
    # every acknowledged pledge exists exactly once (amounts are unique per pledge update)
    acked_pledges = [float(m.group(1).replace(".", "").replace(",", ".")) for c in sent if c.chat_id == OTHER.id
                     for m in [re.search(r"menjanjikan ([\d.,]+) buah", c.text)] if m]  # fmt: skip
    stored = [q for (q,) in _query(db, "SELECT quantity FROM pledges")]
    assert set(acked_pledges) <= set(stored)
    assert len(stored) == len(set(stored)) <= PLEDGES
    # no half-written state: running totals equal the pledges and the event log
    for need_id, pledged in _query(db, "SELECT id, pledged FROM needs"):
        (total,) = _query(db, f"SELECT COALESCE(SUM(quantity), 0) FROM pledges WHERE need_id = {need_id} "
                              "AND status != 'cancelled'")[0]  # fmt: skip
        (events,) = _query(db, f"SELECT COALESCE(SUM(quantity), 0) FROM pledge_events WHERE need_id = {need_id}")[0]
        assert pledged == total == events
    assert _query(db, "PRAGMA integrity_check") == [("ok",)]
    # escalations: never twice for the same need; none left pending past its time
    escalations = [m.group(1) for c in sent if c.chat_id == GROUP_ID for m in [re.search(r"⚠️ K-(\d{4})", c.text)] if m]
    assert len(escalations) == len(set(escalations))
    assert _query(db, f"SELECT COUNT(*) FROM scheduled_jobs WHERE status = 'pending' AND due_at < {int(time.time()) - 5}"
                      " AND kind = 'need.escalate'") == [(0,)]  # fmt: skip
