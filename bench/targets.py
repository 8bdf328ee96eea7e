"""The two Applications under test: the bare echo floor and our bot with a populated cluster."""

from __future__ import annotations

import random
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from time import perf_counter_ns
from typing import Any

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bench.measure import AnyApp, Request, Target, TimedFakeBotApi
from bot.app import OFFLINE_TOKEN, PerChatUpdateProcessor
from bot.devtools.harness import Harness, running
from bot.devtools.sim import Simulator, SimUser
from bot.features.members.orgs import find_duplicates
from bot.kernel.clock import FakeClock
from bot.kernel.db import open_sync
from bot.kernel.sql import is_postgresql, is_postgresql_url

ADMIN = SimUser(1001, "Rina", "Sekretariat", "rina_bpbd")
FIRST_MEMBER_ID = 2001
SECRETARY_BASE = 9001  # one secretary (group administrator) per cluster group
GROUP_BASE = -1001500000000
COPY_USER_OFFSET = 10_000_000  # seeded copies of members get user ids no real lane uses
# Bot-clock time per measured update: 50 updates per bot-second, so each of 100 members sends one update
# every 2 bot-seconds (5 per 10 s window; the flood guard allows 20). See ``Target``.
BOT_TICK = timedelta(milliseconds=20)
SETUP_TICK = timedelta(seconds=1)  # the secretariat approves 100 members in setup: keep it human-paced


# Problems met while stopping an Application (reported in the JSON rather than aborting the run).
STOP_PROBLEMS: list[str] = []


async def stop_tolerant(app: AnyApp, problems: list[str]) -> None:
    """``app.stop()``; if it raises, record why and shut the job queue's scheduler down by hand."""
    try:
        await app.stop()
    except Exception as exc:
        problems.append(f"Application.stop() raised {exc!r}")
        if app.job_queue is not None and app.job_queue.scheduler.running:
            app.job_queue.scheduler.shutdown(wait=False)


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    if message is not None and message.text:
        await message.reply_text(message.text)


async def start_echo(stack: AsyncExitStack) -> Target:
    """A bare python-telegram-bot Application with one echo handler (our processor class, no rate limiter)."""
    api = TimedFakeBotApi()
    app = (
        ApplicationBuilder()
        .token(OFFLINE_TOKEN)
        .request(api)
        .get_updates_request(api)
        .concurrent_updates(PerChatUpdateProcessor())
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, _echo))
    await app.initialize()
    stack.push_async_callback(app.shutdown)
    await app.start()
    stack.push_async_callback(stop_tolerant, app, STOP_PROBLEMS)
    return Target(app, api, Simulator(app, api))


def text_request(sim: Simulator, user: SimUser, chat_id: int, text: str, expect: str) -> Request:
    return Request({"message": sim.message_json(user, chat_id, text)}, chat_id, expect)


def org_names(count: int, seed: int = 20250821) -> list[tuple[str, str]]:
    """Distinct (name, short name) pairs that the bot's duplicate detection does not confuse."""
    rng = random.Random(seed)
    syllables = ("ba", "ka", "la", "ma", "na", "ra", "sa", "ta", "wi", "lu", "mo", "de", "ri", "su", "to", "ga",
                 "pe", "ni", "ju", "ho", "ke", "di", "po", "yu")  # fmt: skip
    prefixes = ["Yayasan", "Relawan", "Lembaga", "Forum", "Komunitas", "Perkumpulan", "Posko", "Gerakan"]
    chosen: list[tuple[int, str, str]] = []
    for _ in range(count * 100):
        if len(chosen) == count:
            break
        words = ["".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))).capitalize() for _ in range(2)]
        name = f"{rng.choice(prefixes)} {words[0]} {words[1]}"
        short = f"{words[0][:3]}{words[1][:3]}".upper()
        if not find_duplicates(name, short, chosen):
            chosen.append((len(chosen), name, short))
    if len(chosen) < count:
        raise RuntimeError(f"could only make {len(chosen)} distinct organisation names")
    return [(name, short) for _, name, short in chosen]


@dataclass
class BotWorld:
    """Our bot, started, with ``len(groups)`` cluster groups and ``len(members)`` approved members.

    ``groups[0]`` is the cluster the members registered in through the bot; the other groups are
    clusters set up with /pasang whose organisations are SQL copies of the first (so every group's
    /anggota lists the same number of organisations, and concurrent lanes never share a chat lock).
    """

    target: Target
    harness: Harness
    groups: list[int]
    members: list[SimUser]
    setup_s: float
    secretaries: list[SimUser]  # secretaries[i]: an administrator of groups[i] (the secretariat, by rights)

    def request(self, user: SimUser, chat_id: int, text: str, expect: str) -> Request:
        return text_request(self.harness.sim, user, chat_id, text, expect)


