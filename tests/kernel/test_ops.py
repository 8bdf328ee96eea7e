"""Operations (issue #18 part 4): ``klasterbot health`` and its exit codes, the heartbeat of ``klasterbot run``,
JSON logs, ``--version``, rotated online backups (exactly N kept, 0600, safe while writes go on), the lock
files, the Dockerfile and the deploy/ units. Everything through the real command line."""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bot.__main__ import build_parser, main
from bot.devtools import lockfile
from bot.devtools.harness import running
from bot.devtools.httpapi import HttpBotApi
from bot.kernel.clock import FakeClock
from bot.kernel.db import apply_migrations, migrations, open_sync
from bot.ops import backups, health, heartbeat
from bot.ops.logs import setup_logging
from tests.support.paths import ROOT

TOKEN = "123456789:OPSTEST-klaster-logistik-000000000000"


def _cli(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], env={**os.environ, **(env or {})}, cwd=cwd,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def _migrated(path: Path) -> Path:
    conn = open_sync(path)
    apply_migrations(conn)
    conn.close()
    return path


# ---- --version -----------------------------------------------------------------------------------------------


def test_version_flag_prints_the_installed_version(tmp_path: Path) -> None:
    result = _cli("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"klasterbot {metadata.version('klaster-logistik-bot')}"


# ---- health: database and migrations --------------------------------------------------------------------------


def test_health_without_a_database_is_unhealthy_and_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "none" / "klaster.db"
    result = _cli("health", env={"KLASTER_DB": str(db)}, cwd=tmp_path)
    assert result.returncode == 1
    assert "no database" in result.stdout
    assert not db.parent.exists()


def test_health_db_only_judges_the_schema_version(tmp_path: Path) -> None:
    db = tmp_path / "klaster.db"
    env = {"KLASTER_DB": str(db)}
    latest = migrations()[-1][0]
    conn = sqlite3.connect(db)
    for version, _, sql in migrations()[:-1]:
        conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;")
    conn.close()
    behind = _cli("health", "--db-only", env=env, cwd=tmp_path)
    assert behind.returncode == 1 and f"behind the code's {latest}" in behind.stdout
    assert _cli("migrate", env=env, cwd=tmp_path).returncode == 0
    current = _cli("health", "--db-only", "--json", env=env, cwd=tmp_path)
    assert current.returncode == 0, current.stdout
    report = json.loads(current.stdout)
    assert report["healthy"] is True and report["facts"]["schema_version"] == latest
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {latest + 1}")
    conn.close()
    ahead = _cli("health", "--db-only", env=env, cwd=tmp_path)
    assert ahead.returncode == 1 and "newer than this code knows" in ahead.stdout


def test_health_rejects_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    db = tmp_path / "klaster.db"
    db.write_bytes(b"this is not sqlite" * 100)
    result = _cli("health", "--db-only", env={"KLASTER_DB": str(db)}, cwd=tmp_path)
    assert result.returncode == 1 and "not readable" in result.stdout


def test_health_needs_a_heartbeat_unless_db_only(tmp_path: Path) -> None:
    db = _migrated(tmp_path / "klaster.db")
    result = _cli("health", env={"KLASTER_DB": str(db)}, cwd=tmp_path)
    assert result.returncode == 1 and "no heartbeat" in result.stdout


# ---- health: the heartbeat of the running bot -----------------------------------------------------------------


async def test_heartbeat_records_telegram_success_and_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "klaster.db"
    monkeypatch.setenv("KLASTER_DB", str(db))
    start = datetime.now(UTC)
    clock = FakeClock(start)
    async with running(db, clock=clock) as h:
        # The first beat of a process whose getMe fails: no Telegram success since start → unhealthy.
        h.api.fail("getMe", "bad", times=1)
        assert await heartbeat.beat(h.app) is False
        assert main(["health"]) == 1
        report = health.check(db, now=clock.timestamp())
        assert not report.healthy and "no successful Telegram call since start" in report.problems[0]
        # Telegram answers: healthy, through the command line too.
        assert await heartbeat.beat(h.app) is True
        assert main(["health"]) == 0
        # Ten minutes later the loop still beats but Telegram has failed since: the success goes stale.
        clock.advance(__import__("datetime").timedelta(minutes=10))
        h.api.fail("getMe", "bad", times=1)
        assert await heartbeat.beat(h.app) is False
        report = health.check(db, now=clock.timestamp())
        assert not report.healthy and "no successful Telegram call for 600 s" in report.problems[0]
        assert report.facts["heartbeat_age_s"] == 0
        # Another ten minutes without a beat (loop stuck, process gone, disk refusing writes): stale heartbeat.
        report = health.check(db, now=clock.timestamp() + 600)
        assert not report.healthy and "heartbeat is 600 s old" in report.problems[0]
    # A fresh process that cannot reach Telegram does not inherit the old process's success.
    async with running(db, clock=FakeClock(clock.now())) as h2:
        h2.api.fail("getMe", "bad", times=1)
        assert await heartbeat.beat(h2.app) is False
        report = health.check(db, now=clock.timestamp())
        assert not report.healthy and "since start" in report.problems[0]


def _wait(predicate: Any, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}:\n{log.read_text()[-3000:]}")


def test_running_bot_is_healthy_logs_json_and_goes_stale_when_stopped(tmp_path: Path) -> None:
    db = tmp_path / "klaster.db"
    api = HttpBotApi()
    base = api.start()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": base, "KLASTER_DB": str(db),
           "KLASTER_LOG_FORMAT": "json", "KLASTER_LOG_LEVEL": "INFO"}  # fmt: skip
    log = tmp_path / "bot.log"
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=log.open("wb"))  # fmt: skip
    try:

        def beaten() -> bool:
            if not db.exists():
                return False
            try:
                conn = sqlite3.connect(db)
                try:
                    row = conn.execute("SELECT telegram_ok_at FROM ops_heartbeat WHERE name = 'run'").fetchone()
                finally:
                    conn.close()
            except sqlite3.OperationalError:
                return False
            return row is not None and row[0] is not None

        _wait(beaten, 60, "the first heartbeat", log)
        result = _cli("health", "--json", env={"KLASTER_DB": str(db)}, cwd=tmp_path)
        assert result.returncode == 0, result.stdout + log.read_text()[-2000:]
        report = json.loads(result.stdout)
        assert report["facts"]["pid"] == proc.pid and report["facts"]["telegram_ok_age_s"] < 60
        assert api.calls("getMe")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        api.stop()
    lines = [line for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert lines, "the bot logged nothing"
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"ts", "level", "logger", "msg"} <= set(r) for r in records)
    assert any(r["msg"] == "heartbeat: Telegram answers" for r in records)
    time.sleep(2.2)
    stale = _cli("health", "--max-age", "1", env={"KLASTER_DB": str(db)}, cwd=tmp_path)
    assert stale.returncode == 1 and "heartbeat is" in stale.stdout


