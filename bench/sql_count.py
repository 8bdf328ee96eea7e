"""SQL statements per update of the heavy writing commands, on the writer and the reader connection (SQLite).

Each command runs sequentially through the real Application and the stand-in (as ``python -m bench`` does) on a
small cluster; every statement the two connections execute while it runs (the outbox's delivery after it
included) is counted through sqlite3's trace callback, by its text with the literals taken out. The report is the
statements per update of each command, and with ``--detail`` the statements themselves.

Run: ``python -m bench.sql_count [--updates N] [--detail] [--only NAME]``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.measure import Request, Target, settle
from bench.scenarios import ids
from bench.targets import ADMIN, BotWorld, org_names, start_bot
from bot.devtools.sim import SimUser
from bot.kernel.outbox import drain

_LITERAL = re.compile(r"'(?:[^']|'')*'|-?\b\d+(?:\.\d+)?\b")
_LIST = re.compile(r"\((?:\?, ?)+\?\)")
_SPACE = re.compile(r"\s+")


def _site() -> str:
    """The bot's functions on the stack that ran the statement, innermost last (the kernel's thread loop left out)."""
    names = []
    frame = sys._getframe(2)
    while frame is not None:
        path = frame.f_code.co_filename
        if "/bot/" in path and not path.endswith("kernel/db.py"):
            names.append(frame.f_code.co_name)
        frame = frame.f_back  # type: ignore[assignment]
    return " < ".join(names[:4])


def normalise(sql: str) -> str:
    """The statement's text without its literals (the trace gives bound values expanded) and with one space."""
    return _LIST.sub("(?...)", _SPACE.sub(" ", _LITERAL.sub("?", sql)).strip())


@dataclass
class Counts:
    """Statements seen on one connection, by normalised text."""

    by_text: Counter[str] = field(default_factory=Counter)
    by_site: Counter[str] = field(default_factory=Counter)
    on: bool = False
    sites: bool = False
    triggers: int = 0  # trigger programs: sqlite3 traces each with its statement's text again, right after it
    _last: str = ""

    def __call__(self, sql: str) -> None:
        if sql == self._last:
            self.triggers += self.on
            return
        self._last = sql
        if self.on:
            self.by_text[normalise(sql)] += 1
            if self.sites:
                self.by_site[_site()] += 1

    @property
    def total(self) -> int:
        return sum(self.by_text.values())


async def trace(world: BotWorld) -> tuple[Counts, Counts]:
    """Install trace callbacks on the bot's two connections (a job on each connection's own thread)."""
    db: Any = world.target.db
    writer, reader = Counts(), Counts()
    await db._writer.call(lambda conn: conn.set_trace_callback(writer))
    if db._reader is not None:
        await db._reader.call(lambda conn: conn.set_trace_callback(reader))
    return writer, reader


def _press(user: SimUser, chat: dict[str, Any], data: str, expect: str, method: str) -> Request:
    raw = {"callback_query": {"id": "cb", "from": user.json(), "chat_instance": "1", "data": data,
                              "message": {"message_id": 1, "date": 1, "chat": chat}}}  # fmt: skip
    return Request(raw, chat["id"], expect, method)


def _private(user: SimUser) -> dict[str, Any]:
    return {"id": user.id, "type": "private", "first_name": user.first_name}


Make = Callable[[int], Request]


async def _send(world: BotWorld, request: Request) -> None:
    target = world.target
    await target.app.process_update(target.update(request))


def _paced(world: BotWorld) -> bool:
    """One person pressing every update: a person's pace on the bot's clock (the flood guard allows 20 per 10 s)."""
    world.target.clock.advance(timedelta(seconds=1))  # type: ignore[union-attr]
    return True


def _lane_user(world: BotWorld, n: int) -> SimUser:
    return world.members[1 + n % (len(world.members) - 1)]