async def start_bot(stack: AsyncExitStack, db_path: Path | str, groups: int, members: int) -> BotWorld:
    started = perf_counter_ns()
    clock = FakeClock()
    api = TimedFakeBotApi(clock=clock.timestamp)
    h = await stack.enter_async_context(running(db_path, clock=clock, api=api))
    await h.app.start()
    stack.push_async_callback(stop_tolerant, h.app, STOP_PROBLEMS)
    target = Target(h.app, api, h.sim, h.runtime.db, clock, BOT_TICK)
    group_ids = [GROUP_BASE - i for i in range(groups)]
    for index, chat_id in enumerate(group_ids):
        api.add_chat(chat_id, "supergroup", f"Klaster Logistik {index}")
        api.set_bot_rights(chat_id)
        api.set_member(chat_id, ADMIN.json(), "creator")
        api.set_member(chat_id, secretary(index).json(), "administrator")
    users = [SimUser(FIRST_MEMBER_ID + i, f"Anggota{i}", None, f"anggota_{i}") for i in range(members)]
    await _expect(h, ADMIN, group_ids[0], "/pasang Klaster Logistik Kalsel", "Klaster Logistik Kalsel")
    # One-line registration + approval through the Application, while this is the only cluster.
    for user, (name, short) in zip(users, org_names(members), strict=True):
        h.sim.private_chat(user)
        await _expect(h, user, user.id, f"/daftar {name} | {short} | ngo | Bjm | Ketua", "Tersimpan")
        card = h.api.last(group_ids[0])
        h.clock.advance(SETUP_TICK)
        await h.sim.press(ADMIN, card, text="✅ Setujui")
    for index, chat_id in enumerate(group_ids[1:], start=1):
        await _expect(h, ADMIN, chat_id, f"/pasang Klaster Logistik {index}", f"Klaster Logistik {index}")
    _seed_copies(db_path, len(group_ids))
    _check_seeded(db_path, len(group_ids), members)
    target.reset()
    secretaries = [secretary(i) for i in range(groups)]
    return BotWorld(target, h, group_ids, users, (perf_counter_ns() - started) / 1e9, secretaries)


def secretary(index: int) -> SimUser:
    return SimUser(SECRETARY_BASE + index, f"Sekretaris{index}", None, f"sekretaris_{index}")


async def _expect(h: Harness, user: SimUser, chat_id: int, text: str, expect: str) -> None:
    h.clock.advance(SETUP_TICK)
    calls = await h.sim.send(user, chat_id, text)
    texts = [c.text for c in calls if c.method == "sendMessage"]
    if not any(expect in t for t in texts):
        raise RuntimeError(
            f"setup: {text!r} answered {[(c.method, c.text, c.error) for c in calls]!r}, expected {expect!r}"
        )


def _open(db: Path | str) -> Any:
    """A plain connection for setup: the SQLite file, or the kernel's PostgreSQL adapter for a URL."""
    if is_postgresql_url(db):
        from bot.kernel.pg_adapter import PgConn

        return PgConn(str(db))
    return open_sync(db)


def _columns(conn: Any, table: str) -> list[str]:
    if is_postgresql(conn):
        names = [row[0] for row in conn.execute("SELECT column_name FROM information_schema.columns "
                                                "WHERE table_name = ? ORDER BY ordinal_position", (table,))]  # fmt: skip
    else:
        names = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    return [name for name in names if name not in ("id", "cluster_id")]


def _seed_copies(db_path: Path | str, clusters: int) -> None:
    """Copy cluster 1's organisations and members into clusters 2..n (setup only, not measured)."""
    conn = _open(db_path)
    try:
        org_cols = _columns(conn, "organizations")
        member_cols = [c for c in _columns(conn, "members") if c not in ("user_id", "organization_id")]
        conn.execute("BEGIN" if is_postgresql(conn) else "BEGIN IMMEDIATE")
        for cluster_id in range(2, clusters + 1):
            plain = ", ".join(c for c in org_cols if c != "invite_code")
            conn.execute(
                f"INSERT INTO organizations (cluster_id, {plain}) SELECT ?, {plain} FROM organizations "
                "WHERE cluster_id = 1",
                (cluster_id,),
            )
            cols = ", ".join(member_cols)
            src = ", ".join(f"m.{c}" for c in member_cols)
            conn.execute(
                f"INSERT INTO members (cluster_id, user_id, organization_id, {cols}) "
                f"SELECT ?, m.user_id + ?, o2.id, {src} FROM members m "
                "JOIN organizations o1 ON o1.id = m.organization_id "
                "JOIN organizations o2 ON o2.cluster_id = ? AND o2.name = o1.name "
                "WHERE m.cluster_id = 1",
                (cluster_id, COPY_USER_OFFSET * cluster_id, cluster_id),
            )
        conn.execute("COMMIT")
    finally:
        conn.close()


def _check_seeded(db_path: Path | str, clusters: int, members: int) -> None:
    conn = _open(db_path)
    try:
        rows: list[Any] = conn.execute(
            "SELECT cluster_id, COUNT(*) FROM members WHERE status = 'active' GROUP BY cluster_id"
        ).fetchall()
    finally:
        conn.close()
    counts = {row[0]: row[1] for row in rows}
    if len(counts) != clusters or set(counts.values()) != {members}:
        raise RuntimeError(f"setup: expected {members} active members in each of {clusters} clusters, got {counts}")
