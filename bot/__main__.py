"""``klasterbot`` / ``python -m bot``: run, demo, migrate, backup, restore, export."""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import IO

from bot.kernel.config import ConfigError, Settings, load_settings
from bot.kernel.db import apply_migrations, create_private, migrations, open_sync
from bot.ops import backups, health, version

# Tables every database of this application has from its first migration on (a restore checks them).
KNOWN_TABLES = frozenset({"processed_updates", "users", "chats", "dialogs", "audit_log", "clusters",
                          "organizations", "members", "secretariat", "handovers"})  # fmt: skip
SQLITE_HEADER = b"SQLite format 3\x00"


class BotRunning(Exception):
    """Another process (``klasterbot run``) holds the database's lock."""


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


@contextmanager
def run_lock(db_path: Path) -> Iterator[IO[str]]:
    """The exclusive lock ``klasterbot run`` holds for its lifetime and ``restore`` needs: a ``flock`` on
    ``<database>.lock`` (released by the kernel when the process ends, even on SIGKILL)."""
    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (held across the yield)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BotRunning(str(path)) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield handle
    finally:
        handle.close()


def _setup_logging(settings: Settings) -> None:
    from bot.ops.logs import setup_logging

    setup_logging(settings.log_level, settings.log_format)


def cmd_run(settings: Settings, webhook: str | None = None) -> int:
    from telegram import Update

    from bot.app import build_application

    settings.require_token()
    url = webhook or settings.webhook_url
    if url:
        from bot.kernel import webhook as webhook_mode

        webhook_mode.check_url(url)
        settings.require_webhook_secret()
    _setup_logging(settings)
    from bot.ops import heartbeat

    try:
        # One bot per SQLite file; on PostgreSQL several instances may share the database (issue #18).
        with nullcontext() if settings.is_postgresql else run_lock(settings.db_path):
            app = build_application(settings)
            heartbeat.install(app)
            if url:
                webhook_mode.run(app, settings, url)
            else:
                app.run_polling(allowed_updates=Update.ALL_TYPES)
    except BotRunning:
        print(f"klasterbot: another bot is already running on {settings.db_path}", file=sys.stderr)
        return 1
    return 0


def cmd_migrate(settings: Settings) -> int:
    conn = open_sync(settings.db_path)
    try:
        applied = apply_migrations(conn)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()
    print(f"{settings.db_path}: schema version {version} ({len(applied)} migration(s) applied)")
    return 0


def cmd_backup(settings: Settings, target: Path) -> int:
    """SQLite's online backup API: a consistent copy even while the bot writes."""
    if not settings.db_path.exists():
        print(f"no database at {settings.db_path}", file=sys.stderr)
        return 1
    source = open_sync(settings.db_path)
    create_private(target)
    os.chmod(target, 0o600)  # also when overwriting an older backup
    dest = sqlite3.connect(str(target))
    try:
        source.backup(dest)
        check = dest.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dest.close()
        source.close()
    print(f"backup written to {target} (integrity: {check})")
    return 0 if check == "ok" else 1


