"""Private stock reports and the cluster's logistics picture: the rules, one transaction per use case.

Privacy (docs/privacy.md): every stock figure that members can see comes from one published table per cluster and
snapshot (``publish``/``published``, rules in bot.features.stock.disclosure): every figure sums at least three
organisations, the figures are disjoint blocks so no margin or difference isolates one organisation, and a table
changes only when the change is masked by changes of at least three organisations. The secretariat additionally
sees the figures of organisations that allow it. ``cluster_totals`` reads the raw running sums: it feeds only the
snapshot's counts and must never be shown as figures.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from bot.features.members import service as members_svc
from bot.features.members import storage as members_repo
from bot.features.members.service import CapacityHit
from bot.features.needs import service as needs_svc
from bot.features.needs import storage as needs_repo
from bot.features.needs.storage import Need, Offer
from bot.features.sitrep.domain import Sitrep
from bot.features.stock import disclosure
from bot.features.stock import storage as repo
from bot.features.stock.storage import StockInput, StockLine
from bot.kernel import jobs_storage as jobs_repo
from bot.kernel import storage as core_repo
from bot.shared import catalogue, posting, regions
from bot.shared import quantity as qty
from bot.shared.catalogue import ItemMatch
from bot.shared.regions import fold

if TYPE_CHECKING:  # the importer builds on this module's rules
    from bot.features.stock import importer

STALE_KIND = "stock.stale"
EXPIRY_KIND = "stock.expiry"
DEFAULT_STALE_DAYS = 30
DEFAULT_EXPIRY_DAYS = 30
MAX_STALE_DAYS = 365
MIN_PRIVATE_CONTRIBUTORS = 2
MAX_LINES = 100  # lines per message; a longer list goes through the file import
MAX_QUANTITY = float(qty.MAX_QUANTITY)
DAY_S = 24 * 3600
CONDITIONS = ("baik", "rusak_ringan", "rusak_berat")


@dataclass(frozen=True)
class StockDraft:
    item_key: str | None
    item_name: str
    category: str
    quantity: float
    unit: str
    region_code: str
    location: str = ""
    expires_at: int | None = None
    condition: str = "baik"
    district_code: str | None = None  # kecamatan (adm3), private like the line: never in a pooled figure


def norm_location(location: str, region_code: str) -> str:
    """The location's comparison form, without the names of its own region.

    "gudang BPBD Bjm" and "Gudang bpbd Banjarmasin" are one place: the region is already part of the identity.
    """
    text = location[:120]
    for hit in sorted(regions.find_regions_in(text, region_code[:2] or regions.DEFAULT_PROVINCE),
                      key=lambda h: -h.start):  # fmt: skip
        if hit.region is not None and hit.region.code == region_code:
            text = text[: hit.start] + " " + text[hit.end :]
    return fold(text)[:80]


def to_input(draft: StockDraft) -> StockInput:
    """The line as stored. A kecamatan is part of the place: the same item in two kecamatan of one kabupaten is
    two lines (a line without one keeps the identity it always had)."""
    norm_item = draft.item_key or "~" + fold(draft.item_name)[:80]
    district = draft.district_code if regions.get_district(draft.district_code) is not None else None
    place = norm_location(draft.location, draft.region_code)
    if district is not None:
        place = f"{district}|{place}"[:80]
    return StockInput(
        draft.item_key, draft.item_name[:80], norm_item, draft.category, draft.quantity, draft.unit,
        draft.region_code, draft.location[:80], place, draft.expires_at, draft.condition, district,
    )  # fmt: skip


def norm_item_of(match: ItemMatch) -> str:
    return match.item.key if match.item is not None else "~" + fold(match.text)[:80]


def item_fields(match: ItemMatch) -> tuple[str | None, str, str]:
    if match.item is not None:
        return match.item.key, match.item.name_id, match.item.category
    return None, " ".join(match.text.split())[:80], ""


def base_quantity(value: Decimal, unit: str, pack: qty.Pack | None = None) -> tuple[float, str]:
    """Stored in the base unit so lines and totals add up: 2,5 ton → 2500 kg; 1 dus (24 botol) → 24 botol."""
    amount, base = qty.normalize(value, unit, pack)
    return float(amount), base or unit


def end_of_day(when: datetime) -> int:
    return int(when.replace(hour=23, minute=59, second=59, microsecond=0).timestamp())


# ---- parsing a report (glue between bot.shared and drafts) ----------------------------------------


@dataclass(frozen=True)
class LineResult:
    number: int  # 1-based line number in the message
    text: str
    draft: StockDraft | None = None
    error: posting.PostError | None = None
    missing_region: bool = False


def parse_line(text: str, now: datetime, tz: str, province: str, default_region: str | None) -> LineResult:
    parsed = posting.parse_stock_line(text, now, tz, province)
    if isinstance(parsed, posting.PostError):
        return LineResult(0, text, error=parsed)
    if parsed.quantity > qty.MAX_QUANTITY:
        return LineResult(0, text, error=posting.PostError(qty.TOO_LARGE, "quantity", str(parsed.quantity)))
    region = parsed.region.code if parsed.region else default_region
    if not region:
        return LineResult(0, text, missing_region=True)
    key, name, category = item_fields(parsed.item)
    unit = parsed.unit or (parsed.item.item.unit if parsed.item.item else "buah")
    amount, base = base_quantity(parsed.quantity, unit, parsed.pack)
    expires = end_of_day(parsed.expiry.value) if parsed.expiry is not None else None
    location = " ".join((parsed.location or "").split())
    district = parsed.district_code if parsed.region is not None and parsed.region.code == region else None
    draft = StockDraft(key, name, category, amount, base, region, location, expires, parsed.condition or "baik",
                       district)  # fmt: skip
    return LineResult(0, text, draft=draft)


def parse_report(text: str, now: datetime, tz: str, province: str, default_region: str | None) -> list[LineResult]:
    """Every non-empty line of a message, numbered as the sender sees them."""
    results = []
    lines = [line for line in text.splitlines() if line.strip()]
    for number, line in enumerate(lines[:MAX_LINES], start=1):
        result = parse_line(line.strip(), now, tz, province, default_region)
        results.append(LineResult(number, line.strip(), result.draft, result.error, result.missing_region))
    return results


# ---- settings and reminders -----------------------------------------------------------------------


def _int_setting(conn: sqlite3.Connection, cluster_id: int, key: str, default: int) -> int:
    raw = members_repo.get_setting(conn, cluster_id, key)
    try:
        value = int(raw) if raw is not None else default
    except ValueError:
        return default
    return value if 1 <= value <= MAX_STALE_DAYS else default


def stale_days(conn: sqlite3.Connection, cluster_id: int) -> int:
    return _int_setting(conn, cluster_id, "stock_stale_days", DEFAULT_STALE_DAYS)


def expiry_days(conn: sqlite3.Connection, cluster_id: int) -> int:
    return _int_setting(conn, cluster_id, "stock_expiry_days", DEFAULT_EXPIRY_DAYS)


def set_stale_days(conn: sqlite3.Connection, cluster_id: int, days: int, user_id: int, now: int) -> None:
    if not 1 <= days <= MAX_STALE_DAYS:
        raise ValueError("days out of range")
    members_repo.set_setting(conn, cluster_id, "stock_stale_days", str(days))
    core_repo.audit(conn, cluster_id, user_id, "stock.stale_days", str(days), now)
    for org_id in repo.orgs_with_stock(conn, cluster_id):
        rearm(conn, cluster_id, org_id, now)


def rearm(conn: sqlite3.Connection, cluster_id: int, org_id: int, now: int) -> None:
    """Point the organisation's two reminder rows at the next moment a line turns stale or near expiry; every
    stock change also arms the cluster's next publication (the published table changes only then)."""
    arm_publication(conn, cluster_id, now)
    ref = f"org:{org_id}"
    first = repo.first_unreminded_confirmation(conn, org_id)
    if first is None:
        jobs_repo.cancel(conn, STALE_KIND, ref)
    else:
        due = max(now, first + stale_days(conn, cluster_id) * DAY_S)
        jobs_repo.schedule(conn, STALE_KIND, ref, due, cluster_id, {"org_id": org_id})
    expiry = repo.first_unreminded_expiry(conn, org_id)
    if expiry is None:
        jobs_repo.cancel(conn, EXPIRY_KIND, ref)
    else:
        due = max(now, expiry - expiry_days(conn, cluster_id) * DAY_S)
        jobs_repo.schedule(conn, EXPIRY_KIND, ref, due, cluster_id, {"org_id": org_id})


