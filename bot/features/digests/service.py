"""Scheduled digests (ringkasan berkala): when each cluster's slots fall, what a digest holds, who gets one.

Every slot is a ``scheduled_jobs`` row (``digest.daily`` / ``digest.weekly``, ref
``digest:<frequency>:<cluster>:<local date>``) claimed before anything is sent (bot.kernel.scheduling); the handler of
a slot schedules the next one in the cluster's own zone *before* sending, so a crash mid-send never breaks the
chain, and records every recipient in ``digest_runs`` before its send, so no slot reaches a chat twice.
Slots are created lazily (at start, hourly, and when the secretariat changes a time): a new cluster's first
digest needs no hook in the cluster feature, and feature tests that move the clock see no digest jobs.

A digest is built by the explicit list ``SECTIONS``: one small function per section, each filling part of a
``Digest`` from one read snapshot. Events and work-plan deadlines of the coming week join that list when the
agenda feature (issue 7) exists; it does not yet.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.features.digests import storage as repo
from bot.features.digests.storage import Delivered, NeedLine, OfferLine, Subscription
from bot.features.members import storage as members_repo
from bot.features.members.storage import Cluster
from bot.features.sitrep import domain as sitrep_domain
from bot.features.sitrep import service as sitrep_svc
from bot.features.sitrep.parts import NO_PARTS, Parts
from bot.features.stock import service as stock_svc
from bot.features.stock.storage import StockLine
from bot.kernel import jobs_storage as jobs_repo
from bot.kernel import storage as core_repo
from bot.kernel.jobs_storage import JobRow
from bot.shared import catalogue, regions
from bot.shared.regions import fold

DAY_S = 24 * 3600
FREQUENCIES = repo.FREQUENCIES
KINDS = {"daily": "digest.daily", "weekly": "digest.weekly"}
FREQUENCY_OF_KIND = {kind: frequency for frequency, kind in KINDS.items()}
SETTING_KEYS = {"daily": "digest_daily", "weekly": "digest_weekly"}
PERIOD_S = {"daily": DAY_S, "weekly": 7 * DAY_S}
# A digest later than this is no longer news: recorded as missed instead of sent.
MAX_LATE_S = {"daily": 6 * 3600, "weekly": DAY_S}
NEED_LIMIT = 8
OFFER_LIMIT = 5
DELIVERED_LIMIT = 5
GAP_LIMIT = 5
STOCK_LINE_LIMIT = 5
ORG_LIMIT = 8


@dataclass(frozen=True)
class SlotTime:
    """When a frequency's slot falls in the cluster's zone; ``weekday`` is ISO (1 = Monday), weekly only."""

    hour: int
    minute: int
    weekday: int | None = None

    def encode(self) -> str:
        clock = f"{self.hour:02d}:{self.minute:02d}"
        return f"{self.weekday} {clock}" if self.weekday else clock

    @classmethod
    def decode(cls, raw: str, frequency: str) -> SlotTime | None:
        match = re.fullmatch(r"(?:([1-7]) )?(\d{2}):(\d{2})", raw.strip())
        if not match:
            return None
        weekday = int(match.group(1)) if match.group(1) else None
        if frequency == "weekly" and weekday is None:
            weekday = 1
        return cls(int(match.group(2)), int(match.group(3)), weekday if frequency == "weekly" else None)


DEFAULTS = {"daily": SlotTime(7, 0), "weekly": SlotTime(7, 0, 1)}
OFF = "off"


# ---- slots ----------------------------------------------------------------------------------------


def slot_ref(frequency: str, cluster_id: int, day: date) -> str:
    return f"digest:{frequency}:{cluster_id}:{day.isoformat()}"


def _prefix(frequency: str, cluster_id: int) -> str:
    return f"digest:{frequency}:{cluster_id}:"


def due_on(day: date, at: SlotTime, tz: str) -> int:
    return int(datetime.combine(day, time(at.hour, at.minute), tzinfo=ZoneInfo(tz)).timestamp())


def next_slot(after: int, at: SlotTime, tz: str) -> tuple[date, int]:
    """The first slot strictly after ``after`` (epoch seconds), as (local date, due time)."""
    day = datetime.fromtimestamp(after, ZoneInfo(tz)).date()
    for offset in range(9):
        candidate = day + timedelta(days=offset)
        if at.weekday is not None and candidate.isoweekday() != at.weekday:
            continue
        due = due_on(candidate, at, tz)
        if due > after:
            return candidate, due
    raise AssertionError("a slot always falls within nine days")


def schedule_of(conn: sqlite3.Connection, cluster_id: int) -> dict[str, SlotTime | None]:
    """Each frequency's slot time (None: switched off by the secretariat)."""
    out: dict[str, SlotTime | None] = {}
    for frequency in FREQUENCIES:
        raw = members_repo.get_setting(conn, cluster_id, SETTING_KEYS[frequency])
        if raw is None:
            out[frequency] = DEFAULTS[frequency]
        elif raw == OFF:
            out[frequency] = None
        else:
            out[frequency] = SlotTime.decode(raw, frequency) or DEFAULTS[frequency]
    return out


