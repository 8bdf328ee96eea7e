"""Scheduled backups with rotation: ``klasterbot backup --rotate DIR --keep N`` (docs/deploy.md, "Backups").

On PostgreSQL (``KLASTER_DB=postgresql://…``) the copy is ``pg_dump -Fc`` instead (``bot/ops/pg_backups.py``),
named ``<database>-<UTC time>.dump``, with the same rotation, permissions and all-or-nothing rules.

Each run writes ``<db stem>-<UTC time>.db`` into DIR with SQLite's online backup API, which reads one
consistent snapshot while the bot keeps writing (WAL: the bot's writers are never blocked). The copy is
written to a hidden ``.partial`` file created 0600, checked with ``PRAGMA integrity_check``, flushed to disk
and only then renamed into place; only after that are the oldest backups beyond N deleted. A failed backup
deletes nothing. Rotation only ever touches files named like this command's own backups.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
SQLITE_SUFFIX = ".db"

# Tables every database of this application has from its first migration on (a restore checks them).
KNOWN_TABLES = frozenset({"processed_updates", "users", "chats", "dialogs", "audit_log", "clusters",
                          "organizations", "members", "secretariat", "handovers"})  # fmt: skip


@dataclass(frozen=True)
class RotatedBackup:
    path: Path
    removed: list[Path]


def _pattern(stem: str, suffix: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(stem)}-(\d{{8}}T\d{{6}}Z)(?:-(\d+))?{re.escape(suffix)}$")


def backups_in(folder: Path, stem: str, suffix: str = SQLITE_SUFFIX) -> list[Path]:
    """This command's backups of ``stem`` in ``folder``, oldest first."""
    pattern = _pattern(stem, suffix)
    found: list[tuple[str, int, Path]] = []
    for entry in folder.iterdir() if folder.is_dir() else []:
        match = pattern.match(entry.name)
        if match and entry.is_file():
            found.append((match.group(1), int(match.group(2) or 0), entry))
    return [path for _, _, path in sorted(found)]


def fsync_path(path: Path) -> None:
    """Flush a file's data, or a folder's entries (a rename), to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def online_backup(db_path: Path, target: Path) -> str:
    """Copy ``db_path`` to ``target`` (which must not exist) via a 0600 temporary file; returns the
    integrity check's answer. ``target`` exists afterwards only when that answer is ``ok``."""
    partial = target.with_name(f".{target.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    try:
        source = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        dest = sqlite3.connect(str(partial))
        try:
            source.backup(dest)
            check = str(dest.execute("PRAGMA integrity_check").fetchone()[0])
        finally:
            dest.close()
            source.close()
        if check != "ok":
            return check
        fd = os.open(partial, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(partial, 0o600)
        if target.exists():
            raise FileExistsError(target)
        os.replace(partial, target)
        fsync_path(target.parent)
        return check
    finally:
        partial.unlink(missing_ok=True)


def next_target(folder: Path, stem: str, suffix: str, now: datetime | None = None) -> Path:
    """The name of the next backup: ``<stem>-<UTC time><suffix>``, numbered within the same second."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime(STAMP_FORMAT)
    # A second backup within the same second sorts after every earlier one (never reuse a rotated-away name:
    # it would sort first and be the next one deleted).
    pattern = _pattern(stem, suffix)
    same = [int(m.group(2) or 0) for p in backups_in(folder, stem, suffix)
            if (m := pattern.match(p.name)) and m.group(1) == stamp]  # fmt: skip
    counter = max(same) + 1 if same else 0
    target = folder / (f"{stem}-{stamp}{suffix}" if counter == 0 else f"{stem}-{stamp}-{counter}{suffix}")
    while target.exists() or target.with_name(f".{target.name}.partial").exists():
        counter += 1
        target = folder / f"{stem}-{stamp}-{counter}{suffix}"
    return target


def prune(folder: Path, stem: str, suffix: str, keep: int) -> list[Path]:
    """Delete the oldest of this command's backups beyond the newest ``keep``; returns what was deleted."""
    existing = backups_in(folder, stem, suffix)
    removed = existing[: max(0, len(existing) - keep)]
    for old in removed:
        old.unlink(missing_ok=True)
    return removed


def rotate(db_path: Path, folder: Path, keep: int, now: datetime | None = None) -> RotatedBackup:
    """One new backup in ``folder``, then delete the oldest so that exactly ``keep`` remain (or fewer, if
    there were fewer). Raises ``ValueError`` for a bad ``keep`` and ``RuntimeError`` when the copy fails."""
    if keep < 1:
        raise ValueError("--keep must be at least 1")
    if not db_path.is_file():
        raise FileNotFoundError(f"no database at {db_path}")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = next_target(folder, db_path.stem, SQLITE_SUFFIX, now)
    check = online_backup(db_path, target)
    if check != "ok":
        raise RuntimeError(f"backup of {db_path} failed its integrity check ({check}); nothing was rotated")
    return RotatedBackup(target, prune(folder, db_path.stem, SQLITE_SUFFIX, keep))


def add_arguments(backup: argparse.ArgumentParser) -> None:
    backup.add_argument("--rotate", type=Path, metavar="DIR",
                        help="write a time-stamped backup into DIR and keep only the newest --keep")
    backup.add_argument("--keep", type=int, default=14, metavar="N", help="backups kept by --rotate (default 14)")


def cmd_rotate(db_path: Path, folder: Path | None, keep: int, path: Path | None = None) -> int:
    if (folder is None) == (path is None):
        print("klasterbot backup: give either PATH or --rotate DIR", file=sys.stderr)
        return 2
    assert folder is not None
    try:
        result = rotate(db_path, folder, keep)
    except (ValueError, FileNotFoundError, RuntimeError, sqlite3.Error, OSError) as exc:
        print(f"klasterbot backup: {exc}", file=sys.stderr)
        return 1
    print(f"backup written to {result.path} (integrity: ok)")
    for old in result.removed:
        print(f"removed old backup {old}")
    return 0