@dataclass
class Reminder:
    org_id: int
    cluster_id: int
    lines: list[StockLine]
    user_ids: list[int]
    days: int


def stale_due(conn: sqlite3.Connection, org_id: int, now: int) -> Reminder | None:
    """Lines not confirmed for the cluster's period: recorded as reminded (once per confirmation), re-armed."""
    org = members_repo.org_by_id(conn, org_id)
    if org is None:
        return None
    days = stale_days(conn, org.cluster_id)
    lines = repo.stale_lines(conn, org_id, now - days * DAY_S)
    repo.mark_notified(conn, "stale_notified", (line.id for line in lines))
    rearm(conn, org.cluster_id, org_id, now)
    users = [m.user_id for m in members_repo.members_of_org(conn, org_id)]
    return Reminder(org_id, org.cluster_id, lines, users, days) if lines else None


def expiry_due(conn: sqlite3.Connection, org_id: int, now: int) -> Reminder | None:
    org = members_repo.org_by_id(conn, org_id)
    if org is None:
        return None
    days = expiry_days(conn, org.cluster_id)
    lines = repo.expiring_lines(conn, org_id, now + days * DAY_S)
    repo.mark_notified(conn, "expiry_notified", (line.id for line in lines))
    rearm(conn, org.cluster_id, org_id, now)
    users = [m.user_id for m in members_repo.members_of_org(conn, org_id)]
    return Reminder(org_id, org.cluster_id, lines, users, days) if lines else None


# ---- reporting and adjusting ----------------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    number: int
    line: StockLine
    previous: float | None  # the replaced figure, None for a new line


def report(
    conn: sqlite3.Connection, cluster_id: int, org_id: int, user_id: int | None, drafts: list[tuple[int, StockDraft]],
    now: int, source: str = "chat",
) -> list[Saved]:  # fmt: skip
    """Store every draft: a line with the same organisation, item, region and location is replaced (history kept)."""
    saved = []
    for number, draft in drafts:
        if not 0 <= draft.quantity <= MAX_QUANTITY or draft.condition not in CONDITIONS:
            raise ValueError("invalid draft")
        entry = to_input(draft)
        before = repo.find_line(conn, org_id, entry.norm_item, entry.region_code, entry.norm_location)
        line = repo.upsert_line(conn, cluster_id, org_id, entry, user_id, now, source)
        action = "import" if source == "import" else ("replace" if before else "report")
        repo.add_history(conn, line, action, before.quantity if before else None, line.quantity, user_id, now)
        saved.append(Saved(number, line, before.quantity if before else None))
    if saved:
        members_repo.touch_org(conn, org_id, now)
        rearm(conn, cluster_id, org_id, now)
    return saved


@dataclass(frozen=True)
class Adjusted:
    ok: bool
    reason: str = ""  # not_found | too_much | bad_quantity
    line: StockLine | None = None
    previous: float | None = None
    removed: bool = False


ADJUST_ACTIONS = ("add", "subtract", "empty", "remove", "confirm")


def adjust(
    conn: sqlite3.Connection, org_id: int, stock_id: int, action: str, amount: float, user_id: int, now: int
) -> Adjusted:
    """+/−/habis/hapus/masih benar on one of the organisation's own lines."""
    line = repo.line_by_id(conn, stock_id)
    if line is None or line.organization_id != org_id or action not in ADJUST_ACTIONS:
        return Adjusted(False, "not_found")
    if action in ("add", "subtract") and not 0 < amount <= MAX_QUANTITY:
        return Adjusted(False, "bad_quantity", line)
    if action == "remove":
        repo.delete_line(conn, stock_id)
        repo.add_history(conn, line, "remove", line.quantity, 0, user_id, now)
        rearm(conn, line.cluster_id, org_id, now)
        return Adjusted(True, line=line, previous=line.quantity, removed=True)
    if action == "confirm":
        repo.confirm_lines(conn, [stock_id], user_id, now)
        new = line.quantity
    elif action == "add":
        new = line.quantity + amount
        if new > MAX_QUANTITY:
            return Adjusted(False, "bad_quantity", line)
    elif action == "subtract":
        if amount > line.quantity + 1e-9:
            return Adjusted(False, "too_much", line)
        new = max(0.0, line.quantity - amount)
    else:
        new = 0.0
    if action != "confirm":
        repo.set_quantity(conn, stock_id, new, user_id, now)
    repo.add_history(conn, line, action, line.quantity, new, user_id, now)
    members_repo.touch_org(conn, org_id, now)
    rearm(conn, line.cluster_id, org_id, now)
    return Adjusted(True, line=repo.line_by_id(conn, stock_id), previous=line.quantity)


