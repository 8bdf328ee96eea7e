"""SQL for incidents, needs, offers, pledges and pledge events.

The needs row carries running totals (pledged / sent / received) that are updated in the same
transaction as every pledge change and its event row, so the totals always equal the pledges' sums
(tested as a property) and lists never need a GROUP BY over pledges.
"""

from __future__ import annotations

from typing import Any

from bot.features.needs.models import (  # the entities live in models.py; importable from here as before
    PRIORITIES,
    Incident,
    Need,
    Offer,
    Pledge,
    incident_from_row,
    need_from_row,
    offer_from_row,
    pledge_from_row,
)
from bot.kernel.sql import Conn, Row, for_update, is_postgresql

__all__ = ["PRIORITIES", "Incident", "Need", "Offer", "Pledge"]


def next_number(conn: Conn, cluster_id: int, kind: str) -> int:
    row = conn.execute(
        "INSERT INTO counters (cluster_id, kind, value) VALUES (?, ?, 1) "
        "ON CONFLICT (cluster_id, kind) DO UPDATE SET value = counters.value + 1 RETURNING value",
        (cluster_id, kind),
    ).fetchone()
    return int(row[0])


# ---- incidents ------------------------------------------------------------------------------------


def create_incident(
    conn: Conn,
    cluster_id: int,
    type_: str,
    title: str,
    region_codes: list[str],
    status: str,
    started_at: int,
    by: int,
    now: int,
) -> Incident:
    row = conn.execute(
        "INSERT INTO incidents (cluster_id, type, title, region_codes, status, started_at, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
        (cluster_id, type_, title, ",".join(region_codes), status, started_at, by, now),
    ).fetchone()
    return incident_from_row(row)


def incident_by_id(conn: Conn, cluster_id: int, incident_id: int) -> Incident | None:
    row = conn.execute("SELECT * FROM incidents WHERE id = ? AND cluster_id = ?", (incident_id, cluster_id)).fetchone()
    return incident_from_row(row) if row else None


def incidents(conn: Conn, cluster_id: int, active_only: bool = True) -> list[Incident]:
    sql = "SELECT * FROM incidents WHERE cluster_id = ?" + (" AND status != 'selesai'" if active_only else "")
    return [incident_from_row(r) for r in conn.execute(sql + " ORDER BY started_at DESC", (cluster_id,))]


def set_incident_status(conn: Conn, incident_id: int, status: str, now: int) -> None:
    conn.execute(
        "UPDATE incidents SET status = ?, closed_at = ? WHERE id = ?",
        (status, now if status == "selesai" else None, incident_id),
    )


# ---- needs ----------------------------------------------------------------------------------------

_NEED_SELECT = (
    "SELECT n.*, COALESCE(NULLIF(o.short_name, ''), o.name) AS org_name FROM needs n "
    "JOIN organizations o ON o.id = n.organization_id "
)


def insert_need(conn: Conn, **fields: Any) -> Need:
    keys = list(fields)
    row = conn.execute(
        f"INSERT INTO needs ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))}) RETURNING id",
        [fields[k] for k in keys],
    ).fetchone()
    need = need_by_id(conn, row[0])
    assert need is not None
    return need


def lock_need(conn: Conn, need_id: int) -> None:
    """Hold the need's row until the transaction ends: a pledge reads what is still open and writes against it, so
    two pledges on several connections (PostgreSQL) must not both read the same remainder. The row alone is locked
    (not the joined organisation, which ``FOR UPDATE`` on ``_NEED_SELECT`` would lock too). Nothing on SQLite,
    where the writer's ``BEGIN IMMEDIATE`` holds the one write lock for the whole use case (no statement at all)."""
    if is_postgresql(conn):
        conn.execute(f"SELECT id FROM needs WHERE id = ?{for_update(conn)}", (need_id,)).fetchone()


def lock_offer(conn: Conn, offer_id: int) -> None:
    """Hold the offer's row (what is still available of it) until the transaction ends; see ``lock_need``."""
    if is_postgresql(conn):
        conn.execute(f"SELECT id FROM offers WHERE id = ?{for_update(conn)}", (offer_id,)).fetchone()


