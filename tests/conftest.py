"""Shared fixtures: the real Application on a temporary database, driven through the stand-in."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from bot.devtools.harness import Harness, running
from tests.support import engine
from tests.support.db import q  # noqa: F401  (re-exported: tests may still import it from here)
from tests.support.people import ADMIN, GROUP_ID, MEMBER, OTHER


@pytest.fixture
def db_path(tmp_path: Path) -> Iterator[Path | str]:
    """The test's database: a SQLite file, or (KLASTER_TEST_ENGINE=postgresql) the URL of a fresh PostgreSQL
    database of its own (tests/support/engine.py)."""
    if not engine.on_postgresql():
        yield tmp_path / "klaster.db"
        return
    url = engine.create_database()
    try:
        yield url
    finally:
        engine.drop_database(url)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not engine.on_postgresql():
        return
    skip = pytest.mark.skip(reason="SQLite only (the database file, its backup or restore): not run on PostgreSQL")
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)


@pytest.fixture
async def h(db_path: Path) -> AsyncIterator[Harness]:
    async with running(db_path) as harness:
        api = harness.api
        api.add_chat(GROUP_ID, "supergroup", "Klaster Logistik Kalsel")
        api.set_bot_rights(GROUP_ID)
        api.set_member(GROUP_ID, ADMIN.json(), "creator")
        api.set_member(GROUP_ID, MEMBER.json(), "member")
        api.set_member(GROUP_ID, OTHER.json(), "member")
        yield harness


# Hypothesis: a failure must reproduce. Every run prints the blob that replays the failing example
# (``@reproduce_failure``); under CI (CI=true) the examples are also derandomized, so a red CI run is the same
# run on a developer's machine. Select another profile with HYPOTHESIS_PROFILE=dev|ci.
settings.register_profile("dev", print_blob=True)
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev"))