def confirm_all_stale(conn: sqlite3.Connection, org_id: int, user_id: int, now: int) -> int:
    """ "Still correct" from a stale reminder: every stale line of the organisation is confirmed (history kept)."""
    org = members_repo.org_by_id(conn, org_id)
    if org is None:
        return 0
    cutoff = now - stale_days(conn, org.cluster_id) * DAY_S
    lines = [line for line in repo.lines_of_org(conn, org_id) if line.confirmed_at <= cutoff]
    repo.confirm_lines(conn, (line.id for line in lines), user_id, now)
    for line in lines:
        repo.add_history(conn, line, "confirm", line.quantity, line.quantity, user_id, now)
    if lines:
        members_repo.touch_org(conn, org_id, now)
    rearm(conn, org.cluster_id, org_id, now)
    return len(lines)


@dataclass(frozen=True)
class LineStatus:
    line: StockLine
    stale: bool
    near_expiry: bool
    expired: bool


@dataclass
class MyStock:
    lines: list[LineStatus]
    stale_days: int
    secretariat: bool  # the secretariat may see these figures per organisation


def my_stock(conn: sqlite3.Connection, org_id: int, now: int) -> MyStock:
    org = members_repo.org_by_id(conn, org_id)
    assert org is not None
    days = stale_days(conn, org.cluster_id)
    window = expiry_days(conn, org.cluster_id) * DAY_S
    out = []
    for line in repo.lines_of_org(conn, org_id):
        expired = line.expires_at is not None and line.expires_at <= now
        near = line.expires_at is not None and not expired and line.expires_at <= now + window
        out.append(LineStatus(line, line.confirmed_at <= now - days * DAY_S, near, expired))
    return MyStock(out, days, secretariat_allowed(conn, org_id))


def secretariat_allowed(conn: sqlite3.Connection, org_id: int) -> bool:
    """May the secretariat see this organisation's stock figures per organisation? (default: yes)"""
    return repo.secretariat_flags(conn, [org_id]).get(org_id, ("", True))[1]


def secretariat_orgs(conn: sqlite3.Connection, cluster_id: int) -> set[int]:
    """Organisations of the cluster that let the secretariat see their figures."""
    closed = closed_orgs(conn, cluster_id)
    return {o.id for o in members_repo.orgs_of_cluster(conn, cluster_id) if o.id not in closed}


def set_secretariat(conn: sqlite3.Connection, org_id: int, allowed: bool, user_id: int, now: int) -> None:
    """The organisation's choice; the next publication applies it (a change is audited)."""
    org = members_repo.org_by_id(conn, org_id)
    assert org is not None
    repo.set_stock_secretariat(conn, org_id, allowed)
    core_repo.audit(conn, org.cluster_id, user_id, "stock.secretariat", f"org:{org_id}", now, allowed=allowed)
    arm_publication(conn, org.cluster_id, now)


def history(conn: sqlite3.Connection, org_id: int, stock_id: int) -> list[sqlite3.Row] | None:
    line = repo.line_by_id(conn, stock_id)
    if line is None or line.organization_id != org_id:
        return None
    return repo.history_of_line(conn, stock_id)


# ---- the cluster picture --------------------------------------------------------------------------


def shown(contributors: int, private_contributors: int) -> bool:
    """May a total of these contributors be shown without exposing one non-consenting organisation?"""
    return contributors > 0 and (private_contributors == 0 or private_contributors >= MIN_PRIVATE_CONTRIBUTORS)


@dataclass(frozen=True)
class TotalRow:
    category: str
    unit: str
    region_code: str  # '' in the by-category list
    quantity: float | None  # None: hidden by the privacy rule
    contributors: int
    lines: int
    mean_age_days: float


@dataclass
class Totals:
    by_category: list[TotalRow]
    by_region: list[TotalRow]
    organizations: int
    lines: int
    stale_lines: int
    near_expiry_lines: int
    expired_lines: int
    mean_age_days: float
    stale_days: int
    expiry_days: int


def _age(now: int, confirmed_sum: int, lines: int) -> float:
    return max(0.0, (now - confirmed_sum / lines) / DAY_S) if lines else 0.0


def _total(row: sqlite3.Row, now: int, region: str) -> TotalRow:
    visible = shown(int(row["contributors"]), int(row["private_contributors"]))
    amount = round(float(row["quantity"]), 6) if visible else None
    return TotalRow(row["category"], row["unit"], region, amount, int(row["contributors"]), int(row["lines"]),
                    _age(now, int(row["confirmed_sum"]), int(row["lines"])))  # fmt: skip


def cluster_totals(conn: sqlite3.Connection, cluster_id: int, now: int) -> Totals:
    """Totals by item category and by kabupaten/kota with contributor counts and freshness, privacy applied.

    Reads the trigger-kept sums and per-day counts, so it costs about the same with 1,000 or 1,000,000 stock
    rows (see bench/bench_stock.py). Only reads: the sitrep can call it inside its own transaction.
    """
    days = stale_days(conn, cluster_id)
    window = expiry_days(conn, cluster_id)
    categories = repo.totals_by_category(conn, cluster_id)
    lines = sum(int(r["lines"]) for r in categories)
    confirmed_sum = sum(int(r["confirmed_sum"]) for r in categories)
    order = {c.key: i for i, c in enumerate(catalogue.categories())}
    return Totals(
        by_category=sorted((_total(r, now, "") for r in categories), key=lambda r: (order.get(r.category, 99), r.unit)),
        by_region=sorted(
            (_total(r, now, r["region_code"]) for r in repo.totals_by_region(conn, cluster_id)),
            key=lambda r: (r.region_code, order.get(r.category, 99), r.unit),
        ),
        organizations=repo.contributing_orgs(conn, cluster_id),
        lines=lines,
        stale_lines=repo.count_stale(conn, cluster_id, now - days * DAY_S),
        near_expiry_lines=repo.count_near_expiry(conn, cluster_id, now, now + window * DAY_S),
        expired_lines=repo.count_expired(conn, cluster_id, now),
        mean_age_days=_age(now, confirmed_sum, lines),
        stale_days=days,
        expiry_days=window,
    )