async def scenarios(world: BotWorld, db_path: Path, updates: int) -> dict[str, Make]:
    """name -> make(n): the n-th update of the command (setup done here, through the Application)."""
    h, amounts = world.harness, itertools.count(100)
    holder = world.members[0]
    await h.sim.send(holder, holder.id, "/tawar 100000000 buah genset Bjm")
    await h.sim.send(holder, holder.id, "/butuh 100000000 lembar terpal HSS")
    for user in world.members:
        h.api.adopt_message(user.id, 1, "Berapa yang Anda sanggupi?")

    def text(n: int, line: str, expect: str) -> Request:
        user = _lane_user(world, n)
        return world.request(user, user.id, line, expect)

    def stok_list(n: int) -> str:
        return (f"/stok\nberas {2000 + n % 5000} kg gudang Posko {n % 7} Banjarbaru\n"
                f"terpal {300 + n % 700} lembar gudang BPBD Banjarmasin\nmi instan {150 + n % 300} dus Tapin\n"
                f"air mineral {400 + n % 900} dus Barabai\nselimut {50 + n % 90} lembar Martapura")  # fmt: skip

    made: dict[str, Make] = {
        "butuh_match": lambda n: text(n, f"/butuh {next(amounts)} buah genset HSS", "Tersimpan sebagai"),
        "butuh_nomatch": lambda n: text(n, f"/butuh {next(amounts)} lembar terpal HSS", "Tersimpan sebagai"),
        "tawar": lambda n: text(n, f"/tawar {100 + n % 900} dus air mineral Bjm", "Tersimpan"),
        "stok_line": lambda n: text(n, f"/stok beras {100 + n % 5000} kg gudang Banjarbaru", "Tersimpan"),
        "stok_list": lambda n: text(n, stok_list(n), "Tersimpan"),
        "pledge_press": lambda n: _press(u := _lane_user(world, n), _private(u), "pl:q:1:1", "Tersimpan",
                                         "editMessageText"),
    }
    # pledge stages: one pledger, one owner with a need; pledges made here (not counted)
    pledger, owner = world.members[1], world.members[2]
    await h.sim.send(owner, owner.id, "/butuh 100000000 lembar terpal Tapin")
    need = ids(db_path, "SELECT MAX(id) FROM needs")[0]
    for _ in range(2 * updates + 40):
        world.target.clock.advance(timedelta(seconds=3))  # type: ignore[union-attr]
        await _send(world, _press(pledger, _private(pledger), f"pl:q:{need}:1", "", "editMessageText"))
    await settle(world.target)
    pledges = ids(db_path, "SELECT id FROM pledges WHERE need_id = ? ORDER BY id", need)
    to_send = iter(pledges)
    to_receive = iter(pledges)
    made["pledge_sent"] = lambda n: _paced(world) and _press(pledger, _private(pledger), f"pg:sent:{next(to_send)}", "Tersimpan",
                                           "answerCallbackQuery")
    made["pledge_recv"] = lambda n: _paced(world) and _press(owner, _private(owner), f"pg:recv:{next(to_receive)}", "Tersimpan",
                                           "answerCallbackQuery")
    # RSVP: one event in the first cluster
    day = h.clock.now().date() + timedelta(days=30)
    line = f"pelatihan | Manajemen Gudang Darurat | {day.day}/{day.month}/{day.year} 09.00 | 2 jam | Aula BPBD"
    h.clock.advance(timedelta(seconds=1))
    await h.sim.send(ADMIN, world.groups[0], "/agenda baru " + line)
    for _ in range(5):
        while await drain(h.app):
            pass
        h.clock.advance(timedelta(seconds=3))
    event = ids(db_path, "SELECT MAX(id) FROM events")[0]
    made["rsvp_press"] = lambda n: _press(u := _lane_user(world, n), _private(u), f"ag:r:{event}:{'ym'[n % 2]}",
                                          "Tercatat", "answerCallbackQuery")
    # /daftar approval: pending registrations through the Application
    cluster = ids(db_path, "SELECT id FROM clusters WHERE chat_id = ?", world.groups[0])[0]
    for k, (name, short) in enumerate(org_names(len(world.members) + updates + 20)[len(world.members) :]):
        user = SimUser(600_000_000 + k, f"Pelamar{k}", None, None)
        h.sim.private_chat(user)
        h.clock.advance(timedelta(seconds=1))
        await h.sim.send(user, user.id, f"/start daftar_{cluster}")
        await h.sim.send(user, user.id, f"/daftar {name} | {short} | ngo | Bjm | Ketua")
    await settle(world.target)
    pending = iter(ids(db_path, "SELECT m.id FROM members m WHERE m.cluster_id = ? AND m.status = 'pending' AND NOT "
                        "EXISTS (SELECT 1 FROM members o WHERE o.organization_id = m.organization_id AND o.id != m.id) "
                        "ORDER BY m.id", cluster))  # fmt: skip
    group = {"id": world.groups[0], "type": "supergroup", "title": "Klaster Logistik 0"}
    made["daftar_approval"] = lambda n: _paced(world) and _press(world.secretaries[0], group, f"appr:{next(pending)}:y", "Tersimpan",
                                               "answerCallbackQuery")
    return made


