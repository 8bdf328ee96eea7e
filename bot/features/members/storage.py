"""SQL for clusters, organisations, representatives, the secretariat, handovers and capacities."""

from __future__ import annotations

from typing import Any

from bot.features.members.models import Cluster, Member, Organization
from bot.kernel.sql import Conn, Row, for_update, is_postgresql


def _cluster(row: Row | None) -> Cluster | None:
    if row is None:
        return None
    return Cluster(row["id"], row["chat_id"], row["name"], row["area"], row["province"], row["timezone"], row["locale"])


def _org(row: Row | None) -> Organization | None:
    if row is None:
        return None
    return Organization(
        row["id"], row["cluster_id"], row["name"], row["short_name"], row["type"], row["region_code"],
        row["status"], bool(row["stock_public"]), row["last_activity"], row["created_at"], row["invite_code"],
    )  # fmt: skip


_MEMBER_SELECT = (
    "SELECT m.id, m.cluster_id, m.user_id, m.organization_id, m.title, m.status, m.joined_at, "
    "COALESCE(u.first_name, '') AS first_name, u.last_name, u.username "
    "FROM members m LEFT JOIN users u ON u.user_id = m.user_id "
)


def _member(row: Row | None) -> Member | None:
    if row is None:
        return None
    return Member(
        row["id"], row["cluster_id"], row["user_id"], row["organization_id"], row["title"], row["status"],
        row["joined_at"], row["first_name"], row["last_name"], row["username"],
    )  # fmt: skip


# ---- clusters -------------------------------------------------------------------------------------


def cluster_by_chat(conn: Conn, chat_id: int) -> Cluster | None:
    return _cluster(conn.execute("SELECT * FROM clusters WHERE chat_id = ?", (chat_id,)).fetchone())


def cluster_by_id(conn: Conn, cluster_id: int) -> Cluster | None:
    return _cluster(conn.execute("SELECT * FROM clusters WHERE id = ?", (cluster_id,)).fetchone())


def all_clusters(conn: Conn) -> list[Cluster]:
    return [c for c in map(_cluster, conn.execute("SELECT * FROM clusters ORDER BY id")) if c]


def create_cluster(
    conn: Conn, chat_id: int, name: str, area: str, province: str, tz: str, locale: str,
    user_id: int, now: int,
) -> tuple[Cluster, bool]:  # fmt: skip
    """Insert the cluster unless the chat already is one; returns (cluster, created)."""
    row = conn.execute(
        "INSERT INTO clusters (chat_id, name, area, province, timezone, locale, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO NOTHING RETURNING *",
        (chat_id, name, area, province, tz, locale, user_id, now),
    ).fetchone()
    if row is None:
        existing = cluster_by_chat(conn, chat_id)
        assert existing is not None
        return existing, False
    conn.execute(
        "INSERT INTO secretariat (cluster_id, user_id, added_by, added_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (row["id"], user_id, user_id, now),
    )
    cluster = _cluster(row)
    assert cluster is not None
    return cluster, True


# ---- secretariat ----------------------------------------------------------------------------------


def is_secretariat(conn: Conn, cluster_id: int, user_id: int) -> bool:
    return (
        conn.execute("SELECT 1 FROM secretariat WHERE cluster_id = ? AND user_id = ?", (cluster_id, user_id)).fetchone()
        is not None
    )


def add_secretariat(conn: Conn, cluster_id: int, user_id: int, by: int, now: int) -> bool:
    cur = conn.execute(
        "INSERT INTO secretariat (cluster_id, user_id, added_by, added_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (cluster_id, user_id, by, now),
    )
    return cur.rowcount > 0


def remove_secretariat(conn: Conn, cluster_id: int, user_id: int) -> bool:
    cur = conn.execute("DELETE FROM secretariat WHERE cluster_id = ? AND user_id = ?", (cluster_id, user_id))
    return cur.rowcount > 0


def secretariat_cluster_ids(conn: Conn, user_id: int, limit: int = 1) -> list[int]:
    rows = conn.execute("SELECT cluster_id FROM secretariat WHERE user_id = ? LIMIT ?", (user_id, limit))
    return [int(r[0]) for r in rows]