# ---- the published table (statistical disclosure control; bot.features.stock.disclosure, docs/privacy.md) -----

PUBLISH_KIND = "stock.publish"
PUBLISH_PERIOD_S = 3600  # at most one new snapshot per hour, on the hour (UTC): changes are batched
REPUBLISH_S = DAY_S  # without any change, a snapshot a day (lines turn stale or expire with time)


@dataclass(frozen=True)
class PubRow:
    category: str
    unit: str
    level: str  # cell | item | category | hidden | holders | table
    norm_item: str
    item_key: str | None
    item_name: str
    region_code: str
    quantity: float | None  # None for hidden, holders and table rows
    contributors: int
    complete: bool
    data_at: int


@dataclass
class Published:
    """One snapshot of the published table: the only source of stock figures that members see."""

    snapshot: int
    published_at: int
    organizations: int
    lines: int
    stale_lines: int
    near_expiry_lines: int
    expired_lines: int
    mean_age_days: float
    stale_days: int
    expiry_days: int
    rows: list[PubRow] = field(default_factory=list)

    @property
    def figures(self) -> list[PubRow]:
        """The published figures: disjoint blocks, each of at least K organisations."""
        return [r for r in self.rows if r.level in (disclosure.CELL, disclosure.ITEM, disclosure.CATEGORY)]

    def tables(self) -> list[tuple[str, str]]:
        order = {c.key: i for i, c in enumerate(catalogue.categories())}
        keys = {(r.category, r.unit) for r in self.rows if r.level == "table"}
        return sorted(keys, key=lambda k: (order.get(k[0], 99), k[0], k[1]))

    def table_total(self, category: str, unit: str) -> tuple[float, bool, int]:
        """(sum of the table's published figures, whether they cover all of it, its organisations)."""
        rows = [r for r in self.rows if r.category == category and r.unit == unit]
        known = round(sum(r.quantity or 0.0 for r in rows if r.level in (disclosure.CELL, disclosure.ITEM,
                                                                        disclosure.CATEGORY)), 6)  # fmt: skip
        complete = not any(r.level == disclosure.HIDDEN for r in rows)
        orgs = next((r.contributors for r in rows if r.level == "table"), 0)
        return known, complete, orgs

    def region_totals(self) -> dict[tuple[str, str, str], float]:
        """(kabupaten/kota, category, unit) → sum of the published cells there."""
        out: dict[tuple[str, str, str], float] = defaultdict(float)
        for r in self.rows:
            if r.level == disclosure.CELL and r.quantity is not None:
                out[(r.region_code, r.category, r.unit)] += r.quantity
        return dict(out)

    def item_rows(self, norm_item: str) -> list[PubRow]:
        return [r for r in self.rows if r.norm_item == norm_item]

    def item_totals(self) -> dict[tuple[str, str], tuple[float, bool]]:
        """(item, unit) → (sum of the item's published figures, whether they cover all of it)."""
        out: dict[tuple[str, str], tuple[float, bool]] = {}
        for r in self.rows:
            if r.level == "holders":
                known = sum(x.quantity or 0.0 for x in self.rows if x.norm_item == r.norm_item and x.unit == r.unit
                            and x.level in (disclosure.CELL, disclosure.ITEM))  # fmt: skip
                out[(r.norm_item, r.unit)] = (round(known, 6), r.complete)
        return out

    @property
    def held(self) -> bool:
        return any(r.data_at < self.snapshot for r in self.rows)


def closed_orgs(conn: sqlite3.Connection, cluster_id: int) -> frozenset[int]:
    return frozenset(repo.closed_orgs(conn, cluster_id))


def _period(now: int) -> int:
    return now - now % PUBLISH_PERIOD_S


def arm_publication(conn: sqlite3.Connection, cluster_id: int, now: int) -> None:
    """A stock change: the next snapshot is taken at the start of the next period (debounced)."""
    jobs_repo.schedule_once(conn, PUBLISH_KIND, f"cluster:{cluster_id}", _period(now) + PUBLISH_PERIOD_S, cluster_id,
                            {"cluster_id": cluster_id})  # fmt: skip


def _load(conn: sqlite3.Connection, cluster_id: int) -> Published | None:
    snap = repo.latest_snapshot(conn, cluster_id)
    if snap is None:
        return None
    rows = [PubRow(r["category"], r["unit"], r["level"], r["norm_item"], r["item_key"], r["item_name"],
                   r["region_code"], r["quantity"], int(r["contributors"]), bool(r["complete"]), int(r["data_at"]))
            for r in repo.published_rows(conn, cluster_id, int(snap["snapshot"]))]  # fmt: skip
    return Published(int(snap["snapshot"]), int(snap["published_at"]), int(snap["organizations"]), int(snap["lines"]),
                     int(snap["stale_lines"]), int(snap["near_expiry_lines"]), int(snap["expired_lines"]),
                     float(snap["mean_age_days"]), int(snap["stale_days"]), int(snap["expiry_days"]), rows)  # fmt: skip


def published(conn: sqlite3.Connection, cluster_id: int) -> Published | None:
    """The latest snapshot (read only: usable inside any read transaction)."""
    return _load(conn, cluster_id)


def ensure_published(conn: sqlite3.Connection, cluster_id: int, now: int) -> None:
    """This period's snapshot exists afterwards (write transaction; a no-op once taken)."""
    latest = repo.latest_snapshot(conn, cluster_id)
    if latest is None or int(latest["snapshot"]) < _period(now):
        publish(conn, cluster_id, now)


