"""Per-update bookkeeping: idempotency, who and where, locale preferences, chat-id migration."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.kernel.feature import Point
from bot.kernel.sql import Conn

# How long processed update ids are kept: Telegram never redelivers after 24 h.
UPDATE_ID_RETENTION_S = 3 * 24 * 3600


@dataclass(frozen=True)
class Dialog:
    """A guided conversation's persisted state (survives restarts)."""

    kind: str
    step: str
    data: dict[str, Any]
    expires_at: int


@dataclass(frozen=True)
class Seen:
    """What the pre-handler learns in its single hand-off."""

    is_new: bool
    user_locale: str | None
    chat_locale: str | None
    cluster_id: int | None
    cluster_locale: str | None
    cluster_tz: str | None
    dialog: Dialog | None = None
    actor: Any = None  # services.members.Actor, resolved in the same hand-off (see services.updates)
    actor_resolved: bool = False
    # The read gate's owner question, answered in the same read: (object id, its cluster, the actor there)
    owner: tuple[int, int | None, Any] | None = None


def begin_update(
    conn: Conn,
    update_id: int,
    now: int,
    user: tuple[int, str, str | None, str | None] | None,
    chat: tuple[int, str, str | None] | None,
    want_dialog: bool = False,
) -> Seen:
    """Look ``update_id`` up and read who/where (a read: nothing is written here). An update already processed
    changes nothing.

    The update is not claimed here: its first write claims it in the same transaction as its effects
    (``storage.db.UpdateClaim``), and refreshes the user and chat rows there (``touch``)."""
    # one statement for the three look-ups (a missing user or chat: NULL, as a missing row)
    done, user_locale, chat_locale = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM processed_updates WHERE update_id = ?), "
        "(SELECT locale FROM users WHERE user_id = ?), (SELECT locale FROM chats WHERE chat_id = ?)",
        (update_id, user[0] if user is not None else None, chat[0] if chat is not None else None),
    ).fetchone()
    if done:
        return Seen(False, None, None, None, None, None)
    cluster = None
    if chat is not None and chat[1] != "private":
        cluster = conn.execute("SELECT id, locale, timezone FROM clusters WHERE chat_id = ?", (chat[0],)).fetchone()
    dialog = get_dialog(conn, chat[0], user[0]) if want_dialog and chat and user else None
    return Seen(
        True,
        user_locale,
        chat_locale,
        cluster["id"] if cluster else None,
        cluster["locale"] if cluster else None,
        cluster["timezone"] if cluster else None,
        dialog,
    )


def touch(
    conn: Conn,
    user: tuple[int, str, str | None, str | None] | None,
    chat: tuple[int, str, str | None] | None,
    now: int,
) -> None:
    """Insert or refresh the user's and the chat's rows: the update's bookkeeping, written with its claim. Both
    rows are read in one statement (each a scalar sub-select's row: NULL when there is none)."""
    if user is None or chat is None:
        if user is not None:
            _touch_user(conn, user, now, _read_user(conn, user[0]))
        if chat is not None:
            _touch_chat(conn, chat, now, _read_chat(conn, chat[0]))
        return
    row = conn.execute(
        f"SELECT {_USER_COLS}, {_CHAT_COLS} FROM (SELECT 1 AS one) AS x "
        "LEFT JOIN users u ON u.user_id = ? LEFT JOIN chats c ON c.chat_id = ?",
        (user[0], chat[0]),
    ).fetchone()
    _touch_user(conn, user, now, tuple(row[:6]) if row[5] is not None else None)
    _touch_chat(conn, chat, now, tuple(row[6:]) if row[11] is not None else None)


_USER_COLS = "u.first_name, u.last_name, u.username, u.locale, u.updated_at, u.user_id"
_CHAT_COLS = "c.type, c.title, c.locale, c.status, c.updated_at, c.chat_id"


def _read_user(conn: Conn, user_id: int) -> tuple[Any, ...] | None:
    row = conn.execute(f"SELECT {_USER_COLS} FROM users u WHERE u.user_id = ?", (user_id,)).fetchone()
    return tuple(row) if row is not None else None


