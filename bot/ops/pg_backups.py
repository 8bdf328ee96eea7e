"""Backups and restore of a PostgreSQL database (``KLASTER_DB=postgresql://…``; docs/deploy.md, "Backups").

``klasterbot backup --rotate DIR --keep N`` runs ``pg_dump -Fc`` (one consistent snapshot: a REPEATABLE READ
transaction; the bot keeps writing, pg_dump only takes ACCESS SHARE locks) into a hidden ``.partial`` file created
0600, verifies it with ``pg_restore --list`` (the archive's table of contents reads back whole and names this
application's tables), flushes it to disk and only then renames it to ``<database>-<UTC time>.dump``; only after
that are the oldest dumps beyond N deleted. A failed dump deletes nothing. ``klasterbot backup FILE`` writes one
dump to FILE under the same rules.

``klasterbot restore FILE.dump`` refuses a file that is not such a dump, and refuses while any other session is
connected to the database (the bot, a second instance, a BI tool: stop them first). It asks for confirmation,
keeps a dump of the live database beside the file restored from (``<database>-before-restore-<time>.dump``), then
replaces the whole schema in ONE transaction (``psql --single-transaction``): every table, view, sequence and
function of ``public`` is dropped and the dump's are created. Anything failing rolls all of it back: the live
database is either the dump's or untouched, never half of each.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.ops import backups
from bot.ops.pg_tools import Target, ToolError, connect, run, target

SUFFIX = ".dump"
MAGIC = b"PGDMP"  # the first bytes of every pg_dump custom-format archive

_TOC_TABLE = re.compile(r"^\d+;\s+\d+\s+\d+\s+TABLE\s+(\S+)\s+(\S+)\s", re.MULTILINE)


def tables_in(dump: Path, where: Target) -> set[str]:
    """The tables an archive creates, read from its table of contents (``pg_restore --list``)."""
    listing = run("pg_restore", ["--list", str(dump)], where)
    return {name for schema, name in _TOC_TABLE.findall(listing) if schema == "public"}


def check_dump(dump: Path, where: Target) -> str | None:
    """None when ``dump`` is a readable custom-format dump of this application's database, else why not."""
    if not dump.is_file():
        return "no such file"
    with open(dump, "rb") as handle:
        if handle.read(len(MAGIC)) != MAGIC:
            return "not a pg_dump custom-format archive (made with `klasterbot backup` on PostgreSQL?)"
    try:
        tables = tables_in(dump, where)
    except ToolError as exc:
        return f"damaged: {exc}"
    missing = backups.KNOWN_TABLES - tables
    if missing:
        return f"not a dump of this application's database (missing tables: {', '.join(sorted(missing))})"
    return None


