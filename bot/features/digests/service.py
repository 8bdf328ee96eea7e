"""Scheduled digests (ringkasan berkala): what a due slot does, what a digest holds, who gets one.

Every slot is a ``scheduled_jobs`` row claimed before anything is sent (bot.kernel.scheduling; when the slots fall
is ``slots.py``); the handler of a slot schedules the next one in the cluster's own zone *before* sending, so a
crash mid-send never breaks the chain, and records every recipient in ``digest_runs`` before its send, so no slot
reaches a chat twice (a group's runs follow it when it becomes a supergroup: ``storage.migrate_chat``).

A digest is built by the explicit list ``SECTIONS``: one small function per section, each filling part of a
``Digest`` from one read snapshot. What other features know joins through the typed point ``DIGEST_SECTIONS``:
the agenda contributes the events and work-plan deadlines of the coming week (bot/features/agenda/feature.py),
run in ``coming_week_section``'s place, so the digests import no agenda code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from bot.features.digests import storage as repo
from bot.features.digests.parsing import SubscriptionRequest
from bot.features.digests.slots import (
    DAY_S,
    FREQUENCY_OF_KIND,
    MAX_LATE_S,
    PERIOD_S,
    SlotTime,
    due_on,
    ensure_cluster_slots,
    plan_next,
    schedule_of,
)
from bot.features.digests.storage import Delivered, NeedLine, OfferLine, Subscription
from bot.features.members import storage as members_repo
from bot.features.members.models import Cluster
from bot.features.sitrep import domain as sitrep_domain
from bot.features.sitrep import service as sitrep_svc
from bot.features.sitrep.parts import NO_PARTS, Parts
from bot.features.stock import service as stock_svc
from bot.features.stock.storage import StockLine
from bot.kernel import jobs_storage as jobs_repo
from bot.kernel import storage as core_repo
from bot.kernel.feature import Point
from bot.kernel.jobs_storage import JobRow
from bot.kernel.sql import Conn

NEED_LIMIT = 8
OFFER_LIMIT = 5
DELIVERED_LIMIT = 5
GAP_LIMIT = 5
STOCK_LINE_LIMIT = 5
ORG_LIMIT = 8


@dataclass
class SlotPlan:
    """What one due slot does: nothing (``send`` False, with a note why) or send to the group and subscribers."""

    send: bool
    note: str = ""
    cluster: Cluster | None = None
    frequency: str = ""
    slot: str = ""
    due_at: int = 0
    since: int = 0
    late: bool = False
    group_run: int | None = None
    group_chat_id: int = 0
    subscribers: list[Subscription] = field(default_factory=list)
    parts: Parts = NO_PARTS  # what other features add to the summary (their stock figures)
    sections: tuple[Section, ...] = ()  # what other features add to the digest (DIGEST_SECTIONS)


def open_slot(
    conn: Conn, *, job: JobRow, now: int, late: bool, parts: Parts = NO_PARTS,
    sections: tuple[Section, ...] = (),
) -> SlotPlan:  # fmt: skip
    """Check the slot still matches the cluster's settings, plan the next one, and claim the group's run."""
    frequency = FREQUENCY_OF_KIND[job.kind]
    cluster = members_repo.cluster_by_id(conn, job.cluster_id) if job.cluster_id is not None else None
    if cluster is None:
        return SlotPlan(False, "no cluster")
    at = schedule_of(conn, cluster.id)[frequency]
    if at is None:
        return SlotPlan(False, "switched off")
    day = date.fromisoformat(job.ref.rsplit(":", 1)[1])
    if at.weekday is not None and day.isoweekday() != at.weekday:
        plan_next(conn, cluster, frequency, at, now)
        return SlotPlan(False, "moved")
    expected = due_on(day, at, cluster.timezone)
    if expected > now:
        # the time or the zone changed since this slot was planned: the same slot moves to its new time
        jobs_repo.schedule(conn, job.kind, job.ref, expected, cluster.id)
        return SlotPlan(False, "moved")
    plan_next(conn, cluster, frequency, at, max(now, job.due_at))
    if now - job.due_at > MAX_LATE_S[frequency]:
        return SlotPlan(False, "too late")
    sitrep_svc.prepare(conn, cluster.id, now, parts)  # the stock figures of the digest: this period's published snapshot
    chat_id = core_repo.resolve_chat_id(conn, cluster.chat_id)
    group_run = repo.claim_run(conn, cluster.id, frequency, day.isoformat(), chat_id, late, now)
    return SlotPlan(
        True, "", cluster, frequency, day.isoformat(), job.due_at, job.due_at - PERIOD_S[frequency], late, group_run,
        chat_id, repo.slot_subscribers(conn, cluster.id, frequency), parts, sections,
    )  # fmt: skip


# ---- building a digest ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Whose digest: the group's (everything) or a member's (filters, and their own organisation's stock)."""

    cluster: Cluster
    frequency: str
    since: int
    region_codes: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    org_id: int | None = None
    parts: Parts = NO_PARTS
    sections: tuple[Section, ...] = ()  # contributed to DIGEST_SECTIONS (the agenda's coming week)

    @property
    def for_group(self) -> bool:
        return self.org_id is None

    @property
    def filtered(self) -> bool:
        return bool(self.region_codes or self.categories)