def _read_chat(conn: Conn, chat_id: int) -> tuple[Any, ...] | None:
    row = conn.execute(f"SELECT {_CHAT_COLS} FROM chats c WHERE c.chat_id = ?", (chat_id,)).fetchone()
    return tuple(row) if row is not None else None


REFRESH_AFTER_S = 3600  # rewrite an unchanged user/chat row at most hourly (keeps the WAL small)


def _touch_user(
    conn: Conn, user: tuple[int, str, str | None, str | None], now: int, row: tuple[Any, ...] | None
) -> str | None:
    """Insert or refresh the user row (``row``: as read) only when something changed: a read costs no WAL page, a
    write does."""
    if row is None:
        conn.execute(
            "INSERT INTO users (user_id, first_name, last_name, username, updated_at) VALUES (?, ?, ?, ?, ?)",
            (*user, now),
        )
        return None
    if (row[0], row[1], row[2]) != user[1:] or row[4] < now - REFRESH_AFTER_S:
        conn.execute(
            "UPDATE users SET first_name = ?, last_name = ?, username = ?, updated_at = ? WHERE user_id = ?",
            (*user[1:], now, user[0]),
        )
    return row[3]


def _touch_chat(conn: Conn, chat: tuple[int, str, str | None], now: int, row: tuple[Any, ...] | None) -> str | None:
    if row is None:
        conn.execute("INSERT INTO chats (chat_id, type, title, updated_at) VALUES (?, ?, ?, ?)", (*chat, now))
        return None
    if (row[0], row[1]) != chat[1:] or row[3] == "unreachable" or row[4] < now - REFRESH_AFTER_S:
        conn.execute(
            "UPDATE chats SET type = ?, title = ?, updated_at = ?, "
            "status = CASE WHEN status = 'unreachable' THEN 'active' ELSE status END WHERE chat_id = ?",
            (*chat[1:], now, chat[0]),
        )
    return row[2]


def get_dialog(conn: Conn, chat_id: int, user_id: int) -> Dialog | None:
    row = conn.execute(
        "SELECT kind, step, data, expires_at FROM dialogs WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)
    ).fetchone()
    if row is None:
        return None
    return Dialog(row["kind"], row["step"], json.loads(row["data"]), row["expires_at"])


def set_dialog(
    conn: Conn, chat_id: int, user_id: int, kind: str, step: str, data: dict[str, Any], expires_at: int
) -> None:
    conn.execute(
        "INSERT INTO dialogs (chat_id, user_id, kind, step, data, expires_at) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (chat_id, user_id) DO UPDATE SET kind = excluded.kind, step = excluded.step, "
        "data = excluded.data, expires_at = excluded.expires_at",
        (chat_id, user_id, kind, step, json.dumps(data, ensure_ascii=False), expires_at),
    )


def clear_dialog(conn: Conn, chat_id: int, user_id: int) -> Dialog | None:
    """Close the dialog and return what it was, in one statement: of two closings on two connections (PostgreSQL)
    only one gets the dialog (the other waits for the row, then finds it gone)."""
    row = conn.execute(
        "DELETE FROM dialogs WHERE chat_id = ? AND user_id = ? RETURNING kind, step, data, expires_at",
        (chat_id, user_id),
    ).fetchone()
    if row is None:
        return None
    return Dialog(row["kind"], row["step"], json.loads(row["data"]), row["expires_at"])


def prune_processed_updates(conn: Conn, now: int) -> int:
    cur = conn.execute("DELETE FROM processed_updates WHERE processed_at < ?", (now - UPDATE_ID_RETENTION_S,))
    return cur.rowcount


def set_user_locale(conn: Conn, user_id: int, locale: str, now: int) -> None:
    conn.execute(
        "INSERT INTO users (user_id, locale, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (user_id) DO UPDATE SET locale = excluded.locale",
        (user_id, locale, now),
    )


