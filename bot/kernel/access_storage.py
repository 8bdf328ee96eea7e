"""SQL for the read gate (bot/kernel/access.py): which cluster an object named in a button or link belongs to."""

from __future__ import annotations

import sqlite3

# kind -> the query giving the object's cluster (one row, one column)
_OWNER_SQL = {
    "cluster": "SELECT id FROM clusters WHERE id = ?",
    "member": "SELECT cluster_id FROM members WHERE id = ?",
    "need": "SELECT cluster_id FROM needs WHERE id = ?",
    "offer": "SELECT cluster_id FROM offers WHERE id = ?",
    "pledge": "SELECT n.cluster_id FROM pledges p JOIN needs n ON n.id = p.need_id WHERE p.id = ?",
    "event": "SELECT cluster_id FROM events WHERE id = ?",
    "work_item": "SELECT cluster_id FROM work_items WHERE id = ?",
}
OWNER_KINDS = frozenset(_OWNER_SQL)


def owner_cluster(conn: sqlite3.Connection, kind: str, object_id: int) -> int | None:
    """The cluster that owns the object, or None when there is no such object."""
    row = conn.execute(_OWNER_SQL[kind], (object_id,)).fetchone()
    return int(row[0]) if row is not None else None