def secretariat_users(conn: Conn, cluster_id: int) -> list[Row]:
    return conn.execute(
        "SELECT s.user_id, COALESCE(u.first_name, '') AS first_name, u.last_name, u.username "
        "FROM secretariat s LEFT JOIN users u ON u.user_id = s.user_id WHERE s.cluster_id = ? ORDER BY s.added_at",
        (cluster_id,),
    ).fetchall()


# ---- users ----------------------------------------------------------------------------------------


def user_by_username(conn: Conn, username: str) -> Row | None:
    return conn.execute(
        "SELECT user_id, first_name, last_name, username FROM users WHERE lower(username) = lower(?)",
        (username.lstrip("@"),),
    ).fetchone()


def user_locale(conn: Conn, user_id: int) -> str | None:
    row = conn.execute("SELECT locale FROM users WHERE user_id = ?", (user_id,)).fetchone()
    return row[0] if row else None


def user_row(conn: Conn, user_id: int) -> Row | None:
    return conn.execute(
        "SELECT user_id, first_name, last_name, username, reachable FROM users WHERE user_id = ?", (user_id,)
    ).fetchone()


# ---- organisations --------------------------------------------------------------------------------


def org_by_id(conn: Conn, org_id: int) -> Organization | None:
    return _org(conn.execute("SELECT * FROM organizations WHERE id = ?", (org_id,)).fetchone())


def org_by_invite(conn: Conn, code: str) -> Organization | None:
    return _org(conn.execute("SELECT * FROM organizations WHERE invite_code = ?", (code,)).fetchone())


def orgs_of_cluster(conn: Conn, cluster_id: int, statuses: tuple[str, ...] = ()) -> list[Organization]:
    sql = "SELECT * FROM organizations WHERE cluster_id = ?"
    params: list[Any] = [cluster_id]
    if statuses:
        sql += f" AND status IN ({','.join('?' * len(statuses))})"
        params += statuses
    sql += " ORDER BY type, lower(name), name"
    return [o for o in map(_org, conn.execute(sql, params)) if o]


_LISTED = ("invited", "pending", "approved", "inactive")


def directory_rows(
    conn: Conn, cluster_id: int, type_order: tuple[str, ...], offset: int, limit: int
) -> list[tuple[Organization, int]]:
    """One page of the directory in display order (type rank, then name), with active representative counts:
    only the page's rows are read and built, so the cost does not grow with the cluster."""
    rank = "CASE o.type " + " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(type_order)) + " ELSE 99 END"
    rows = conn.execute(
        f"SELECT o.*, (SELECT COUNT(*) FROM members m WHERE m.organization_id = o.id AND m.status = 'active') AS reps "
        f"FROM organizations o WHERE o.cluster_id = ? AND o.status IN ({','.join('?' * len(_LISTED))}) "
        f"ORDER BY {rank}, lower(o.name), o.name, o.id LIMIT ? OFFSET ?",
        (cluster_id, *_LISTED, limit, offset),
    ).fetchall()
    return [(org, int(row["reps"])) for row in rows for org in [_org(row)] if org]


def org_type_counts(conn: Conn, cluster_id: int) -> dict[str, int]:
    return {
        row[0]: row[1]
        for row in conn.execute(
            f"SELECT type, COUNT(*) FROM organizations WHERE cluster_id = ? AND status IN ({','.join('?' * len(_LISTED))}) "
            "GROUP BY type",
            (cluster_id, *_LISTED),
        )
    }


def create_org(
    conn: Conn, cluster_id: int, name: str, short_name: str, norm_name: str, type_: str,
    region_code: str | None, status: str, now: int, invite_code: str | None = None,
) -> Organization:  # fmt: skip
    row = conn.execute(
        "INSERT INTO organizations (cluster_id, name, short_name, norm_name, type, region_code, status, invite_code, "
        "created_at, last_activity) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
        (cluster_id, name, short_name, norm_name, type_, region_code, status, invite_code, now, now),
    ).fetchone()
    org = _org(row)
    assert org is not None
    return org