def publish(conn: sqlite3.Connection, cluster_id: int, now: int) -> Published | None:
    """Take this period's snapshot if none was taken yet (write transaction), then return the latest one.

    Per (category, unit) table: the new version of the holdings is partitioned into blocks of at least K
    organisations (bot.features.stock.disclosure.partition); it replaces the published version only under the hold rule
    (``may_replace``), otherwise the table's published rows are carried over unchanged.
    """
    period = _period(now)
    latest = repo.latest_snapshot(conn, cluster_id)
    if latest is not None and int(latest["snapshot"]) >= period:
        return _load(conn, cluster_id)
    closed = closed_orgs(conn, cluster_id)
    fresh_after = now - stale_days(conn, cluster_id) * DAY_S
    tables: dict[tuple[str, str], dict[tuple[int, str, str], float]] = defaultdict(dict)
    names: dict[str, tuple[str | None, str]] = {}
    free = {r["norm_item"]: (str(r["category"]), str(r["item_name"])) for r in repo.free_text_items(conn, cluster_id)}
    categories: dict[str, str] = {}
    for r in repo.current_holdings(conn, cluster_id, fresh_after, now):
        norm = r["norm_item"]
        if norm not in categories:
            known = catalogue.get_item(norm)
            category, name = (known.category, known.name_id) if known else free.get(norm, ("", norm.lstrip("~")))
            categories[norm], names[norm] = category, (known.key if known else None, name)
        tables[(categories[norm], r["unit"])][(int(r["organization_id"]), norm, r["region_code"])] = \
            float(r["quantity"])  # fmt: skip
    old: dict[tuple[str, str], dict[tuple[int, str, str], float]] = defaultdict(dict)
    old_closed: dict[tuple[str, str], set[int]] = defaultdict(set)
    gone: dict[tuple[str, str], dict[tuple[int, str, str], float]] = defaultdict(dict)
    for r in repo.basis(conn, cluster_id):
        table = (r["category"], r["unit"])
        holding = (int(r["organization_id"]), r["norm_item"], r["region_code"])
        if r["gone"]:
            gone[table][holding] = float(r["quantity"])
            continue
        old[table][holding] = float(r["quantity"])
        if r["closed"]:
            old_closed[table].add(int(r["organization_id"]))
    previous = _load(conn, cluster_id)
    out: list[tuple[object, ...]] = []
    for table in sorted(set(tables) | set(old)):
        category, unit = table
        new = tables.get(table, {})
        # a table whose holdings all left after a publication is not a first version: what came back is compared
        # with the figures last published (``gone``)
        base = old.get(table, {} if gone.get(table) else None)
        if not disclosure.may_replace(new, base, disclosure.K, closed, frozenset(old_closed[table]),
                                      gone.get(table, {})):  # fmt: skip
            out += [(r.category, r.unit, r.level, r.norm_item, r.item_key, r.item_name, r.region_code, r.quantity,
                     r.contributors, int(r.complete), r.data_at)
                    for r in (previous.rows if previous else []) if (r.category, r.unit) == table]  # fmt: skip
            continue
        if new != old.get(table) or closed & {o for o, _, _ in new} != old_closed[table]:
            left = {**gone.get(table, {}), **old.get(table, {})}  # the figure each held when last published
            repo.replace_basis(conn, cluster_id, category, unit,
                               [(o, i, reg, q, o in closed) for (o, i, reg), q in sorted(new.items())], now,
                               [(o, i, reg, q) for (o, i, reg), q in sorted(left.items()) if (o, i, reg) not in new])  # fmt: skip
        if not new:
            continue
        blocks = disclosure.partition(new, disclosure.K, closed)
        for b in blocks:
            key, name = names.get(b.item, (None, "")) if b.item else (None, "")
            out.append((category, unit, b.level, b.item, key, name, b.region,
                        None if b.level == disclosure.HIDDEN else b.quantity, len(b.orgs), 1, now))  # fmt: skip
        out.append((category, unit, "table", "", None, "", "", None, len({o for o, _, _ in new}), 1, now))
        hidden_items = {m[1] for b in blocks if b.level in (disclosure.CATEGORY, disclosure.HIDDEN) for m in b.members}
        for item in sorted({i for _, i, _ in new}):
            key, name = names.get(item, (None, ""))
            holders = len({o for o, i, _ in new if i == item})
            out.append((category, unit, "holders", item, key, name, "", None, holders, int(item not in hidden_items),
                        now))  # fmt: skip
    totals = cluster_totals(conn, cluster_id, now)
    meta = {"organizations": totals.organizations, "lines": totals.lines, "stale_lines": totals.stale_lines,
            "near_expiry_lines": totals.near_expiry_lines, "expired_lines": totals.expired_lines,
            "mean_age_days": round(totals.mean_age_days, 3), "stale_days": totals.stale_days,
            "expiry_days": totals.expiry_days}  # fmt: skip
    repo.save_snapshot(conn, cluster_id, period, now, meta, out)
    jobs_repo.schedule_once(conn, PUBLISH_KIND, f"cluster:{cluster_id}", period + REPUBLISH_S, cluster_id,
                            {"cluster_id": cluster_id})  # fmt: skip
    return _load(conn, cluster_id)


# ---- /cari: one answer over the published stock, the capacity register and open offers ------------


@dataclass(frozen=True)
class OwnHolding:
    item_key: str | None
    item_name: str
    region_code: str
    quantity: float
    unit: str


@dataclass(frozen=True)
class OrgHolding:
    """The secretariat's per-organisation view (only organisations that allow it)."""

    org_name: str
    norm_item: str
    item_key: str | None
    item_name: str
    region_code: str
    quantity: float
    unit: str
    confirmed_at: int


@dataclass
class Search:
    item_name: str
    item_key: str | None
    norm_item: str
    region_code: str | None
    norm_items: list[str] = field(default_factory=list)  # the item and its related items (same catalogue family)
    rows: list[PubRow] = field(default_factory=list)  # published cells, items elsewhere, holders
    published_at: int | None = None
    own: list[OwnHolding] = field(default_factory=list)
    by_org: list[OrgHolding] = field(default_factory=list)
    capacity: list[CapacityHit] = field(default_factory=list)  # the capacity register (public by name)
    offers: list[Offer] = field(default_factory=list)  # open offers posted in the group
    request_id: int | None = None  # the search's row: forwarding to the holders and the answer's further pages
    holders: bool = False  # the published table names holders of the item (forwarding is offered)


def related_items(norm: str) -> list[str]:
    """The item and its catalogue family: items of its category named by its key's words ("perahu" → perahu
    karet). Derived from the item alone, so a paged answer computes the same list again."""
    item = catalogue.get_item(norm)
    out = [norm]
    if item is not None:
        form = item.key.replace("_", " ")
        out += [i.key for i in catalogue.related(ItemMatch(form, item, True, "exact")) if i.key not in out]
    return out


