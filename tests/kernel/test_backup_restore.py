"""`klasterbot backup` while the bot writes gives a consistent copy; `klasterbot restore` brings it back."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from bot.__main__ import main, run_lock
from bot.devtools.harness import Harness
from tests.support.people import MEMBER, OTHER
from tests.support.world import cluster_with_members


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


# ---- restore refuses what would empty or replace the live database (issue 12, part 4) ---------------------


def _needs(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM needs").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
async def live(h: Harness, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A live database with two needs, the bot stopped (its connection closed), KLASTER_DB pointing at it."""
    monkeypatch.setenv("KLASTER_DB", str(db_path))
    await cluster_with_members(h)
    await h.sim.send(MEMBER, text="/butuh 5 buah genset HSS")
    await h.sim.send(MEMBER, text="/butuh 6 buah tenda HSS")
    await h.runtime.db.close()
    assert _needs(db_path) == 2
    return db_path


@pytest.mark.parametrize("content", [b"", b"not a database at all\n" * 50, b"SQLite format 3\x00" + b"\x00" * 84],
                         ids=["zero-byte", "text", "header-only"])
async def test_restore_refuses_an_empty_or_foreign_file(live: Path, tmp_path: Path, content: bytes,
                                                        capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    bad = tmp_path / "bad.db"
    bad.write_bytes(content)
    assert main(["restore", "--yes", str(bad)]) == 1
    assert "refusing to restore" in capsys.readouterr().err
    assert _needs(live) == 2
    assert list(tmp_path.glob("*.before-restore-*")) == []


async def test_restore_refuses_another_applications_database(live: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    assert main(["restore", "--yes", str(other)]) == 1
    future = tmp_path / "future.db"
    shutil.copyfile(live, future)
    conn = sqlite3.connect(future)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    assert main(["restore", "--yes", str(future)]) == 1
    assert _needs(live) == 2


async def test_restore_keeps_a_private_copy_of_the_live_database(live: Path, tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot.db"
    conn = sqlite3.connect(live)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    assert main(["backup", str(snapshot)]) == 0
    conn = sqlite3.connect(snapshot)
    conn.execute("DELETE FROM pledges")
    conn.execute("DELETE FROM needs WHERE id = 2")
    conn.commit()
    conn.close()
    assert main(["restore", "--yes", str(snapshot)]) == 0
    assert _needs(live) == 1
    kept = list(live.parent.glob(live.name + ".before-restore-*"))
    assert len(kept) == 1 and _needs(kept[0]) == 2
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600


async def test_restore_is_refused_while_the_bot_runs(live: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    snapshot = tmp_path / "snapshot.db"
    assert main(["backup", str(snapshot)]) == 0
    seen: list[int] = []

    class FakeApp:
        def run_polling(self, **kwargs: object) -> None:  # while `klasterbot run` polls, restore must refuse
            seen.append(main(["restore", "--yes", str(snapshot)]))

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:" + "A" * 35)
    monkeypatch.setattr("bot.app.build_application", lambda settings: FakeApp())
    monkeypatch.setattr("bot.ops.heartbeat.install", lambda app: None)  # FakeApp has no job queue
    assert main(["run"]) == 0
    assert seen == [1]
    assert list(live.parent.glob(live.name + ".before-restore-*")) == []
    with run_lock(live):  # the same lock held by another process's `run`
        assert main(["restore", "--yes", str(snapshot)]) == 1
    assert main(["restore", "--yes", str(snapshot)]) == 0  # stopped: allowed


async def test_a_path_with_hash_or_question_mark_is_checked_as_itself(live: Path, tmp_path: Path) -> None:
    decoy = tmp_path / "evil"  # what `file:…/evil#x.db` would open with the fragment cut off
    shutil.copyfile(live, decoy)
    evil = tmp_path / "evil#x.db"
    evil.write_bytes(b"")
    assert main(["restore", "--yes", str(evil)]) == 1
    assert _needs(live) == 2
    good = tmp_path / "good?v=1#a.db"
    assert main(["backup", str(good)]) == 0
    conn = sqlite3.connect(good)
    conn.execute("DELETE FROM pledges")
    conn.execute("DELETE FROM needs WHERE id = 2")
    conn.commit()
    conn.close()
    assert main(["restore", "--yes", str(good)]) == 0
    assert _needs(live) == 1


async def test_backups_and_the_database_are_readable_by_the_owner_only(live: Path, tmp_path: Path) -> None:
    assert stat.S_IMODE(live.stat().st_mode) == 0o600
    target = tmp_path / "backups" / "copy.db"
    assert main(["backup", str(target)]) == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    target.chmod(0o644)  # an older backup with loose permissions is tightened when overwritten
    assert main(["backup", str(target)]) == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
