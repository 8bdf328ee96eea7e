"""The cluster picture and the published table (statistical disclosure control; bot.features.stock.disclosure,
docs/privacy.md): every stock figure members see comes from ``Published``; ``cluster_totals`` reads the raw running
sums and feeds only the snapshot's counts (never shown as figures)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from bot.features.stock import disclosure
from bot.features.stock import storage as repo
from bot.features.stock.service.rules import DAY_S, MIN_PRIVATE_CONTRIBUTORS, expiry_days, stale_days
from bot.kernel import jobs_storage as jobs_repo
from bot.kernel.sql import Conn, Row
from bot.shared import catalogue

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
class Counts:
    """How much is reported and how fresh it is: counts (how many, never how much), the same in the raw picture
    (``Totals``) and in a published snapshot (``Published``, which stores them with the snapshot)."""

    organizations: int
    lines: int
    stale_lines: int
    near_expiry_lines: int
    expired_lines: int
    mean_age_days: float
    stale_days: int
    expiry_days: int

    def counts(self) -> dict[str, int | float]:
        """The counts as a snapshot stores them (published_stock_snapshots)."""
        return {name: (round(self.mean_age_days, 3) if name == "mean_age_days" else getattr(self, name))
                for name in COUNT_FIELDS}  # fmt: skip


COUNT_FIELDS = ("organizations", "lines", "stale_lines", "near_expiry_lines", "expired_lines", "mean_age_days",
                "stale_days", "expiry_days")  # fmt: skip


@dataclass
class Totals(Counts):
    """The raw running sums (privacy rule applied to the figures): feeds only the snapshot's counts."""

    by_category: list[TotalRow] = field(default_factory=list)
    by_region: list[TotalRow] = field(default_factory=list)


def _age(now: int, confirmed_sum: int, lines: int) -> float:
    return max(0.0, (now - confirmed_sum / lines) / DAY_S) if lines else 0.0


def _total(row: Row, now: int, region: str) -> TotalRow:
    visible = shown(int(row["contributors"]), int(row["private_contributors"]))
    amount = round(float(row["quantity"]), 6) if visible else None
    return TotalRow(row["category"], row["unit"], region, amount, int(row["contributors"]), int(row["lines"]),
                    _age(now, int(row["confirmed_sum"]), int(row["lines"])))  # fmt: skip


def cluster_totals(conn: Conn, cluster_id: int, now: int) -> Totals:
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
class Published(Counts):
    """One snapshot of the published table: the only source of stock figures that members see."""

    snapshot: int = 0
    published_at: int = 0
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
        # One pass over the rows (the summary reads this on every build), summing in the rows' order as before.
        sums: dict[tuple[str, str], float] = defaultdict(float)
        for x in self.rows:
            if x.level in (disclosure.CELL, disclosure.ITEM):
                sums[(x.norm_item, x.unit)] += x.quantity or 0.0
        out: dict[tuple[str, str], tuple[float, bool]] = {}
        for r in self.rows:
            if r.level == "holders":
                out[(r.norm_item, r.unit)] = (round(sums.get((r.norm_item, r.unit), 0.0), 6), r.complete)
        return out

    @property
    def held(self) -> bool:
        return any(r.data_at < self.snapshot for r in self.rows)


def closed_orgs(conn: Conn, cluster_id: int) -> frozenset[int]:
    return frozenset(repo.closed_orgs(conn, cluster_id))


def _period(now: int) -> int:
    return now - now % PUBLISH_PERIOD_S


def arm_publication(conn: Conn, cluster_id: int, now: int) -> None:
    """A stock change: the next snapshot is taken at the start of the next period (debounced)."""
    jobs_repo.schedule_once(conn, PUBLISH_KIND, f"cluster:{cluster_id}", _period(now) + PUBLISH_PERIOD_S, cluster_id,
                            {"cluster_id": cluster_id})  # fmt: skip


def _load(conn: Conn, cluster_id: int) -> Published | None:
    snap = repo.latest_snapshot(conn, cluster_id)
    if snap is None:
        return None
    rows = [PubRow(r["category"], r["unit"], r["level"], r["norm_item"], r["item_key"], r["item_name"],
                   r["region_code"], r["quantity"], int(r["contributors"]), bool(r["complete"]), int(r["data_at"]))
            for r in repo.published_rows(conn, cluster_id, int(snap["snapshot"]))]  # fmt: skip
    return Published(
        organizations=int(snap["organizations"]), lines=int(snap["lines"]), stale_lines=int(snap["stale_lines"]),
        near_expiry_lines=int(snap["near_expiry_lines"]), expired_lines=int(snap["expired_lines"]),
        mean_age_days=float(snap["mean_age_days"]), stale_days=int(snap["stale_days"]),
        expiry_days=int(snap["expiry_days"]), snapshot=int(snap["snapshot"]), published_at=int(snap["published_at"]),
        rows=rows,
    )  # fmt: skip


def published(conn: Conn, cluster_id: int) -> Published | None:
    """The latest snapshot (read only: usable inside any read transaction)."""
    return _load(conn, cluster_id)


def ensure_published(conn: Conn, cluster_id: int, now: int) -> None:
    """This period's snapshot exists afterwards (write transaction; a no-op once taken)."""
    latest = repo.latest_snapshot(conn, cluster_id)
    if latest is None or int(latest["snapshot"]) < _period(now):
        publish(conn, cluster_id, now)


def publish(conn: Conn, cluster_id: int, now: int) -> Published | None:
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
                     r.contributors, bool(r.complete), r.data_at)
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
                        None if b.level == disclosure.HIDDEN else b.quantity, len(b.orgs), True, now))  # fmt: skip
        out.append((category, unit, "table", "", None, "", "", None, len({o for o, _, _ in new}), True, now))
        hidden_items = {m[1] for b in blocks if b.level in (disclosure.CATEGORY, disclosure.HIDDEN) for m in b.members}
        for item in sorted({i for _, i, _ in new}):
            key, name = names.get(item, (None, ""))
            holders = len({o for o, i, _ in new if i == item})
            out.append((category, unit, "holders", item, key, name, "", None, holders, item not in hidden_items,
                        now))  # fmt: skip
    repo.save_snapshot(conn, cluster_id, period, now, cluster_totals(conn, cluster_id, now).counts(), out)
    jobs_repo.schedule_once(conn, PUBLISH_KIND, f"cluster:{cluster_id}", period + REPUBLISH_S, cluster_id,
                            {"cluster_id": cluster_id})  # fmt: skip
    return _load(conn, cluster_id)
