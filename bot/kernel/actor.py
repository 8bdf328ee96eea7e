"""Who is acting: the kernel asks the feature that keeps clusters and memberships (the members feature
contributes the one ``ActorLookup``), so the pre-handler and the read gate resolve the actor without importing
a feature. The actor it returns is the members feature's ``Actor`` (cluster, member, organisation, flags)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from bot.kernel.feature import Point
from bot.kernel.runtime import Runtime
from bot.kernel.sql import Conn


class ForChat(Protocol):
    def __call__(self, conn: Conn, chat_id: int, chat_type: str, user_id: int) -> Any: ...


class InCluster(Protocol):
    def __call__(self, conn: Conn, cluster_id: int, user_id: int) -> Any: ...


@dataclass(frozen=True)
class ActorLookup:
    for_chat: ForChat  # the actor in this chat (a group's cluster, or the person's cluster in private)
    in_cluster: InCluster  # the actor in a named cluster (the owner of a button's or link's object)


ACTOR_LOOKUP: Point[ActorLookup] = Point("kernel.actor_lookup")


def _nobody_for_chat(conn: Conn, chat_id: int, chat_type: str, user_id: int) -> None:
    return None


def _nobody_in_cluster(conn: Conn, cluster_id: int, user_id: int) -> None:
    return None


NOBODY = ActorLookup(_nobody_for_chat, _nobody_in_cluster)  # a bot without the members feature knows no one


def actor_lookup(runtime: Runtime) -> ActorLookup:
    found = runtime.contributions(ACTOR_LOOKUP)
    if len(found) > 1:
        raise RuntimeError("more than one feature resolves the actor")
    return found[0] if found else NOBODY
