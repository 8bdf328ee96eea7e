"""``klasterbot health``: exit 0 when the deployment is healthy, 1 when not (docs/deploy.md, "Health").

Healthy means all of:

1. the database file exists and opens read-only as SQLite; on PostgreSQL (``KLASTER_DB=postgresql://…``) the
   server answers within 5 s and runs ``SELECT 1``;
2. its schema version is exactly the newest migration this code ships (not behind: run ``klasterbot migrate``
   or start the bot; not ahead: the code is older than the data);
3. the running bot's heartbeat is at most ``max_age`` seconds old (its event loop runs and the database takes
   its writes);
4. its last successful Telegram call is at most ``max_age`` seconds old.

``--db-only`` checks 1-2 (before the first start, or from a host where the bot does not run). The time of the
last processed update is reported but never judged: a quiet night is not a failure.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bot.kernel.db import migrations
from bot.kernel.sql import Conn
from bot.ops import HEARTBEAT_S, ROLE
from bot.ops import storage as ops_repo

DEFAULT_MAX_AGE_S = 5 * HEARTBEAT_S


@dataclass
class Report:
    healthy: bool = True
    problems: list[str] = field(default_factory=list)
    facts: dict[str, object] = field(default_factory=dict)

    def fail(self, problem: str) -> None:
        self.healthy = False
        self.problems.append(problem)


def _age(now: float, then: int | None) -> float | None:
    return None if then is None else max(0.0, now - then)


def check(db_path: Path, now: float | None = None, max_age_s: float = DEFAULT_MAX_AGE_S,
          db_only: bool = False) -> Report:  # fmt: skip
    now = time.time() if now is None else now
    report = Report()
    report.facts["database"] = str(db_path)
    if not db_path.is_file():
        report.fail(f"no database at {db_path}")
        return report
    try:
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as exc:
        report.fail(f"database does not open: {exc}")
        return report
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        beat = _read(report, conn, now, db_only, latest=migrations()[-1][0])
    except sqlite3.Error as exc:
        report.fail(f"database is not readable: {exc}")
        return report
    finally:
        conn.close()
    return _judge(report, beat, now, max_age_s) if report.healthy and not db_only else report


def check_postgres(url: str, now: float | None = None, max_age_s: float = DEFAULT_MAX_AGE_S,
                   db_only: bool = False) -> Report:  # fmt: skip
    """The same checks on PostgreSQL: the server answers (``SELECT 1`` within 5 s), the schema is current, the
    heartbeat (written by any instance of the bot) and its Telegram success are fresh."""
    import os

    import psycopg

    from bot.kernel.pg_adapter import PgConn
    from bot.kernel.pg_migrations import migrations_pg
    from bot.ops import pg_tools

    now = time.time() if now is None else now
    report = Report()
    where = pg_tools.target(url)
    report.facts["database"] = f"postgresql {where.dbname} on {where.host}"  # never the password
    os.environ.setdefault("PGCONNECT_TIMEOUT", "5")  # libpq's connect timeout: a health check must not hang
    try:
        conn = PgConn(url, read_only=True)
    except psycopg.Error as exc:
        report.fail(f"database does not answer: {str(exc).strip()}")
        return report
    try:
        conn.execute("SELECT 1").fetchone()
        beat = _read(report, conn, now, db_only, latest=migrations_pg()[-1][0])
    except psycopg.Error as exc:
        report.fail(f"database is not readable: {str(exc).strip()}")
        return report
    finally:
        conn.close()
    return _judge(report, beat, now, max_age_s) if report.healthy and not db_only else report


def _read(report: Report, conn: Conn, now: float, db_only: bool, *, latest: int) -> ops_repo.Heartbeat | None:
    """Schema version and (unless ``db_only``) the heartbeat row; fails ``report`` on a wrong version."""
    current = ops_repo.schema_version(conn)
    report.facts.update(schema_version=current, latest_migration=latest)
    if current < latest:
        report.fail(f"schema version {current} is behind the code's {latest}: run `klasterbot migrate`")
        return None
    if current > latest:
        report.fail(f"schema version {current} is newer than this code knows ({latest}): upgrade the bot")
        return None
    report.facts["last_update_age_s"] = _age(now, ops_repo.last_processed_update(conn))
    return None if db_only else ops_repo.read_beat(conn, ROLE)


def _judge(report: Report, beat: ops_repo.Heartbeat | None, now: float, max_age_s: float) -> Report:
    if beat is None:
        report.fail("no heartbeat: the bot has never run on this database (`klasterbot run`)")
        return report
    beat_age = _age(now, beat.beat_at)
    ok_age = _age(now, beat.telegram_ok_at)
    report.facts.update(pid=beat.pid, version=beat.version, heartbeat_age_s=beat_age, telegram_ok_age_s=ok_age)
    if beat_age is not None and beat_age > max_age_s:
        report.fail(f"heartbeat is {beat_age:.0f} s old (limit {max_age_s:.0f} s): the bot is not running, "
                    "its loop is stuck, or the database refuses writes")  # fmt: skip
        return report
    if ok_age is None or ok_age > max_age_s:
        since = "since start" if ok_age is None else f"for {ok_age:.0f} s"
        report.fail(f"no successful Telegram call {since} (limit {max_age_s:.0f} s): {beat.telegram_error or '?'}")
    return report


def render(report: Report, as_json: bool) -> str:
    if as_json:
        return json.dumps(asdict(report), ensure_ascii=False, sort_keys=True)
    lines = ["healthy" if report.healthy else "UNHEALTHY"]
    lines += [f"  problem: {p}" for p in report.problems]
    lines += [f"  {key}: {value}" for key, value in report.facts.items()]
    return "\n".join(lines)


def check_any(db: Path | str, now: float | None = None, max_age_s: float = DEFAULT_MAX_AGE_S,
              db_only: bool = False) -> Report:  # fmt: skip
    """``db``: the SQLite file (a path), or a ``postgresql://`` URL (a string)."""
    if isinstance(db, str):
        return check_postgres(db, now, max_age_s, db_only)
    return check(db, now, max_age_s, db_only)


def cmd_health(db: Path | str, max_age_s: float, db_only: bool, as_json: bool) -> int:
    """``db``: the SQLite file, or a ``postgresql://`` URL."""
    report = check_any(db, max_age_s=max_age_s, db_only=db_only)
    print(render(report, as_json))
    return 0 if report.healthy else 1


HELP = "exit 0 if the database is current and the running bot is alive (docs/deploy.md)"


def add_arguments(health: argparse.ArgumentParser) -> None:
    health.add_argument("--max-age", type=float, default=DEFAULT_MAX_AGE_S, metavar="SECONDS",
                        help=f"oldest acceptable heartbeat and Telegram success (default {DEFAULT_MAX_AGE_S})")
    health.add_argument("--db-only", action="store_true",
                        help="only check that the database opens and its migrations are current")
    health.add_argument("--json", action="store_true", help="print the report as one JSON object")
