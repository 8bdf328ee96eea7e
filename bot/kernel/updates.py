"""The pre-handler's one read: look the update up, read who/where, load the open dialog, resolve who is acting
(cluster, membership, organisation) and, for a button or link that names an object, the object's owning cluster
and the actor there (the read gate's questions), so neither feature handlers nor the gate need an extra hop. The
user's and chat's rows are refreshed later, with the update's claim (``touch``, in its first write)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from bot.kernel import storage as core_repo
from bot.kernel.actor import ForChat, InCluster
from bot.kernel.sql import Conn
from bot.kernel.storage import Seen

OwnerOf = Callable[[Conn, int], "int | None"]


def begin(
    conn: Conn,
    update_id: int,
    now: int,
    user: tuple[int, str, str | None, str | None] | None,
    chat: tuple[int, str, str | None] | None,
    want_dialog: bool = False,
    actor_for_chat: ForChat | None = None,
    owner: tuple[OwnerOf, int, InCluster | None] | None = None,
) -> Seen:
    seen = core_repo.begin_update(conn, update_id, now, user, chat, want_dialog)
    if not seen.is_new or user is None or chat is None or actor_for_chat is None:
        return seen
    actor = actor_for_chat(conn, chat[0], chat[1], user[0])
    seen = dataclasses.replace(seen, actor=actor, actor_resolved=True)
    if owner is None:
        return seen
    owner_of, object_id, in_cluster = owner
    owner_id = owner_of(conn, object_id)
    cluster = getattr(actor, "cluster", None)
    owner_actor = actor
    if owner_id is not None and in_cluster is not None and getattr(cluster, "id", None) != owner_id:
        owner_actor = in_cluster(conn, owner_id, user[0])
    return dataclasses.replace(seen, owner=(object_id, owner_id, owner_actor))
