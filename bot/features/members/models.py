"""The members feature's entities, used across the bot: a cluster (one group), an organisation, a representative."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cluster:
    id: int
    chat_id: int
    name: str
    area: str
    province: str
    timezone: str
    locale: str


@dataclass(frozen=True)
class Organization:
    id: int
    cluster_id: int
    name: str
    short_name: str
    type: str
    region_code: str | None
    status: str
    stock_public: bool
    last_activity: int | None
    created_at: int
    invite_code: str | None = None

    @property
    def label(self) -> str:
        return self.short_name or self.name


@dataclass(frozen=True)
class Member:
    id: int
    cluster_id: int
    user_id: int
    organization_id: int
    title: str
    status: str
    joined_at: int
    first_name: str = ""
    last_name: str | None = None
    username: str | None = None

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or str(self.user_id)