def search(
    conn: sqlite3.Connection, cluster_id: int, item: ItemMatch, region_code: str | None, now: int,
    user_id: int | None = None, org_id: int | None = None, secretariat: bool = False,
) -> Search:  # fmt: skip
    """Who holds an item (and its related items), from the published table only, nearest kabupaten/kota first.

    The answer is the same whoever asks; the asker's own holdings come separately (``own``); the secretariat
    asking privately also gets the figures of the organisations that allow it (``by_org``). When an organisation
    other than the asker's holds it, a request row lets the asker forward it privately with one tap.
    """
    pub = publish(conn, cluster_id, now)
    norm = norm_item_of(item)
    key, name, _ = item_fields(item)
    items = related_items(norm)
    result = Search(name, key, norm, region_code, items)
    if pub is not None:
        result.published_at = pub.published_at
        rows = [r for r in pub.rows if r.norm_item in items and r.level in ("cell", "item", "holders")]
        present = sorted({r.region_code for r in rows if r.level == "cell"})
        order = regions.nearest_first(region_code, present) if region_code else present
        rank = {code: i for i, code in enumerate(order)}
        rows.sort(key=lambda r: (items.index(r.norm_item), {"cell": 0, "item": 1, "holders": 2}[r.level],
                                 rank.get(r.region_code, len(rank)), -(r.quantity or 0), r.unit))  # fmt: skip
        result.rows = rows
    if org_id is not None:
        result.own = [OwnHolding(r["item_key"], r["item_name"], r["region_code"], float(r["quantity"]), r["unit"])
                      for r in repo.own_holdings(conn, org_id, items, now)]  # fmt: skip
    fresh_after = now - stale_days(conn, cluster_id) * DAY_S
    if secretariat:
        holders = repo.holders_by_org(conn, cluster_id, items, fresh_after, now)
        flags = repo.secretariat_flags(conn, (r["organization_id"] for r in holders))
        names = {r.norm_item: (r.item_key, r.item_name) for r in result.rows}
        for r in holders:
            label, allowed = flags.get(r["organization_id"], ("", False))
            if allowed:
                ikey, iname = names.get(r["norm_item"], (None if r["norm_item"].startswith("~") else r["norm_item"],
                                                         r["norm_item"].lstrip("~")))  # fmt: skip
                result.by_org.append(OrgHolding(label, r["norm_item"], ikey, iname, r["region_code"], float(r["quantity"]), r["unit"],
                                                int(r["confirmed_at"])))  # fmt: skip
        result.by_org.sort(key=lambda h: (items.index(h.norm_item), h.region_code, -h.quantity, h.org_name))
    result.holders = any(r.level == "holders" and r.norm_item == norm for r in result.rows)  # same for every asker
    forms = [item.text] + [i.name_id for k in items[1:] if (i := catalogue.get_item(k)) is not None]
    seen: set[tuple[str, str, str]] = set()
    for form in forms:
        for hit in members_svc.search_capacity(conn, cluster_id, form):
            if (hit.org_name, hit.name, hit.kind) not in seen:
                seen.add((hit.org_name, hit.name, hit.kind))
                result.capacity.append(hit)
    for k in items:
        if not k.startswith("~"):
            result.offers += [o for o in needs_repo.list_offers(conn, cluster_id, "open", item_key=k, limit=50)
                              if o.available > 0]  # fmt: skip
    if user_id is not None:
        result.request_id = repo.create_request(conn, cluster_id, user_id, org_id, norm, name, region_code or "", now)
    return result


def search_again(conn: sqlite3.Connection, request_id: int, now: int) -> Search | None:
    """The same search (for a further page): same item family, same origin, the latest published table."""
    request = repo.request_by_id(conn, request_id)
    if request is None:
        return None
    norm = str(request["norm_item"])
    known = catalogue.get_item(norm)
    match = ItemMatch(known.key.replace("_", " ") if known else str(request["item_name"]), known, known is not None,
                      "exact" if known else "unknown")  # fmt: skip
    result = search(conn, int(request["cluster_id"]), match, request["region_code"] or None, now)
    result.request_id = request_id
    return result


@dataclass
class Forwarded:
    ok: bool
    reason: str = ""  # not_found | not_yours | already | nobody
    item_name: str = ""
    region_code: str = ""
    targets: dict[int, int] = field(default_factory=dict)  # user_id → org_id
    item_key: str | None = None
    organizations: int = 0


def forward_request(conn: sqlite3.Connection, request_id: int, user_id: int, now: int) -> Forwarded:
    """The requester's one tap: every current holder organisation (except their own) is asked privately, once."""
    request = repo.request_by_id(conn, request_id)
    if request is None:
        return Forwarded(False, "not_found")
    if request["user_id"] != user_id:
        return Forwarded(False, "not_yours")
    cluster_id = request["cluster_id"]
    fresh_after = now - stale_days(conn, cluster_id) * DAY_S
    rows = repo.holders(conn, cluster_id, request["norm_item"], fresh_after, now)
    org_ids = sorted({r["organization_id"] for r in rows} - {request["organization_id"]})
    if not org_ids:
        return Forwarded(False, "nobody", request["item_name"], request["region_code"])
    if not repo.mark_forwarded(conn, request_id, org_ids, now):
        return Forwarded(False, "already", request["item_name"], request["region_code"])
    targets: dict[int, int] = {}
    for org in org_ids:
        for member in members_repo.members_of_org(conn, org):
            targets.setdefault(member.user_id, org)
    core_repo.audit(conn, cluster_id, user_id, "stock.request", f"request:{request_id}", now, orgs=len(org_ids))
    norm = str(request["norm_item"])
    return Forwarded(True, "", request["item_name"], request["region_code"], targets, organizations=len(org_ids),
                     item_key=None if norm.startswith("~") else norm)  # fmt: skip


@dataclass
class RequestAnswer:
    ok: bool
    reason: str = ""  # not_found | not_asked
    requester_user_id: int = 0
    item_name: str = ""
    org_name: str = ""
    contact: str = ""  # the answering person's name and @username, only shared on "yes"
    yes: bool = False


def answer_request(conn: sqlite3.Connection, request_id: int, user_id: int, yes: bool, now: int) -> RequestAnswer:
    request = repo.request_by_id(conn, request_id)
    if request is None:
        return RequestAnswer(False, "not_found")
    member = members_repo.current_member(conn, request["cluster_id"], user_id)
    if member is None or member.status != "active":
        return RequestAnswer(False, "not_asked")
    if not repo.answer_request(conn, request_id, member.organization_id, user_id, "yes" if yes else "no", now):
        return RequestAnswer(False, "not_asked")
    org = members_repo.org_by_id(conn, member.organization_id)
    contact = member.display_name + (f" (@{member.username})" if member.username else "")
    return RequestAnswer(True, "", request["user_id"], request["item_name"], org.label if org else "",
                         contact if yes else "", yes)  # fmt: skip