async def _run(target: Target, make: Make, start: int, count: int) -> None:
    for n in range(start, start + count):
        await target.app.process_update(target.update(make(n)))
    await settle(target)


async def count_all(
    scratch: Path, updates: int, warm: int, only: set[str] | None, sites: bool = False
) -> dict[str, tuple[Counts, Counts]]:
    results: dict[str, tuple[Counts, Counts]] = {}
    async with AsyncExitStack() as stack:
        db_path = scratch / "count.db"
        world = await start_bot(stack, db_path, 2, 20)
        made = await scenarios(world, db_path, updates + warm)
        world.target.reset()
        for name, make in made.items():
            if only and name not in only:
                continue
            writer, reader = await trace(world)
            writer.sites = reader.sites = sites
            await _run(world.target, make, 0, warm)
            writer.on = reader.on = True
            await _run(world.target, make, warm, updates)
            writer.on = reader.on = False
            world.target.reset()
            results[name] = (writer, reader)
    return results


def report(results: dict[str, tuple[Counts, Counts]], updates: int, detail: bool, width: int = 220) -> str:
    lines = ["| command | writer stmts/update | reader stmts/update | trigger programs/update |",
             "| --- | ---: | ---: | ---: |"]  # fmt: skip
    for name, (writer, reader) in results.items():
        lines.append(f"| {name} | {writer.total / updates:.1f} | {reader.total / updates:.1f} | "
                     f"{(writer.triggers + reader.triggers) / updates:.1f} |")  # fmt: skip
    if detail:
        for name, (writer, reader) in results.items():
            for side, counts in (("writer", writer), ("reader", reader)):
                if not counts.total:
                    continue
                lines.append(f"\n## {name} ({side}): {counts.total / updates:.1f} per update\n")
                for sql, n in counts.by_text.most_common():
                    lines.append(f"{n / updates:6.2f}  {sql[:width]}")
                if counts.by_site:
                    lines.append("\n### by caller\n")
                    for site, n in counts.by_site.most_common():
                        lines.append(f"{n / updates:6.2f}  {site}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sql_count", description=__doc__)
    parser.add_argument("--updates", type=int, default=40)
    parser.add_argument("--warm", type=int, default=5)
    parser.add_argument("--detail", action="store_true")
    parser.add_argument("--only", action="append")
    parser.add_argument("--sites", action="store_true", help="also count by the bot's calling functions")
    parser.add_argument("--width", type=int, default=220)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    with tempfile.TemporaryDirectory(prefix="klaster-sqlcount-") as scratch:
        results = asyncio.run(count_all(Path(scratch), args.updates, args.warm, set(args.only or ()) or None,
                                          args.sites))
    print(report(results, args.updates, args.detail or args.sites, args.width))
    return 0


if __name__ == "__main__":
    sys.exit(main())
