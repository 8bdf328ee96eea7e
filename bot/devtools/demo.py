"""``klasterbot demo``: the local playground.

The real Application (every handler, the real storage on a separate demo database) runs against the
in-process Bot API stand-in, on a seeded Kalimantan Selatan cluster. A person types as one of the
seeded users, in the cluster group or in a private chat; each line is a ``:command`` of the
playground or a message. Everything the bot does in reply is printed readably, and a simulated
clock moves forward on ``:time +2h`` so scheduled messages can be seen. No network, no token.

It reads lines from standard input, so ``printf '/start\\n:time +1d\\n' | klasterbot demo`` works as a
script (that is how tests/kernel/test_demo.py drives it); banner and prompt appear only on a terminal.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import logging
import os
import re
import shutil
import signal
import sqlite3
import sys
import textwrap
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from telegram.ext import Application

from bot.app import build_application, runtime_of, shutdown, startup
from bot.devtools import render
from bot.devtools.fakeapi import BOT_USERNAME, ApiCall, FakeBotApi, StoredMessage
from bot.devtools.seed import (
    DEMO_GROUP_ID,
    DemoPerson,
    DemoWorld,
    demo_world,
    has_cluster,
    seed_demo,
    seed_script,
)
from bot.devtools.sim import Simulator, SimUser
from bot.kernel import jobs_storage as jobs_repo
from bot.kernel.clock import FakeClock
from bot.kernel.config import DEFAULT_API_BASE, Settings
from bot.kernel.db import apply_migrations, open_sync
from bot.kernel.feature import TICK

AnyApp = Application[Any, Any, Any, Any, Any, Any]
TickHook = Callable[[AnyApp], Awaitable[None]]

GROUP, PRIVATE = "grup", "pribadi"
_CHAT_WORDS = {"grup": GROUP, "group": GROUP, "g": GROUP, "pribadi": PRIVATE, "private": PRIVATE, "p": PRIVATE}
_DURATION_RE = re.compile(r"(\d+)\s*([smhdw])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DEEP_LINK_RE = re.compile(rf"^https?://t\.me/{BOT_USERNAME}\?start=([A-Za-z0-9_-]+)$", re.IGNORECASE)

SETTLE_S = 20.0  # at most this long (real time) for the bot's background work after a step
NO_REPLY = "(no reply / tidak ada balasan)"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # what a bot may download from Telegram
NEW_PERSON_ID = 6300100  # people added with ":as baru NAMA" get ids from here on
_NEW_WORDS = ("baru", "new")

HELP = """\
Perintah playground / playground commands:
  :as NAMA          ketik sebagai orang lain / type as someone else (prefix, e.g. :as bu)
  :as baru NAMA     tambah orang baru (belum anggota) / add a new person (not a member yet)
  :chat grup        ketik di grup klaster / type in the cluster group
  :chat pribadi     ketik di obrolan pribadi dengan bot / type in your private chat with the bot
  :press N          tekan tombol N pada pesan bot terakhir yang bertombol di obrolan ini
                    / press button N of the bot's latest message with buttons in this chat
  N (angka saja)    sama dengan :press N bila pesan bot terakhir di obrolan ini punya tombol N;
                    selain itu dikirim sebagai teks / a bare number is :press N when the bot's latest
                    message in this chat has a button N; otherwise it is sent as text
  :say TEKS         kirim TEKS apa adanya (mis. angka) / send TEXT as a message, even a number
  :reply TEKS       balas pesan bot terakhir di obrolan ini / reply to the bot's latest message
  :file PATH        kirim berkas (mis. impor stok CSV/XLSX) / send a file (e.g. a stock import);
                    :file PATH | KETERANGAN adds a caption
  :time +2h         majukan jam simulasi / advance the simulated clock (+30m, +2h, +1d, +1d6h)
  :time             tampilkan jam simulasi / show the simulated time
  :leave, :join     keluar dari / masuk lagi ke grup / leave or rejoin the group (officials rotate)
  :who              daftar pengguna demo / the demo's users and their organisations
  :help             bantuan ini / this help
  :quit             keluar / quit (also Ctrl-D)
