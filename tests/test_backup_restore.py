"""`klasterbot backup` while the bot writes gives a consistent copy; `klasterbot restore` brings it back."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.devtools.harness import Harness
from tests.conftest import MEMBER, OTHER
from tests.test_needs_e2e import cluster_with_members


def _invariants(path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        bad = conn.execute(
            "SELECT COUNT(*) FROM needs n WHERE n.pledged != (SELECT COALESCE(SUM(quantity), 0) FROM pledges p "
            "WHERE p.need_id = n.id AND p.status != 'cancelled')"
        ).fetchone()[0]
        assert bad == 0
        return conn.execute("SELECT COUNT(*) FROM needs").fetchone()[0], conn.execute(
            "SELECT COUNT(*) FROM pledges"
        ).fetchone()[0]
    finally:
        conn.close()


async def test_backup_while_writing_is_consistent(h: Harness, db_path: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("KLASTER_DB", str(db_path))
    await cluster_with_members(h)
    backups: list[Path] = []
    codes: list[int] = []

    def take_backups() -> None:
        for i in range(5):
            target = tmp_path / f"backup-{i}.db"
            codes.append(main(["backup", str(target)]))
            backups.append(target)

    worker = threading.Thread(target=take_backups)
    worker.start()
    for i in range(40):
        await h.sim.send(MEMBER, text=f"/butuh {i + 1} buah genset HSS")
        if i % 3 == 0:
            await h.sim.send(OTHER, text=f"/start bantu_{i + 1}")
            await h.sim.send(OTHER, text="1")
        h.clock.advance(__import__("datetime").timedelta(seconds=2))  # stay under the flood guard
        await asyncio.sleep(0)
    await asyncio.to_thread(worker.join)
    assert codes == [0] * 5
    counts = [_invariants(path) for path in backups]
    assert counts == sorted(counts)  # each copy is a consistent point in time, in order


async def test_restore_asks_for_confirmation(h: Harness, db_path: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("KLASTER_DB", str(db_path))
    await cluster_with_members(h)
    await h.sim.send(MEMBER, text="/butuh 5 buah genset HSS")
    backup = tmp_path / "snapshot.db"
    assert main(["backup", str(backup)]) == 0
    await h.sim.send(MEMBER, text="/butuh 6 buah genset HSS")
    await h.runtime.db.close()
    restored = tmp_path / "restored.db"
    monkeypatch.setenv("KLASTER_DB", str(restored))
    sqlite3.connect(restored).close()
    monkeypatch.setattr("builtins.input", lambda prompt: "tidak")
    assert main(["restore", str(backup)]) == 1
    monkeypatch.setattr("builtins.input", lambda prompt: "ya")
    assert main(["restore", str(backup)]) == 0
    assert _invariants(restored) == (1, 0)
    monkeypatch.setenv("KLASTER_DB", str(db_path))
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"not a database at all" * 100)
    assert main(["restore", "--yes", str(damaged)]) == 1