def update_org(conn: Conn, org_id: int, **fields: Any) -> None:
    allowed = {"name", "short_name", "norm_name", "type", "region_code", "status", "stock_public", "decided_at",
               "decided_by", "invite_code", "last_activity"}  # fmt: skip
    keys = [k for k in fields if k in allowed]
    if not keys:
        return
    conn.execute(
        f"UPDATE organizations SET {', '.join(f'{k} = ?' for k in keys)} WHERE id = ?",
        (*[fields[k] for k in keys], org_id),
    )


def lock_org(conn: Conn, org_id: int) -> None:
    """Hold the organisation's row until the transaction ends (a check-then-write on its behalf, such as the
    double-post guard, with several connections on PostgreSQL); nothing on SQLite (``BEGIN IMMEDIATE``)."""
    if is_postgresql(conn):  # SQLite: BEGIN IMMEDIATE holds the one write lock, no statement
        conn.execute(f"SELECT id FROM organizations WHERE id = ?{for_update(conn)}", (org_id,)).fetchone()


def lock_member(conn: Conn, member_id: int) -> None:
    """Hold a membership's row: one approval press decides it, even when two presses reach two processes."""
    if is_postgresql(conn):  # SQLite: BEGIN IMMEDIATE holds the one write lock, no statement
        conn.execute(f"SELECT id FROM members WHERE id = ?{for_update(conn)}", (member_id,)).fetchone()


def lock_person(conn: Conn, user_id: int) -> None:
    """Hold the person's ``users`` row: one person's check-then-write (a registration, a code attempt) at a time
    across processes on PostgreSQL; nothing on SQLite."""
    if is_postgresql(conn):  # SQLite: BEGIN IMMEDIATE holds the one write lock, no statement
        conn.execute(f"SELECT user_id FROM users WHERE user_id = ?{for_update(conn)}", (user_id,)).fetchone()


def touch_org(conn: Conn, org_id: int, now: int) -> None:
    conn.execute("UPDATE organizations SET last_activity = ? WHERE id = ?", (now, org_id))


def org_status_counts(conn: Conn, cluster_id: int) -> dict[str, int]:
    return {
        row[0]: row[1]
        for row in conn.execute(
            "SELECT status, COUNT(*) FROM organizations WHERE cluster_id = ? GROUP BY status", (cluster_id,)
        )
    }


def active_rep_counts(conn: Conn, cluster_id: int) -> dict[int, int]:
    return {
        row[0]: row[1]
        for row in conn.execute(
            "SELECT organization_id, COUNT(*) FROM members WHERE cluster_id = ? AND status = 'active' "
            "GROUP BY organization_id",
            (cluster_id,),
        )
    }


# ---- members --------------------------------------------------------------------------------------


def member_by_id(conn: Conn, member_id: int) -> Member | None:
    return _member(conn.execute(_MEMBER_SELECT + "WHERE m.id = ?", (member_id,)).fetchone())


def current_member(conn: Conn, cluster_id: int, user_id: int) -> Member | None:
    """The person's pending or active membership in the cluster."""
    return _member(
        conn.execute(
            _MEMBER_SELECT + "WHERE m.cluster_id = ? AND m.user_id = ? AND m.status IN ('pending', 'active')",
            (cluster_id, user_id),
        ).fetchone()
    )


def memberships_of_user(conn: Conn, user_id: int) -> list[Member]:
    rows = conn.execute(
        _MEMBER_SELECT + "WHERE m.user_id = ? AND m.status IN ('pending', 'active') ORDER BY m.joined_at DESC",
        (user_id,),
    )
    return [m for m in map(_member, rows) if m]


def members_of_org(conn: Conn, org_id: int, statuses: tuple[str, ...] = ("active",)) -> list[Member]:
    rows = conn.execute(
        _MEMBER_SELECT + f"WHERE m.organization_id = ? AND m.status IN ({','.join('?' * len(statuses))}) "
        "ORDER BY m.joined_at",
        (org_id, *statuses),
    )
    return [m for m in map(_member, rows) if m]


def last_inactive_membership(conn: Conn, cluster_id: int, user_id: int) -> Row | None:
    return conn.execute(
        "SELECT id, organization_id FROM members WHERE cluster_id = ? AND user_id = ? AND status = 'inactive' "
        "ORDER BY left_at DESC LIMIT 1",
        (cluster_id, user_id),
    ).fetchone()