def check_backup(path: Path) -> str | None:
    """None when ``path`` is an intact database of this application, else why not. The file is opened read-only
    through a ``file:`` URI built from the path itself (``#`` and ``?`` in a name are quoted, not parsed)."""
    if not path.is_file():
        return "no such file"
    with open(path, "rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            return "not an SQLite database (empty or another kind of file)"
    try:
        probe = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return f"cannot be opened: {exc}"
    try:
        check = probe.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            return f"damaged: {check}"
        version = probe.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in probe.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        return f"damaged: {exc}"
    finally:
        probe.close()
    latest = migrations()[-1][0]
    if version < 1 or version > latest:
        return f"schema version {version} is not one of this application's (1..{latest})"
    missing = KNOWN_TABLES - tables
    if missing:
        return f"not a database of this application (missing tables: {', '.join(sorted(missing))})"
    return None


def cmd_restore(settings: Settings, source_path: Path, yes: bool) -> int:
    """Copy a backup over the live database; refused while the bot runs, and for anything that is not an intact
    database of this application. The live database is kept beside it first (``<db>.before-restore-<time>``)."""
    problem = check_backup(source_path)
    if problem is not None:
        print(f"refusing to restore {source_path}: {problem}; nothing was changed", file=sys.stderr)
        return 1
    try:
        with run_lock(settings.db_path):
            if not yes:
                answer = input(f"Replace {settings.db_path} with {source_path}? Type 'ya' to confirm: ")
                if answer.strip().lower() not in ("ya", "yes", "y"):
                    print("restore cancelled")
                    return 1
            kept = _keep_live_copy(settings.db_path)
            src = sqlite3.connect(source_path.resolve().as_uri() + "?mode=ro", uri=True)
            dest = open_sync(settings.db_path)
            try:
                src.backup(dest)
                apply_migrations(dest)
            finally:
                src.close()
                dest.close()
    except BotRunning:
        print(f"refusing to restore: the bot is running on {settings.db_path} (stop it first); nothing was changed",
              file=sys.stderr)  # fmt: skip
        return 1
    if kept is not None:
        print(f"the previous database was kept as {kept}")
    print(f"restored {settings.db_path} from {source_path}")
    return 0


def _keep_live_copy(db_path: Path) -> Path | None:
    if not db_path.is_file() or db_path.stat().st_size == 0:
        return None
    kept = db_path.with_name(f"{db_path.name}.before-restore-{time.strftime('%Y%m%d-%H%M%S')}")
    create_private(kept)
    source = sqlite3.connect(db_path.resolve().as_uri() + "?mode=ro", uri=True)
    dest = sqlite3.connect(str(kept))
    try:
        source.backup(dest)
    finally:
        dest.close()
        source.close()
    return kept


def cmd_export(settings: Settings, folder: Path) -> int:
    """Every cluster's tables as XLSX and CSV with HXL tags (as /ekspor sends them)."""
    import time

    from bot.features.export import service as export

    if not settings.db_path.exists():
        print(f"no database at {settings.db_path}", file=sys.stderr)
        return 1
    conn = open_sync(settings.db_path)
    try:
        apply_migrations(conn)
        conn.execute("BEGIN")
        exports = export.collect_all(conn, int(time.time()))
        conn.execute("ROLLBACK")
    finally:
        conn.close()
    for path in export.write_dir(exports, folder):
        print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="klasterbot", description="Klaster Logistik Bot")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the bot against Telegram (long polling, or --webhook)")
    run.add_argument("--webhook", metavar="URL", help="webhook mode: Telegram posts updates to this public URL "
                     "(also KLASTER_WEBHOOK_URL; listener: KLASTER_WEBHOOK_LISTEN/PORT/PATH/SECRET)")
    demo = sub.add_parser("demo", help="local playground: the real bot against an offline Bot API")
    demo.add_argument("--reset", action="store_true", help="start from a freshly seeded demo database")
    demo.add_argument("--db", type=Path, default=Path("data/demo.db"), help="demo database (default data/demo.db)")
    sub.add_parser("migrate", help="apply database migrations")
    backup = sub.add_parser("backup", help="consistent online backup of the database")
    backup.add_argument("path", type=Path, nargs="?")
    backups.add_arguments(backup)
    restore = sub.add_parser("restore", help="replace the database with a backup (stop the bot first)")
    restore.add_argument("path", type=Path)
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    export = sub.add_parser("export", help="write every cluster's tables as XLSX and CSV (HXL-tagged) to DIR")
    export.add_argument("path", type=Path, metavar="DIR")
    sub.add_parser("i18n", help="compile the translation catalogues")
    health.add_arguments(sub.add_parser("health", help=health.HELP))
    parser.add_argument("--version", action="version", version=f"klasterbot {version()}")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        if args.command == "run":
            return cmd_run(settings, args.webhook)
        if args.command == "demo":
            from bot.devtools.demo import run_demo

            return asyncio.run(run_demo(settings, args.db, args.reset))
        if args.command == "migrate":
            return cmd_migrate(settings)
        if args.command == "health":
            return health.cmd_health(settings.db_path, args.max_age, args.db_only, args.json)
        if args.command == "backup" and (args.rotate or args.path is None):
            return backups.cmd_rotate(settings.db_path, args.rotate, args.keep, args.path)
        if args.command == "backup":
            return cmd_backup(settings, args.path)
        if args.command == "restore":
            return cmd_restore(settings, args.path, args.yes)
        if args.command == "export":
            return cmd_export(settings, args.path)
        if args.command == "i18n":
            from bot.kernel.i18n_tools import main as i18n_main

            return i18n_main(["compile"])
    except ConfigError as exc:
        print(f"klasterbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 2


if __name__ == "__main__":
    sys.exit(main())
