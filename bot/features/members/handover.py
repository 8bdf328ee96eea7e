"""Handover of an organisation's representation: offered by the representative (to a named colleague or by a
one-time code), answered by the successor, or reassigned by the secretariat; one transaction per use case."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.features.members import handover_storage as ho_repo
from bot.features.members import storage as repo
from bot.features.members.models import Organization
from bot.features.members.service import Actor, new_code
from bot.kernel import storage as core_repo
from bot.kernel.sql import Conn, Row

HANDOVER_TTL_S = 24 * 3600
CODE_ATTEMPTS_PER_HOUR = 5


@dataclass
class HandoverResult:
    ok: bool
    reason: str = ""  # not_member | not_found | already_decided | successor_busy | self | not_successor |
    # expired | too_many_attempts
    handover_id: int | None = None
    code: str | None = None
    org: Organization | None = None
    from_user: int | None = None
    to_user: int | None = None
    expires_at: int | None = None
    retry_at: int | None = None  # too_many_attempts: when the next try is possible
    secretariat: list[int] = field(default_factory=list)  # completed: whom to tell


def offer_handover(
    conn: Conn, actor: Actor, to_user: int | None, now: int, with_code: bool = False
) -> HandoverResult:
    if not actor.is_active or actor.member is None or actor.org is None:
        return HandoverResult(False, "not_member")
    if to_user is not None and to_user == actor.member.user_id:
        return HandoverResult(False, "self")
    if to_user is not None:
        busy = repo.current_member(conn, actor.cluster.id, to_user)
        if busy is not None and busy.organization_id != actor.org.id:
            return HandoverResult(False, "successor_busy", org=actor.org)
    code = new_code("ST-") if with_code or to_user is None else None
    handover_id = ho_repo.create_handover(
        conn, actor.cluster.id, actor.org.id, actor.member.user_id, to_user, code, actor.member.user_id, now
    )
    ho_repo.revoke_open_handovers(conn, actor.org.id, handover_id, now)  # a later handover revokes earlier codes
    return HandoverResult(True, handover_id=handover_id, code=code, org=actor.org, from_user=actor.member.user_id,
                          to_user=to_user, expires_at=now + HANDOVER_TTL_S)  # fmt: skip


def handover_expires_at(row: Row) -> int:
    return int(row["created_at"]) + HANDOVER_TTL_S


def _transfer(conn: Conn, cluster_id: int, org_id: int, from_user: int | None, to_user: int,
              title: str, now: int) -> None:  # fmt: skip
    if from_user is not None:
        old = repo.current_member(conn, cluster_id, from_user)
        if old is not None and old.organization_id == org_id:
            repo.set_member_status(conn, old.id, "former", now)
    current = repo.current_member(conn, cluster_id, to_user)
    if current is not None and current.organization_id == org_id:
        repo.set_member_status(conn, current.id, "active", now)
    else:
        repo.create_member(conn, cluster_id, to_user, org_id, title, "active", now)
    repo.update_org(conn, org_id, last_activity=now)


def answer_handover(
    conn: Conn, handover_id: int | None, code: str | None, user_id: int, accept: bool, now: int
) -> HandoverResult:
    """The successor accepts or declines; by button (id) or by sending the one-time code.

    A code is tried at most ``CODE_ATTEMPTS_PER_HOUR`` times per user and hour (unknown, used or expired codes
    count); it works once, for 24 hours, and only while no later handover of the organisation was made."""
    if handover_id is None:
        repo.lock_person(conn, user_id)  # count, then record: attempts on several processes stay within the limit
        tries = ho_repo.code_attempts_since(conn, user_id, now - 3600)
        if len(tries) >= CODE_ATTEMPTS_PER_HOUR:
            return HandoverResult(False, "too_many_attempts", retry_at=tries[-CODE_ATTEMPTS_PER_HOUR] + 3600)
    row = ho_repo.handover_by_id(conn, handover_id) if handover_id is not None else ho_repo.handover_by_code(conn, code or "")
    if row is None:
        if handover_id is None:
            ho_repo.record_code_attempt(conn, user_id, now)
        return HandoverResult(False, "not_found")
    org = repo.org_by_id(conn, row["organization_id"])
    result = HandoverResult(False, "", row["id"], row["code"], org, row["from_user_id"], row["to_user_id"])
    expired = row["status"] == "expired" or (row["status"] == "offered" and handover_expires_at(row) <= now)
    if handover_id is None and (expired or row["status"] != "offered"):
        ho_repo.record_code_attempt(conn, user_id, now)
        if not expired and row["to_user_id"] != user_id:
            return HandoverResult(False, "not_found")  # someone else's used code says nothing about itself
    if expired:
        ho_repo.decide_handover(conn, row["id"], "expired", None, now)
        result.reason = "expired"
        return result
    if row["status"] != "offered":
        result.reason = "already_decided"
        return result
    if row["to_user_id"] is not None and row["to_user_id"] != user_id:
        result.reason = "not_successor"
        return result
    if row["to_user_id"] is None and handover_id is not None:
        result.reason = "not_successor"  # a handover by one-time code is taken with the code, never by its id
        return result
    if row["from_user_id"] == user_id:
        result.reason = "self"
        return result
    busy = repo.current_member(conn, row["cluster_id"], user_id)
    if accept and busy is not None and busy.organization_id != row["organization_id"]:
        result.reason = "successor_busy"
        return result
    ho_repo.decide_handover(conn, row["id"], "accepted" if accept else "rejected", user_id, now)
    if accept:
        _transfer(conn, row["cluster_id"], row["organization_id"], row["from_user_id"], user_id, "", now)
        ho_repo.revoke_open_handovers(conn, row["organization_id"], None, now)
        result.secretariat = repo.secretariat_user_ids(conn, row["cluster_id"])
    core_repo.audit(conn, row["cluster_id"], user_id, "handover.accept" if accept else "handover.reject",
                    f"handover:{row['id']}", now)  # fmt: skip
    result.ok, result.to_user = True, user_id
    return result


def reassign(
    conn: Conn, cluster_id: int, org: Organization, to_user: int, by: int, now: int
) -> HandoverResult:
    """Secretariat moves an organisation's representation directly (e.g. the old officer is gone)."""
    busy = repo.current_member(conn, cluster_id, to_user)
    if busy is not None and busy.organization_id != org.id:
        return HandoverResult(False, "successor_busy", org=org)
    reps = repo.members_of_org(conn, org.id, ("active",))
    from_user = reps[0].user_id if reps else None
    for rep in reps:
        if rep.user_id != to_user:
            repo.set_member_status(conn, rep.id, "former", now)
    handover_id = ho_repo.create_handover(conn, cluster_id, org.id, from_user, to_user, None, by, now, "reassigned")
    _transfer(conn, cluster_id, org.id, None, to_user, "", now)
    ho_repo.revoke_open_handovers(conn, org.id, None, now)
    if org.status != "approved":
        repo.update_org(conn, org.id, status="approved", decided_at=now, decided_by=by)
    core_repo.audit(conn, cluster_id, by, "handover.reassign", f"org:{org.id}", now, to=to_user)
    return HandoverResult(True, handover_id=handover_id, org=org, from_user=from_user, to_user=to_user,
                          secretariat=repo.secretariat_user_ids(conn, cluster_id))  # fmt: skip