def create_member(
    conn: Conn, cluster_id: int, user_id: int, org_id: int, title: str, status: str, now: int
) -> Member:
    row = conn.execute(
        "INSERT INTO members (cluster_id, user_id, organization_id, title, status, joined_at) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (cluster_id, user_id, org_id, title, status, now),
    ).fetchone()
    member = member_by_id(conn, row[0])
    assert member is not None
    return member


def set_member_status(conn: Conn, member_id: int, status: str, now: int) -> None:
    left = now if status in ("inactive", "former", "rejected") else None
    conn.execute("UPDATE members SET status = ?, left_at = ? WHERE id = ?", (status, left, member_id))


def active_member_user_ids(conn: Conn, cluster_id: int) -> list[int]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT user_id FROM members WHERE cluster_id = ? AND status = 'active' ORDER BY user_id", (cluster_id,)
        )
    ]


def secretariat_user_ids(conn: Conn, cluster_id: int) -> list[int]:
    return [int(r[0]) for r in conn.execute("SELECT user_id FROM secretariat WHERE cluster_id = ?", (cluster_id,))]


# ---- capacities -----------------------------------------------------------------------------------


def add_capacity(
    conn: Conn, org_id: int, kind: str, name: str, norm_name: str, quantity: float | None,
    region_code: str | None, location: str, note: str, now: int,
) -> int:  # fmt: skip
    row = conn.execute(
        "INSERT INTO capacities (organization_id, kind, name, norm_name, quantity, region_code, location, note, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (org_id, kind, name, norm_name, quantity, region_code, location, note, now),
    ).fetchone()
    return int(row[0])


def capacities_of_org(conn: Conn, org_id: int) -> list[Row]:
    return conn.execute("SELECT * FROM capacities WHERE organization_id = ? ORDER BY kind, name", (org_id,)).fetchall()


def delete_capacity(conn: Conn, org_id: int, capacity_id: int) -> bool:
    cur = conn.execute("DELETE FROM capacities WHERE id = ? AND organization_id = ?", (capacity_id, org_id))
    return cur.rowcount > 0


def capacities_of_cluster(conn: Conn, cluster_id: int) -> list[Row]:
    return conn.execute(
        "SELECT c.*, o.name AS org_name, o.short_name AS org_short FROM capacities c "
        "JOIN organizations o ON o.id = c.organization_id WHERE o.cluster_id = ? AND o.status = 'approved'",
        (cluster_id,),
    ).fetchall()


# ---- per-cluster settings -------------------------------------------------------------------------


def get_setting(conn: Conn, cluster_id: int, key: str) -> str | None:
    row = conn.execute(
        "SELECT value FROM cluster_settings WHERE cluster_id = ? AND key = ?", (cluster_id, key)
    ).fetchone()
    return row[0] if row else None


def get_settings(conn: Conn, cluster_id: int, keys: tuple[str, ...]) -> dict[str, str]:
    """Several of the cluster's settings in one statement: key → value for those that are set."""
    marks = ", ".join("?" * len(keys))
    rows = conn.execute(
        f"SELECT key, value FROM cluster_settings WHERE cluster_id = ? AND key IN ({marks})", (cluster_id, *keys)
    )
    return {str(row[0]): row[1] for row in rows}


def set_setting(conn: Conn, cluster_id: int, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO cluster_settings (cluster_id, key, value) VALUES (?, ?, ?) "
        "ON CONFLICT (cluster_id, key) DO UPDATE SET value = excluded.value",
        (cluster_id, key, value),
    )


def cluster_of_member(conn: Conn, object_id: int) -> int | None:
    """The cluster a member row belongs to (the read gate's owner lookup); None when there is no such row."""
    row = conn.execute("SELECT cluster_id FROM members WHERE id = ?", (object_id,)).fetchone()
    return int(row[0]) if row is not None else None


def cluster_if_exists(conn: Conn, object_id: int) -> int | None:
    """The cluster's own id if it exists (the read gate's owner lookup); None when there is no such row."""
    row = conn.execute("SELECT id FROM clusters WHERE id = ?", (object_id,)).fetchone()
    return int(row[0]) if row is not None else None
