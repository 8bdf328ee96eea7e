"""Operations on PostgreSQL (issue #18 part 4): ``klasterbot backup`` / ``backup --rotate DIR --keep N`` with
``pg_dump -Fc`` (0600, exactly N kept, verified, a failed dump deletes nothing), ``klasterbot restore`` of such a
dump (confirmation, a wrong file refused, refused while a session is connected, all-or-nothing) and
``klasterbot health`` (connect, ``SELECT 1``, schema version, heartbeat). Everything through the real command
line, against the throwaway server of ``KLASTER_TEST_PG`` (skipped, and said so, without it)."""

from __future__ import annotations

import json
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.kernel.pg_adapter import PgConn
from bot.ops import backups, pg_backups, pg_tools
from bot.ops import storage as ops_repo
from tests.support.pgops import cli, connect, fresh_database, migrated

TABLE = "ops_probe"


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[str]:
    """A migrated database of this application with 50 rows in a probe table."""
    for url in fresh_database():
        migrated(url, tmp_path)
        with connect(url) as conn:
            conn.execute(f"CREATE TABLE {TABLE} (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload TEXT)")
            conn.execute(f"INSERT INTO {TABLE} (payload) SELECT 'x' || g FROM generate_series(1, 50) g")
            conn.execute("INSERT INTO users (user_id, first_name, updated_at) VALUES (9000000001, 'Rina', 1)")
        yield url


def _count(url: str) -> int:
    with connect(url) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0])


def _written(result: subprocess.CompletedProcess[str]) -> Path:
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.splitlines()[0].split(" written to ")[1].split(" (")[0])


# ---- backup ----------------------------------------------------------------------------------------------------


