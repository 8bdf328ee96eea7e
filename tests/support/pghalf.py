"""``make test``'s PostgreSQL half: the storage and end-to-end suites again, on a throwaway PostgreSQL server.

    python -m tests.support.pghalf [PYTEST ARGS...]

Runs ``pytest`` on ``SELECTION`` with ``KLASTER_TEST_ENGINE=postgresql`` under ``tests.support.pgserver`` when
PostgreSQL's ``initdb``/``pg_ctl`` are found. Without them it says clearly that the half was skipped and succeeds,
except under CI (``CI=true``), where a missing PostgreSQL fails the run: CI must test both engines.
"""

from __future__ import annotations

import os
import sys

from tests.support import pgserver
from tests.support.engine import ENGINE_ENV

# The storage kernel, the outbox, crash safety, webhooks, two instances on one database, operations (backup, restore, health) and the features' end-to-end suites.
SELECTION = [
    "tests/kernel/test_storage_db.py",
    "tests/kernel/test_pg_adapter.py",
    "tests/kernel/test_schema_parity.py",
    "tests/kernel/test_outbox.py",
    "tests/kernel/test_crash_safety.py",
    "tests/kernel/test_webhook.py",
    "tests/kernel/test_two_processes.py",
    "tests/kernel/test_ops_postgres.py",
    "tests/features",
]


def main(argv: list[str]) -> int:
    if pgserver.binaries() is None:
        reason = "PostgreSQL's initdb/pg_ctl not found (Debian: apt-get install postgresql)"
        if os.environ.get("CI") == "true":
            print(f"PostgreSQL half FAILED: {reason}; CI must run both engines.", file=sys.stderr)
            return 1
        print(f"PostgreSQL half skipped: {reason}. Only the SQLite half ran.", file=sys.stderr)
        return 0
    os.environ[ENGINE_ENV] = "postgresql"
    print("PostgreSQL half: " + " ".join(SELECTION), file=sys.stderr)
    return pgserver.main(["--", sys.executable, "-m", "pytest", "-q", *SELECTION, *argv])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