def plan_next(conn: sqlite3.Connection, cluster: Cluster, frequency: str, at: SlotTime, after: int) -> int:
    """Schedule the next slot after ``after``; a local date whose slot already ran is skipped, so moving the time
    later on the same day never sends that day's digest twice. Returns the due time."""
    kind = KINDS[frequency]
    for _ in range(8):
        day, due = next_slot(after, at, cluster.timezone)
        ref = slot_ref(frequency, cluster.id, day)
        if repo.slot_status(conn, kind, ref) in (None, "pending", "cancelled"):
            jobs_repo.schedule(conn, kind, ref, due, cluster.id)
            return due
        after = due
    raise AssertionError("no free digest slot in eight periods")


def ensure_cluster_slots(conn: sqlite3.Connection, cluster: Cluster, now: int) -> int:
    """Give the cluster its next slot per enabled frequency if it has none pending (idempotent)."""
    created = 0
    for frequency, at in schedule_of(conn, cluster.id).items():
        if at is not None and not repo.has_pending_slot(conn, KINDS[frequency], _prefix(frequency, cluster.id)):
            plan_next(conn, cluster, frequency, at, now)
            created += 1
    return created


def ensure_slots(conn: sqlite3.Connection, now: int) -> int:
    """Every cluster's next slots (at start and hourly: covers clusters set up since, and broken chains)."""
    return sum(ensure_cluster_slots(conn, cluster, now) for cluster in members_repo.all_clusters(conn))


@dataclass(frozen=True)
class ScheduleState:
    times: dict[str, SlotTime | None]
    next_due: dict[str, int | None]


def schedule_state(conn: sqlite3.Connection, cluster_id: int) -> ScheduleState:
    times = schedule_of(conn, cluster_id)
    return ScheduleState(
        times, {f: repo.pending_slot(conn, KINDS[f], _prefix(f, cluster_id)) if times[f] else None for f in times}
    )


def set_schedule(
    conn: sqlite3.Connection, cluster_id: int, frequency: str, at: SlotTime | None, user_id: int, now: int
) -> ScheduleState:
    """The secretariat moves (or switches off) a frequency: pending slots are cancelled and the next one planned."""
    cluster = members_repo.cluster_by_id(conn, cluster_id)
    assert cluster is not None
    members_repo.set_setting(conn, cluster_id, SETTING_KEYS[frequency], at.encode() if at else OFF)
    jobs_repo.cancel(conn, KINDS[frequency], _prefix(frequency, cluster_id))
    if at is not None:
        plan_next(conn, cluster, frequency, at, now)
    ensure_cluster_slots(conn, cluster, now)
    core_repo.audit(conn, cluster_id, user_id, "digest.schedule", frequency, now, at=at.encode() if at else OFF)
    return schedule_state(conn, cluster_id)


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


def open_slot(conn: sqlite3.Connection, job: JobRow, now: int, late: bool, parts: Parts = NO_PARTS) -> SlotPlan:
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
        chat_id, repo.slot_subscribers(conn, cluster.id, frequency), parts,
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


Section = Callable[[sqlite3.Connection, Scope, Digest], None]


def needs_section(conn: sqlite3.Connection, scope: Scope, digest: Digest) -> None:
    digest.open_total, digest.new_needs = repo.need_counts(
        conn, scope.cluster.id, scope.since, scope.region_codes, scope.categories
    )
    digest.open_needs = repo.open_needs(conn, scope.cluster.id, scope.region_codes, scope.categories, NEED_LIMIT)


def offers_section(conn: sqlite3.Connection, scope: Scope, digest: Digest) -> None:
    digest.offers_total, digest.offers = repo.new_offers(
        conn, scope.cluster.id, scope.since, scope.region_codes, scope.categories, OFFER_LIMIT
    )


