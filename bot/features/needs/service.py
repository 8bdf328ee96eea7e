"""Needs, offers and pledges: posting, the pledge state machine, matching and escalation.

Each public function is one transaction body (run by ``Database.write``) and returns everything the
handler needs to answer and to edit cards, so a use case costs one database hand-off.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from bot.features.members import storage as members_repo
from bot.features.needs import storage as repo
from bot.features.needs.storage import Incident, Need, Offer, Pledge
from bot.features.sitrep import storage as sitrep_repo
from bot.kernel import jobs_storage as jobs_repo
from bot.kernel import storage as core_repo
from bot.kernel.sql import Conn
from bot.shared import quantity, regions

MAX_QUANTITY = 1_000_000_000
# Hours after posting before an uncovered need is escalated to the secretariat, per priority.
DEFAULT_ESCALATION_H = {1: 2, 2: 6, 3: 24, 4: 72}
ESCALATE_KIND = "need.escalate"
# The same organisation posting the same need (item, quantity, unit, region) within this window is asked
# whether it really means a second one (a double tap, a resend after a slow answer) instead of getting two cards.
DUPLICATE_WINDOW_S = 10 * 60


@dataclass(frozen=True)
class NeedDraft:
    item_key: str | None
    item_name: str
    category: str | None
    quantity: float
    unit: str
    region_code: str | None
    location: str = ""
    priority: int = 3
    needed_by: int | None = None
    beneficiaries: int | None = None
    beneficiary_unit: str | None = None
    note: str = ""
    incident_id: int | None = None
    district_code: str | None = None  # kecamatan (adm3)
    unclear: str = ""  # words the parser did not understand (shown back, never stored silently)


@dataclass(frozen=True)
class OfferDraft:
    item_key: str | None
    item_name: str
    category: str | None
    quantity: float
    unit: str
    region_code: str | None
    location: str = ""
    available_until: int | None = None
    conditions: str = ""
    district_code: str | None = None  # kecamatan (adm3)


@dataclass
class Match:
    """An offer that fits a need (stock sources are added by the stock feature)."""

    offer: Offer
    distance_rank: int


@dataclass
class Posted:
    need: Need | None = None
    offer: Offer | None = None
    matches: list[Match] = field(default_factory=list)
    matching_needs: list[Need] = field(default_factory=list)
    notify: dict[int, list[int]] = field(default_factory=dict)  # user_id → offer ids to suggest
    duplicate_of: Need | None = None  # nothing was posted: this open need is the same (ask first)


def in_unit(value: float, from_unit: str, to_unit: str) -> float | None:
    """``value`` expressed in another unit (kg↔ton, l↔ml …); None when the units are not commensurable."""
    if from_unit == to_unit:
        return value
    converted = quantity.convert(Decimal(str(value)), from_unit, to_unit)
    return float(converted) if converted is not None else None


def escalation_hours(conn: Conn, cluster_id: int, priority: int) -> float:
    raw = members_repo.get_setting(conn, cluster_id, "escalation_h")
    if raw:
        try:
            values = [float(v) for v in raw.split(",")]
            if len(values) == 4:
                return values[priority - 1]
        except ValueError:
            pass
    return DEFAULT_ESCALATION_H.get(priority, 24)


def with_incident(conn: Conn, cluster_id: int, draft: NeedDraft) -> NeedDraft:
    """A need posted without an incident belongs to the active incident of its region (or the only active one)."""
    if draft.incident_id is not None:
        return draft
    active = repo.incidents(conn, cluster_id)
    regional = [i for i in active if draft.region_code in i.region_codes] or active
    if len(regional) >= 1 and (len(regional) == 1 or draft.region_code):
        return NeedDraft(**{**draft.__dict__, "incident_id": regional[0].id})
    return draft


def post_need(
    conn: Conn,
    cluster_id: int,
    org_id: int,
    user_id: int,
    draft: NeedDraft,
    now: int,
    is_exercise: bool = False,
    allow_duplicate: bool = False,
) -> Posted:
    if not 0 < draft.quantity <= MAX_QUANTITY:
        raise ValueError("quantity out of range")
    # The double-post guard reads, then writes: one organisation's posts are serialised on its row, so a double
    # tap delivered to two processes (PostgreSQL) cannot pass the check twice.
    members_repo.lock_org(conn, org_id)
    if not allow_duplicate:
        same = repo.recent_same_need(
            conn, cluster_id, org_id, draft.item_key, draft.item_name, draft.quantity, draft.unit,
            draft.region_code, now - DUPLICATE_WINDOW_S,
        )  # fmt: skip
        if same is not None:
            return Posted(duplicate_of=same)
    number = repo.next_number(conn, cluster_id, "need")
    need = repo.insert_need(
        conn,
        cluster_id=cluster_id,
        number=number,
        incident_id=draft.incident_id,
        organization_id=org_id,
        created_by=user_id,
        item_key=draft.item_key,
        item_name=draft.item_name,
        category=draft.category,
        quantity=draft.quantity,
        unit=draft.unit,
        region_code=draft.region_code,
        location=draft.location,
        priority=draft.priority,
        needed_by=draft.needed_by,
        beneficiaries=draft.beneficiaries,
        beneficiary_unit=draft.beneficiary_unit,
        note=draft.note,
        district_code=draft.district_code,
        is_exercise=bool(is_exercise),
        created_at=now,
        updated_at=now,
    )
    members_repo.touch_org(conn, org_id, now)
    core_repo.audit(conn, cluster_id, user_id, "need.post", need.code, now)
    due = now + int(escalation_hours(conn, cluster_id, draft.priority) * 3600)
    jobs_repo.schedule(conn, ESCALATE_KIND, f"need:{need.id}", due, cluster_id, {"need_id": need.id})
    sitrep_repo.mark_changed(conn, cluster_id, now)
    posted = Posted(need=need, matches=matching_offers(conn, need))
    for match in posted.matches:
        if match.offer.organization_id == org_id:
            continue
        for member in members_repo.members_of_org(conn, match.offer.organization_id):
            posted.notify.setdefault(member.user_id, []).append(match.offer.id)
    return posted


def matching_offers(conn: Conn, need: Need, limit: int = 5) -> list[Match]:
    """Open offers of the same item (or category for unmapped items), nearest region first."""
    if need.item_key:
        offers = repo.list_offers(conn, need.cluster_id, item_key=need.item_key)
    elif need.category:
        offers = repo.list_offers(conn, need.cluster_id, category=need.category)
    else:
        offers = []
    offers = [o for o in offers if o.available > 0]
    order = regions.nearest_first(need.region_code, [o.region_code or "" for o in offers]) if need.region_code else []
    rank = {code: i for i, code in enumerate(order)}
    ranked = sorted(offers, key=lambda o: (rank.get(o.region_code or "", 99), o.created_at))
    return [Match(o, rank.get(o.region_code or "", 99)) for o in ranked[:limit]]


def post_offer(
    conn: Conn,
    cluster_id: int,
    org_id: int,
    user_id: int,
    draft: OfferDraft,
    now: int,
    is_exercise: bool = False,
) -> Posted:
    if not 0 < draft.quantity <= MAX_QUANTITY:
        raise ValueError("quantity out of range")
    number = repo.next_number(conn, cluster_id, "offer")
    offer = repo.insert_offer(
        conn,
        cluster_id=cluster_id,
        number=number,
        organization_id=org_id,
        created_by=user_id,
        item_key=draft.item_key,
        item_name=draft.item_name,
        category=draft.category,
        quantity=draft.quantity,
        unit=draft.unit,
        region_code=draft.region_code,
        location=draft.location,
        available_until=draft.available_until,
        conditions=draft.conditions,
        district_code=draft.district_code,
        is_exercise=bool(is_exercise),
        created_at=now,
        updated_at=now,
    )
    members_repo.touch_org(conn, org_id, now)
    core_repo.audit(conn, cluster_id, user_id, "offer.post", offer.code, now)
    sitrep_repo.mark_changed(conn, cluster_id, now)
    if offer.item_key:
        needs = repo.list_needs(conn, cluster_id, item_key=offer.item_key, limit=20)
    elif offer.category:
        needs = repo.list_needs(conn, cluster_id, category=offer.category, limit=20)
    else:
        needs = []
    return Posted(offer=offer, matching_needs=[n for n in needs if n.remaining > 0][:5])


# ---- pledges --------------------------------------------------------------------------------------


@dataclass
class PledgeResult:
    ok: bool
    reason: str = ""  # need_closed | not_found | own_need | bad_quantity | not_allowed | already | offer_used
    need: Need | None = None
    pledge: Pledge | None = None
    closed_now: bool = False
    notify_user_ids: list[int] = field(default_factory=list)


def make_pledge(
    conn: Conn,
    need_id: int,
    org_id: int,
    user_id: int,
    quantity: float,
    now: int,
    offer_id: int | None = None,
    source: str = "direct",
    *,
    cluster_id: int | None = None,
) -> PledgeResult:
    """``quantity`` 0 with an offer: what is still open (or the whole need). ``cluster_id``: the acting cluster
    (a need of another cluster is "not_found").

    The need (then the offer) is locked before it is read: what is still open, and what the offer has left, are
    read and written in one step even with several connections and processes (PostgreSQL)."""
    repo.lock_need(conn, need_id)
    if offer_id is not None:
        repo.lock_offer(conn, offer_id)
    need = repo.need_by_id(conn, need_id)
    if need is None or (cluster_id is not None and need.cluster_id != cluster_id):
        return PledgeResult(False, "not_found")
    if offer_id is not None and quantity == 0:
        quantity = need.remaining if need.remaining > 0 else need.quantity
    if need.status != "open":
        return PledgeResult(False, "need_closed", need)
    if need.organization_id == org_id:
        # A pledge to one's own need would inflate the commitments and hide the gap in the summary.
        return PledgeResult(False, "own_need", need)
    if not 0 < quantity <= MAX_QUANTITY:
        return PledgeResult(False, "bad_quantity", need)
    if offer_id is not None:
        offer = repo.offer_by_id(conn, offer_id)
        if offer is None or offer.organization_id != org_id or offer.status != "open" or offer.available <= 0:
            return PledgeResult(False, "offer_used", need)
        available = in_unit(offer.available, offer.unit, need.unit)
        if available is None:
            return PledgeResult(False, "offer_used", need)
        quantity = min(quantity, available)
        repo.add_offer_committed(conn, offer_id, in_unit(quantity, need.unit, offer.unit) or quantity, now)
        source = "offer"
    pledge = repo.insert_pledge(conn, need_id, org_id, user_id, offer_id, source, quantity, now)
    repo.add_pledge_event(conn, pledge, None, "pledged", user_id, now)
    repo.apply_pledge_delta(conn, need_id, quantity, 0, 0, now)
    members_repo.touch_org(conn, org_id, now)
    sitrep_repo.mark_changed(conn, need.cluster_id, now)
    owners = [m.user_id for m in members_repo.members_of_org(conn, need.organization_id)]
    # the need as ``apply_pledge_delta`` left it (read under its lock: nothing else changed it), without reading it
    return PledgeResult(True, need=replace(need, pledged=need.pledged + quantity), pledge=pledge,
                        notify_user_ids=owners)  # fmt: skip


# allowed transitions: (from, to) → who may do it: "pledger" or "owner"
_TRANSITIONS = {
    ("pledged", "sent"): "pledger",
    ("pledged", "received"): "owner",
    ("sent", "received"): "owner",
    ("pledged", "cancelled"): "pledger",
    ("sent", "cancelled"): "pledger",
}


def move_pledge(
    conn: Conn,
    pledge_id: int,
    to_status: str,
    user_id: int,
    org_id: int | None,
    is_secretariat: bool,
    now: int,
    *,
    locked: tuple[Pledge, Need] | None = None,
) -> PledgeResult:
    """pledged → sent → received, or cancelled (which reopens the amount). Compare-and-set on status; the need is
    locked first (as pledging does), so "received covers the need, close it" is decided on the current totals.

    ``locked``: the pledge and its need, read by the caller in this transaction after ``repo.lock_pledge`` (they
    are not read again)."""
    if locked is None:
        repo.lock_pledge(conn, pledge_id)
        found = repo.pledge_by_id(conn, pledge_id)
        if found is None:
            return PledgeResult(False, "not_found")
        pledge = found
        need = repo.need_by_id(conn, pledge.need_id)
        assert need is not None
    else:
        pledge, need = locked
    who = _TRANSITIONS.get((pledge.status, to_status))
    if who is None:
        return PledgeResult(False, "already", need, pledge)
    allowed = is_secretariat or (
        org_id is not None and org_id == (pledge.organization_id if who == "pledger" else need.organization_id)
    )
    if not allowed:
        return PledgeResult(False, "not_allowed", need, pledge)
    if not repo.set_pledge_status(conn, pledge.id, pledge.status, to_status, now):
        return PledgeResult(False, "already", need, pledge)
    repo.add_pledge_event(conn, pledge, pledge.status, to_status, user_id, now)
    q = pledge.quantity
    was_sent = pledge.status == "sent"
    deltas: tuple[float, float, float] = (0, 0, 0)  # pledged, sent, received
    if to_status == "sent":
        deltas = (0, q, 0)
    elif to_status == "received":
        deltas = (0, 0 if was_sent else q, q)
    elif to_status == "cancelled":
        deltas = (-q, -q if was_sent else 0, 0)
    if to_status in ("sent", "received", "cancelled"):
        repo.apply_pledge_delta(conn, need.id, *deltas, now)
    if to_status == "cancelled":
        offer = repo.offer_by_id(conn, pledge.offer_id) if pledge.offer_id is not None else None
        if offer is not None:
            repo.add_offer_committed(conn, offer.id, -(in_unit(q, need.unit, offer.unit) or q), now)
    sitrep_repo.mark_changed(conn, need.cluster_id, now)
    # the need as apply_pledge_delta left it (read under its lock: nothing else changed it), without reading it
    updated = replace(need, pledged=need.pledged + deltas[0], sent=need.sent + deltas[1],
                      received=need.received + deltas[2])  # fmt: skip
    closed_now = False
    if to_status == "received" and updated.status == "open" and updated.received >= updated.quantity:
        repo.set_need_status(conn, need.id, "fulfilled", now)
        jobs_repo.cancel(conn, ESCALATE_KIND, f"need:{need.id}")
        closed_now = True
        refreshed = repo.need_by_id(conn, need.id)
        assert refreshed is not None
        updated = refreshed
    core_repo.audit(
        conn, need.cluster_id, user_id, f"pledge.{to_status}", f"pledge:{pledge.id}", now, need=need.code, quantity=q
    )
    if who == "pledger":
        notify = [m.user_id for m in members_repo.members_of_org(conn, need.organization_id)]
    else:
        notify = [m.user_id for m in members_repo.members_of_org(conn, pledge.organization_id)]
    return PledgeResult(
        True,
        need=updated,
        pledge=replace(pledge, status=to_status),  # what set_pledge_status wrote, without reading it again
        closed_now=closed_now,
        notify_user_ids=[u for u in notify if u != user_id],
    )


# ---- incidents ------------------------------------------------------------------------------------


def declare_incident(conn: Conn, *, cluster_id: int, type_: str, title: str, region_codes: list[str],
                     status: str, started_at: int, by: int, now: int) -> Incident:  # fmt: skip
    return repo.create_incident(conn, cluster_id, type_, title, region_codes, status, started_at, by, now)


def change_incident_status(
    conn: Conn, *, cluster_id: int, incident_id: int, status: str, now: int
) -> Incident | None:
    """The incident with its new status; None when the cluster has no such incident (nothing changes)."""
    existing = repo.incident_by_id(conn, cluster_id, incident_id)
    if existing is None:
        return None
    repo.set_incident_status(conn, existing.id, status, now)
    return repo.incident_by_id(conn, cluster_id, existing.id)


# ---- reads a handler needs in one hand-off -------------------------------------------------------------------


def need_with_pledges(conn: Conn, *, need_id: int) -> tuple[Need | None, list[Pledge]]:
    need = repo.need_by_id(conn, need_id)
    return need, (repo.pledges_of_need(conn, need_id) if need is not None else [])


def open_pledges_of_org(conn: Conn, *, org_id: int, limit: int = 10) -> list[tuple[Pledge, Need]]:
    """The organisation's pledges still pledged or sent, each with its need (the first ``limit``)."""
    found = []
    for pledge in repo.pledges_of_org(conn, org_id, ("pledged", "sent"))[:limit]:
        need = repo.need_by_id(conn, pledge.need_id)
        if need is not None:
            found.append((pledge, need))
    return found
