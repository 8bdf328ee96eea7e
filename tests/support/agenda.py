"""Agenda scenario helpers: the clock in UTC, running what fell due, reading reminders and jobs back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.devtools.fakeapi import ApiCall
from bot.devtools.harness import Harness
from bot.kernel import scheduling
from tests.support.db import q
from tests.support.people import ADMIN, GROUP_ID

LINE = "pelatihan | Manajemen Gudang Darurat | Kamis 4/9 09.00 | 2 jam | Aula BPBD Kalsel | PMI Kalsel"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def ts(*args: int) -> int:
    return int(utc(*args).timestamp())


async def at(h: Harness, when: datetime) -> list[ApiCall]:
    """Move the clock and run what is due, as the scheduler's tick would."""
    h.clock.set(when)
    before = len(h.api.calls)
    await scheduling.run_due(h.app)
    return h.api.calls[before:]


def sent(calls: Sequence[ApiCall], chat_id: int, word: str = "") -> list[ApiCall]:
    return [
        c for c in calls
        if c.method in ("sendMessage", "sendDocument") and c.error is None and c.chat_id == chat_id and word in c.text
    ]  # fmt: skip


def reminders(calls: Sequence[ApiCall], chat_id: int) -> list[ApiCall]:
    return sent(calls, chat_id, "⏰ <b>Pengingat:")


def jobs(db_path: Path, kind: str = "agenda.%") -> list[tuple[object, ...]]:
    return q(
        db_path, "SELECT kind, ref, due_at, status FROM scheduled_jobs WHERE kind LIKE ? ORDER BY due_at, id", kind
    )


async def create(h: Harness, line: str, chat_id: int = GROUP_ID) -> ApiCall:
    """Create an event with the one-line form; returns the card posted in the group."""
    calls = await h.sim.send(ADMIN, chat_id, "/agenda baru " + line)
    cards = [c for c in calls if c.method == "sendMessage" and c.buttons and "ag:r:" in str(c.buttons)]
    assert cards, [c.text for c in calls]
    return cards[0]
