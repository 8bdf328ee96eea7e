"""SQL for handovers of an organisation's representation and the failed-code attempts (kept in the audit log)."""

from __future__ import annotations

from bot.kernel.sql import Conn, Row


def create_handover(
    conn: Conn, cluster_id: int, org_id: int, from_user: int | None, to_user: int | None,
    code: str | None, created_by: int, now: int, status: str = "offered",
) -> int:  # fmt: skip
    row = conn.execute(
        "INSERT INTO handovers (cluster_id, organization_id, from_user_id, to_user_id, code, status, created_by, "
        "created_at, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (cluster_id, org_id, from_user, to_user, code, status, created_by, now, now if status != "offered" else None),
    ).fetchone()
    return int(row[0])


def handover_by_id(conn: Conn, handover_id: int) -> Row | None:
    return conn.execute("SELECT * FROM handovers WHERE id = ?", (handover_id,)).fetchone()


def handover_by_code(conn: Conn, code: str) -> Row | None:
    return conn.execute("SELECT * FROM handovers WHERE code = ?", (code.upper(),)).fetchone()


def decide_handover(conn: Conn, handover_id: int, status: str, to_user: int | None, now: int) -> bool:
    """Only an offered handover can be decided (a second tap or a replay changes nothing)."""
    cur = conn.execute(
        "UPDATE handovers SET status = ?, to_user_id = COALESCE(?, to_user_id), decided_at = ? "
        "WHERE id = ? AND status = 'offered'",
        (status, to_user, now, handover_id),
    )
    return cur.rowcount > 0


def revoke_open_handovers(conn: Conn, org_id: int, keep_id: int | None, now: int) -> int:
    """Every still-offered handover of the organisation but ``keep_id`` ends (status 'expired')."""
    cur = conn.execute(
        "UPDATE handovers SET status = 'expired', decided_at = ? "
        "WHERE organization_id = ? AND status = 'offered' AND id IS DISTINCT FROM ?",
        (now, org_id, keep_id),
    )
    return cur.rowcount


CODE_FAILED = "handover.code_failed"  # audit action of a handover code that did not work


def record_code_attempt(conn: Conn, user_id: int, now: int) -> None:
    conn.execute("INSERT INTO audit_log (cluster_id, actor_id, action, at) VALUES (NULL, ?, ?, ?)",
                 (user_id, CODE_FAILED, now))  # fmt: skip


def code_attempts_since(conn: Conn, user_id: int, since: int) -> list[int]:
    """Times of the user's failed code attempts since ``since``, oldest first (kept in the audit log)."""
    rows = conn.execute(
        "SELECT at FROM audit_log WHERE cluster_id IS NULL AND action = ? AND actor_id = ? AND at >= ? ORDER BY at",
        (CODE_FAILED, user_id, since),
    ).fetchall()
    return [int(r[0]) for r in rows]


def handover_history(conn: Conn, org_id: int, limit: int = 5) -> list[Row]:
    return conn.execute(
        "SELECT h.*, fu.first_name AS from_name, tu.first_name AS to_name FROM handovers h "
        "LEFT JOIN users fu ON fu.user_id = h.from_user_id LEFT JOIN users tu ON tu.user_id = h.to_user_id "
        "WHERE h.organization_id = ? AND h.status IN ('accepted', 'reassigned') ORDER BY h.decided_at DESC LIMIT ?",
        (org_id, limit),
    ).fetchall()