@dataclass
class StockAlerts:
    stale_days: int
    expiry_days: int
    stale: int = 0
    near_expiry: int = 0
    expired: int = 0
    own_lines: list[tuple[StockLine, str]] = field(default_factory=list)  # (line, "stale" | "expiry" | "expired")


@dataclass
class Digest:
    scope: Scope
    until: int
    open_needs: list[NeedLine] = field(default_factory=list)
    open_total: int = 0
    new_needs: int = 0
    offers: list[OfferLine] = field(default_factory=list)
    offers_total: int = 0
    delivered: list[Delivered] = field(default_factory=list)
    delivered_total: int = 0
    gaps: list[sitrep_domain.Gap] = field(default_factory=list)
    gaps_total: int = 0
    stock: StockAlerts | None = None
    orgs_without_rep: list[str] = field(default_factory=list)
    events: list[tuple[str, int]] = field(default_factory=list)  # (title, starts_at) in the coming week
    deadlines: list[tuple[str, str, int]] = field(default_factory=list)  # (title, organisation, deadline)

    @property
    def has_news(self) -> bool:
        """Something happened in the period; otherwise the digest is one line saying so."""
        return bool(self.new_needs or self.offers_total or self.delivered_total)


Section = Callable[[Conn, Scope, Digest], None]
# Sections other features contribute (their manifests); ``Scope.sections`` carries them to ``build``.
DIGEST_SECTIONS: Point[Section] = Point("digests.sections")
COMING_WEEK_S = 7 * DAY_S  # how far ahead "the coming week" looks


def needs_section(conn: Conn, scope: Scope, digest: Digest) -> None:
    digest.open_total, digest.new_needs = repo.need_counts(
        conn, scope.cluster.id, scope.since, scope.region_codes, scope.categories
    )
    digest.open_needs = repo.open_needs(conn, scope.cluster.id, scope.region_codes, scope.categories, NEED_LIMIT)


def offers_section(conn: Conn, scope: Scope, digest: Digest) -> None:
    digest.offers_total, digest.offers = repo.new_offers(
        conn, scope.cluster.id, scope.since, scope.region_codes, scope.categories, OFFER_LIMIT
    )


def deliveries_section(conn: Conn, scope: Scope, digest: Digest) -> None:
    digest.delivered_total, digest.delivered = repo.received_since(
        conn, scope.cluster.id, scope.since, scope.region_codes, scope.categories, DELIVERED_LIMIT
    )


def gaps_section(conn: Conn, scope: Scope, digest: Digest) -> None:
    """needed − pledged − cluster stock, as the situation summary computes it (its stock sources included)."""
    items = [
        sitrep_domain.ItemNeed(r["item_key"], r["item_name"], r["unit"], r["needed"], r["pledged"], r["received"])
        for r in repo.needs_by_item(conn, scope.cluster.id, scope.region_codes, scope.categories)
    ]
    if not items:
        return
    stock: dict[tuple[str, str], float] = {}
    for source in scope.parts.stock:
        stock.update(source(conn, scope.cluster.id, digest.until))
    gaps = sitrep_domain.compute_gaps(items, stock)
    digest.gaps_total, digest.gaps = len(gaps), gaps[:GAP_LIMIT]


def stock_section(conn: Conn, scope: Scope, digest: Digest) -> None:
    """The group sees how many lines went stale or expire soon; a member sees their own organisation's lines."""
    now = digest.until
    alerts = StockAlerts(stock_svc.stale_days(conn, scope.cluster.id), stock_svc.expiry_days(conn, scope.cluster.id))
    if scope.for_group:
        pub = stock_svc.published(conn, scope.cluster.id)  # the counts of the published snapshot (docs/privacy.md)
        if pub is not None:
            alerts.stale, alerts.near_expiry, alerts.expired = pub.stale_lines, pub.near_expiry_lines, pub.expired_lines
    elif scope.org_id is not None:
        for status in stock_svc.my_stock(conn, scope.org_id, now).lines:
            if status.line.quantity <= 0:
                continue
            flag = "expired" if status.expired else "expiry" if status.near_expiry else "stale" if status.stale else ""
            if flag:
                alerts.own_lines.append((status.line, flag))
        alerts.stale = sum(1 for _, f in alerts.own_lines if f == "stale")
        alerts.near_expiry = sum(1 for _, f in alerts.own_lines if f == "expiry")
        alerts.expired = sum(1 for _, f in alerts.own_lines if f == "expired")
    if alerts.stale or alerts.near_expiry or alerts.expired:
        digest.stock = alerts


def representation_section(conn: Conn, scope: Scope, digest: Digest) -> None:
    digest.orgs_without_rep = repo.orgs_without_active_rep(conn, scope.cluster.id, scope.region_codes)