Baris lain dikirim ke bot sebagai pesan / any other line is sent to the bot as a message
(a line ending in \\ continues on the next line, for multi-line reports).
Tombol tautan ke obrolan pribadi diikuti seperti di Telegram / links into the private chat are followed
as Telegram does (/start ...). Berkas dari bot disimpan / files the bot sends are written to: {files}"""


class DemoSimulator(Simulator):
    """Update ids continue after those the database already processed, so a reopened demo is not
    mistaken for Telegram redelivering old updates."""

    def __init__(self, app: AnyApp, api: FakeBotApi, clock_ts: Callable[[], int], first_update_id: int) -> None:
        super().__init__(app, api, clock_ts)
        self._next_update = first_update_id

    def next_update_id(self) -> int:
        value = self._next_update
        self._next_update += 1
        return value


@dataclasses.dataclass
class Session:
    """The playground's state: who types where, and what was printed so far."""

    world: DemoWorld
    app: AnyApp
    api: FakeBotApi
    sim: Simulator
    clock: FakeClock
    out: TextIO
    tty: bool  # output is a terminal: ANSI bold, faint notes, wrapped lines
    interactive: bool  # input is a terminal: banner and prompt; otherwise each line is echoed
    person: DemoPerson
    where: str = PRIVATE
    printed: int = 0  # index into api.calls up to which calls were shown
    last_with_buttons: dict[int, int] = dataclasses.field(default_factory=dict)  # chat → message id
    last_touched: dict[int, int] = dataclasses.field(default_factory=dict)  # chat → latest sent/edited id
    files_dir: Path | None = None  # where files the bot sends are written (None: not written)
    typed: int = 0  # steps so far: each counts as at least a second of a person's typing (the rate clock)
    started: float = dataclasses.field(default_factory=time.monotonic)
    # Tasks that were running before the demo (whoever runs it, e.g. a test awaiting it): never waited for.
    outer_tasks: set[asyncio.Task[Any]] = dataclasses.field(default_factory=lambda: set(asyncio.all_tasks()))

    def rate_clock(self) -> float:
        """Time as the flood guard should see it: real seconds since the demo started, and at least one
        second per step, so a person typing (or a script standing in for one) is never a "flood" merely
        because the simulated clock stands still between ``:time`` steps."""
        return time.monotonic() - self.started + self.typed

    # ---- where and who -------------------------------------------------------------------------
    @property
    def chat_id(self) -> int:
        return self.world.group_id if self.where == GROUP else self.person.user.id

    def label(self, chat_id: int | None) -> str:
        if chat_id is None:
            return self.location_label()
        if chat_id == self.world.group_id:
            return GROUP
        person = self.world.person(chat_id)
        if person is not None:
            return f"{PRIVATE} {person.name}"
        return str(chat_id)

    def location_label(self) -> str:
        return GROUP if self.where == GROUP else f"{PRIVATE} {self.person.name}"

    def prompt(self) -> str:
        return f"({self.person.name}@{self.where})> "

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def say_block(self, block: str) -> None:
        """On a terminal, long lines wrap under their own indentation; a script gets them unwrapped."""
        if self.tty:
            width = max(40, shutil.get_terminal_size().columns - 1)
            lines = []
            for line in block.split("\n"):
                indent = line[: len(line) - len(line.lstrip(" "))]
                lines.append(textwrap.fill(line, width, subsequent_indent=indent) if len(line) > width else line)
            block = "\n".join(lines)
        self.say(block)

    def note(self, text: str) -> None:
        self.say(render.dim(text, self.tty))

    # ---- output --------------------------------------------------------------------------------
    def show_new_calls(self, where_for_answers: str | None = None, nothing: str | None = NO_REPLY) -> None:
        """Print every Bot API call since the last step, rendered, prefixed with where it went."""
        calls = self.api.calls[self.printed :]
        self.printed = len(self.api.calls)
        shown = 0
        for call in calls:
            self._track(call)
            where = where_for_answers if call.method == "answerCallbackQuery" else None
            block = render.render_call(call, where or self.label(call.chat_id), self.tty)
            if block is not None:
                saved = self._write_file(call)
                if saved is not None:
                    head, _, rest = block.partition("\n")
                    block = f"{head}  → {saved}" + (f"\n{rest}" if rest else "")
                self.say_block(block)
                shown += 1
        if not shown and nothing:
            self.note(nothing)

    def _write_file(self, call: ApiCall) -> Path | None:
        """A document or photo the bot sent, written under the demo's data folder (so it can be opened)."""
        if self.files_dir is None or call.error is not None or call.method not in ("sendDocument", "sendPhoto"):
            return None
        kind = "photo" if call.method == "sendPhoto" else "document"
        content = call.files.get(kind)
        if content is None:
            return None
        raw_name = call.files.get(f"{kind}:filename", b"").decode(errors="replace")
        name = re.sub(r"[^\w.-]+", "_", Path(raw_name).name).strip("._") or ("chart.png" if kind == "photo" else "file")
        message_id = call.result.get("message_id") if isinstance(call.result, dict) else None
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.files_dir / f"{message_id or len(self.api.calls)}-{name}"
        path.write_bytes(content)
        return path

    def _track(self, call: ApiCall) -> None:
        if call.error is not None or call.chat_id is None:
            return
        if call.method in ("sendMessage", "sendDocument", "sendPhoto") and isinstance(call.result, dict):
            message_id = int(call.result["message_id"])
        elif call.method in ("editMessageText", "editMessageReplyMarkup", "editMessageCaption"):
            message_id = int(call.params["message_id"])
        else:
            return
        self.last_touched[call.chat_id] = message_id
        if render.keyboard_rows(call.params.get("reply_markup")):
            self.last_with_buttons[call.chat_id] = message_id

    def _current_buttons(self, message_id: int | None) -> tuple[StoredMessage | None, list[dict[str, Any]]]:
        if message_id is None:
            return None, []
        stored = self.api.messages.get((self.chat_id, message_id))
        if stored is None or stored.deleted:
            return None, []
        return stored, render.flat_buttons(render.keyboard_rows(stored.reply_markup))

    # ---- steps ---------------------------------------------------------------------------------
    async def settle(self, limit_s: float = SETTLE_S) -> None:
        """Let work the bot started in the background (an announcement's fan-out) finish before the next
        line is read: the read blocks the event loop, and the fake clock makes the waiting instant."""
        current = asyncio.current_task()
        deadline = time.monotonic() + limit_s
        services: set[asyncio.Task[Any]] = runtime_of(self.app).service_tasks
        while True:
            pending = {
                t
                for t in asyncio.all_tasks()
                if t is not current and not t.done() and t not in self.outer_tasks and t not in services
            }
            left = deadline - time.monotonic()
            if not pending or left <= 0:
                break
            await asyncio.wait(pending, timeout=left)
        if pending:
            self.note(f"(still working in the background: {len(pending)} task(s))")

    async def send_text(self, text: str, reply: bool = False) -> None:
        reply_to = None
        if reply:
            message_id = self.last_touched.get(self.chat_id)
            reply_to = self.api.messages.get((self.chat_id, message_id)) if message_id else None
            if reply_to is None:
                self.note("The bot has not written in this chat yet; sending without a reply.")
        chat_id = None if self.where == PRIVATE else self.chat_id
        await self.sim.send(self.person.user, chat_id, text, reply_to=reply_to)
        await self.settle()
        self.show_new_calls()

    def bare_number_presses(self, number: int) -> bool:
        """A bare number is a button press only if the bot's latest message here has that button."""
        _, buttons = self._current_buttons(self.last_touched.get(self.chat_id))
        return 1 <= number <= len(buttons)

    async def press(self, number: int) -> None:
        stored, buttons = self._current_buttons(self.last_with_buttons.get(self.chat_id))
        if stored is None or not buttons:
            self.note(f"No bot message with buttons in [{self.location_label()}].")
            return
        if not 1 <= number <= len(buttons):
            self.note(f"Message #{stored.message_id} has buttons 1–{len(buttons)}.")
            return
        button = buttons[number - 1]
        if button.get("callback_data") is not None:
            calls = await self.sim.press(self.person.user, stored, data=button["callback_data"])
            await self.settle()
            # The bot may answer the tap with a URL (a deep link into its private chat): Telegram opens it.
            urls = [str(c.params["url"]) for c in calls if c.method == "answerCallbackQuery" and c.params.get("url")]
            self.show_new_calls(where_for_answers=self.location_label(), nothing=None if urls else NO_REPLY)
            if urls:
                await self.open_url(urls[0])
            return
        url = str(button.get("url") or "")
        if await self.open_url(url):
            return
        if url:
            self.note(f"🔗 {url} (a link; it would open in the browser)")
        else:
            self.note("This kind of button is not simulated by the demo.")

    async def open_url(self, url: str) -> bool:
        """Follow a link into the bot's private chat as Telegram does: switch there and send /start."""
        deep_link = _DEEP_LINK_RE.match(url)
        if not deep_link:
            return False
        self.where = PRIVATE
        self.note(f"→ opens the private chat with the bot: /start {deep_link.group(1)}")
        await self.send_text(f"/start {deep_link.group(1)}")
        return True

    async def send_file(self, arg: str) -> None:
        """``:file PATH`` or ``:file PATH | caption``: the current user sends a document here."""
        path_text, _, caption = arg.partition("|")
        path = Path(path_text.strip()).expanduser()
        if not path_text.strip():
            self.note("Write :file PATH (e.g. :file stok.csv), or :file PATH | /stok impor.")
            return
        if not path.is_file():
            self.note(f"No such file: {path}")
            return
        if path.stat().st_size > MAX_UPLOAD_BYTES:
            self.note(f"{path} is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
            return
        chat_id = None if self.where == PRIVATE else self.chat_id
        await self.sim.document(self.person.user, chat_id, path.read_bytes(), path.name, caption.strip())
        await self.settle()
        self.show_new_calls()

    async def advance(self, arg: str) -> None:
        if arg:
            parts = _DURATION_RE.findall(arg.lower())
            leftover = _DURATION_RE.sub("", arg.lower()).replace("+", "").strip()
            if not parts or leftover:
                self.note("Write the step like :time +30m, :time +2h, :time +1d or :time +1d6h.")
                return
            seconds = sum(int(n) * _UNIT_SECONDS[unit] for n, unit in parts)
            target = self.clock.timestamp() + seconds
            # Step through each scheduled job's due time on the way, so reminders and digests arrive when
            # they are due (not all at the end marked "late"), then stop at the target time.
            runtime = runtime_of(self.app)
            came_due = False
            while True:
                upcoming = await runtime.db.read(jobs_repo.pending_before, target)
                due = [at for _, at in upcoming if at > self.clock.timestamp()]
                step_to = max(min(due) if due else target, self.clock.timestamp())
                self.clock.set(datetime.fromtimestamp(step_to, UTC))
                await self._tick()
                if len(self.api.calls) > self.printed:
                    came_due = True
                    self.note(f"🕒 {self.now_text()}")
                    self.show_new_calls(nothing=None)
                if step_to >= target:
                    break
            self.note(f"🕒 {self.now_text()}")
            if not came_due:
                self.note("(nothing scheduled came due / tidak ada pesan terjadwal)")
        else:
            self.note(f"🕒 {self.now_text()}")

    async def _tick(self) -> None:
        hooks: list[TickHook] = runtime_of(self.app).contributions(TICK)
        for hook in hooks:
            try:
                await hook(self.app)
            except Exception:
                logging.getLogger(__name__).exception("tick hook %r failed", hook)
        await self.settle()

    async def membership(self, join: bool) -> None:
        """The current user leaves or rejoins the group: Telegram's ``chat_member`` update."""
        group, user = self.world.group_id, self.person.user
        old = self.api.members.get(group, {}).get(user.id, {}).get("status", "left")
        if (old not in ("left", "kicked")) == join:
            self.note(f"{self.person.name} is {'already' if join else 'not'} in the group.")
            return
        new = self.person.group_status if join else "left"
        self.api.set_member(group, user.json(), new)
        await self.sim.member_update(user, group, old, new)
        await self.settle()
        self.show_new_calls()

    def now_text(self) -> str:
        return self.clock.now().astimezone(ZoneInfo(self.world.timezone)).strftime("%a %d %b %Y %H:%M %Z")

    def switch_user(self, name: str) -> None:
        wanted = name.strip().lower().lstrip("@")
        if not wanted:
            self.note("Write :as NAME, e.g. :as Budi. :who lists everyone; :as baru NAMA adds a person.")
            return
        first, _, rest = name.strip().partition(" ")
        if first.lower() in _NEW_WORDS:
            self.add_person(rest)
            return
        # First names, then usernames, then organisations ("pmi"), so ":as b" can still mean Budi.
        tiers: tuple[Callable[[DemoPerson], bool], ...] = (
            lambda p: p.name.lower().startswith(wanted),
            lambda p: (p.user.username or "").lower().startswith(wanted),
            lambda p: wanted in (org.short_name.lower() if (org := self.world.org(p.org_key)) else ""),
        )
        found: list[DemoPerson] = []
        for matches in tiers:
            found = [p for p in self.world.people if matches(p)]
            if found:
                break
        if len(found) != 1:
            names = ", ".join(p.name for p in (found or self.world.people))
            hint = "" if found else f" (:as baru {name.strip()} adds a new person)"
            self.note(f"{'Which one' if found else 'No such user'}: {names}{hint}")
            return
        self.person = found[0]
        self.note(f"Now typing as {self.describe(self.person)} in [{self.location_label()}].")

    def add_person(self, full_name: str) -> None:
        """``:as baru Nama Lengkap``: a new Telegram user in the group (e.g. a colleague to hand over to)."""
        words = full_name.split()
        if not words or len(full_name) > 64:
            self.note("Write :as baru NAME, e.g. :as baru Rudi Hartono.")
            return
        if any(p.name.lower() == words[0].lower() for p in self.world.people):
            self.note(f"There is already a {words[0]}: :as {words[0]} types as them.")
            return
        number = NEW_PERSON_ID + sum(1 for p in self.world.people if p.user.id >= NEW_PERSON_ID) + 1
        username = re.sub(r"[^a-z0-9]", "", words[0].lower())[:20] or "orang"
        user = SimUser(number, words[0], " ".join(words[1:]) or None, f"{username}_{number % 1000}")
        person = DemoPerson(user, None)
        self.world = dataclasses.replace(self.world, people=(*self.world.people, person))
        self.api.set_member(self.world.group_id, user.json(), person.group_status)
        self.sim.private_chat(user)
        self.person = person
        self.note(f"Added {self.describe(person)}, a member of the Telegram group; now typing as them.")

    def switch_chat(self, arg: str) -> None:
        where = _CHAT_WORDS.get(arg.strip().lower())
        if where is None:
            self.note("Write :chat grup or :chat pribadi.")
            return
        self.where = where
        self.note(f"Now in [{self.location_label()}].")

    def describe(self, person: DemoPerson) -> str:
        org = self.world.org(person.org_key)
        parts = [person.name + (f" {person.user.last_name}" if person.user.last_name else "")]
        if person.user.username:
            parts.append(f"@{person.user.username}")
        return " ".join(parts) + (f" ({org.short_name})" if org else " (not a member / bukan anggota)")

    def who(self) -> None:
        self.say(f"Group / grup: {self.world.group_title} ({self.world.group_id})")
        for person in self.world.people:
            org = self.world.org(person.org_key)
            marker = "*" if person is self.person else " "
            role = "sekretariat" if person.secretariat else ("anggota" if org else "tamu, belum terdaftar")
            where = f"{org.short_name}, {person.title}" if org else "—"
            name = f"{person.name} @{person.user.username}"
            self.say(f" {marker} {name:<20} {where:<55} {role}; Telegram: {person.group_status}")
        self.note(f"Typing as {self.person.name} in [{self.location_label()}]. :as NAME to switch.")

    async def step(self, line: str) -> bool:
        """Handle one input line; False means quit."""
        self.typed += 1
        if not line.startswith(":"):
            if line.isdigit() and self.bare_number_presses(int(line)):
                await self.press(int(line))
            else:
                await self.send_text(line)
            return True
        command, _, arg = line[1:].partition(" ")
        command = command.lower()
        arg = arg.strip()
        if command in ("quit", "q", "exit", "keluar"):
            return False
        if command in ("help", "h", "bantuan", "?"):
            self.say(HELP.format(files=self.files_dir or "-"))
        elif command == "as":
            self.switch_user(arg)
        elif command == "chat":
            self.switch_chat(arg)
        elif command in ("press", "p", "tekan"):
            if arg.isdigit():
                await self.press(int(arg))
            else:
                self.note("Write :press N, e.g. :press 1.")
        elif command in ("time", "waktu"):
            await self.advance(arg)
        elif command in ("file", "berkas"):
            await self.send_file(arg)
        elif command == "who":
            self.who()
        elif command in ("leave", "join"):
            await self.membership(join=command == "join")
        elif command in ("reply", "say"):
            if arg:
                await self.send_text(arg, reply=command == "reply")
            else:
                self.note(f"Write :{command} TEXT.")
        else:
            self.note(f"Unknown playground command :{command}. Type :help.")
        return True


async def run_silently(session: Session, lines: list[str]) -> None:
    """Play lines as a person would type them, without printing (the demo's first-run activity)."""
    out, person, where = session.out, session.person, session.where
    session.out = io.StringIO()
    try:
        for line in lines:
            await session.step(line)
    finally:
        session.out, session.person, session.where = out, person, where
        session.printed = len(session.api.calls)


def _wipe(db_path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


def _foreign_clusters(db_path: Path) -> bool:
    """True if ``db_path`` holds clusters other than the demo's (i.e. it is not a demo database)."""
    if not db_path.exists():
        return False
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        has_table = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'clusters'").fetchone()
        if not has_table:
            return False
        return conn.execute("SELECT 1 FROM clusters WHERE chat_id != ?", (DEMO_GROUP_ID,)).fetchone() is not None
    finally:
        conn.close()


def prepare_database(db_path: Path, reset: bool, now: int) -> tuple[bool, int]:
    """Migrate the demo database and seed it if it has no cluster. Returns (seeded, first update id)."""
    if reset:
        _wipe(db_path)
    conn = open_sync(db_path)
    try:
        apply_migrations(conn)
        seeded = False
        if not has_cluster(conn):
            seed_demo(conn, now)
            seeded = True
        last = conn.execute("SELECT COALESCE(MAX(update_id), 0) FROM processed_updates").fetchone()[0]
    finally:
        conn.close()
    return seeded, int(last) + 1


# ---- the playground's own state, kept in the demo database ------------------------------------------
# The stand-in's messages (so old cards can still be edited and half-finished dialogs keep their buttons),
# the simulated clock, people added with ":as baru" and who typed where. A demo-only table, created by the
# demo in the demo database (never by the bot's migrations, never in a real database).

_STATE_TABLE = "CREATE TABLE IF NOT EXISTS demo_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


def load_state(db_path: Path) -> dict[str, Any]:
    conn = sqlite3.connect(db_path)
    try:
        conn.execute(_STATE_TABLE)
        rows = conn.execute("SELECT key, value FROM demo_state").fetchall()
    finally:
        conn.close()
    return {key: json.loads(value) for key, value in rows}


def save_state(db_path: Path, session: Session) -> None:
    api = session.api
    state = {
        "clock": session.clock.timestamp(),
        "messages": [dataclasses.asdict(m) for m in api.messages.values()],
        "next_id": {str(k): v for k, v in api._next_id.items()},
        "pins": {str(k): v for k, v in api.pins.items()},
        "added": [
            {
                "id": p.user.id,
                "first_name": p.user.first_name,
                "last_name": p.user.last_name,
                "username": p.user.username,
            }
            for p in session.world.people
            if p.user.id > NEW_PERSON_ID
        ],
        "person": session.person.user.id,
        "where": session.where,
        "last_with_buttons": {str(k): v for k, v in session.last_with_buttons.items()},
        "last_touched": {str(k): v for k, v in session.last_touched.items()},
    }
    conn = sqlite3.connect(db_path)
    try:
        with conn:
            conn.execute(_STATE_TABLE)
            conn.executemany(
                "INSERT INTO demo_state (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [(key, json.dumps(value)) for key, value in state.items()],
            )
    finally:
        conn.close()


def restore_state(session: Session, state: dict[str, Any]) -> None:
    """Put the saved stand-in messages, added people and position back (the clock is set before start)."""
    api = session.api
    for raw in state.get("messages", []):
        message = StoredMessage(**raw)
        api.messages[(message.chat_id, message.message_id)] = message
    api._next_id.update({int(k): int(v) for k, v in state.get("next_id", {}).items()})
    api.pins.update({int(k): list(v) for k, v in state.get("pins", {}).items()})
    for raw in state.get("added", []):
        user = SimUser(int(raw["id"]), raw["first_name"], raw.get("last_name"), raw.get("username"))
        person = DemoPerson(user, None)
        session.world = dataclasses.replace(session.world, people=(*session.world.people, person))
        api.set_member(session.world.group_id, user.json(), person.group_status)
        session.sim.private_chat(user)
    session.person = session.world.person(int(state.get("person", 0))) or session.person
    session.where = GROUP if state.get("where") == GROUP else PRIVATE
    session.last_with_buttons.update({int(k): int(v) for k, v in state.get("last_with_buttons", {}).items()})
    session.last_touched.update({int(k): int(v) for k, v in state.get("last_touched", {}).items()})


def configure_api(api: FakeBotApi, world: DemoWorld) -> None:
    """The group as Telegram would report it: a supergroup, the bot an admin allowed to pin, and
    the seeded people in it with their statuses."""
    api.add_chat(world.group_id, "supergroup", world.group_title)
    api.set_bot_rights(world.group_id)
    for person in world.people:
        api.set_member(world.group_id, person.user.json(), person.group_status)


def _read_line(stdin: TextIO, session: Session) -> str | None:
    """One logical line (a trailing backslash continues it), or None at end of input."""
    parts: list[str] = []
    while True:
        if session.interactive:
            session.out.write(session.prompt() if not parts else "... ")
            session.out.flush()
        raw = stdin.readline()
        if not raw:
            return "\n".join(parts) if parts else None
        line = raw.rstrip("\r\n")
        if line.endswith("\\"):
            parts.append(line[:-1])
            continue
        parts.append(line)
        return "\n".join(parts)


def _banner(session: Session, seeded: bool, db_path: Path) -> None:
    session.say(render.dim("─" * 72, session.tty))
    session.say("Klaster Logistik Bot — demo lokal / local playground (no network, no token)")
    session.say(f"Cluster: {session.world.group_title}; database {db_path}{' (freshly seeded)' if seeded else ''}")
    session.say(f"Simulated clock / jam simulasi: {session.now_text()}")
    session.say(f"You type as {session.describe(session.person)} in your private chat with the bot.")
    session.say("Try /start, then :chat grup and /bantuan; :who lists everyone, :help the playground commands.")
    session.say(render.dim("─" * 72, session.tty))


async def run_demo(
    settings: Settings,
    db_path: Path,
    reset: bool,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """The playground; returns the process exit code (0 at end of input or ``:quit``)."""
    stdin = stdin or sys.stdin
    out = stdout or sys.stdout
    db_path = Path(db_path)
    if db_path.resolve() == Path(settings.db_path).resolve():
        print(
            f"klasterbot demo: {db_path} is the bot's own database (KLASTER_DB); use --db for the demo.",
            file=sys.stderr,
        )
        return 2
    if _foreign_clusters(db_path):
        print(f"klasterbot demo: {db_path} holds clusters that are not the demo's; not touching it.", file=sys.stderr)
        return 2
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)

    clock = FakeClock(datetime.now(UTC))
    seeded, first_update_id = prepare_database(db_path, reset, clock.timestamp())
    state = {} if seeded else load_state(db_path)
    if state.get("clock"):
        clock.set(datetime.fromtimestamp(int(state["clock"]), UTC))  # a restart keeps the simulated time
    world = demo_world()

    # The demo never talks to Telegram: no token, the default base URL, the demo database.
    demo_settings = dataclasses.replace(settings, token=None, api_base_url=DEFAULT_API_BASE, db_path=db_path)
    api = FakeBotApi(clock=clock.timestamp)
    configure_api(api, world)
    app = build_application(demo_settings, request=api, rate_limit=False, clock=clock)
    sim = DemoSimulator(app, api, clock.timestamp, first_update_id)
    for user in world.users:
        sim.private_chat(user)
    tty = out.isatty() and not os.environ.get("NO_COLOR")
    interactive = stdin.isatty()
    session = Session(world, app, api, sim, clock, out, tty, interactive, person=world.people[0])
    session.files_dir = db_path.parent / f"{db_path.stem}-files"
    runtime_of(app).rate_clock = session.rate_clock
    restore_state(session, state)

    await app.initialize()
    try:
        await startup(app)
        if seeded:
            # A first run shows something everywhere: needs, offers, stock, a pledge, an incident, an event.
            await run_silently(session, seed_script(clock.now(), world.timezone))
        if interactive:
            _banner(session, seeded, db_path)
        session.show_new_calls(nothing=None)  # whatever start-up sent (e.g. reminders that came due meanwhile)
        # Ctrl-C interrupts the blocking read instead of waiting for asyncio's next await.
        previous = signal.getsignal(signal.SIGINT) if _is_main_thread() else None
        if previous is not None:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            while True:
                line = _read_line(stdin, session)
                if line is None:
                    break
                line = line.strip()
                if not line:
                    continue
                if not interactive:
                    session.note(f"» {session.person.name} @ {session.where}: {line}")
                if not await session.step(line):
                    break
                save_state(db_path, session)
        except KeyboardInterrupt:
            session.say()
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
    finally:
        try:
            save_state(db_path, session)
        finally:
            await shutdown(app)
        await app.shutdown()
    return 0


def _is_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


__all__ = ["HELP", "Session", "configure_api", "prepare_database", "run_demo"]
