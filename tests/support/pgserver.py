"""A throwaway PostgreSQL server for the tests, benchmarks and CI: ``initdb`` in a temporary directory, started
with ``pg_ctl`` on a free local port (TCP on 127.0.0.1 and a Unix socket in the same directory), stopped and
removed at the end. PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` system user
(created by Debian's ``postgresql`` package).

    python -m tests.support.pgserver -- CMD ARGS...   # CMD runs with KLASTER_TEST_PG=postgresql://… set

Tests read ``KLASTER_TEST_PG`` (an administrator's URL: each test gets a database of its own, created from a
migrated template). Without it the PostgreSQL half of the suites is skipped, and said so.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ENV = "KLASTER_TEST_PG"
_SEARCH = ["/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"]


def binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` (PATH first, then Debian's versioned folders), or None."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    for folder in _SEARCH:
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@contextlib.contextmanager
def server() -> Iterator[str]:
    """Start a server; yields the administrator's URL (user ``postgres``, database ``postgres``, no password)."""
    bindir = binaries()
    if bindir is None:
        raise RuntimeError("PostgreSQL's initdb/pg_ctl not found (Debian: apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="klaster-pg-"))
    data = root / "data"
    port = _free_port()
    try:
        root.chmod(0o755)
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        subprocess.run(
            _as_owner([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                       "--locale=C.UTF-8", "--no-sync"]),
            check=True, stdout=subprocess.DEVNULL,
        )
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        subprocess.run(
            _as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w",
                       "start"]),
            check=True, stdout=subprocess.DEVNULL,
        )
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                _as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                check=False, stdout=subprocess.DEVNULL,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print(__doc__)
        return 2
    with server() as url:
        print(f"PostgreSQL throwaway server: {url}", file=sys.stderr)
        return subprocess.run(argv, env={**os.environ, ENV: url}, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
