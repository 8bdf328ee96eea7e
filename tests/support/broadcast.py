"""Announcement helpers: representatives seeded directly, the announcements a run sent, the preview."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bot.devtools.fakeapi import ApiCall
from bot.devtools.harness import Harness
from tests.support.db import connect
from tests.support.people import ADMIN

FIRST_REP = 50_000
TEXT = "Rapat koordinasi klaster besok pukul 09.00 di kantor BPBD Kalsel. Bawa data stok & kebutuhan <terbaru>."


def seed_representatives(db_path: Path | str, count: int, cluster_id: int = 1, now: int = 1_755_738_000) -> list[int]:
    """``count`` approved organisations with one active representative each, written directly (fast)."""
    ids = [FIRST_REP + i for i in range(count)]
    with connect(db_path) as conn:  # one transaction
        conn.executemany(
            "INSERT INTO users (user_id, first_name, last_name, username, updated_at) VALUES (?, ?, ?, ?, ?)",
            [(uid, f"Relawan{i}", "Kalsel", f"relawan{i}", now) for i, uid in enumerate(ids)],
        )
        conn.executemany(
            "INSERT INTO organizations (id, cluster_id, name, short_name, norm_name, type, region_code, status, "
            "created_at) VALUES (?, ?, ?, ?, ?, 'ngo', '63.71', 'approved', ?)",
            [(10_000 + i, cluster_id, f"Organisasi Relawan {i}", f"OR{i}", f"organisasi relawan {i}", now)
             for i in range(count)],
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO members (cluster_id, user_id, organization_id, status, joined_at) "
            "VALUES (?, ?, ?, 'active', ?)",
            [(cluster_id, uid, 10_000 + i, now) for i, uid in enumerate(ids)],
        )
    return ids


def announcements(calls: list[ApiCall]) -> Counter[int]:
    return Counter(
        c.chat_id for c in calls
        if c.method == "sendMessage" and c.error is None and c.chat_id is not None and c.text.startswith("📢 <b>Pengumuman —")
    )  # fmt: skip


async def preview(h: Harness, text: str = TEXT) -> ApiCall:
    calls = await h.sim.send(ADMIN, text=f"/umumkan {text}")
    return calls[-1]
