"""Clusters, registration and approval, handover, capacity: the rules, one transaction per use case."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot.features.members import handover_storage as ho_repo
from bot.features.members import orgs as org_domain
from bot.features.members import storage as repo
from bot.features.members.events import ProfileSection
from bot.features.members.models import Cluster, Member, Organization
from bot.kernel import storage as core_repo
from bot.kernel.i18n import Translator
from bot.kernel.sql import Conn, Row
from bot.shared.text import clean_name

SILENT_AFTER_S = 30 * 24 * 3600
DIRECTORY_PAGE = 10
HANDOVER_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O/1/I/L: read aloud on a phone
HANDOVER_CODE_LENGTH = 8  # 31^8 ≈ 8.5e11 codes; with 5 tries per hour a guess needs ~10^10 years


def new_code(prefix: str, length: int = HANDOVER_CODE_LENGTH) -> str:
    return prefix + "".join(secrets.choice(HANDOVER_CODE_ALPHABET) for _ in range(length))


@dataclass(frozen=True)
class Actor:
    """Who acts, resolved once: the cluster, and the person's membership and organisation if any."""

    cluster: Cluster
    member: Member | None
    org: Organization | None
    is_secretariat: bool

    @property
    def is_active(self) -> bool:
        return self.member is not None and self.member.status == "active" and self.org is not None


def resolve_actor(conn: Conn, cluster: Cluster, user_id: int) -> Actor:
    member = repo.current_member(conn, cluster.id, user_id)
    org = repo.org_by_id(conn, member.organization_id) if member else None
    return Actor(cluster, member, org, repo.is_secretariat(conn, cluster.id, user_id))


def actor_for_chat(conn: Conn, chat_id: int, chat_type: str, user_id: int) -> Actor | None:
    """In a group: that group's cluster. In private: the cluster of the person's newest membership,
    else the only cluster of the deployment (so a first-time user can still be guided)."""
    if chat_type != "private":
        cluster = repo.cluster_by_chat(conn, chat_id)
        return resolve_actor(conn, cluster, user_id) if cluster else None
    memberships = repo.memberships_of_user(conn, user_id)
    active = [m for m in memberships if m.status == "active"] or memberships
    if active:
        cluster = repo.cluster_by_id(conn, active[0].cluster_id)
        return resolve_actor(conn, cluster, user_id) if cluster else None
    for cluster_id in repo.secretariat_cluster_ids(conn, user_id, limit=1):
        cluster = repo.cluster_by_id(conn, cluster_id)
        if cluster:
            return resolve_actor(conn, cluster, user_id)
    clusters = repo.all_clusters(conn)
    if len(clusters) == 1:
        return resolve_actor(conn, clusters[0], user_id)
    return None


def actor_in_cluster(conn: Conn, cluster_id: int, user_id: int) -> Actor | None:
    """The person as seen by one given cluster (the read gate asks about the cluster that owns an object)."""
    cluster = repo.cluster_by_id(conn, cluster_id)
    return resolve_actor(conn, cluster, user_id) if cluster else None


# ---- setup ----------------------------------------------------------------------------------------


def setup_cluster(
    conn: Conn, chat_id: int, name: str, area: str, province: str, tz: str, locale: str,
    user_id: int, now: int,
) -> tuple[Cluster, bool]:  # fmt: skip
    name, area = clean_name(name), clean_name(area)
    cluster, created = repo.create_cluster(conn, chat_id, name, area, province, tz, locale, user_id, now)
    if created:
        core_repo.audit(conn, cluster.id, user_id, "cluster.setup", str(chat_id), now, name=name)
    return cluster, created


# ---- registration ---------------------------------------------------------------------------------


@dataclass
class Submission:
    ok: bool
    reason: str = ""  # already_member | org_closed | duplicate
    member: Member | None = None
    org: Organization | None = None
    duplicates: list[org_domain.Duplicate] = field(default_factory=list)


