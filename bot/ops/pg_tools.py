"""PostgreSQL's own client programs (``pg_dump``, ``pg_restore``, ``psql``) run for the operations commands.

A ``postgresql://`` URL may carry a password; it never goes on a command line (where ``ps`` shows it to every
user of the machine): the password travels in ``PGPASSWORD`` of the child's environment and the rest of the URL
as a libpq connection string. ``--no-password`` everywhere: a timer or a health check must fail, not wait for a
prompt. ``pg_dump`` refuses a server of a newer major version than its own; its message is passed on as is.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

URL_PREFIXES = ("postgresql://", "postgres://")


def is_postgres_url(value: str | os.PathLike[str] | None) -> bool:
    return value is not None and str(value).startswith(URL_PREFIXES)


class ToolError(RuntimeError):
    """A client program is missing or failed; the message is one line (or a few) for the operator."""


@dataclass(frozen=True)
class Target:
    """Where a URL points, split for the client programs."""

    conninfo: str  # libpq connection string without the password
    password: str | None
    dbname: str
    host: str

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    @property
    def stem(self) -> str:
        """The database name as a file-name stem (backups are ``<stem>-<UTC time>.dump``)."""
        return re.sub(r"[^A-Za-z0-9_.-]", "_", self.dbname) or "postgres"


def target(url: str) -> Target:
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = {k: str(v) for k, v in conninfo_to_dict(url).items() if v is not None}
    password = params.pop("password", None)
    dbname = params.get("dbname") or params.get("user") or os.environ.get("PGDATABASE") or "postgres"
    host = params.get("host") or os.environ.get("PGHOST") or "localhost"
    return Target(make_conninfo(**params), password, dbname, host)


def connect(url: str, timeout_s: int = 5) -> psycopg.Connection[Any]:
    """An autocommit psycopg connection for the operations commands (not the bot's own engine)."""
    import psycopg

    return psycopg.connect(url, connect_timeout=timeout_s, autocommit=True, application_name="klasterbot-ops")


def program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ToolError(f"{name} not found: install PostgreSQL's client programs (Debian: postgresql-client)")
    return found


def run(name: str, args: list[str], where: Target, *, stdout: int | None = subprocess.PIPE) -> str:
    """Run one client program; returns its standard output, raises ``ToolError`` with its error output."""
    result = subprocess.run([program(name), *args], env=where.env(), stdout=stdout, stderr=subprocess.PIPE,
                            text=True, check=False)  # fmt: skip
    if result.returncode != 0:
        message = (result.stderr or "").strip() or f"exit code {result.returncode}"
        raise ToolError(f"{name} failed: {message}")
    return result.stdout or ""

