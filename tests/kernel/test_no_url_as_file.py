"""A PostgreSQL URL is never a SQLite file name: SQLite-only code handed one refuses it instead of creating
'postgresql:/…' folders and a SQLite database in the working directory (they were once committed to the repo)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bot.kernel.db import create_private, open_sync
from tests.support.paths import ROOT

URL = "postgresql://postgres@127.0.0.1:5432/klaster_t1_1"


@pytest.mark.parametrize("given", [URL, Path(URL), "postgres://u@h/db"])
def test_sqlite_only_code_refuses_a_postgresql_url_and_creates_nothing(
    given: str | Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="PostgreSQL URL"):
        create_private(given)
    with pytest.raises(ValueError, match="PostgreSQL URL"):
        open_sync(given)
    assert os.listdir(tmp_path) == []


def test_the_repository_holds_no_url_shaped_path() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert [p for p in tracked.splitlines() if p.startswith(("postgresql:", "postgres:"))] == []
    assert not (ROOT / "postgresql:").exists()