# ---- JSON logs ------------------------------------------------------------------------------------------------


def test_json_log_lines_hold_one_record_each_with_the_traceback() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        setup_logging("INFO", "json", stream)
        logging.getLogger("bot.test").info("two\nlines and ünïcode %s", "<b>")
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("bot.test").exception("failed")
        logging.getLogger("bot.test").debug("below the level")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["msg"] == "two\nlines and ünïcode <b>" and first["level"] == "INFO" and first["logger"] == "bot.test"
    assert first["ts"].endswith("Z") and datetime.fromisoformat(first["ts"].replace("Z", "+00:00"))
    assert second["level"] == "ERROR" and "ValueError: boom" in second["exc"] and "Traceback" in second["exc"]


def test_unknown_log_format_is_one_clear_line(tmp_path: Path) -> None:
    result = _cli("migrate", env={"KLASTER_LOG_FORMAT": "xml", "KLASTER_DB": str(tmp_path / "k.db")}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "KLASTER_LOG_FORMAT" in result.stderr


# ---- backups with rotation ------------------------------------------------------------------------------------


def _seeded(db: Path, rows: int = 50) -> Path:
    conn = open_sync(db)
    apply_migrations(conn)
    conn.execute("CREATE TABLE IF NOT EXISTS ops_probe (id INTEGER PRIMARY KEY, payload TEXT)")
    conn.executemany("INSERT INTO ops_probe (payload) VALUES (?)", [("x" * 100,)] * rows)
    conn.close()
    return db


def test_rotate_keeps_exactly_n_newest_private_backups_and_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _seeded(tmp_path / "klaster.db")
    monkeypatch.setenv("KLASTER_DB", str(db))
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o700)
    foreign = [folder / "notes.txt", folder / "klaster-manual.db", folder / "other-20260101T000000Z.db"]
    for path in foreign:
        path.write_text("keep me")
    made = []
    for _ in range(6):
        assert main(["backup", "--rotate", str(folder), "--keep", "3"]) == 0
        made.append(Path(capsys.readouterr().out.splitlines()[0].split(" written to ")[1].split(" (")[0]))
    kept = backups.backups_in(folder, "klaster")
    assert kept == made[-3:]
    assert sorted(folder.iterdir()) == sorted(kept + foreign)
    for path in kept:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM ops_probe").fetchone() == (50,)
        assert conn.execute("PRAGMA user_version").fetchone() == (migrations()[-1][0],)
        conn.close()


