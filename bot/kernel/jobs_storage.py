"""SQL for scheduled work rows (see migration 0003)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.kernel.sql import Conn, Row


@dataclass(frozen=True)
class JobRow:
    id: int
    cluster_id: int | None
    kind: str
    ref: str
    due_at: int
    status: str
    payload: dict[str, Any]


def _row(row: Row) -> JobRow:
    return JobRow(
        row["id"], row["cluster_id"], row["kind"], row["ref"], row["due_at"], row["status"], json.loads(row["payload"])
    )


def schedule(
    conn: Conn,
    kind: str,
    ref: str,
    due_at: int,
    cluster_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> int:
    """Create or move a pending job. A job that already ran is re-armed only if the new time is later
    (a recurring slot moving forward), never re-sent for the same time."""
    row = conn.execute(
        "INSERT INTO scheduled_jobs (cluster_id, kind, ref, due_at, payload) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (kind, ref) DO UPDATE SET due_at = excluded.due_at, payload = excluded.payload, "
        "status = CASE WHEN scheduled_jobs.status IN ('pending', 'cancelled') "
        "OR excluded.due_at > scheduled_jobs.due_at THEN 'pending' ELSE scheduled_jobs.status END, "
        "claimed_at = CASE WHEN scheduled_jobs.status IN ('pending', 'cancelled') OR "
        "excluded.due_at > scheduled_jobs.due_at THEN NULL ELSE scheduled_jobs.claimed_at END "
        "RETURNING id",
        (cluster_id, kind, ref, due_at, json.dumps(payload or {}, ensure_ascii=False)),
    ).fetchone()
    return int(row[0])


def cancel(conn: Conn, kind: str, ref_prefix: str) -> int:
    cur = conn.execute(
        "UPDATE scheduled_jobs SET status = 'cancelled' WHERE kind = ? AND ref LIKE ? AND status = 'pending'",
        (kind, ref_prefix.replace("%", r"\%") + "%"),
    )
    return cur.rowcount


def claim_due(conn: Conn, now: int, limit: int = 500) -> list[JobRow]:
    """Atomically move due pending rows to 'claimed'; whoever claims a row is the only one to run it."""
    rows = conn.execute(
        "UPDATE scheduled_jobs SET status = 'claimed', claimed_at = ? WHERE id IN ("
        "SELECT id FROM scheduled_jobs WHERE status = 'pending' AND due_at <= ? ORDER BY due_at LIMIT ?) "
        "RETURNING *",
        (now, now, limit),
    ).fetchall()
    return sorted((_row(r) for r in rows), key=lambda j: (j.due_at, j.id))


def finish(conn: Conn, job_id: int, status: str, now: int, note: str = "") -> None:
    conn.execute(
        "UPDATE scheduled_jobs SET status = ?, done_at = ?, note = ? WHERE id = ? AND status = 'claimed'",
        (status, now, note, job_id),
    )


def interrupted_claims(conn: Conn) -> int:
    """Claims left by a crash are not re-sent (that could send twice); they are recorded instead."""
    cur = conn.execute("UPDATE scheduled_jobs SET status = 'interrupted' WHERE status = 'claimed'")
    return cur.rowcount


def recover_claims(conn: Conn, rerun_kinds: Sequence[str], now: int) -> tuple[int, int]:
    """At start, claims a crash left. A kind in ``rerun_kinds`` writes its status and its messages in one
    transaction, so its claim owes nothing yet: it goes back to pending and runs (once). Any other claim may have
    sent part of its work directly: recorded 'interrupted' with the reason, not re-sent. Returns both counts."""
    kinds = list(rerun_kinds)
    marks = ", ".join("?" * len(kinds))
    again = conn.execute(
        f"UPDATE scheduled_jobs SET status = 'pending', claimed_at = NULL WHERE status = 'claimed' AND kind IN ({marks})",
        kinds,
    ).rowcount if kinds else 0  # fmt: skip
    interrupted = conn.execute(
        "UPDATE scheduled_jobs SET status = 'interrupted', done_at = ?, "
        "note = 'claimed before a restart; it sends directly, so it may have sent part: not repeated' "
        "WHERE status = 'claimed'",
        (now,),
    ).rowcount
    return again, interrupted


def pending_before(conn: Conn, until: int) -> list[tuple[int, int]]:
    """(id, due_at) of pending jobs due before ``until``: what the job queue should hold right now."""
    return [
        (r[0], r[1])
        for r in conn.execute(
            "SELECT id, due_at FROM scheduled_jobs WHERE status = 'pending' AND due_at <= ? ORDER BY due_at", (until,)
        )
    ]


def jobs(conn: Conn, kind: str | None = None, ref_prefix: str = "") -> list[JobRow]:
    sql = "SELECT * FROM scheduled_jobs WHERE ref LIKE ?"
    params: list[Any] = [ref_prefix.replace("%", r"\%") + "%"]
    if kind:
        sql += " AND kind = ?"
        params.append(kind)
    return [_row(r) for r in conn.execute(sql + " ORDER BY due_at, id", params)]


def migrate_chat(conn: Conn, old: int, new: int) -> None:
    """Jobs reference clusters by id, not chat id: nothing to move."""
    return None


def schedule_once(
    conn: Conn,
    kind: str,
    ref: str,
    due_at: int,
    cluster_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Debounce: if a pending job exists keep its (earlier) time; otherwise (re-)arm it for ``due_at``."""
    conn.execute(
        "INSERT INTO scheduled_jobs (cluster_id, kind, ref, due_at, payload) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (kind, ref) DO UPDATE SET "
        "due_at = CASE WHEN scheduled_jobs.status = 'pending' AND scheduled_jobs.due_at < excluded.due_at "
        "THEN scheduled_jobs.due_at ELSE excluded.due_at END, "
        "status = CASE WHEN scheduled_jobs.status = 'claimed' THEN 'claimed' ELSE 'pending' END, "
        "claimed_at = CASE WHEN scheduled_jobs.status = 'claimed' THEN scheduled_jobs.claimed_at ELSE NULL END",
        (cluster_id, kind, ref, due_at, json.dumps(payload or {}, ensure_ascii=False)),
    )