def check_duplicates(
    conn: Conn, cluster_id: int, name: str, short_name: str
) -> list[org_domain.Duplicate]:
    existing = [
        (o.id, o.name, o.short_name)
        for o in repo.orgs_of_cluster(conn, cluster_id, ("invited", "pending", "approved", "inactive"))
    ]
    return org_domain.find_duplicates(name, short_name, existing)


def submit_registration(
    conn: Conn, cluster_id: int, user_id: int, name: str, short_name: str, type_: str,
    region_code: str | None, title: str, now: int, join_org_id: int | None = None, allow_duplicate: bool = False,
) -> Submission:  # fmt: skip
    """Create a pending membership (and a pending organisation unless joining an existing one)."""
    name, short_name, title = clean_name(name), clean_name(short_name), clean_name(title)
    repo.lock_person(conn, user_id)  # "not a member yet, create one": once, even across processes
    existing = repo.current_member(conn, cluster_id, user_id)
    if existing is not None:
        return Submission(False, "already_member", existing, repo.org_by_id(conn, existing.organization_id))
    if join_org_id is not None:
        org = repo.org_by_id(conn, join_org_id)
        if org is None or org.cluster_id != cluster_id or org.status == "rejected":
            return Submission(False, "org_closed")
        if org.status == "invited":
            repo.update_org(conn, org.id, status="pending")
            org = repo.org_by_id(conn, org.id)
    else:
        if not allow_duplicate:
            dups = check_duplicates(conn, cluster_id, name, short_name)
            if dups:
                return Submission(False, "duplicate", duplicates=dups)
        org = repo.create_org(
            conn, cluster_id, name, short_name, org_domain.normalize_name(name), type_, region_code, "pending", now
        )
    assert org is not None
    member = repo.create_member(conn, cluster_id, user_id, org.id, title, "pending", now)
    core_repo.audit(conn, cluster_id, user_id, "member.register", f"org:{org.id}", now, member=member.id)
    return Submission(True, member=member, org=org)


def submit_and_close(conn: Conn, *, cluster_id: int, user_id: int, data: dict[str, Any],
                     allow_duplicate: bool, chat_id: int, now: int) -> Submission:  # fmt: skip
    """Submit the dialog's answers and close the dialog in the same transaction: a crash cannot leave one without
    the other."""
    result = submit_registration(
        conn, cluster_id, user_id, data.get("name", ""), data.get("short_name", ""), data.get("type") or "lainnya",
        data.get("region_code"), data.get("title", ""), now, data.get("join_org_id"), allow_duplicate,
    )  # fmt: skip
    if result.ok:
        core_repo.clear_dialog(conn, chat_id, user_id)
    return result


@dataclass
class Decision:
    ok: bool
    reason: str = ""  # not_found | already_decided | not_secretariat
    member: Member | None = None
    org: Organization | None = None


def decide_membership(
    conn: Conn, member_id: int, approve: bool, by_user: int, by_is_admin: bool, now: int
) -> Decision:
    repo.lock_member(conn, member_id)  # two presses on two processes: the second finds it decided
    member = repo.member_by_id(conn, member_id)
    if member is None:
        return Decision(False, "not_found")
    if not (by_is_admin or repo.is_secretariat(conn, member.cluster_id, by_user)):
        return Decision(False, "not_secretariat")
    if member.status != "pending":
        return Decision(False, "already_decided", member, repo.org_by_id(conn, member.organization_id))
    org = repo.org_by_id(conn, member.organization_id)
    assert org is not None
    # the member and organisation as written here (read under the member's lock), without reading them again
    if approve:
        repo.set_member_status(conn, member.id, "active", now)
        member = replace(member, status="active")
        if org.status in ("pending", "invited", "inactive"):
            repo.update_org(conn, org.id, status="approved", decided_at=now, decided_by=by_user, last_activity=now)
            org = replace(org, status="approved", last_activity=now)
    else:
        repo.set_member_status(conn, member.id, "rejected", now)
        member = replace(member, status="rejected")
        others = repo.members_of_org(conn, org.id, ("active", "pending"))
        if org.status == "pending" and not others:
            repo.update_org(conn, org.id, status="rejected", decided_at=now, decided_by=by_user)
            org = replace(org, status="rejected")
    core_repo.audit(
        conn, member.cluster_id, by_user, "member.approve" if approve else "member.reject", f"member:{member.id}", now
    )
    return Decision(True, member=member, org=org)


