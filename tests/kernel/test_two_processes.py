"""Two bot processes on one PostgreSQL database (issue #18): ``python -m bot run --webhook`` twice, each on its own
port, both against the HTTP Bot API stand-in, with updates POSTed to both at the same moment.

Asserts:
- members of many organisations pledge from stock against the same needs through both instances at once: a stock
  pledge takes min(stock, what is still open) and is refused as covered at 0, so the pledges of a need never sum
  beyond its quantity, and its ``pledged`` total equals the sum of its pledges (the need's row lock,
  ``needs_repo.lock_need`` / ``sql.for_update``);
- agenda reminders due while both run: each job is done once and each reminder reaches the group once (the job and
  outbox claims, ``sql.skip_locked``);
- the same update_id delivered to both instances has one effect (the processed-updates claim).

PostgreSQL only: SQLite is one file with one writer process by design (docs/scale.md, "Several instances").
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.devtools.harness import running
from bot.devtools.httpapi import HttpBotApi
from bot.devtools.sim import SimUser
from tests.support.db import execute, q
from tests.support.engine import on_postgresql
from tests.support.people import ADMIN, GROUP_ID, MEMBER
from tests.support.world import member

pytestmark = pytest.mark.skipif(
    not on_postgresql(),
    reason="two bot processes share one database only on PostgreSQL (KLASTER_TEST_ENGINE=postgresql under "
    "python -m tests.support.pgserver); SQLite runs one writer process by design",
)

TOKEN = "123456789:TWOPROC-klaster-logistik-000000000000"
SECRET = "two-processes_secret"
PUBLIC_URL = "https://bot.example.test/tg/hook"
NEEDS = 3  # needs of 100 kg of rice each
NEED_KG = 100
DONORS = [SimUser(3001 + i, f"Donor{i}", None, f"donor_{i}") for i in range(10)]
STOCK_KG = 30  # each donor's line: 10 x 30 kg against 100 kg, so most taps find the need covered
DUPLICATES = 6  # updates delivered to both instances
ORG_NAMES = [
    "Aksi Cepat Tanggap",
    "Rumah Zakat",
    "Dompet Dhuafa",
    "Wahana Visi",
    "Lazismu Kalsel",
    "Yayasan Sosial Borneo",
    "Baznas Provinsi",
    "Karang Taruna Martapura",
    "Pramuka Kwarda",
    "Orari Lokal",
]
_ids = itertools.count(40_000_000)


async def _seed(db: str) -> None:
    async with running(db) as h:
        h.clock.set(datetime.now(UTC))
        h.api.add_chat(GROUP_ID, "supergroup", "Klaster")
        h.api.set_bot_rights(GROUP_ID)
        h.api.set_member(GROUP_ID, ADMIN.json(), "creator")
        for user in (MEMBER, *DONORS):
            h.api.set_member(GROUP_ID, user.json(), "member")
        await h.sim.send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
        await member(h, MEMBER, "Palang Merah Indonesia Kalsel | PMI Kalsel | ngo | Bjm | Kepala Gudang")
        for i, donor in enumerate(DONORS):
            await member(h, donor, f"{ORG_NAMES[i]} | {ORG_NAMES[i].split()[-1][:6].upper()}{i} | ngo | Bjm | Staf")
        for i, donor in enumerate(DONORS):
            await h.sim.send(donor, text=f"/stok beras {STOCK_KG} kg gudang Posko {i} Banjarmasin")
        for place in ("Banjarmasin", "Banjarbaru", "Martapura")[:NEEDS]:  # one need per place (no double post)
            await h.sim.send(MEMBER, text=f"/butuh {NEED_KG} kg beras untuk {place}")
        day = (datetime.now(UTC) + timedelta(days=3)).astimezone().strftime("%d/%m")
        await h.sim.send(ADMIN, GROUP_ID, f"/agenda baru rapat | Rakor logistik banjir | {day} 10.00 | 2 jam | Posko")


def _private(user: SimUser) -> dict[str, Any]:
    return {"id": user.id, "type": "private", "first_name": user.first_name}


def _callback(user: SimUser, data: str, message_id: int) -> dict[str, Any]:
    return {"update_id": next(_ids), "callback_query": {
        "id": str(next(_ids)), "from": user.json(), "chat_instance": "1", "data": data,
        "message": {"message_id": message_id, "date": int(time.time()), "chat": _private(user)},
    }}  # fmt: skip


def _message(user: SimUser, text: str) -> dict[str, Any]:
    return {"update_id": next(_ids), "message": {
        "message_id": next(_ids) % 1_000_000, "date": int(time.time()), "chat": _private(user),
        "from": user.json(), "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]}}  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _http(method: str, url: str, body: dict[str, Any] | None = None) -> int:
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    try:
        return httpx.request(method, url, content=json.dumps(body) if body else None, headers=headers,
                             timeout=30).status_code  # fmt: skip
    except httpx.TransportError:
        return 0


def _wait(predicate: Any, what: str, logs: list[Path], timeout: float = 45.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    tails = "\n---\n".join(log.read_text()[-2000:] for log in logs)
    raise AssertionError(f"timed out waiting for {what}:\n{tails}")


def _start(db: str, base: str, port: int, log: Path, cwd: Path) -> subprocess.Popen[bytes]:
    """``klasterbot run --webhook`` as a real process on ``port``, its log (WARNING and above) in ``log``."""
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": base, "KLASTER_DB": db,
           "KLASTER_WEBHOOK_SECRET": SECRET, "KLASTER_WEBHOOK_PORT": str(port), "KLASTER_TICK_S": "0.3",
           "KLASTER_LOG_LEVEL": "WARNING"}  # fmt: skip
    return subprocess.Popen([sys.executable, "-m", "bot", "run", "--webhook", PUBLIC_URL], env=env, cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=log.open("ab"))  # fmt: skip


def _wait_healthy(port: int, logs: list[Path]) -> None:
    _wait(lambda: _http("GET", f"http://127.0.0.1:{port}/healthz") == 200, f"/healthz 200 on port {port}", logs)


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        proc.wait(30)


def _rows(db: str, sql: str) -> list[tuple[Any, ...]]:
    return q(db, sql)


def _count(db: str, sql: str) -> int:
    return int(_rows(db, sql)[0][0])


def test_two_instances_never_pledge_beyond_the_need_nor_run_a_job_twice(tmp_path: Path, db_path: str) -> None:
    db = db_path
    asyncio.run(_seed(db))
    need_ids = [n for (n,) in _rows(db, "SELECT id FROM needs ORDER BY id")]
    assert len(need_ids) == NEEDS
    lines = dict(_rows(db, "SELECT o.id, s.id FROM stock s JOIN organizations o ON o.id = s.organization_id"))
    org_of = dict(_rows(db, "SELECT user_id, organization_id FROM members"))
    api = HttpBotApi(latency=(0.0, 0.01))
    base = api.start()
    for donor in DONORS:
        api.fake.adopt_message(donor.id, 1, "notice")  # the private match notice the tap comes from
    for chat_id, message_id in _rows(db, "SELECT chat_id, message_id FROM events"):
        api.fake.adopt_message(chat_id, message_id, "card")
    ports = [_free_port(), _free_port()]
    logs = [tmp_path / f"bot{i}.log" for i in range(2)]
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for port, log in zip(ports, logs, strict=True):
            procs.append(_start(db, base, port, log, tmp_path))
        hooks = [f"http://127.0.0.1:{port}/tg/hook" for port in ports]
        for port in ports:
            _wait_healthy(port, logs)
        # Both reminders of the event fall due now, while both instances tick.
        execute(db, "UPDATE scheduled_jobs SET due_at = ? WHERE kind = 'agenda.reminder'", int(time.time()))
        # Every donor taps "pledge from stock" on every need; the taps alternate between the instances.
        taps = [_callback(donor, f"sp:{need_id}:{lines[org_of[donor.id]]}", 1)
                for need_id in need_ids for donor in DONORS]  # fmt: skip
        posts = [(hooks[i % 2], update) for i, update in enumerate(taps)]
        duplicates = [_message(MEMBER, f"/butuh {700 + i} buah genset HSS mendesak") for i in range(DUPLICATES)]
        posts += [(hook, update) for update in duplicates for hook in hooks]  # the same update to both
        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(lambda post: _http("POST", post[0], post[1]), posts))
        assert statuses == [200] * len(posts)
        every = {u["update_id"] for u in taps + duplicates}
        _wait(lambda: _count(db, "SELECT COUNT(*) FROM inbox") == 0
              and _count(db, f"SELECT COUNT(*) FROM processed_updates WHERE update_id >= {min(every)}") == len(every)
              and _count(db, "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')") == 0
              and _count(db, "SELECT COUNT(*) FROM scheduled_jobs WHERE kind = 'agenda.reminder' "
                             "AND status IN ('pending', 'claimed')") == 0,
              "every update processed, every send and reminder done", logs)  # fmt: skip
    finally:
        _stop(procs)
        api.stop()
    assert [proc.returncode for proc in procs] == [0, 0], "\n---\n".join(log.read_text()[-2000:] for log in logs)

    # Pledges: never beyond a need, its total the sum of its pledges; at most one pledge per organisation.
    for need_id in need_ids:
        (quantity, pledged), = _rows(db, f"SELECT quantity, pledged FROM needs WHERE id = {need_id}")  # fmt: skip
        rows = _rows(db, f"SELECT organization_id, quantity FROM pledges WHERE need_id = {need_id} "
                     "AND status != 'cancelled' AND source = 'stock'")  # fmt: skip
        total = sum(float(x) for _, x in rows)
        print(f"need {need_id}: {len(rows)} stock pledges, {total:g} of {float(quantity):g} kg")
        assert total <= float(quantity), (need_id, rows)
        assert float(pledged) == total, (need_id, pledged, rows)
        assert total == float(quantity)  # 300 kg of stock against 100 kg: covered exactly
        assert len({org for org, _ in rows}) == len(rows)
    # The same update on both instances: one need each.
    stored = sorted(int(x) for (x,) in _rows(db, "SELECT quantity FROM needs WHERE quantity >= 700"))
    assert stored == [700 + i for i in range(DUPLICATES)]
    # Reminders: each done once, each sent to the group once.
    jobs = _rows(db, "SELECT status, note FROM scheduled_jobs WHERE kind = 'agenda.reminder'")
    assert len(jobs) == 2 and all(status == "done" for status, _ in jobs), jobs
    reminders = [c for c in api.calls("sendMessage") if c.error is None and c.chat_id == GROUP_ID
                 and "<b>Pengingat:" in (c.text or "")]  # fmt: skip
    assert len(reminders) == 2, [c.text for c in reminders]
    # No send twice: every outbox row reached the stand-in once at most.
    assert _count(db, "SELECT COUNT(*) FROM outbox WHERE status IN ('uncertain', 'failed')") == 0


def test_an_instance_starting_beside_a_running_one_leaves_its_sends_and_claims_alone(
    tmp_path: Path, db_path: str
) -> None:
    """Start-up recovery treats every row in flight as a crash's leftover: right only when no other instance runs.
    The second instance skips it (``Database.begin_instance``: the shared advisory lock of the running one); an
    instance starting alone, after both stopped, recovers what was left."""
    db = db_path
    asyncio.run(_seed(db))
    api = HttpBotApi()
    base = api.start()
    ports = [_free_port(), _free_port()]
    logs = [tmp_path / f"bot{i}.log" for i in range(3)]
    first = _start(db, base, ports[0], logs[0], tmp_path)
    procs = [first]
    try:
        _wait_healthy(ports[0], logs)
        # What the running instance has in flight: a send it made and a job it claimed (as it would mid-call).
        ((row_id,),) = _rows(db, "SELECT MIN(id) FROM outbox WHERE status = 'sent'")  # fmt: skip
        execute(db, "UPDATE outbox SET status = 'sending' WHERE id = ?", row_id)
        ((job_id,),) = _rows(db, "SELECT MIN(id) FROM scheduled_jobs WHERE kind = 'agenda.reminder'")  # fmt: skip
        execute(
            db, "UPDATE scheduled_jobs SET status = 'claimed', claimed_at = ? WHERE id = ?", int(time.time()), job_id
        )
        procs.append(_start(db, base, ports[1], logs[1], tmp_path))
        _wait_healthy(ports[1], logs)
        assert _rows(db, f"SELECT status FROM outbox WHERE id = {row_id}") == [("sending",)], logs[1].read_text()
        assert _rows(db, f"SELECT status FROM scheduled_jobs WHERE id = {job_id}") == [("claimed",)]
        assert "start-up recovery skipped" in logs[1].read_text()
        _stop(procs)
        # Both stopped: what is still in flight is a leftover now, and an instance starting alone recovers it.
        procs = [_start(db, base, ports[0], logs[2], tmp_path)]
        _wait_healthy(ports[0], logs)
        assert _rows(db, f"SELECT status FROM outbox WHERE id = {row_id}") == [("uncertain",)]
        assert _rows(db, f"SELECT status FROM scheduled_jobs WHERE id = {job_id}") != [("claimed",)]
        assert "start-up recovery skipped" not in logs[2].read_text()
    finally:
        _stop(procs)
        api.stop()
