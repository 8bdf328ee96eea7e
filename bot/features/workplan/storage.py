"""SQL for the work plan: items with a responsible organisation and a deadline, and their progress notes
(see migration 0009)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.kernel.sql import Conn, Row


@dataclass(frozen=True)
class WorkItem:
    id: int
    cluster_id: int
    number: int
    title: str
    organization_id: int
    org_label: str
    deadline_at: int
    deadline_precision: str
    status: str
    overdue_flagged_at: int | None
    created_at: int
    updated_at: int
    done_at: int | None

    @property
    def code(self) -> str:
        return f"R-{self.number:04d}"


@dataclass(frozen=True)
class WorkNote:
    user_name: str
    from_status: str | None
    to_status: str | None
    note: str
    at: int


# ---- work plan ------------------------------------------------------------------------------------

_WORK_SELECT = (
    "SELECT w.*, COALESCE(NULLIF(o.short_name, ''), o.name) AS org_label FROM work_items w "
    "JOIN organizations o ON o.id = w.organization_id "
)


def _work(row: Row | None) -> WorkItem | None:
    if row is None:
        return None
    return WorkItem(
        row["id"], row["cluster_id"], row["number"], row["title"], row["organization_id"], row["org_label"],
        row["deadline_at"], row["deadline_precision"], row["status"], row["overdue_flagged_at"], row["created_at"],
        row["updated_at"], row["done_at"],
    )  # fmt: skip


def insert_work_item(
    conn: Conn, cluster_id: int, number: int, title: str, org_id: int, deadline_at: int,
    precision: str, user_id: int, now: int,
) -> WorkItem:  # fmt: skip
    row = conn.execute(
        "INSERT INTO work_items (cluster_id, number, title, organization_id, deadline_at, deadline_precision, "
        "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (cluster_id, number, title, org_id, deadline_at, precision, user_id, now, now),
    ).fetchone()
    item = work_by_id(conn, row[0])
    assert item is not None
    return item


def work_by_id(conn: Conn, item_id: int) -> WorkItem | None:
    return _work(conn.execute(_WORK_SELECT + "WHERE w.id = ?", (item_id,)).fetchone())


def work_by_number(conn: Conn, cluster_id: int, number: int) -> WorkItem | None:
    return _work(
        conn.execute(_WORK_SELECT + "WHERE w.cluster_id = ? AND w.number = ?", (cluster_id, number)).fetchone()
    )


def work_items(
    conn: Conn, cluster_id: int, include_done: bool = False, org_id: int | None = None
) -> list[WorkItem]:
    sql = _WORK_SELECT + "WHERE w.cluster_id = ?"
    params: list[Any] = [cluster_id]
    if not include_done:
        sql += " AND w.status != 'done'"
    if org_id is not None:
        sql += " AND w.organization_id = ?"
        params.append(org_id)
    return [w for w in map(_work, conn.execute(sql + " ORDER BY w.deadline_at, w.number", params)) if w]


def open_work_items(conn: Conn, cluster_id: int) -> list[WorkItem]:
    return work_items(conn, cluster_id)


def update_work_item(conn: Conn, item_id: int, now: int, **fields: Any) -> None:
    allowed = {"status", "deadline_at", "deadline_precision", "overdue_flagged_at", "done_at", "title"}
    keys = [k for k in fields if k in allowed]
    conn.execute(
        f"UPDATE work_items SET {', '.join(f'{k} = ?' for k in keys)}, updated_at = ? WHERE id = ?",
        (*[fields[k] for k in keys], now, item_id),
    )


def add_work_note(
    conn: Conn, item_id: int, user_id: int, from_status: str | None, to_status: str | None, note: str,
    now: int,
) -> None:  # fmt: skip
    conn.execute(
        "INSERT INTO work_notes (work_item_id, user_id, from_status, to_status, note, at) VALUES (?, ?, ?, ?, ?, ?)",
        (item_id, user_id, from_status, to_status, note, now),
    )


def work_notes(conn: Conn, item_id: int, limit: int = 10) -> list[WorkNote]:
    rows = conn.execute(
        "SELECT TRIM(COALESCE(u.first_name, '') || ' ' || COALESCE(u.last_name, '')) AS name, n.from_status, "
        "n.to_status, n.note, n.at FROM work_notes n LEFT JOIN users u ON u.user_id = n.user_id "
        "WHERE n.work_item_id = ? ORDER BY n.at DESC, n.id DESC LIMIT ?",
        (item_id, limit),
    )
    return [WorkNote(r[0] or "", r[1], r[2], r[3], r[4]) for r in rows]


def export_work_items(conn: Conn, cluster_id: int) -> list[Row]:
    """The work plan with each item's organisation and latest progress note."""
    return conn.execute(
        "SELECT w.*, o.name AS org_name, (SELECT n.note FROM work_notes n WHERE n.work_item_id = w.id "
        "AND n.note <> '' ORDER BY n.at DESC, n.id DESC LIMIT 1) AS last_note "
        "FROM work_items w JOIN organizations o ON o.id = w.organization_id WHERE w.cluster_id = ? ORDER BY w.number",
        (cluster_id,),
    ).fetchall()


def cluster_of_work_item(conn: Conn, object_id: int) -> int | None:
    """The cluster of a work-plan item (the read gate's owner lookup); None when there is no such row."""
    row = conn.execute("SELECT cluster_id FROM work_items WHERE id = ?", (object_id,)).fetchone()
    return int(row[0]) if row is not None else None
