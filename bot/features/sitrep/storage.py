"""SQL for the situation summary: aggregates over needs and offers, the pinned message, versions.

The aggregates are GROUP BYs over the open needs of one cluster, each served by a covering *partial* index
(``WHERE status = 'open'``) whose column order matches its GROUP BY (``needs_open_*`` in migration 0014), so
SQLite reads the open rows' index entries only and needs no temporary sort; the counts come from the running
totals in ``status_counts`` (kept by triggers, migration 0014). Closed history costs the summary nothing; nothing
here scans pledges. Measured in ``bench/bench_sitrep.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel import jobs_storage as jobs_repo
from bot.kernel import sql
from bot.kernel.sql import Conn, Row

REFRESH_KIND = "sitrep.refresh"


@dataclass(frozen=True)
class PinState:
    cluster_id: int
    chat_id: int
    message_id: int
    text_hash: str
    pinned_at: int
    edited_at: int


def open_needs_by_region(conn: Conn, cluster_id: int) -> list[Row]:
    return conn.execute(
        "SELECT region_code, priority, COUNT(*) AS n, COUNT(*) FILTER (WHERE pledged < quantity) AS uncovered FROM needs "
        "WHERE cluster_id = ? AND status = 'open' GROUP BY region_code, priority",
        (cluster_id,),
    ).fetchall()


def most_urgent(conn: Conn, cluster_id: int, limit: int) -> list[Row]:
    return conn.execute(
        "SELECT number, item_key, item_name, quantity, pledged, received, unit, region_code, priority FROM needs "
        "WHERE cluster_id = ? AND status = 'open' AND pledged < quantity ORDER BY priority, created_at LIMIT ?",
        (cluster_id, limit),
    ).fetchall()


def _share(column: str) -> str:
    """``column / quantity`` capped at 1 (an over-pledged need counts as covered, not more); portable ``MIN(x, 1.0)``."""
    return f"CASE WHEN {column} < quantity THEN {column} / quantity ELSE 1.0 END"


def coverage_by_category(conn: Conn, cluster_id: int) -> list[Row]:
    """Per category: number of open needs and the mean share pledged/sent/received (each need counts once,
    because quantities of different items cannot be added)."""
    return conn.execute(
        "SELECT category, COUNT(*) AS n, "
        f"AVG({_share('pledged')}) AS pledged, AVG({_share('sent')}) AS sent, "
        f"AVG({_share('received')}) AS received FROM needs "
        "WHERE cluster_id = ? AND status = 'open' GROUP BY category ORDER BY n DESC, category",
        (cluster_id,),
    ).fetchall()


def needs_by_item(conn: Conn, cluster_id: int) -> list[Row]:
    return conn.execute(
        "SELECT item_key, unit, item_name, SUM(quantity) AS needed, SUM(pledged) AS pledged, "
        "SUM(received) AS received FROM needs WHERE cluster_id = ? AND status = 'open' "
        "GROUP BY item_key, unit, item_name",
        (cluster_id,),
    ).fetchall()


def unused_offers(conn: Conn, cluster_id: int, limit: int) -> tuple[int, list[Row]]:
    # The partial index holds the open, uncommitted offers only (migration 0014); the planner's statistics would
    # otherwise pick offers_open and read every open offer's row to test ``committed``.
    total = conn.execute(
        f"SELECT COUNT(*) FROM offers {sql.indexed_by(conn, 'offers_unused')} WHERE cluster_id = ? AND status = 'open' "
        "AND committed = 0",
        (cluster_id,),
    ).fetchone()[0]
    rows = conn.execute(
        "SELECT f.number, f.item_key, f.item_name, f.quantity, f.unit, f.region_code, "
        f"COALESCE(NULLIF(o.short_name, ''), o.name) AS org_name FROM offers f {sql.indexed_by(conn, 'offers_unused')} "
        "JOIN organizations o ON o.id = f.organization_id "
        "WHERE f.cluster_id = ? AND f.status = 'open' AND f.committed = 0 ORDER BY f.created_at DESC, f.id DESC LIMIT ?",
        (cluster_id, limit),
    ).fetchall()
    return int(total), rows


def counts(conn: Conn, cluster_id: int) -> Row:
    """Open and fulfilled needs, open offers: from the running totals (not a count over the history)."""
    return conn.execute(
        "SELECT COALESCE(SUM(n) FILTER (WHERE kind = 'need' AND status = 'open'), 0) AS open_needs, "
        "COALESCE(SUM(n) FILTER (WHERE kind = 'need' AND status = 'fulfilled'), 0) AS fulfilled_needs, "
        "COALESCE(SUM(n) FILTER (WHERE kind = 'offer' AND status = 'open'), 0) AS open_offers "
        "FROM status_counts WHERE cluster_id = ?",
        (cluster_id,),
    ).fetchone()


# ---- pinned message and versions ------------------------------------------------------------------


def pin_state(conn: Conn, cluster_id: int) -> PinState | None:
    row = conn.execute("SELECT * FROM sitrep_state WHERE cluster_id = ?", (cluster_id,)).fetchone()
    if row is None:
        return None
    return PinState(
        row["cluster_id"], row["chat_id"], row["message_id"], row["text_hash"], row["pinned_at"], row["edited_at"]
    )


def save_pin(
    conn: Conn, cluster_id: int, chat_id: int, message_id: int, text_hash: str, now: int
) -> None:
    conn.execute(
        "INSERT INTO sitrep_state (cluster_id, chat_id, message_id, text_hash, pinned_at, edited_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (cluster_id) DO UPDATE SET chat_id = excluded.chat_id, "
        "message_id = excluded.message_id, text_hash = excluded.text_hash, pinned_at = excluded.pinned_at, "
        "edited_at = excluded.edited_at",
        (cluster_id, chat_id, message_id, text_hash, now, now),
    )


def save_edit(conn: Conn, cluster_id: int, text_hash: str, now: int) -> None:
    conn.execute(
        "UPDATE sitrep_state SET text_hash = ?, edited_at = ? WHERE cluster_id = ?", (text_hash, now, cluster_id)
    )


def add_version(
    conn: Conn, cluster_id: int, kind: str, text: str, message_id: int | None, by: int | None, now: int
) -> int:
    row = conn.execute(
        "INSERT INTO sitrep_versions (cluster_id, kind, text, message_id, published_by, published_at) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (cluster_id, kind, text, message_id, by, now),
    ).fetchone()
    return int(row[0])


def version(conn: Conn, version_id: int) -> Row | None:
    return conn.execute(
        "SELECT v.id, v.cluster_id, v.kind, v.text, v.message_id, v.published_at, c.chat_id FROM sitrep_versions v "
        "JOIN clusters c ON c.id = v.cluster_id WHERE v.id = ?",
        (version_id,),
    ).fetchone()


def set_version_message(conn: Conn, version_id: int, message_id: int, kind: str | None = None) -> None:
    conn.execute(
        "UPDATE sitrep_versions SET message_id = ?, kind = COALESCE(?, kind) WHERE id = ?", (message_id, kind, version_id)
    )


def versions(conn: Conn, cluster_id: int, limit: int = 20) -> list[Row]:
    return conn.execute(
        "SELECT id, kind, published_at, length(text) AS size FROM sitrep_versions WHERE cluster_id = ? "
        "ORDER BY id DESC LIMIT ?",
        (cluster_id, limit),
    ).fetchall()


def version_text(conn: Conn, cluster_id: int, version_id: int) -> str | None:
    row = conn.execute(
        "SELECT text FROM sitrep_versions WHERE cluster_id = ? AND id = ?", (cluster_id, version_id)
    ).fetchone()
    return row[0] if row else None


def mark_changed(
    conn: Conn, cluster_id: int, now: int, min_interval_s: int = 60, max_delay_s: int = 300
) -> None:
    """Data of the cluster changed: make sure a refresh is pending (debounced).

    The refresh runs no earlier than ``min_interval_s`` after the last edit (at most one edit a minute)
    and no later than ``max_delay_s`` after the first unreflected change; later changes inside the window
    ride along with the pending refresh. Nothing is scheduled while no summary is pinned.
    """
    state = pin_state(conn, cluster_id)
    if state is None:
        return
    due = min(max(now, state.edited_at + min_interval_s), now + max_delay_s)
    jobs_repo.schedule_once(conn, REFRESH_KIND, f"sitrep:{cluster_id}", due, cluster_id, {"cluster_id": cluster_id})


def migrate_chat(conn: Conn, old: int, new: int) -> None:
    conn.execute("UPDATE sitrep_state SET chat_id = ? WHERE chat_id = ?", (new, old))