def coming_week_section(conn: Conn, scope: Scope, digest: Digest) -> None:
    """What other features add (``DIGEST_SECTIONS``; the agenda: events and open work-plan deadlines of the next
    seven days), in the order their manifests are installed."""
    for section in scope.sections:
        section(conn, scope, digest)


# The digest's sections in order.
SECTIONS: list[Section] = [
    needs_section,
    offers_section,
    deliveries_section,
    gaps_section,
    stock_section,
    representation_section,
    coming_week_section,
]


def build(conn: Conn, scope: Scope, now: int) -> Digest:
    digest = Digest(scope, now)
    for section in SECTIONS:
        section(conn, scope, digest)
    return digest


def scope_for(plan: SlotPlan, subscription: Subscription | None = None, org_id: int | None = None) -> Scope:
    assert plan.cluster is not None
    if subscription is None:
        return Scope(plan.cluster, plan.frequency, plan.since, parts=plan.parts, sections=plan.sections)
    return Scope(
        plan.cluster, plan.frequency, plan.since, subscription.region_codes, subscription.categories, org_id, plan.parts,
        plan.sections,
    )


def claim_subscriber(
    conn: Conn, *, plan: SlotPlan, subscription: Subscription, now: int
) -> tuple[int, Digest] | None:
    """Claim the subscriber's run and build their filtered digest in one hand-off; None if already sent."""
    assert plan.cluster is not None
    member = members_repo.current_member(conn, plan.cluster.id, subscription.user_id)
    if member is None or member.status != "active":
        return None
    run_id = repo.claim_run(conn, plan.cluster.id, plan.frequency, plan.slot, subscription.user_id, plan.late, now)
    if run_id is None:
        return None
    return run_id, build(conn, scope_for(plan, subscription, member.organization_id), now)


def finish_run(
    conn: Conn, *, run_id: int, status: str, message_id: int | None, now: int, error: str = ""
) -> None:
    repo.finish_run(conn, run_id, status, message_id, now, error)


def sync_runs(conn: Conn) -> int:
    return repo.sync_runs(conn)


def cluster_of(conn: Conn, cluster_id: int) -> Cluster | None:
    return members_repo.cluster_by_id(conn, cluster_id)


def preview(
    conn: Conn, *, cluster_id: int, frequency: str, now: int, parts: Parts = NO_PARTS,
    sections: tuple[Section, ...] = (),
) -> Digest | None:  # fmt: skip
    """The cluster's digest as of now (``/ringkasan harian``), not recorded as a run."""
    cluster = members_repo.cluster_by_id(conn, cluster_id)
    if cluster is None:
        return None
    return build(conn, Scope(cluster, frequency, now - PERIOD_S[frequency], parts=parts, sections=sections), now)


# ---- the weekly charts' data ----------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryBar:
    category: str
    needs: int
    pledged: float  # 0..1 of what is needed, mean over the category's needs
    received: float


@dataclass(frozen=True)
class RegionStock:
    region_code: str
    unit: str
    quantity: float


@dataclass
class ChartData:
    categories: list[CategoryBar]
    stock: list[RegionStock]
    stock_hidden: bool  # some figures were left out by the privacy rule


def chart_data(conn: Conn, cluster_id: int, since: int, now: int) -> ChartData:
    bars = [
        CategoryBar(r["category"], int(r["n"]), float(r["pledged"] or 0), float(r["received"] or 0))
        for r in repo.category_progress(conn, cluster_id, since)
    ]
    sums: dict[tuple[str, str], float] = defaultdict(float)
    hidden = False
    pub = stock_svc.published(conn, cluster_id)  # the published table only (docs/privacy.md)
    for (code, _category, unit), quantity in (pub.region_totals() if pub is not None else {}).items():
        if quantity > 0 and code:
            sums[(code, unit)] += quantity
    hidden = pub is not None and any(r.level in ("item", "category", "hidden") for r in pub.rows)
    stock = [RegionStock(code, unit, q) for (code, unit), q in sorted(sums.items())]
    return ChartData(bars, stock, hidden)


# ---- subscriptions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubscriptionResult:
    subscriptions: list[Subscription]
    schedule: dict[str, SlotTime | None]
    changed: int = 0


def subscribe(
    conn: Conn, *, cluster_id: int, user_id: int, request: SubscriptionRequest, now: int
) -> SubscriptionResult:
    changed = 0
    if request.action == "stop":
        changed = repo.cancel_subscriptions(conn, cluster_id, user_id, request.frequencies, now)
    else:
        for frequency in request.frequencies:
            repo.upsert_subscription(
                conn, cluster_id, user_id, frequency, request.region_codes, request.categories, now
            )
            changed += 1
        cluster = members_repo.cluster_by_id(conn, cluster_id)
        if cluster is not None:
            ensure_cluster_slots(conn, cluster, now)
    return SubscriptionResult(
        repo.subscriptions_of_user(conn, cluster_id, user_id), schedule_of(conn, cluster_id), changed
    )


def my_subscriptions(conn: Conn, *, cluster_id: int, user_id: int) -> SubscriptionResult:
    return SubscriptionResult(repo.subscriptions_of_user(conn, cluster_id, user_id), schedule_of(conn, cluster_id))
