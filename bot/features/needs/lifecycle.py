"""A need or offer after it was posted: closing a need (fulfilled / cancelled), withdrawing an offer, the owner's
edits (quantity, deadline, place; pledgers are told), and the escalation of a need nobody answered. Each public
function is one transaction body (run by ``Database.write``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.features.members import storage as members_repo
from bot.features.needs import storage as repo
from bot.features.needs.service import ESCALATE_KIND, MAX_QUANTITY, PledgeResult
from bot.features.needs.storage import Need, Offer
from bot.features.sitrep import storage as sitrep_repo
from bot.kernel import jobs_storage as jobs_repo
from bot.kernel import storage as core_repo
from bot.kernel.sql import Conn


def close_need(
    conn: Conn,
    need_id: int,
    status: str,
    user_id: int,
    org_id: int | None,
    is_secretariat: bool,
    now: int,
) -> PledgeResult:
    """Owner or secretariat marks a need fulfilled or cancels it."""
    need = repo.need_by_id(conn, need_id)
    if need is None:
        return PledgeResult(False, "not_found")
    if not (is_secretariat or (org_id is not None and org_id == need.organization_id)):
        return PledgeResult(False, "not_allowed", need)
    if need.status != "open" or not repo.set_need_status(conn, need_id, status, now):
        return PledgeResult(False, "already", need)
    jobs_repo.cancel(conn, ESCALATE_KIND, f"need:{need.id}")
    core_repo.audit(conn, need.cluster_id, user_id, f"need.{status}", need.code, now)
    sitrep_repo.mark_changed(conn, need.cluster_id, now)
    pledgers = {p.user_id for p in repo.pledges_of_need(conn, need_id) if p.status in ("pledged", "sent")}
    return PledgeResult(
        True, need=repo.need_by_id(conn, need_id), closed_now=True, notify_user_ids=sorted(pledgers - {user_id})
    )


def withdraw_offer(
    conn: Conn,
    offer_id: int,
    org_id: int | None,
    is_secretariat: bool,
    user_id: int,
    now: int,
    cluster_id: int | None = None,
) -> Offer | None:
    """``is_secretariat`` is about ``cluster_id``: another cluster's secretariat has no say over this offer."""
    offer = repo.offer_by_id(conn, offer_id)
    if offer is None or (cluster_id is not None and offer.cluster_id != cluster_id):
        return None
    if not (is_secretariat or org_id == offer.organization_id) or offer.status != "open":
        return None
    repo.set_offer_status(conn, offer_id, "withdrawn", now)
    sitrep_repo.mark_changed(conn, offer.cluster_id, now)
    core_repo.audit(conn, offer.cluster_id, user_id, "offer.withdraw", offer.code, now)
    return repo.offer_by_id(conn, offer_id)


@dataclass
class Escalation:
    need: Need
    secretariat_user_ids: list[int]


def escalation_due(conn: Conn, need_id: int, now: int) -> Escalation | None:
    """The need is still open and not fully pledged: record the escalation and say whom to tell."""
    need = repo.need_by_id(conn, need_id)
    if need is None or need.status != "open" or need.pledged >= need.quantity:
        return None
    repo.mark_escalated(conn, need_id, now)
    users = [r["user_id"] for r in members_repo.secretariat_users(conn, need.cluster_id)]
    return Escalation(need, users)


@dataclass
class EditResult:
    ok: bool
    reason: str = ""  # not_found | not_allowed | closed | below_pledged | bad_quantity | unchanged
    need: Need | None = None
    before: Need | None = None
    notify_user_ids: list[int] = field(default_factory=list)  # the pledgers' representatives


def edit_need(
    conn: Conn,
    need_id: int,
    cluster_id: int,
    org_id: int | None,
    secretariat: bool,
    user_id: int,
    now: int,
    quantity: float | None = None,
    needed_by: int | None = None,
    location: str | None = None,
) -> EditResult:
    """Quantity, deadline or place of an open need, by its organisation or the secretariat; pledgers are told."""
    need = repo.need_by_id(conn, need_id)
    if need is None or need.cluster_id != cluster_id:
        return EditResult(False, "not_found")
    if not secretariat and need.organization_id != org_id:
        return EditResult(False, "not_allowed", need)
    if need.status != "open":
        return EditResult(False, "closed", need)
    changes: dict[str, object] = {}
    if quantity is not None:
        if not 0 < quantity <= MAX_QUANTITY:
            return EditResult(False, "bad_quantity", need)
        if quantity != need.quantity:
            changes["quantity"] = quantity
    if needed_by is not None and needed_by != need.needed_by:
        changes["needed_by"] = needed_by
    if location is not None and location != need.location:
        changes["location"] = location
    if not changes:
        return EditResult(False, "unchanged", need)
    repo.update_need_fields(conn, need_id, now, **changes)
    core_repo.audit(conn, cluster_id, user_id, "need.edit", need.code, now, fields=",".join(sorted(changes)))
    sitrep_repo.mark_changed(conn, cluster_id, now)
    pledger_orgs = {p.organization_id for p in repo.pledges_of_need(conn, need_id) if p.status in ("pledged", "sent")}
    users = [m.user_id for org in sorted(pledger_orgs) for m in members_repo.members_of_org(conn, org)]
    return EditResult(True, need=repo.need_by_id(conn, need_id), before=need, notify_user_ids=users)