def create_invite(
    conn: Conn, cluster_id: int, name: str, type_: str | None, by: int, now: int
) -> Organization:
    code = new_code("", 8)
    name = clean_name(name)
    org = repo.create_org(
        conn, cluster_id, name, "", org_domain.normalize_name(name), type_ or "lainnya", None, "invited", now, code
    )
    core_repo.audit(conn, cluster_id, by, "org.invite", f"org:{org.id}", now)
    return org


# ---- directory ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryEntry:
    org: Organization
    active_reps: int
    silent: bool

    @property
    def needs_follow_up(self) -> bool:
        return self.org.status == "approved" and (self.active_reps == 0 or self.silent)


@dataclass
class DirectoryPage:
    entries: list[DirectoryEntry]
    status_counts: dict[str, int]
    type_counts: dict[str, int]
    page: int
    pages: int


def directory(conn: Conn, cluster_id: int, now: int, page: int = 0,
              page_size: int = DIRECTORY_PAGE) -> DirectoryPage:  # fmt: skip
    """Counts for the header and only the requested page of organisations (clamped to the last page)."""
    type_counts = repo.org_type_counts(conn, cluster_id)
    total = sum(type_counts.values())
    pages = max(1, (total + page_size - 1) // page_size)
    page = max(0, min(page, pages - 1))
    entries = [
        DirectoryEntry(org, reps, (now - (org.last_activity or org.created_at)) > SILENT_AFTER_S)
        for org, reps in repo.directory_rows(conn, cluster_id, org_domain.ORG_TYPES, page * page_size, page_size)
    ]
    return DirectoryPage(entries, repo.org_status_counts(conn, cluster_id), type_counts, page, pages)


@dataclass
class Profile:
    org: Organization
    reps: list[Member]
    pending: list[Member]
    capacities: list[Row]
    history: list[Row]
    silent: bool


def find_org(conn: Conn, cluster_id: int, query: str) -> tuple[Organization | None, list[Organization]]:
    """Best match for a typed name (exact short name or name, then fuzzy); also returns other candidates."""
    # Names are at most 120 characters; fuzzy matching costs length × length, so a pasted page of text would
    # otherwise hold the storage thread (every other member's request) for seconds.
    query = query[:120]
    orgs = repo.orgs_of_cluster(conn, cluster_id, ("invited", "pending", "approved", "inactive"))
    norm = org_domain.normalize_name(query)
    for org in orgs:
        if norm and norm in (org_domain.normalize_name(org.short_name), org_domain.normalize_name(org.name)):
            return org, []
    scored = sorted(
        ((max(org_domain.name_similarity(query, o.name), org_domain.name_similarity(query, o.short_name or "")), o)
         for o in orgs),
        key=lambda pair: -pair[0],
    )  # fmt: skip
    good = [o for score, o in scored if score >= 0.6]
    return (good[0] if good else None), good[1:4]


def profile_sections(conn: Conn, t: Translator, org: Organization,
                     sections: Sequence[ProfileSection]) -> list[str]:  # fmt: skip
    """What other features show on the organisation's profile (``ORG_PROFILE_SECTIONS``), in manifest order."""
    return [text for text in (section(conn, t, org) for section in sections) if text]


def profile(conn: Conn, org: Organization, now: int) -> Profile:
    return Profile(
        org,
        repo.members_of_org(conn, org.id, ("active",)),
        repo.members_of_org(conn, org.id, ("pending",)),
        repo.capacities_of_org(conn, org.id),
        ho_repo.handover_history(conn, org.id),
        (now - (org.last_activity or org.created_at)) > SILENT_AFTER_S,
    )


@dataclass
class Departure:
    member: Member
    org: Organization
    remaining_reps: int


def member_left(conn: Conn, chat_id: int, user_id: int, now: int) -> Departure | None:
    """A representative left the group: inactive, the organisation stays."""
    cluster = repo.cluster_by_chat(conn, chat_id)
    if cluster is None:
        return None
    member = repo.current_member(conn, cluster.id, user_id)
    if member is None or member.status != "active":
        return None
    repo.set_member_status(conn, member.id, "inactive", now)
    org = repo.org_by_id(conn, member.organization_id)
    assert org is not None
    core_repo.audit(conn, cluster.id, user_id, "member.left", f"member:{member.id}", now)
    return Departure(member, org, len(repo.members_of_org(conn, org.id, ("active",))))


def member_returned(conn: Conn, chat_id: int, user_id: int, now: int) -> bool:
    """Someone who left and comes back is active again if their organisation has no one else."""
    cluster = repo.cluster_by_chat(conn, chat_id)
    if cluster is None or repo.current_member(conn, cluster.id, user_id) is not None:
        return False
    row = repo.last_inactive_membership(conn, cluster.id, user_id)
    if row is None or repo.members_of_org(conn, row["organization_id"], ("active",)):
        return False
    repo.set_member_status(conn, row["id"], "active", now)
    return True


# ---- secretariat ----------------------------------------------------------------------------------


def add_secretariat(conn: Conn, *, cluster_id: int, user_id: int, by: int, now: int) -> bool:
    return repo.add_secretariat(conn, cluster_id, user_id, by, now)


def remove_secretariat(conn: Conn, *, cluster_id: int, user_id: int) -> bool:
    return repo.remove_secretariat(conn, cluster_id, user_id)


# ---- capacity -------------------------------------------------------------------------------------


def add_capacity(conn: Conn, *, org_id: int, kind: str, name: str, quantity: float | None,
                 region_code: str | None, location: str, now: int) -> int:  # fmt: skip
    capacity_id = repo.add_capacity(conn, org_id, kind, name, org_domain.normalize_name(name), quantity, region_code,
                                    location, "", now)  # fmt: skip
    repo.touch_org(conn, org_id, now)
    return capacity_id


def delete_capacity(conn: Conn, *, org_id: int, capacity_id: int) -> bool:
    return repo.delete_capacity(conn, org_id, capacity_id)


@dataclass(frozen=True)
class CapacityHit:
    org_name: str
    kind: str
    name: str
    quantity: float | None
    region_code: str | None
    location: str
    score: float


def search_capacity(conn: Conn, cluster_id: int, query: str) -> list[CapacityHit]:
    """Fuzzy search over names (typos tolerated: "perahu karet" finds "perahu karet"/"perahu")."""
    import difflib

    norm = org_domain.normalize_name(query[:120])  # capacity names are at most 80 characters (see find_org)
    if not norm:
        return []
    hits = []
    for row in repo.capacities_of_cluster(conn, cluster_id):
        name = row["norm_name"]
        score = difflib.SequenceMatcher(None, norm, name).ratio()
        words = name.split()
        for qword in norm.split():
            for word in words:
                score = max(score, difflib.SequenceMatcher(None, qword, word).ratio() - 0.05)
        if norm in name:
            score = 1.0
        if score >= 0.75:
            hits.append(CapacityHit(row["org_short"] or row["org_name"], row["kind"], row["name"], row["quantity"],
                                    row["region_code"], row["location"], round(score, 3)))  # fmt: skip
    return sorted(hits, key=lambda h: (-h.score, h.org_name))
