"""The command line: configuration errors, migrate, and the Bot API base URL for self-hosted servers."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.app import build_application
from bot.kernel.config import ConfigError, Settings, load_settings, parse_dotenv
from bot.kernel.db import Database, migrations


@pytest.mark.parametrize("token", ["", "not-a-token", "123:short"])
def test_run_without_a_valid_token_exits_with_one_clear_line(token: str, tmp_path: Path) -> None:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": token, "KLASTER_DB": str(tmp_path / "k.db")}
    result = subprocess.run([sys.executable, "-m", "bot", "run"], env=env, cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "TELEGRAM_BOT_TOKEN" in lines[0] and "Traceback" not in result.stderr


def test_migrate_is_idempotent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "sub" / "klaster.db"
    monkeypatch.setenv("KLASTER_DB", str(db))
    assert main(["migrate"]) == 0
    assert main(["migrate"]) == 0
    out = capsys.readouterr().out.splitlines()
    latest, count = migrations()[-1][0], len(migrations())
    assert out[0].endswith(f"schema version {latest} ({count} migration(s) applied)")
    assert out[1].endswith(f"schema version {latest} (0 migration(s) applied)")
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    conn.close()


def test_settings_from_env_and_dotenv(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("# comment\nexport KLASTER_TZ='Asia/Jakarta'\nKLASTER_LOCALE=en\nKLASTER_DB=x.db\n")
    settings = load_settings({"KLASTER_LOCALE": "id"}, dotenv)
    assert (settings.timezone, settings.locale, settings.db_path) == ("Asia/Jakarta", "id", Path("x.db"))
    with pytest.raises(ConfigError):
        load_settings({"KLASTER_TZ": "Mars/Olympus"}, None)
    with pytest.raises(ConfigError):
        load_settings({"KLASTER_LOCALE": "fr"}, None)
    assert parse_dotenv('A="b c"\nnoequals\n') == {"A": "b c"}


def test_klaster_db_selects_the_engine_by_path_or_url() -> None:
    sqlite = load_settings({"KLASTER_DB": "data/x.db"}, None)
    assert (sqlite.is_postgresql, sqlite.database, sqlite.db_path) == (False, "data/x.db", Path("data/x.db"))
    url = "postgresql://klaster@db.example:5432/klaster"
    pg = load_settings({"KLASTER_DB": url}, None)
    assert (pg.is_postgresql, pg.database) == (True, url)
    assert Settings(db_path=url).database == url  # type: ignore[arg-type]  (the harness may hand a URL this way)
    assert Database(pg.database).engine == "postgresql" and Database(sqlite.database).engine == "sqlite"


def test_self_hosted_bot_api_urls() -> None:
    settings = Settings(token="123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", api_base_url="http://localhost:8081/")
    app = build_application(settings, rate_limit=False)
    assert app.bot.base_url == "http://localhost:8081/bot123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    assert app.bot.base_file_url == "http://localhost:8081/file/bot123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
