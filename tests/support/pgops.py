"""PostgreSQL databases for the operations tests: one fresh database per test on the server ``KLASTER_TEST_PG``
names (``python -m tests.support.pgserver -- CMD``), migrated by the real ``klasterbot migrate``."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import ROOT
from tests.support.pgserver import ENV

SKIP_REASON = (f"{ENV} is not set: the PostgreSQL half of the operations tests is skipped "
               "(run them with `python -m tests.support.pgserver -- .venv/bin/python -m pytest …`)")  # fmt: skip


def admin_url() -> str:
    url = os.environ.get(ENV)
    if not url:
        pytest.skip(SKIP_REASON)
    return url


def with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


def connect(url: str) -> Any:
    import psycopg

    return psycopg.connect(url, autocommit=True)


def fresh_database(prefix: str = "ops") -> Iterator[str]:
    """A new empty database (dropped afterwards, with any session still on it)."""
    admin = admin_url()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with connect(admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(admin, name)
    finally:
        with connect(admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def cli(*args: str, db: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m bot ARGS`` with ``KLASTER_DB`` set, as an operator runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KLASTER_", "TELEGRAM_", "PG"))}
    env["KLASTER_DB"] = db
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return subprocess.run([sys.executable, "-m", "bot", *args], env=env, cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=180)  # fmt: skip


def migrated(url: str, cwd: Path) -> str:
    result = cli("migrate", db=url, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return url
