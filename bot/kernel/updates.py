"""The pre-handler's one transaction: claim the update, refresh who/where, load the open dialog and
resolve who is acting (cluster, membership, organisation), so feature handlers need no extra hop."""

from __future__ import annotations

import dataclasses

from bot.kernel import storage as core_repo
from bot.kernel.actor import ForChat
from bot.kernel.sql import Conn
from bot.kernel.storage import Seen


def begin(
    conn: Conn,
    update_id: int,
    now: int,
    user: tuple[int, str, str | None, str | None] | None,
    chat: tuple[int, str, str | None] | None,
    want_dialog: bool = False,
    actor_for_chat: ForChat | None = None,
) -> Seen:
    seen = core_repo.begin_update(conn, update_id, now, user, chat, want_dialog)
    if not seen.is_new or user is None or chat is None or actor_for_chat is None:
        return seen
    return dataclasses.replace(seen, actor=actor_for_chat(conn, chat[0], chat[1], user[0]), actor_resolved=True)