def test_rotate_creates_a_private_folder_and_keep_must_be_positive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = _seeded(tmp_path / "klaster.db")
    monkeypatch.setenv("KLASTER_DB", str(db))
    folder = tmp_path / "new" / "backups"
    assert main(["backup", "--rotate", str(folder), "--keep", "0"]) == 1
    assert not folder.exists()
    assert main(["backup", "--rotate", str(folder), "--keep", "1"]) == 0
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert len(backups.backups_in(folder, "klaster")) == 1
    assert main(["backup"]) == 2  # neither PATH nor --rotate
    assert main(["backup", str(tmp_path / "x.db"), "--rotate", str(folder)]) == 2


def test_rotate_orders_backups_of_the_same_second(tmp_path: Path) -> None:
    db = _seeded(tmp_path / "klaster.db")
    folder = tmp_path / "b"
    at = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
    made = [backups.rotate(db, folder, keep=2, now=at).path for _ in range(4)]
    assert [p.name for p in made] == ["klaster-20261201T023000Z.db", "klaster-20261201T023000Z-1.db",
                                      "klaster-20261201T023000Z-2.db", "klaster-20261201T023000Z-3.db"]  # fmt: skip
    assert backups.backups_in(folder, "klaster") == made[-2:]


def test_a_failed_backup_deletes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = _seeded(tmp_path / "klaster.db")
    folder = tmp_path / "b"
    monkeypatch.setenv("KLASTER_DB", str(db))
    for _ in range(2):
        assert main(["backup", "--rotate", str(folder), "--keep", "2"]) == 0
    before = sorted(folder.iterdir())
    db.write_bytes(b"garbage, not a database" * 1000)
    for name in ("klaster.db-wal", "klaster.db-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    assert main(["backup", "--rotate", str(folder), "--keep", "1"]) == 1
    assert sorted(folder.iterdir()) == before  # no partial file left, the good backups all still there


def test_rotated_backup_is_consistent_while_the_bot_keeps_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = _seeded(tmp_path / "klaster.db", rows=0)
    monkeypatch.setenv("KLASTER_DB", str(db))
    stop = threading.Event()
    written = [0]

    def writer() -> None:
        conn = open_sync(db)
        while not stop.is_set():
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT INTO ops_probe (payload) VALUES (?)", [("y" * 200,)] * 20)
            conn.execute("COMMIT")
            written[0] += 20
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        counts = []
        folder = tmp_path / "b"
        for _ in range(5):
            before = written[0]
            assert main(["backup", "--rotate", str(folder), "--keep", "5"]) == 0
            path = backups.backups_in(folder, "klaster")[-1]
            conn = sqlite3.connect(path)
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            (count,) = conn.execute("SELECT count(*) FROM ops_probe").fetchone()
            conn.close()
            assert count % 20 == 0 and count >= before  # whole transactions only, nothing older than the start
            counts.append(count)
    finally:
        stop.set()
        thread.join(10)
    assert written[0] > 0 and counts == sorted(counts)


# ---- lock files, Dockerfile, deploy/ ---------------------------------------------------------------------------


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version
    return pins


@pytest.mark.parametrize(("lock", "extras"), [(lockfile.RUNTIME_LOCK, ()), (lockfile.DEV_LOCK, ("dev",))])
def test_lock_pins_every_dependency_within_pyproject(lock: str, extras: tuple[str, ...]) -> None:
    pins = _pins(ROOT / lock)
    requirements = lockfile.project_requirements(ROOT / "pyproject.toml", extras)
    for req in requirements:
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not in {lock}: run `make lock`"
        assert req.specifier.contains(pins[name], prereleases=True), f"{lock} pins {name}=={pins[name]}, not {req}"
    missing = set(lockfile.closure(requirements)) - set(pins)
    assert not missing, f"{lock} lacks {sorted(missing)}: run `make lock`"
    assert all(Requirement(f"{n}=={v}") for n, v in pins.items())


def test_dockerfile_is_pinned_installs_the_lock_and_checks_health() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    base = next(line for line in text.splitlines() if line.startswith("FROM "))
    image, _, digest = base.removeprefix("FROM ").partition("@sha256:")
    assert len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)
    assert image.startswith("python:3.11.") and image.count(".") == 2  # an exact patch version, not 3.11-slim
    assert "pip install --no-cache-dir -r requirements.lock" in text and "--no-deps" in text
    assert 'HEALTHCHECK' in text and "klasterbot health" in text
    assert "COPY requirements.lock" in text


