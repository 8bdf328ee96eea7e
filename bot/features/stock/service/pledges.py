"""Stock and needs: matching stock for a posted need, pledging from stock, reducing the line on receipt."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.features.members import storage as members_repo
from bot.features.needs import service as needs_svc
from bot.features.needs import storage as needs_repo
from bot.features.needs.storage import Need
from bot.features.stock import storage as repo
from bot.features.stock.service.reports import Adjusted, rearm
from bot.features.stock.service.rules import DAY_S, stale_days
from bot.features.stock.storage import StockLine
from bot.kernel.sql import Conn
from bot.shared import quantity as qty
from bot.shared import regions
from bot.shared.regions import fold

# ---- stock and needs: matching, pledging from stock, deducting on receipt -------------------------


@dataclass(frozen=True)
class StockMatch:
    line: StockLine
    amount: float  # what the line holds, in the need's unit
    user_ids: tuple[int, ...]


def in_unit(value: float, from_unit: str, to_unit: str) -> float | None:
    converted = qty.convert(Decimal(str(value)), from_unit, to_unit)
    return float(converted) if converted is not None else None


def matching_stock(conn: Conn, need: Need, now: int, limit: int = 5) -> list[StockMatch]:
    """Current, non-stale stock of the need's item held by other organisations, nearest first, one line per org."""
    norm = need.item_key or "~" + fold(need.item_name)[:80]
    fresh_after = now - stale_days(conn, need.cluster_id) * DAY_S
    lines = repo.holder_lines(conn, need.cluster_id, norm, fresh_after, now, need.organization_id)
    candidates = [(line, amount) for line in lines if (amount := in_unit(line.quantity, line.unit, need.unit))]
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
    conn: Conn, need_id: int, stock_id: int, org_id: int, user_id: int, now: int
) -> StockPledge:
    """One tap from the private match notice: pledge what the line holds, up to what is still open. The need is
    locked before its remainder is read (several processes on PostgreSQL: never beyond the need)."""
    needs_repo.lock_need(conn, need_id)
    line = repo.line_by_id(conn, stock_id)
    need = needs_repo.need_by_id(conn, need_id)
    if line is None or need is None:
        return StockPledge(False, "not_found")
    if line.organization_id != org_id or line.cluster_id != need.cluster_id:
        return StockPledge(False, "not_yours", line=line)
    if need.status != "open":
        return StockPledge(False, "need_closed", line=line)
    available = in_unit(line.quantity, line.unit, need.unit)
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


def pledge_received(conn: Conn, pledge_id: int, now: int) -> DeductAsk | None:
    """A pledge made from stock was received: ask its holder (once) whether to reduce the line."""
    link = repo.stock_pledge(conn, pledge_id)
    pledge = needs_repo.pledge_by_id(conn, pledge_id)
    if link is None or pledge is None or pledge.status != "received":
        return None
    line = repo.line_by_id(conn, link["stock_id"])
    need = needs_repo.need_by_id(conn, pledge.need_id)
    if line is None or need is None:
        return None
    amount = in_unit(pledge.quantity, need.unit, line.unit)
    if amount is None or not repo.set_stock_pledge_status(conn, pledge_id, "open", "asked", now):
        return None
    users = tuple(m.user_id for m in members_repo.members_of_org(conn, line.organization_id))
    return DeductAsk(pledge_id, line, amount, users)


def deduct_for_pledge(
    conn: Conn, pledge_id: int, org_id: int, user_id: int, deduct: bool, now: int
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
    amount = in_unit(pledge.quantity, need.unit, line.unit) or 0.0
    new = max(0.0, line.quantity - amount)
    repo.set_quantity(conn, line.id, new, user_id, now)
    repo.add_history(conn, line, "pledge", line.quantity, new, user_id, now)
    rearm(conn, line.cluster_id, org_id, now)
    return Adjusted(True, line=repo.line_by_id(conn, line.id), previous=line.quantity)


def need_of(conn: Conn, need_id: int) -> Need | None:
    """The need a stock pledge belongs to."""
    return needs_repo.need_by_id(conn, need_id)
