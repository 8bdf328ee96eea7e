"""Which engine the suite runs on, and a fresh PostgreSQL database per test.

``KLASTER_TEST_ENGINE=postgresql`` with ``KLASTER_TEST_PG`` (an administrator's URL, set by
``python -m tests.support.pgserver -- …``) runs the tests on PostgreSQL: the ``db_path`` fixture is then the URL of
a database of the test's own, created from a template the migrations ran on once per session
(``CREATE DATABASE … TEMPLATE …``: a copy of the files, a few milliseconds) and dropped after the test.
"""

from __future__ import annotations

import itertools
import os
from urllib.parse import urlsplit, urlunsplit

ENGINE_ENV = "KLASTER_TEST_ENGINE"
PG_ENV = "KLASTER_TEST_PG"
TEMPLATE = "klaster_template"
_counter = itertools.count(1)
_template_ready = False


def engine() -> str:
    return (os.environ.get(ENGINE_ENV) or "sqlite").lower()


def on_postgresql() -> bool:
    return engine() == "postgresql"


def database_errors() -> tuple[type[Exception], ...]:
    """The engines' error classes (``sqlite3.Error``, and ``psycopg.Error`` when psycopg is installed)."""
    import sqlite3

    try:
        import psycopg
    except ImportError:
        return (sqlite3.Error,)
    return (sqlite3.Error, psycopg.Error)


def admin_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        raise RuntimeError(f"{ENGINE_ENV}=postgresql needs {PG_ENV} (run under python -m tests.support.pgserver -- …)")
    return url


def database_url(name: str) -> str:
    parts = urlsplit(admin_url())
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]  (database names built here, never from input)


def _ensure_template() -> None:
    global _template_ready
    if _template_ready:
        return
    from bot.kernel import db_postgres

    _admin(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
    _admin(f"CREATE DATABASE {TEMPLATE}")
    db_postgres.connect_writer(database_url(TEMPLATE)).close()  # the migrations, once per session
    _template_ready = True


def create_database(*, migrated: bool = True) -> str:
    """A new database, with the migrated schema unless ``migrated=False`` (then empty); returns its URL."""
    name = f"klaster_t{os.getpid()}_{next(_counter)}"
    if migrated:
        _ensure_template()
        _admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    else:
        _admin(f"CREATE DATABASE {name}")
    return database_url(name)


def drop_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