def set_chat_locale(conn: Conn, chat_id: int, chat_type: str, locale: str, now: int) -> None:
    conn.execute(
        "INSERT INTO chats (chat_id, type, locale, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (chat_id) DO UPDATE SET locale = excluded.locale",
        (chat_id, chat_type, locale, now),
    )
    conn.execute("UPDATE clusters SET locale = ? WHERE chat_id = ?", (locale, chat_id))


def set_chat_status(conn: Conn, chat_id: int, status: str, now: int) -> None:
    conn.execute(
        "INSERT INTO chats (chat_id, type, status, updated_at) VALUES (?, 'unknown', ?, ?) "
        "ON CONFLICT (chat_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at",
        (chat_id, status, now),
    )


def chat_status(conn: Conn, chat_id: int) -> str | None:
    row = conn.execute("SELECT status FROM chats WHERE chat_id = ?", (chat_id,)).fetchone()
    return row[0] if row else None


def set_user_reachable(conn: Conn, user_id: int, reachable: bool, now: int) -> None:
    conn.execute("UPDATE users SET reachable = ?, updated_at = ? WHERE user_id = ?", (bool(reachable), now, user_id))


def audit(
    conn: Conn,
    cluster_id: int | None,
    actor_id: int | None,
    action: str,
    subject: str,
    now: int,
    **detail: Any,
) -> None:
    conn.execute(
        "INSERT INTO audit_log (cluster_id, actor_id, action, subject, detail, at) VALUES (?, ?, ?, ?, ?, ?)",
        (cluster_id, actor_id, action, subject, json.dumps(detail, ensure_ascii=False, default=str), now),
    )


# ---- chat id migration (group → supergroup) --------------------------------------------------------


def _migrate_core(conn: Conn, old: int, new: int) -> None:
    conn.execute(
        "INSERT INTO chats (chat_id, type, title, locale, status, updated_at) "
        "SELECT ?, 'supergroup', title, locale, status, updated_at FROM chats WHERE chat_id = ? "
        "ON CONFLICT (chat_id) DO UPDATE SET locale = COALESCE(chats.locale, excluded.locale)",
        (new, old),
    )
    conn.execute("UPDATE chats SET status = 'removed' WHERE chat_id = ?", (old,))
    # If the new chat already had a (fresh) cluster row, the older one with all its data wins.
    if conn.execute("SELECT 1 FROM clusters WHERE chat_id = ?", (old,)).fetchone():
        conn.execute("DELETE FROM clusters WHERE chat_id = ?", (new,))
    conn.execute("UPDATE clusters SET chat_id = ? WHERE chat_id = ?", (new, old))
    conn.execute("UPDATE dialogs SET chat_id = ? WHERE chat_id = ?", (new, old))


ChatMigrationHook = Callable[[Conn, int, int], None]
# Each feature that stores a chat id contributes the hook that moves its rows (group -> supergroup).
CHAT_MIGRATION: Point[ChatMigrationHook] = Point("kernel.chat_migration")


def migrate_chat_id(
    conn: Conn, old: int, new: int, now: int, hooks: Sequence[ChatMigrationHook] = ()
) -> bool:
    """Move every stored reference from ``old`` to ``new``; runs each feature's hook in one transaction.

    Returns False when this migration was already applied (both service messages and the
    ChatMigrated error report it, so it arrives more than once).
    """
    done = conn.execute(
        "INSERT INTO chat_migrations (old_chat_id, new_chat_id, migrated_at) VALUES (?, ?, ?) "
        "ON CONFLICT DO NOTHING RETURNING old_chat_id",
        (old, new, now),
    ).fetchone()
    if done is None:
        return False
    _migrate_core(conn, old, new)
    for hook in hooks:
        hook(conn, old, new)
    return True


def resolve_chat_id(conn: Conn, chat_id: int) -> int:
    """Follow recorded migrations so messages go to the current id of a group."""
    seen = {chat_id}
    while True:
        row = conn.execute("SELECT new_chat_id FROM chat_migrations WHERE old_chat_id = ?", (chat_id,)).fetchone()
        if row is None or row[0] in seen:
            return chat_id
        chat_id = row[0]
        seen.add(chat_id)