def dump_to(url: str, dest: Path, *, replace: bool = False) -> Path:
    """``pg_dump -Fc`` of ``url`` into ``dest`` (which must not exist unless ``replace``) via a 0600 temporary
    file, verified before it gets its name. Raises ``ToolError`` (nothing is left behind, an older ``dest`` stays
    as it was) when the dump or its check fails."""
    where = target(url)
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(f".{dest.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    try:
        # pg_dump truncates the file it is given and keeps its mode (0600): the data is never readable by others.
        run("pg_dump", ["--format=custom", "--no-password", f"--file={partial}", f"--dbname={where.conninfo}"],
            where)  # fmt: skip
        problem = check_dump(partial, where)
        if problem is not None:
            raise ToolError(f"the dump of {where.dbname} failed its check: {problem}")
        backups.fsync_path(partial)
        os.chmod(partial, 0o600)
        if dest.exists() and not replace:
            raise FileExistsError(dest)
        os.replace(partial, dest)
        backups.fsync_path(dest.parent)
        return dest
    finally:
        partial.unlink(missing_ok=True)


def rotate(url: str, folder: Path, keep: int, now: datetime | None = None) -> backups.RotatedBackup:
    """One new verified dump in ``folder``, then delete the oldest so that exactly ``keep`` remain."""
    if keep < 1:
        raise ValueError("--keep must be at least 1")
    stem = target(url).stem
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    dest = dump_to(url, backups.next_target(folder, stem, SUFFIX, now))
    return backups.RotatedBackup(dest, backups.prune(folder, stem, SUFFIX, keep))


# ---- restore ---------------------------------------------------------------------------------------------------

# Drops every object of schema public that no extension owns. The names are collected into an array first, so
# that a sequence dropped with its table (CASCADE) is only skipped by IF EXISTS, not looked up again.
_DROP_ALL = """
SET search_path = public;
DO $klaster$
DECLARE statement text;
BEGIN
  FOREACH statement IN ARRAY ARRAY(
    SELECT format('DROP %s IF EXISTS %I.%I CASCADE',
                  CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                                 WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, n.nspname, c.relname)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
    ORDER BY c.relkind = 'S'
  ) || ARRAY(
    SELECT format('DROP %s IF EXISTS %s CASCADE',
                  CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,
                  p.oid::regprocedure)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  ) LOOP
    EXECUTE statement;
  END LOOP;
END
$klaster$;
"""


class RestoreRefused(Exception):
    """Nothing was changed; the message says why."""


def other_sessions(url: str, attempts: int = 3) -> list[str]:
    """The other client sessions connected to the database (application names), as ``pg_stat_activity`` sees
    them; a restore under a running bot would pull its tables away mid-transaction. Asked up to ``attempts``
    times half a second apart, so that a session that is just closing does not count."""
    rows: list[tuple[str]] = []
    with connect(url) as conn:
        for attempt in range(attempts):
            rows = conn.execute(
                "SELECT coalesce(nullif(application_name, ''), usename::text, '?') FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            ).fetchall()
            if not rows:
                break
            if attempt + 1 < attempts:
                time.sleep(0.5)
    return sorted(str(row[0]) for row in rows)


@dataclass(frozen=True)
class Restored:
    kept: Path


def restore(url: str, source: Path, *, confirm: Callable[[str], bool],
            migrate: Callable[[str], object] | None = None) -> Restored:  # fmt: skip
    """Replace the database at ``url`` with the dump ``source`` (see the module's text). Raises
    ``RestoreRefused`` before any change; ``ToolError`` from the transaction means it was rolled back."""
    where = target(url)
    problem = check_dump(source, where)
    if problem is not None:
        raise RestoreRefused(f"refusing to restore {source}: {problem}; nothing was changed")
    others = other_sessions(url)
    if others:
        raise RestoreRefused(
            f"refusing to restore: {len(others)} other session(s) are connected to {where.dbname} "
            f"({', '.join(others)}); stop the bot first; nothing was changed"
        )
    if not confirm(f"Replace database {where.dbname} on {where.host} with {source}? Type 'ya' to confirm: "):
        raise RestoreRefused("restore cancelled; nothing was changed")
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    kept = source.resolve().parent / f"{where.stem}-before-restore-{stamp}{SUFFIX}"
    counter = 0
    while kept.exists():
        counter += 1
        kept = kept.with_name(f"{where.stem}-before-restore-{stamp}-{counter}{SUFFIX}")
    try:
        dump_to(url, kept)
    except (ToolError, OSError) as exc:
        raise RestoreRefused(f"could not keep a copy of the live database first ({exc}); nothing was changed") from exc
    scratch = Path(tempfile.mkdtemp(prefix="klaster-restore-"))  # 0700: the script holds the data
    try:
        script = scratch / "restore.sql"
        run("pg_restore", ["--no-owner", "--no-privileges", f"--file={script}", str(source)], where)
        run("psql", ["--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1", "--single-transaction",
                     f"--command={_DROP_ALL}", f"--file={script}", f"--dbname={where.conninfo}"],
            where, stdout=subprocess.DEVNULL)  # fmt: skip
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if migrate is not None:
        migrate(url)
    return Restored(kept)



# ---- the command line ------------------------------------------------------------------------------------------


def cmd_backup(url: str, folder: Path | None, keep: int, path: Path | None) -> int:
    if (folder is None) == (path is None):
        print("klasterbot backup: give either PATH or --rotate DIR", file=sys.stderr)
        return 2
    try:
        if path is not None:
            written, removed = dump_to(url, path, replace=True), []
        else:
            assert folder is not None
            result = rotate(url, folder, keep)
            written, removed = result.path, result.removed
    except (ValueError, ToolError, OSError) as exc:
        print(f"klasterbot backup: {exc}", file=sys.stderr)
        return 1
    print(f"backup written to {written} (pg_dump custom format, checked with pg_restore --list)")
    for old in removed:
        print(f"removed old backup {old}")
    return 0


def _ask(question: str) -> bool:
    return input(question).strip().lower() in ("ya", "yes", "y")


def cmd_restore(url: str, source: Path, yes: bool, migrate: Callable[[str], object] | None = None) -> int:
    try:
        done = restore(url, source, confirm=(lambda _q: True) if yes else _ask, migrate=migrate)
    except RestoreRefused as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except (ToolError, OSError) as exc:
        print(f"restore failed and was rolled back; the database is as it was: {exc}", file=sys.stderr)
        return 1
    print(f"the previous database was kept as {done.kept}")
    print(f"restored {target(url).dbname} from {source}")
    return 0