def lock_pledge(conn: Conn, pledge_id: int) -> None:
    """Lock a pledge's need, then the pledge (always need first, as pledging does: no deadlock). Nothing on SQLite
    (see ``lock_need``)."""
    if not is_postgresql(conn):
        return
    row = conn.execute("SELECT need_id FROM pledges WHERE id = ?", (pledge_id,)).fetchone()
    if row is None:
        return
    lock_need(conn, int(row[0]))
    conn.execute(f"SELECT id FROM pledges WHERE id = ?{for_update(conn)}", (pledge_id,)).fetchone()


def need_by_id(conn: Conn, need_id: int) -> Need | None:
    row = conn.execute(_NEED_SELECT + "WHERE n.id = ?", (need_id,)).fetchone()
    return need_from_row(row) if row else None


def recent_same_need(
    conn: Conn,
    cluster_id: int,
    org_id: int,
    item_key: str | None,
    item_name: str,
    quantity: float,
    unit: str,
    region_code: str | None,
    since: int,
) -> Need | None:
    """The organisation's newest open need for the same item, quantity, unit and region posted since ``since``."""
    same_item = ("n.item_key = ?", item_key) if item_key is not None else (
        "n.item_key IS NULL AND lower(n.item_name) = lower(?)", item_name)  # fmt: skip
    row = conn.execute(
        _NEED_SELECT + "WHERE n.cluster_id = ? AND n.organization_id = ? AND n.status = 'open' AND n.created_at >= ? "
        f"AND n.quantity = ? AND n.unit = ? AND n.region_code IS NOT DISTINCT FROM ? AND {same_item[0]} "
        "ORDER BY n.created_at DESC, n.id DESC LIMIT 1",
        (cluster_id, org_id, since, quantity, unit, region_code, same_item[1]),
    ).fetchone()
    return need_from_row(row) if row else None


def need_by_number(conn: Conn, cluster_id: int, number: int) -> Need | None:
    row = conn.execute(_NEED_SELECT + "WHERE n.cluster_id = ? AND n.number = ?", (cluster_id, number)).fetchone()
    return need_from_row(row) if row else None


def need_by_message(conn: Conn, chat_id: int, message_id: int) -> Need | None:
    """The need whose card is this message (a reply to the card acts on that need)."""
    row = conn.execute(_NEED_SELECT + "WHERE n.chat_id = ? AND n.message_id = ?", (chat_id, message_id)).fetchone()
    return need_from_row(row) if row else None


def update_need_fields(conn: Conn, need_id: int, now: int, **fields: Any) -> None:
    """The owner's edit of quantity/unit, deadline or place (column names come from the service, not users)."""
    allowed = {"quantity", "needed_by", "location"}
    keys = [k for k in fields if k in allowed]
    if not keys:
        return
    conn.execute(
        f"UPDATE needs SET {', '.join(f'{k} = ?' for k in keys)}, updated_at = ? WHERE id = ?",
        [*(fields[k] for k in keys), now, need_id],
    )


def set_need_message(conn: Conn, need_id: int, chat_id: int, message_id: int) -> None:
    conn.execute("UPDATE needs SET chat_id = ?, message_id = ? WHERE id = ?", (chat_id, message_id, need_id))


def set_need_status(conn: Conn, need_id: int, status: str, now: int) -> bool:
    cur = conn.execute(
        "UPDATE needs SET status = ?, updated_at = ?, closed_at = ? WHERE id = ? AND status != ?",
        (status, now, None if status == "open" else now, need_id, status),
    )
    return cur.rowcount > 0


def mark_escalated(conn: Conn, need_id: int, now: int) -> None:
    conn.execute("UPDATE needs SET escalated_at = ? WHERE id = ?", (now, need_id))