def deliveries_section(conn: sqlite3.Connection, scope: Scope, digest: Digest) -> None:
    digest.delivered_total, digest.delivered = repo.received_since(
        conn, scope.cluster.id, scope.since, scope.region_codes, scope.categories, DELIVERED_LIMIT
    )


def gaps_section(conn: sqlite3.Connection, scope: Scope, digest: Digest) -> None:
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


def stock_section(conn: sqlite3.Connection, scope: Scope, digest: Digest) -> None:
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


def representation_section(conn: sqlite3.Connection, scope: Scope, digest: Digest) -> None:
    digest.orgs_without_rep = repo.orgs_without_active_rep(conn, scope.cluster.id, scope.region_codes)


def coming_week_section(conn: sqlite3.Connection, scope: Scope, digest: Digest) -> None:
    """Events and open work-plan deadlines of the next seven days (the agenda feature's data)."""
    from bot.features.agenda import storage as agenda_repo
    from bot.features.workplan import storage as workplan_repo

    until = digest.until + 7 * DAY_S
    digest.events = [(e.title, e.starts_at) for e in agenda_repo.upcoming_events(conn, scope.cluster.id, digest.until)
                     if e.starts_at <= until][:8]  # fmt: skip
    digest.deadlines = sorted(
        (w.title, w.org_label, w.deadline_at)
        for w in workplan_repo.open_work_items(conn, scope.cluster.id)
        if w.deadline_at <= until
    )[:8]


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


def build(conn: sqlite3.Connection, scope: Scope, now: int) -> Digest:
    digest = Digest(scope, now)
    for section in SECTIONS:
        section(conn, scope, digest)
    return digest


def scope_for(plan: SlotPlan, subscription: Subscription | None = None, org_id: int | None = None) -> Scope:
    assert plan.cluster is not None
    if subscription is None:
        return Scope(plan.cluster, plan.frequency, plan.since, parts=plan.parts)
    return Scope(
        plan.cluster, plan.frequency, plan.since, subscription.region_codes, subscription.categories, org_id, plan.parts
    )


def claim_subscriber(
    conn: sqlite3.Connection, plan: SlotPlan, subscription: Subscription, now: int
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


def finish_run(conn: sqlite3.Connection, run_id: int, status: str, message_id: int | None, now: int) -> None:
    repo.finish_run(conn, run_id, status, message_id, now)


def preview(conn: sqlite3.Connection, cluster_id: int, frequency: str, now: int, parts: Parts = NO_PARTS) -> Digest | None:
    """The cluster's digest as of now (``/ringkasan harian``), not recorded as a run."""
    cluster = members_repo.cluster_by_id(conn, cluster_id)
    if cluster is None:
        return None
    return build(conn, Scope(cluster, frequency, now - PERIOD_S[frequency], parts=parts), now)


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


def chart_data(conn: sqlite3.Connection, cluster_id: int, since: int, now: int) -> ChartData:
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
class SubscriptionRequest:
    action: str  # subscribe | stop
    frequencies: tuple[str, ...]
    region_codes: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParseProblem:
    code: str  # frequency | time | region | unknown
    text: str = ""


_FREQUENCY_WORDS = {"harian": "daily", "daily": "daily", "mingguan": "weekly", "weekly": "weekly"}
_STOP_WORDS = {"berhenti", "henti", "stop", "batal", "hapus", "unsubscribe", "cancel"}
_OFF_WORDS = {"mati", "off", "nonaktif", "stop", "berhenti"}
_NOISE = {"dan", "and", "di", "untuk", "kategori", "wilayah", "saja", "semua", "all", "barang", "kab", "kota", "jam",
          "pukul", "setiap", "tiap", "hari", "wib", "wita", "wit", "at", "every"}  # fmt: skip
_WEEKDAYS = {
    "senin": 1, "selasa": 2, "rabu": 3, "kamis": 4, "jumat": 5, "jum at": 5, "sabtu": 6, "minggu": 7, "ahad": 7,
    "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6, "sunday": 7,
}  # fmt: skip
_CLOCK_RE = re.compile(r"(?<![\d.:])(\d{1,2})(?:[.:](\d{2}))?(?![\d.:])")
_MAX_CATEGORY_WORDS = 4


def _categories_in(words: list[str]) -> tuple[list[str], list[str]]:
    """Greedy longest match of category names over the words; returns (category keys, words not understood)."""
    found: list[str] = []
    unknown: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(_MAX_CATEGORY_WORDS, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + n])
            category = catalogue.find_category(phrase) if len(phrase) > 2 else None
            if category is not None:
                if category.key not in found:
                    found.append(category.key)
                i += n
                break
        else:
            if words[i] not in _NOISE:
                unknown.append(words[i])
            i += 1
    return found, unknown