def test_rotate_keeps_exactly_n_newest_private_dumps_and_nothing_else(pg: str, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    foreign = [folder / "notes.txt", folder / "klaster-manual.dump", folder / "other-20260101T000000Z.dump"]
    folder.mkdir(mode=0o700)
    for path in foreign:
        path.write_text("keep me")
    made = [_written(cli("backup", "--rotate", str(folder), "--keep", "2", db=pg, cwd=tmp_path)) for _ in range(4)]
    stem = pg_tools.target(pg).stem
    kept = backups.backups_in(folder, stem, pg_backups.SUFFIX)
    assert kept == made[-2:]
    assert sorted(folder.iterdir()) == sorted(kept + foreign)
    for path in kept:
        assert path.name.startswith(f"{stem}-") and path.suffix == ".dump"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert backups.KNOWN_TABLES | {TABLE} <= pg_backups.tables_in(path, pg_tools.target(pg))


def test_rotate_creates_a_private_folder_and_keep_must_be_positive(pg: str, tmp_path: Path) -> None:
    folder = tmp_path / "new" / "backups"
    assert cli("backup", "--rotate", str(folder), "--keep", "0", db=pg, cwd=tmp_path).returncode == 1
    assert not folder.exists()
    assert cli("backup", "--rotate", str(folder), "--keep", "1", db=pg, cwd=tmp_path).returncode == 0
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert cli("backup", db=pg, cwd=tmp_path).returncode == 2  # neither PATH nor --rotate


def test_a_failed_dump_deletes_nothing_and_leaves_no_partial_file(pg: str, tmp_path: Path) -> None:
    folder = tmp_path / "b"
    for _ in range(2):
        _written(cli("backup", "--rotate", str(folder), "--keep", "2", db=pg, cwd=tmp_path))
    before = sorted(folder.iterdir())
    gone = pg.rpartition("/")[0] + "/" + pg.rpartition("/")[2]
    with connect(pg.rpartition("/")[0] + "/postgres") as admin:
        admin.execute(f'ALTER DATABASE "{pg.rpartition("/")[2]}" RENAME TO "{pg.rpartition("/")[2]}_away"')
    try:
        result = cli("backup", "--rotate", str(folder), "--keep", "1", db=gone, cwd=tmp_path)
    finally:
        with connect(pg.rpartition("/")[0] + "/postgres") as admin:
            admin.execute(f'ALTER DATABASE "{pg.rpartition("/")[2]}_away" RENAME TO "{pg.rpartition("/")[2]}"')
    assert result.returncode == 1 and "pg_dump failed" in result.stderr
    assert sorted(folder.iterdir()) == before


def test_backup_to_a_path_is_a_private_verified_dump(pg: str, tmp_path: Path) -> None:
    target = tmp_path / "one" / "klaster.dump"
    assert _written(cli("backup", str(target), db=pg, cwd=tmp_path)) == target
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes().startswith(b"PGDMP")


def test_dump_is_consistent_while_the_bot_keeps_writing(pg: str, tmp_path: Path) -> None:
    import threading

    stop = threading.Event()
    written = [0]

    def writer() -> None:
        with connect(pg) as conn:
            while not stop.is_set():
                with conn.transaction():
                    conn.execute(f"INSERT INTO {TABLE} (payload) SELECT 'y' FROM generate_series(1, 20)")
                written[0] += 20

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        folder = tmp_path / "b"
        for _ in range(3):
            before = written[0]
            dump = _written(cli("backup", "--rotate", str(folder), "--keep", "3", db=pg, cwd=tmp_path))
            for url in fresh_database("copy"):
                script = subprocess.run(["pg_restore", "--no-owner", "--dbname", url, str(dump)], capture_output=True,
                                        text=True, check=False)  # fmt: skip
                assert script.returncode == 0, script.stderr
                count = _count(url)
            assert (count - 50) % 20 == 0 and count - 50 >= before  # whole transactions only
    finally:
        stop.set()
        thread.join(10)
    assert written[0] > 0


# ---- restore ---------------------------------------------------------------------------------------------------


def test_restore_asks_then_brings_back_the_dump_and_keeps_the_live_database(pg: str, tmp_path: Path) -> None:
    dump = _written(cli("backup", str(tmp_path / "b" / "then.dump"), db=pg, cwd=tmp_path))
    with connect(pg) as conn:
        conn.execute(f"DELETE FROM {TABLE} WHERE id <= 20")
        conn.execute("CREATE TABLE added_later (x INT)")
    assert _count(pg) == 30
    cancelled = cli("restore", str(dump), db=pg, cwd=tmp_path, stdin="tidak\n")
    assert cancelled.returncode == 1 and "cancelled" in cancelled.stderr and _count(pg) == 30
    result = cli("restore", str(dump), db=pg, cwd=tmp_path, stdin="ya\n")
    assert result.returncode == 0, result.stderr
    assert _count(pg) == 50
    with connect(pg) as conn:
        assert conn.execute("SELECT to_regclass('added_later')").fetchone() == (None,)  # the dump's schema, whole
        assert conn.execute("SELECT first_name FROM users WHERE user_id = 9000000001").fetchone() == ("Rina",)
        conn.execute(f"INSERT INTO {TABLE} (payload) VALUES ('after')")  # identities continue after the dump's
    kept = Path(result.stdout.split("kept as ")[1].split()[0])
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and kept.parent == dump.parent
    assert TABLE in pg_backups.tables_in(kept, pg_tools.target(pg)) and "added_later" in pg_backups.tables_in(
        kept, pg_tools.target(pg))
    assert cli("health", "--db-only", db=pg, cwd=tmp_path).returncode == 0  # migrations current afterwards


@pytest.mark.parametrize("content", [b"", b"SQLite format 3\x00" + b"\x00" * 200, b"PGDMP garbage"])
def test_restore_refuses_an_empty_foreign_or_damaged_file(pg: str, tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.dump"
    bad.write_bytes(content)
    result = cli("restore", "--yes", str(bad), db=pg, cwd=tmp_path)
    assert result.returncode == 1 and "nothing was changed" in result.stderr
    assert _count(pg) == 50


def test_restore_refuses_a_dump_of_another_applications_database(pg: str, tmp_path: Path) -> None:
    for other in fresh_database("foreign"):
        with connect(other) as conn:
            conn.execute("CREATE TABLE users (id INT)")
        foreign = tmp_path / "foreign.dump"
        subprocess.run(["pg_dump", "-Fc", "-f", str(foreign), other], check=True)
    result = cli("restore", "--yes", str(foreign), db=pg, cwd=tmp_path)
    assert result.returncode == 1 and "not a dump of this application" in result.stderr
    assert _count(pg) == 50


def test_restore_is_refused_while_another_session_is_connected(pg: str, tmp_path: Path) -> None:
    dump = _written(cli("backup", str(tmp_path / "then.dump"), db=pg, cwd=tmp_path))
    with connect(pg) as bot:
        bot.execute("SET application_name = 'klasterbot'")
        bot.execute(f"DELETE FROM {TABLE}")
        result = cli("restore", "--yes", str(dump), db=pg, cwd=tmp_path)
    assert result.returncode == 1 and "klasterbot" in result.stderr and "stop the bot" in result.stderr
    assert _count(pg) == 0


def test_a_restore_failing_half_way_changes_nothing(pg: str, tmp_path: Path) -> None:
    with connect(pg) as conn:
        conn.execute("CREATE SCHEMA extra")
        conn.execute("CREATE TABLE extra.notes (x INT)")
    dump = _written(cli("backup", str(tmp_path / "then.dump"), db=pg, cwd=tmp_path))
    with connect(pg) as conn:
        conn.execute(f"DELETE FROM {TABLE} WHERE id <= 10")
    # The dump creates schema "extra", which exists and is not the restore's to drop: the script fails late,
    # after public's tables were dropped and some recreated.
    result = cli("restore", "--yes", str(dump), db=pg, cwd=tmp_path)
    assert result.returncode == 1 and "rolled back" in result.stderr
    assert _count(pg) == 40
    with connect(pg) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (1,)


# ---- health ----------------------------------------------------------------------------------------------------


def test_health_on_postgresql_connects_checks_the_schema_and_the_heartbeat(pg: str, tmp_path: Path) -> None:
    result = cli("health", "--db-only", "--json", db=pg, cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["healthy"] and report["facts"]["schema_version"] == report["facts"]["latest_migration"]
    assert "@" not in report["facts"]["database"]  # the URL (and any password in it) is not printed
    no_beat = cli("health", db=pg, cwd=tmp_path)
    assert no_beat.returncode == 1 and "no heartbeat" in no_beat.stdout
    now = int(time.time())
    conn = PgConn(pg)
    ops_repo.write_beat(conn, "run", now - 30, now - 5, True, None, 4242, "test")
    fresh = cli("health", "--json", db=pg, cwd=tmp_path)
    assert fresh.returncode == 0, fresh.stdout
    assert json.loads(fresh.stdout)["facts"]["pid"] == 4242
    ops_repo.write_beat(conn, "run", now - 30, now - 600, False, "NetworkError: x", 4242, "t")
    conn.close()
    stale = cli("health", db=pg, cwd=tmp_path)
    assert stale.returncode == 1 and "heartbeat is" in stale.stdout


def test_health_on_postgresql_is_unhealthy_when_the_server_does_not_answer(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = cli("health", db=f"postgresql://klaster:secret@127.0.0.1:{port}/klaster", cwd=tmp_path)
    assert result.returncode == 1 and "does not answer" in result.stdout
    assert "secret" not in result.stdout


def test_health_on_postgresql_judges_the_schema_version(tmp_path: Path) -> None:
    for url in fresh_database("empty"):
        result = cli("health", "--db-only", db=url, cwd=tmp_path)
        assert result.returncode == 1 and "behind" in result.stdout


# ---- deploy/compose.postgres.yaml ------------------------------------------------------------------------------


def test_postgres_compose_has_health_checks_volumes_and_real_backup_commands() -> None:
    from bot.__main__ import build_parser
    from tests.support.paths import ROOT

    text = (ROOT / "deploy" / "compose.postgres.yaml").read_text(encoding="utf-8")
    services = text.split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    import re

    parts = re.split(r"^  ([a-z]+):$", services, flags=re.MULTILINE)
    blocks = dict(zip(parts[1::2], parts[2::2], strict=True))
    assert set(blocks) == {"db", "bot", "backup"}
    assert "healthcheck:" in blocks["db"] and "pg_isready" in blocks["db"]
    assert "healthcheck:" in blocks["backup"]  # the bot's is the image's HEALTHCHECK (klasterbot health)
    for name in ("bot", "backup"):
        assert "condition: service_healthy" in blocks[name] and "<<: *klaster-db" in blocks[name]
    assert "KLASTER_DB: postgresql://" in text and "klaster-pg:/var/lib/postgresql/data" in text
    assert "klaster-backups:/backups" in text
    parser = build_parser()
    commands = [line.split("klasterbot ", 1)[1].split("||")[0].split() for line in text.splitlines()
                if "klasterbot backup" in line or "klasterbot restore" in line]  # fmt: skip
    assert any(c[0] == "backup" for c in commands) and any(c[0] == "restore" for c in commands)
    for args in commands:
        parsed = parser.parse_args(args)  # exits (SystemExit) on an unknown command or flag
        if args[0] == "backup":
            assert parsed.rotate and parsed.keep >= 1
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "postgresql-client=15" in dockerfile and "postgres:15" in blocks["db"]  # pg_dump's major = server's
