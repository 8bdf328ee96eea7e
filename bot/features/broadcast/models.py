"""The announcements' entities: one announcement, a recipient's turn, and what did not reach someone."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Broadcast:
    id: int
    cluster_id: int
    created_by: int
    text: str
    status: str
    status_chat_id: int | None
    status_message_id: int | None
    total: int
    created_at: int


@dataclass(frozen=True)
class Recipient:
    chat_id: int
    user_id: int | None
    attempts: int


@dataclass(frozen=True)
class Undelivered:
    chat_id: int
    user_id: int | None
    status: str
    error: str
    name: str
    username: str | None
    org_name: str
