"""``klasterbot demo``: the loop that reads lines, runs them as the session's steps and prints the answers."""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.app import build_application, runtime_of, shutdown, startup
from bot.devtools import render
from bot.devtools.demo import people
from bot.devtools.demo.session import HELP, DemoSimulator, Session, run_silently
from bot.devtools.demo.state import (
    configure_api,
    foreign_clusters,
    load_state,
    prepare_database,
    restore_state,
    save_state,
)
from bot.devtools.fakeapi import FakeBotApi
from bot.devtools.seed import (
    demo_world,
    seed_script,
)
from bot.kernel.clock import FakeClock
from bot.kernel.config import DEFAULT_API_BASE, Settings


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
    session.say(f"You type as {people.describe(session, session.person)} in your private chat with the bot.")
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
    if foreign_clusters(db_path):
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