def list_needs(
    conn: Conn,
    cluster_id: int,
    status: str = "open",
    region_code: str | None = None,
    item_key: str | None = None,
    category: str | None = None,
    priority: int | None = None,
    incident_id: int | None = None,
    organization_id: int | None = None,
    limit: int = 500,
) -> list[Need]:
    """Filtered list, most urgent first then oldest (the order the group should act in)."""
    sql = _NEED_SELECT + "WHERE n.cluster_id = ? AND n.status = ?"
    params: list[Any] = [cluster_id, status]
    for column, value in (
        ("n.region_code", region_code),
        ("n.item_key", item_key),
        ("n.category", category),
        ("n.priority", priority),
        ("n.incident_id", incident_id),
        ("n.organization_id", organization_id),
    ):
        if value is not None:
            sql += f" AND {column} = ?"
            params.append(value)
    sql += " ORDER BY n.priority, n.created_at LIMIT ?"
    params.append(limit)
    return [need_from_row(r) for r in conn.execute(sql, params)]


def apply_pledge_delta(
    conn: Conn, need_id: int, pledged: float, sent: float, received: float, now: int
) -> None:
    conn.execute(
        "UPDATE needs SET pledged = pledged + ?, sent = sent + ?, received = received + ?, updated_at = ? WHERE id = ?",
        (pledged, sent, received, now, need_id),
    )


# ---- offers ---------------------------------------------------------------------------------------

_OFFER_SELECT = (
    "SELECT f.*, COALESCE(NULLIF(o.short_name, ''), o.name) AS org_name FROM offers f "
    "JOIN organizations o ON o.id = f.organization_id "
)


def insert_offer(conn: Conn, **fields: Any) -> Offer:
    keys = list(fields)
    row = conn.execute(
        f"INSERT INTO offers ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))}) RETURNING id",
        [fields[k] for k in keys],
    ).fetchone()
    offer = offer_by_id(conn, row[0])
    assert offer is not None
    return offer


def offer_by_id(conn: Conn, offer_id: int) -> Offer | None:
    row = conn.execute(_OFFER_SELECT + "WHERE f.id = ?", (offer_id,)).fetchone()
    return offer_from_row(row) if row else None


def offer_by_number(conn: Conn, cluster_id: int, number: int) -> Offer | None:
    row = conn.execute(_OFFER_SELECT + "WHERE f.cluster_id = ? AND f.number = ?", (cluster_id, number)).fetchone()
    return offer_from_row(row) if row else None


def set_offer_message(conn: Conn, offer_id: int, chat_id: int, message_id: int) -> None:
    conn.execute("UPDATE offers SET chat_id = ?, message_id = ? WHERE id = ?", (chat_id, message_id, offer_id))


def set_offer_status(conn: Conn, offer_id: int, status: str, now: int) -> bool:
    cur = conn.execute(
        "UPDATE offers SET status = ?, updated_at = ? WHERE id = ? AND status != ?", (status, now, offer_id, status)
    )
    return cur.rowcount > 0


def add_offer_committed(conn: Conn, offer_id: int, delta: float, now: int) -> None:
    conn.execute(
        "UPDATE offers SET committed = CASE WHEN committed + ? > 0 THEN committed + ? ELSE 0 END, updated_at = ?, "
        "status = CASE WHEN status = 'withdrawn' THEN status WHEN committed + ? >= quantity THEN 'taken' "
        "ELSE 'open' END WHERE id = ?",
        (delta, delta, now, delta, offer_id),
    )


def list_offers(
    conn: Conn,
    cluster_id: int,
    status: str = "open",
    region_code: str | None = None,
    item_key: str | None = None,
    category: str | None = None,
    organization_id: int | None = None,
    limit: int = 500,
) -> list[Offer]:
    sql = _OFFER_SELECT + "WHERE f.cluster_id = ? AND f.status = ?"
    params: list[Any] = [cluster_id, status]
    for column, value in (
        ("f.region_code", region_code),
        ("f.item_key", item_key),
        ("f.category", category),
        ("f.organization_id", organization_id),
    ):
        if value is not None:
            sql += f" AND {column} = ?"
            params.append(value)
    sql += " ORDER BY f.created_at LIMIT ?"
    params.append(limit)
    return [offer_from_row(r) for r in conn.execute(sql, params)]


# ---- pledges --------------------------------------------------------------------------------------

_PLEDGE_SELECT = (
    "SELECT p.*, COALESCE(NULLIF(o.short_name, ''), o.name) AS org_name FROM pledges p "
    "JOIN organizations o ON o.id = p.organization_id "
)


