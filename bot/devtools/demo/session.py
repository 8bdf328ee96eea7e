"""The demo's session: who is typing where, what the bot answered, the playground's ``:commands``."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
import re
import shutil
import textwrap
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from telegram.ext import Application

from bot.app import runtime_of
from bot.devtools import render
from bot.devtools.demo import people
from bot.devtools.demo.people import GROUP, PRIVATE
from bot.devtools.fakeapi import BOT_USERNAME, ApiCall, FakeBotApi, StoredMessage
from bot.devtools.seed import (
    DemoPerson,
    DemoWorld,
)
from bot.devtools.sim import Simulator
from bot.kernel import jobs_storage as jobs_repo
from bot.kernel.clock import FakeClock
from bot.kernel.feature import TICK

AnyApp = Application[Any, Any, Any, Any, Any, Any]
TickHook = Callable[[AnyApp], Awaitable[None]]

_DURATION_RE = re.compile(r"(\d+)\s*([smhdw])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DEEP_LINK_RE = re.compile(rf"^https?://t\.me/{BOT_USERNAME}\?start=([A-Za-z0-9_-]+)$", re.IGNORECASE)

SETTLE_S = 20.0  # at most this long (real time) for the bot's background work after a step
NO_REPLY = "(no reply / tidak ada balasan)"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # what a bot may download from Telegram

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
            people.switch_user(self, arg)
        elif command == "chat":
            people.switch_chat(self, arg)
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
            people.who(self)
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