def available_by_item(
    conn: sqlite3.Connection, cluster_id: int, norm_items: list[str], now: int
) -> dict[str, dict[str, float]]:
    """Fresh, unexpired cluster stock per item and unit (no organisation involved): for gap computations."""
    fresh_after = now - stale_days(conn, cluster_id) * DAY_S
    out: dict[str, dict[str, float]] = {}
    for norm in norm_items:
        for row in repo.holders(conn, cluster_id, norm, fresh_after, now):
            units = out.setdefault(norm, {})
            units[row["unit"]] = units.get(row["unit"], 0.0) + row["quantity"]
    return out


# ---- the situation summary (bot.features.sitrep.service's STOCK_SOURCES and CONTRIBUTORS) --------------------

_SAME_DIMENSION = {"mass": ("kg", "g", "ton"), "volume": ("l", "ml"), "count": ("buah", "lusin", "kodi")}


def stock_for_gaps(conn: sqlite3.Connection, cluster_id: int, now: int) -> dict[tuple[str, str], float]:
    """Cluster stock per (catalogue item, unit) for the gap column, from the published table only: the sum of the
    item's published figures (a lower bound when part of it is pooled with other items or hidden), also in every
    commensurable unit (a need in ton finds stock kept in kg). Read only."""
    out: dict[tuple[str, str], float] = defaultdict(float)
    pub = published(conn, cluster_id)
    if pub is None:
        return {}
    for (norm, unit), (known, _complete) in pub.item_totals().items():
        if norm.startswith("~") or known <= 0:
            continue
        dimension = qty.unit_dimension(unit)
        for target in _SAME_DIMENSION.get(dimension or "", (unit,)):
            converted = _in_unit(known, unit, target)
            if converted is not None:
                out[(norm, target)] += converted
    return dict(out)


def sitrep_contribution(conn: sqlite3.Connection, cluster_id: int, now: int, report: Sitrep) -> None:
    """How many organisations report stock and the share of lines confirmed within the stale period (as of the
    latest publication, like every stock figure members see)."""
    pub = published(conn, cluster_id)
    if pub is None:
        return
    report.stock_orgs = pub.organizations
    if pub.lines:
        report.stock_fresh_share = (pub.lines - pub.stale_lines) / pub.lines


# ---- stock and needs: matching, pledging from stock, deducting on receipt -------------------------


@dataclass(frozen=True)
class StockMatch:
    line: StockLine
    amount: float  # what the line holds, in the need's unit
    user_ids: tuple[int, ...]


def _in_unit(value: float, from_unit: str, to_unit: str) -> float | None:
    converted = qty.convert(Decimal(str(value)), from_unit, to_unit)
    return float(converted) if converted is not None else None


def matching_stock(conn: sqlite3.Connection, need: Need, now: int, limit: int = 5) -> list[StockMatch]:
    """Current, non-stale stock of the need's item held by other organisations, nearest first, one line per org."""
    norm = need.item_key or "~" + fold(need.item_name)[:80]
    fresh_after = now - stale_days(conn, need.cluster_id) * DAY_S
    lines = repo.holder_lines(conn, need.cluster_id, norm, fresh_after, now, need.organization_id)
    candidates = [(line, amount) for line in lines if (amount := _in_unit(line.quantity, line.unit, need.unit))]
    order = regions.nearest_first(need.region_code, sorted({line.region_code for line, _ in candidates})) \
        if need.region_code else []  # fmt: skip
    rank = {code: i for i, code in enumerate(order)}
    candidates.sort(key=lambda pair: (rank.get(pair[0].region_code, len(rank)), -pair[1], pair[0].id))
    matches: list[StockMatch] = []
    seen: set[int] = set()
    for line, amount in candidates:
        if line.organization_id in seen:
            continue
        seen.add(line.organization_id)
        users = tuple(m.user_id for m in members_repo.members_of_org(conn, line.organization_id))
        if users:
            matches.append(StockMatch(line, amount, users))
        if len(matches) >= limit:
            break
    return matches


@dataclass
class StockPledge:
    ok: bool
    reason: str = ""  # not_found | not_yours | empty | unit | need_closed | covered | (make_pledge reasons)
    pledge: needs_svc.PledgeResult | None = None
    line: StockLine | None = None


def pledge_from_stock(
    conn: sqlite3.Connection, need_id: int, stock_id: int, org_id: int, user_id: int, now: int
) -> StockPledge:
    """One tap from the private match notice: pledge what the line holds, up to what is still open."""
    line = repo.line_by_id(conn, stock_id)
    need = needs_repo.need_by_id(conn, need_id)
    if line is None or need is None:
        return StockPledge(False, "not_found")
    if line.organization_id != org_id or line.cluster_id != need.cluster_id:
        return StockPledge(False, "not_yours", line=line)
    if need.status != "open":
        return StockPledge(False, "need_closed", line=line)
    available = _in_unit(line.quantity, line.unit, need.unit)
    if available is None:
        return StockPledge(False, "unit", line=line)
    if available <= 0:
        return StockPledge(False, "empty", line=line)
    if need.remaining <= 0:
        return StockPledge(False, "covered", line=line)
    result = needs_svc.make_pledge(conn, need_id, org_id, user_id, min(available, need.remaining), now, source="stock")
    if not result.ok or result.pledge is None:
        return StockPledge(False, result.reason, result, line)
    repo.link_pledge(conn, result.pledge.id, line.id, org_id, now)
    return StockPledge(True, "", result, line)


@dataclass(frozen=True)
class DeductAsk:
    pledge_id: int
    line: StockLine
    amount: float  # in the line's unit
    user_ids: tuple[int, ...]


def pledge_received(conn: sqlite3.Connection, pledge_id: int, now: int) -> DeductAsk | None:
    """A pledge made from stock was received: ask its holder (once) whether to reduce the line."""
    link = repo.stock_pledge(conn, pledge_id)
    pledge = needs_repo.pledge_by_id(conn, pledge_id)
    if link is None or pledge is None or pledge.status != "received":
        return None
    line = repo.line_by_id(conn, link["stock_id"])
    need = needs_repo.need_by_id(conn, pledge.need_id)
    if line is None or need is None:
        return None
    amount = _in_unit(pledge.quantity, need.unit, line.unit)
    if amount is None or not repo.set_stock_pledge_status(conn, pledge_id, "open", "asked", now):
        return None
    users = tuple(m.user_id for m in members_repo.members_of_org(conn, line.organization_id))
    return DeductAsk(pledge_id, line, amount, users)