def insert_pledge(
    conn: Conn,
    need_id: int,
    org_id: int,
    user_id: int,
    offer_id: int | None,
    source: str,
    quantity: float,
    now: int,
) -> Pledge:
    row = conn.execute(
        "INSERT INTO pledges (need_id, organization_id, user_id, offer_id, source, quantity, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (need_id, org_id, user_id, offer_id, source, quantity, now, now),
    ).fetchone()
    pledge = pledge_by_id(conn, row[0])
    assert pledge is not None
    return pledge


def pledge_by_id(conn: Conn, pledge_id: int) -> Pledge | None:
    row = conn.execute(_PLEDGE_SELECT + "WHERE p.id = ?", (pledge_id,)).fetchone()
    return pledge_from_row(row) if row else None


def set_pledge_status(conn: Conn, pledge_id: int, from_status: str, to_status: str, now: int) -> bool:
    """Compare-and-set: a replayed button press finds the status already moved and changes nothing."""
    cur = conn.execute(
        "UPDATE pledges SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
        (to_status, now, pledge_id, from_status),
    )
    return cur.rowcount > 0


def pledges_of_need(conn: Conn, need_id: int) -> list[Pledge]:
    return [pledge_from_row(r) for r in conn.execute(_PLEDGE_SELECT + "WHERE p.need_id = ? ORDER BY p.id", (need_id,))]


def pledges_of_org(conn: Conn, org_id: int, statuses: tuple[str, ...]) -> list[Pledge]:
    rows = conn.execute(
        _PLEDGE_SELECT + f"WHERE p.organization_id = ? AND p.status IN ({','.join('?' * len(statuses))}) "
        "ORDER BY p.id DESC LIMIT 50",
        (org_id, *statuses),
    )
    return [pledge_from_row(r) for r in rows]


def add_pledge_event(
    conn: Conn, pledge: Pledge, from_status: str | None, to_status: str, user_id: int, now: int
) -> None:
    conn.execute(
        "INSERT INTO pledge_events (pledge_id, need_id, from_status, to_status, quantity, user_id, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (pledge.id, pledge.need_id, from_status, to_status, pledge.quantity, user_id, now),
    )


def totals_from_events(conn: Conn, need_id: int) -> tuple[float, float, float]:
    """(pledged, sent, received) recomputed from the event log alone: the audit check."""
    state: dict[int, tuple[str, float]] = {}
    for row in conn.execute(
        "SELECT pledge_id, to_status, quantity FROM pledge_events WHERE need_id = ? ORDER BY id", (need_id,)
    ):
        state[row[0]] = (row[1], row[2])
    pledged = sum(q for s, q in state.values() if s in ("pledged", "sent", "received"))
    sent = sum(q for s, q in state.values() if s in ("sent", "received"))
    received = sum(q for s, q in state.values() if s == "received")
    return pledged, sent, received


def audit_trail(conn: Conn, need_id: int) -> list[Row]:
    return conn.execute(
        "SELECT e.*, COALESCE(NULLIF(o.short_name, ''), o.name) AS org_name, u.first_name FROM pledge_events e "
        "JOIN pledges p ON p.id = e.pledge_id JOIN organizations o ON o.id = p.organization_id "
        "LEFT JOIN users u ON u.user_id = e.user_id WHERE e.need_id = ? ORDER BY e.id",
        (need_id,),
    ).fetchall()


def migrate_chat(conn: Conn, old: int, new: int) -> None:
    """Cards live in the group: their chat id follows the group when it becomes a supergroup."""
    conn.execute("UPDATE needs SET chat_id = ? WHERE chat_id = ?", (new, old))
    conn.execute("UPDATE offers SET chat_id = ? WHERE chat_id = ?", (new, old))


def cluster_of_pledge(conn: Conn, object_id: int) -> int | None:
    """The cluster of a pledge (through its need) (the read gate's owner lookup); None when there is no such row."""
    row = conn.execute("SELECT n.cluster_id FROM pledges p JOIN needs n ON n.id = p.need_id WHERE p.id = ?", (object_id,)).fetchone()
    return int(row[0]) if row is not None else None
