"""The demo's database and its saved state (the stand-in's messages, the clock, who is typing where), so a
restart goes on where it stopped."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path
from typing import Any

from bot.devtools.demo.people import NEW_PERSON_ID
from bot.devtools.demo.session import GROUP, PRIVATE, Session
from bot.devtools.fakeapi import FakeBotApi, StoredMessage
from bot.devtools.seed import (
    DEMO_GROUP_ID,
    DemoPerson,
    DemoWorld,
    has_cluster,
    seed_demo,
)
from bot.devtools.sim import SimUser
from bot.kernel.db import apply_migrations, open_sync


def _wipe(db_path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


def foreign_clusters(db_path: Path) -> bool:
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