def deduct_for_pledge(
    conn: sqlite3.Connection, pledge_id: int, org_id: int, user_id: int, deduct: bool, now: int
) -> Adjusted:
    """The holder's answer: reduce the line by what was delivered (never below zero), or keep it as it is."""
    link = repo.stock_pledge(conn, pledge_id)
    if link is None or link["organization_id"] != org_id:
        return Adjusted(False, "not_found")
    line = repo.line_by_id(conn, link["stock_id"])
    pledge = needs_repo.pledge_by_id(conn, pledge_id)
    need = needs_repo.need_by_id(conn, pledge.need_id) if pledge else None
    if not repo.set_stock_pledge_status(conn, pledge_id, "asked", "deducted" if deduct else "kept", now):
        return Adjusted(False, "already", line)
    if line is None or pledge is None or need is None:
        return Adjusted(False, "not_found")
    if not deduct:
        return Adjusted(True, line=line, previous=line.quantity)
    amount = _in_unit(pledge.quantity, need.unit, line.unit) or 0.0
    new = max(0.0, line.quantity - amount)
    repo.set_quantity(conn, line.id, new, user_id, now)
    repo.add_history(conn, line, "pledge", line.quantity, new, user_id, now)
    rearm(conn, line.cluster_id, org_id, now)
    return Adjusted(True, line=repo.line_by_id(conn, line.id), previous=line.quantity)


# ---- file import ----------------------------------------------------------------------------------


def apply_import(
    conn: sqlite3.Connection, cluster_id: int, user_id: int, rows: list[dict[str, object]], now: int
) -> int:
    """Validated rows (see bot.features.stock.importer) → stock lines, grouped per organisation; one transaction."""
    per_org: dict[int, list[tuple[int, StockDraft]]] = defaultdict(list)
    for row in rows:
        draft = StockDraft(**{k: v for k, v in row.items() if k not in ("org_id", "row")})  # type: ignore[arg-type]
        per_org[int(row["org_id"])].append((int(row["row"]), draft))  # type: ignore[call-overload]
    count = 0
    for org_id, drafts in per_org.items():
        org = members_repo.org_by_id(conn, org_id)
        if org is None or org.cluster_id != cluster_id:
            raise ValueError("organisation outside the cluster")
        count += len(report(conn, cluster_id, org_id, user_id, drafts, now, source="import"))
    core_repo.audit(conn, cluster_id, user_id, "stock.import", "", now, rows=count)
    return count


def import_pending(
    conn: sqlite3.Connection, cluster_id: int, user_id: int, file_name: str, rows: list[dict[str, object]],
    error_rows: int, now: int,
) -> int:  # fmt: skip
    return repo.create_import(conn, cluster_id, user_id, file_name[:120], rows, error_rows, now)


@dataclass
class ImportDecision:
    ok: bool
    reason: str = ""  # not_found | not_yours | already
    applied: int = 0


def decide_import(conn: sqlite3.Connection, import_id: int, user_id: int, load: bool, now: int) -> ImportDecision:
    """Load only the valid rows, or drop the file; compare-and-set so a second tap does nothing."""
    pending = repo.import_by_id(conn, import_id)
    if pending is None:
        return ImportDecision(False, "not_found")
    if pending["user_id"] != user_id:
        return ImportDecision(False, "not_yours")
    if not repo.decide_import(conn, import_id, "applied" if load else "cancelled", now):
        return ImportDecision(False, "already")
    if not load:
        return ImportDecision(True)
    return ImportDecision(
        True, applied=apply_import(conn, pending["cluster_id"], user_id, json.loads(pending["rows"]), now)
    )


# ---- use cases the handlers run, one transaction each (keyword-only) -----------------------------------------


def save_flow(conn: sqlite3.Connection, *, cluster_id: int, org_id: int, user_id: int, draft: StockDraft,
              chat_id: int, now: int) -> list[Saved]:  # fmt: skip
    """The guided report: store the line and close the dialog together (a crash cannot leave one without the
    other)."""
    saved = report(conn, cluster_id, org_id, user_id, [(1, draft)], now)
    core_repo.clear_dialog(conn, chat_id, user_id)
    return saved


def adjust_from_dialog(conn: sqlite3.Connection, *, org_id: int, stock_id: int, action: str, amount: float,
                       user_id: int, chat_id: int, now: int) -> Adjusted:  # fmt: skip
    """An amount typed in the adjust dialog; the dialog closes when the change is made (or the line is gone)."""
    result = adjust(conn, org_id, stock_id, action, amount, user_id, now)
    if result.ok or result.reason == "not_found":
        core_repo.clear_dialog(conn, chat_id, user_id)
    return result


def import_orgs(conn: sqlite3.Connection, *, cluster_id: int) -> list[members_repo.Organization]:
    """The organisations a file's rows may name."""
    return members_repo.orgs_of_cluster(conn, cluster_id, ("approved",))


def import_file(conn: sqlite3.Connection, *, cluster_id: int, user_id: int, file_name: str,
                checked: importer.Checked, chat_id: int, now: int) -> tuple[int, int | None]:  # fmt: skip
    """Apply a valid file, or park the valid rows of a file with errors; closes the dialog either way. Returns
    (lines applied, the parked import's id or None)."""
    core_repo.clear_dialog(conn, chat_id, user_id)
    if checked.errors:
        return 0, import_pending(conn, cluster_id, user_id, file_name, checked.rows, checked.error_rows, now)
    return apply_import(conn, cluster_id, user_id, checked.rows, now), None


def represents(conn: sqlite3.Connection, *, org_id: int, user_id: int) -> bool:
    """Is the person the organisation's own (pending or active) representative."""
    org = members_repo.org_by_id(conn, org_id)
    member = members_repo.current_member(conn, org.cluster_id, user_id) if org is not None else None
    return member is not None and member.organization_id == org_id and member.status in ("pending", "active")


def request_cluster(conn: sqlite3.Connection, *, request_id: int) -> int | None:
    """The cluster a /cari request belongs to."""
    row = repo.request_by_id(conn, request_id)
    return int(row["cluster_id"]) if row is not None else None
