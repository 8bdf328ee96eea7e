"""The needs feature's entities: incidents, needs (with their running pledge totals), offers, pledges; and how a
row of their tables becomes one (used by storage.py, which holds all the SQL)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.sql import Row

PRIORITIES = {1: "mendesak", 2: "tinggi", 3: "sedang", 4: "rendah"}


@dataclass(frozen=True)
class Incident:
    id: int
    cluster_id: int
    type: str
    title: str
    region_codes: tuple[str, ...]
    status: str
    started_at: int
    closed_at: int | None


@dataclass(frozen=True)
class Need:
    id: int
    cluster_id: int
    number: int
    incident_id: int | None
    organization_id: int
    created_by: int
    item_key: str | None
    item_name: str
    category: str | None
    quantity: float
    unit: str
    region_code: str | None
    location: str
    priority: int
    needed_by: int | None
    beneficiaries: int | None
    beneficiary_unit: str | None
    note: str
    status: str
    pledged: float
    sent: float
    received: float
    chat_id: int | None
    message_id: int | None
    created_at: int
    org_name: str = ""
    district_code: str | None = None  # kecamatan (adm3)

    @property
    def code(self) -> str:
        return f"K-{self.number:04d}"

    @property
    def remaining(self) -> float:
        """What still needs a pledge (cancelled pledges already left the totals)."""
        return max(0.0, self.quantity - self.pledged)


@dataclass(frozen=True)
class Offer:
    id: int
    cluster_id: int
    number: int
    organization_id: int
    created_by: int
    item_key: str | None
    item_name: str
    category: str | None
    quantity: float
    unit: str
    committed: float
    region_code: str | None
    location: str
    available_until: int | None
    conditions: str
    status: str
    chat_id: int | None
    message_id: int | None
    created_at: int
    org_name: str = ""
    district_code: str | None = None  # kecamatan (adm3)

    @property
    def code(self) -> str:
        return f"T-{self.number:04d}"

    @property
    def available(self) -> float:
        return max(0.0, self.quantity - self.committed)


@dataclass(frozen=True)
class Pledge:
    id: int
    need_id: int
    organization_id: int
    user_id: int
    offer_id: int | None
    source: str
    quantity: float
    status: str
    created_at: int
    org_name: str = ""


def incident_from_row(row: Row) -> Incident:
    codes = tuple(c for c in row["region_codes"].split(",") if c)
    return Incident(
        row["id"],
        row["cluster_id"],
        row["type"],
        row["title"],
        codes,
        row["status"],
        row["started_at"],
        row["closed_at"],
    )


def need_from_row(row: Row) -> Need:
    keys = row.keys()
    return Need(
        row["id"],
        row["cluster_id"],
        row["number"],
        row["incident_id"],
        row["organization_id"],
        row["created_by"],
        row["item_key"],
        row["item_name"],
        row["category"],
        row["quantity"],
        row["unit"],
        row["region_code"],
        row["location"],
        row["priority"],
        row["needed_by"],
        row["beneficiaries"],
        row["beneficiary_unit"],
        row["note"],
        row["status"],
        row["pledged"],
        row["sent"],
        row["received"],
        row["chat_id"],
        row["message_id"],
        row["created_at"],
        row["org_name"] if "org_name" in keys else "",
        row["district_code"] if "district_code" in keys else None,
    )


def offer_from_row(row: Row) -> Offer:
    keys = row.keys()
    return Offer(
        row["id"],
        row["cluster_id"],
        row["number"],
        row["organization_id"],
        row["created_by"],
        row["item_key"],
        row["item_name"],
        row["category"],
        row["quantity"],
        row["unit"],
        row["committed"],
        row["region_code"],
        row["location"],
        row["available_until"],
        row["conditions"],
        row["status"],
        row["chat_id"],
        row["message_id"],
        row["created_at"],
        row["org_name"] if "org_name" in keys else "",
        row["district_code"] if "district_code" in keys else None,
    )


def pledge_from_row(row: Row) -> Pledge:
    keys = row.keys()
    return Pledge(
        row["id"],
        row["need_id"],
        row["organization_id"],
        row["user_id"],
        row["offer_id"],
        row["source"],
        row["quantity"],
        row["status"],
        row["created_at"],
        row["org_name"] if "org_name" in keys else "",
    )