def parse_subscription(text: str, province: str) -> SubscriptionRequest | ParseProblem | None:
    """``harian HSS, HST pangan kesehatan`` / ``mingguan`` / ``berhenti [harian]``; None when empty."""
    text = " ".join(text.split())[:300]
    if not text:
        return None
    hits = regions.find_regions_in(text, province)
    unknown_region = next((h for h in hits if h.region is None), None)
    if unknown_region is not None:
        return ParseProblem("region", unknown_region.text)
    rest = text
    for hit in sorted(hits, key=lambda h: -h.start):
        rest = rest[: hit.start] + " , " + rest[hit.end :]
    words = [w for w in fold(rest).split()]
    frequencies = tuple(dict.fromkeys(_FREQUENCY_WORDS[w] for w in words if w in _FREQUENCY_WORDS))
    stop = any(w in _STOP_WORDS for w in words)
    words = [w for w in words if w not in _FREQUENCY_WORDS and w not in _STOP_WORDS]
    codes = tuple(dict.fromkeys(h.region.code for h in hits if h.region is not None))
    if stop:
        return SubscriptionRequest("stop", frequencies or FREQUENCIES)
    categories, unknown = _categories_in(words)
    if unknown:
        return ParseProblem("unknown", " ".join(unknown))
    if len(frequencies) != 1:
        return ParseProblem("frequency")
    return SubscriptionRequest("subscribe", frequencies, codes, tuple(categories))


@dataclass(frozen=True)
class ScheduleRequest:
    frequency: str
    at: SlotTime | None  # None: switch off


def parse_schedule(text: str) -> ScheduleRequest | ParseProblem | None:
    """``harian 07.00`` / ``mingguan senin 07.00`` / ``harian mati``; None when empty (show the schedule)."""
    raw = " ".join(text.split())[:80]
    if not raw:
        return None
    clocks = list(_CLOCK_RE.finditer(raw))
    words = fold(_CLOCK_RE.sub(" ", raw)).split()
    frequency = next((_FREQUENCY_WORDS[w] for w in words if w in _FREQUENCY_WORDS), None)
    if frequency is None:
        return ParseProblem("frequency")
    words = [w for w in words if w not in _FREQUENCY_WORDS]
    if any(w in _OFF_WORDS for w in words):
        return ScheduleRequest(frequency, None)
    joined = " ".join(words)
    weekday = None
    for name, number in sorted(_WEEKDAYS.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"\b{name}\b", joined):
            weekday = number
            joined = re.sub(rf"\b{name}\b", " ", joined)
            break
    unknown = [w for w in joined.split() if w not in _NOISE]
    if unknown:
        return ParseProblem("unknown", " ".join(unknown))
    if len(clocks) > 1 or (weekday is not None and frequency == "daily"):
        return ParseProblem("time", raw)
    hour, minute = DEFAULTS[frequency].hour, DEFAULTS[frequency].minute
    if clocks:
        hour, minute = int(clocks[0].group(1)), int(clocks[0].group(2) or 0)
        if hour > 23 or minute > 59:
            return ParseProblem("time", clocks[0].group(0))
    if frequency == "daily":
        return ScheduleRequest("daily", SlotTime(hour, minute))
    return ScheduleRequest("weekly", SlotTime(hour, minute, weekday or DEFAULTS["weekly"].weekday))


@dataclass(frozen=True)
class SubscriptionResult:
    subscriptions: list[Subscription]
    schedule: dict[str, SlotTime | None]
    changed: int = 0


def subscribe(
    conn: sqlite3.Connection, cluster_id: int, user_id: int, request: SubscriptionRequest, now: int
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


def my_subscriptions(conn: sqlite3.Connection, cluster_id: int, user_id: int) -> SubscriptionResult:
    return SubscriptionResult(repo.subscriptions_of_user(conn, cluster_id, user_id), schedule_of(conn, cluster_id))