def _exec_args(unit: Path) -> list[list[str]]:
    commands = []
    for line in unit.read_text(encoding="utf-8").splitlines():
        if line.startswith(("ExecStart=", "ExecStartPre=")):
            argv = line.split("=", 1)[1].split()
            assert argv[0].endswith("/klasterbot")
            commands.append(argv[1:])
    return commands


def test_deploy_units_and_compose_use_real_commands(tmp_path: Path) -> None:
    parser = build_parser()
    units = [ROOT / "deploy" / n for n in ("klasterbot.service", "klasterbot-backup.service")]
    commands = [args for unit in units for args in _exec_args(unit)]
    assert ["run"] in commands and ["migrate"] in commands
    for args in commands:
        parser.parse_args(args)  # exits (SystemExit) on an unknown command or flag
    backup = next(a for a in commands if a[0] == "backup")
    parsed = parser.parse_args(backup)
    assert parsed.rotate and parsed.keep >= 1
    timer = (ROOT / "deploy" / "klasterbot-backup.timer").read_text(encoding="utf-8")
    assert "OnCalendar=" in timer and "Unit=klasterbot-backup.service" in timer and "Persistent=true" in timer
    compose = (ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8")
    assert "klaster-data:/data" in compose and "KLASTER_DB: /data/klaster.db" in compose
    for line in compose.splitlines():
        if "klasterbot backup" in line:
            parser.parse_args(line.split("klasterbot ", 1)[1].split())
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed: unit syntax not verified")
    exe = Path(sys.executable).with_name("klasterbot")
    for unit in [*units, ROOT / "deploy" / "klasterbot-backup.timer"]:
        (tmp_path / unit.name).write_text(unit.read_text().replace("/opt/klasterbot/.venv/bin/klasterbot", str(exe)))
    result = subprocess.run([analyze, "verify", *(str(tmp_path / u.name) for u in [*units, ROOT / "deploy" / "klasterbot-backup.timer"])], capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    problems = [line for line in (result.stdout + result.stderr).splitlines() if "klasterbot" in line]
    assert problems == [], problems
