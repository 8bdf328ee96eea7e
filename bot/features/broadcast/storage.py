"""SQL for announcements (/umumkan): the drafts, each recipient's delivery row and its state, the report.

Each recipient is a ``broadcast_deliveries`` row claimed ('sending') right before its send and recorded after it
(bot/features/broadcast/service.py explains the crash safety); the chat ids stored here follow a group's
migration to a supergroup (``migrate_chat``, contributed to the kernel's ``CHAT_MIGRATION`` point).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.features.broadcast.models import Broadcast, Recipient, Undelivered
from bot.kernel.sql import Conn

__all__ = ["Broadcast", "Recipient", "Undelivered"]


def representatives(conn: Conn, cluster_id: int) -> list[tuple[int, bool]]:
    """(user id, reachable) of every active representative: a person who blocked the bot is not asked again."""
    return [
        (int(r[0]), bool(r[1]))
        for r in conn.execute(
            "SELECT m.user_id, COALESCE(u.reachable, TRUE) AND COALESCE(c.status, 'active') != 'unreachable' "
            "FROM members m LEFT JOIN users u ON u.user_id = m.user_id LEFT JOIN chats c ON c.chat_id = m.user_id "
            "WHERE m.cluster_id = ? AND m.status = 'active' ORDER BY m.joined_at, m.user_id",
            (cluster_id,),
        )
    ]


def create_broadcast(conn: Conn, cluster_id: int, user_id: int, text: str, total: int, now: int) -> int:
    row = conn.execute(
        "INSERT INTO broadcasts (cluster_id, created_by, text, total, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        (cluster_id, user_id, text, total, now),
    ).fetchone()
    return int(row[0])


def broadcast_by_id(conn: Conn, broadcast_id: int) -> Broadcast | None:
    row = conn.execute(
        "SELECT id, cluster_id, created_by, text, status, status_chat_id, status_message_id, total, created_at "
        "FROM broadcasts WHERE id = ?",
        (broadcast_id,),
    ).fetchone()
    return Broadcast(*row) if row else None


def set_broadcast_status(
    conn: Conn, broadcast_id: int, from_status: str, to_status: str, now: int
) -> bool:
    """Compare-and-set: a second tap on "Send" finds the announcement already sending and does nothing."""
    cur = conn.execute(
        "UPDATE broadcasts SET status = ?, started_at = CASE WHEN ? = 'sending' THEN ? ELSE started_at END, "
        "finished_at = CASE WHEN ? IN ('done', 'cancelled') THEN ? ELSE finished_at END WHERE id = ? AND status = ?",
        (to_status, to_status, now, to_status, now, broadcast_id, from_status),
    )
    return cur.rowcount > 0


def set_status_message(conn: Conn, broadcast_id: int, chat_id: int, message_id: int, total: int) -> None:
    conn.execute(
        "UPDATE broadcasts SET status_chat_id = ?, status_message_id = ?, total = ? WHERE id = ?",
        (chat_id, message_id, total, broadcast_id),
    )


def move_status_message(conn: Conn, broadcast_id: int, chat_id: int, message_id: int) -> None:
    """The status message was posted again (the old one was deleted): later edits go to the new one."""
    conn.execute(
        "UPDATE broadcasts SET status_chat_id = ?, status_message_id = ? WHERE id = ?", (chat_id, message_id, broadcast_id)
    )


def add_deliveries(
    conn: Conn, broadcast_id: int, recipients: Sequence[tuple[int, int | None, str]], now: int
) -> None:
    """(chat id, user id, initial status) in sending order."""
    conn.executemany(
        "INSERT INTO broadcast_deliveries (broadcast_id, chat_id, user_id, seq, status, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [
            (broadcast_id, chat_id, user_id, seq, status, now)
            for seq, (chat_id, user_id, status) in enumerate(recipients)
        ],
    )


def pending_deliveries(conn: Conn, broadcast_id: int, limit: int) -> list[Recipient]:
    """The next recipients in sending order (not claimed yet: each is claimed right before its send)."""
    rows = conn.execute(
        "SELECT chat_id, user_id, attempts FROM broadcast_deliveries WHERE broadcast_id = ? AND status = 'pending' "
        "ORDER BY seq LIMIT ?",
        (broadcast_id, limit),
    )
    return [Recipient(r[0], r[1], r[2]) for r in rows]


def claim_delivery(conn: Conn, broadcast_id: int, chat_id: int, now: int) -> Recipient | None:
    """pending → sending (compare-and-set); None if another runner took it."""
    row = conn.execute(
        "UPDATE broadcast_deliveries SET status = 'sending', attempts = attempts + 1, updated_at = ? "
        "WHERE broadcast_id = ? AND chat_id = ? AND status = 'pending' RETURNING chat_id, user_id, attempts",
        (now, broadcast_id, chat_id),
    ).fetchone()
    return Recipient(row[0], row[1], row[2]) if row else None


def record_delivery(
    conn: Conn,
    broadcast_id: int,
    chat_id: int,
    status: str,
    message_id: int | None,
    error: str,
    now: int,
) -> None:
    conn.execute(
        "UPDATE broadcast_deliveries SET status = ?, message_id = ?, error = ?, updated_at = ? "
        "WHERE broadcast_id = ? AND chat_id = ? AND status = 'sending'",
        (status, message_id, error[:200], now, broadcast_id, chat_id),
    )


def delivery_counts(conn: Conn, broadcast_id: int) -> dict[str, int]:
    return {
        r[0]: r[1]
        for r in conn.execute(
            "SELECT status, COUNT(*) FROM broadcast_deliveries WHERE broadcast_id = ? GROUP BY status",
            (broadcast_id,),
        )
    }


def undelivered(conn: Conn, broadcast_id: int) -> list[Undelivered]:
    rows = conn.execute(
        "SELECT d.chat_id, d.user_id, d.status, d.error, TRIM(COALESCE(u.first_name, '') || ' ' || "
        "COALESCE(u.last_name, '')) AS name, u.username, COALESCE(NULLIF(o.short_name, ''), o.name, '') AS org_name "
        "FROM broadcast_deliveries d JOIN broadcasts b ON b.id = d.broadcast_id "
        "LEFT JOIN users u ON u.user_id = d.user_id "
        "LEFT JOIN members m ON m.cluster_id = b.cluster_id AND m.user_id = d.user_id AND m.status = 'active' "
        "LEFT JOIN organizations o ON o.id = m.organization_id "
        "WHERE d.broadcast_id = ? AND d.status IN ('blocked', 'failed', 'uncertain') ORDER BY d.status, d.seq",
        (broadcast_id,),
    )
    return [Undelivered(*r) for r in rows]


def interrupted_broadcasts(conn: Conn, now: int) -> list[int]:
    """Announcements a crash left half-sent. A recipient claimed but never recorded may have got the message:
    it becomes 'uncertain' and is not sent again; the rest continue."""
    ids = [r[0] for r in conn.execute("SELECT id FROM broadcasts WHERE status = 'sending' ORDER BY id")]
    for broadcast_id in ids:
        conn.execute(
            "UPDATE broadcast_deliveries SET status = 'uncertain', error = 'interrupted', updated_at = ? "
            "WHERE broadcast_id = ? AND status = 'sending'",
            (now, broadcast_id),
        )
    return ids


def migrate_chat(conn: Conn, old: int, new: int) -> None:
    """A group became a supergroup: the group's delivery row and a status message there follow it (the kernel's
    ``CHAT_MIGRATION`` point), so the group is not messaged twice and the progress is not edited at a dead id."""
    conn.execute(
        "UPDATE broadcast_deliveries SET chat_id = ? WHERE chat_id = ? AND NOT EXISTS (SELECT 1 FROM "
        "broadcast_deliveries d WHERE d.broadcast_id = broadcast_deliveries.broadcast_id AND d.chat_id = ?)",
        (new, old, new),
    )
    conn.execute("DELETE FROM broadcast_deliveries WHERE chat_id = ?", (old,))
    conn.execute("UPDATE broadcasts SET status_chat_id = ? WHERE status_chat_id = ?", (new, old))
