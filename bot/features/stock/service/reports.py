"""Reporting and adjusting one's own stock: storing reports (history kept), adjusting a line, the stale and
near-expiry reminders, the secretariat setting and the stale period; the use cases the /stok handlers run."""

from __future__ import annotations

from dataclasses import dataclass

from bot.features.members import storage as members_repo
from bot.features.stock import storage as repo
from bot.features.stock.service.published import arm_publication, closed_orgs
from bot.features.stock.service.rules import (
    CONDITIONS,
    DAY_S,
    EXPIRY_KIND,
    MAX_QUANTITY,
    MAX_STALE_DAYS,
    STALE_KIND,
    StockDraft,
    expiry_days,
    stale_days,
    to_input,
)
from bot.features.stock.storage import StockLine
from bot.kernel import jobs_storage as jobs_repo
from bot.kernel import storage as core_repo
from bot.kernel.sql import Conn, Row


def set_stale_days(conn: Conn, cluster_id: int, days: int, user_id: int, now: int) -> None:
    if not 1 <= days <= MAX_STALE_DAYS:
        raise ValueError("days out of range")
    members_repo.set_setting(conn, cluster_id, "stock_stale_days", str(days))
    core_repo.audit(conn, cluster_id, user_id, "stock.stale_days", str(days), now)
    for org_id in repo.orgs_with_stock(conn, cluster_id):
        rearm(conn, cluster_id, org_id, now)


def rearm(conn: Conn, cluster_id: int, org_id: int, now: int) -> None:
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


def stale_due(conn: Conn, org_id: int, now: int) -> Reminder | None:
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


def expiry_due(conn: Conn, org_id: int, now: int) -> Reminder | None:
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
    conn: Conn, cluster_id: int, org_id: int, user_id: int | None, drafts: list[tuple[int, StockDraft]],
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
    conn: Conn, org_id: int, stock_id: int, action: str, amount: float, user_id: int, now: int
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


def confirm_all_stale(conn: Conn, org_id: int, user_id: int, now: int) -> int:
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


def my_stock(conn: Conn, org_id: int, now: int) -> MyStock:
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


def secretariat_allowed(conn: Conn, org_id: int) -> bool:
    """May the secretariat see this organisation's stock figures per organisation? (default: yes)"""
    return repo.secretariat_flags(conn, [org_id]).get(org_id, ("", True))[1]


def secretariat_orgs(conn: Conn, cluster_id: int) -> set[int]:
    """Organisations of the cluster that let the secretariat see their figures."""
    closed = closed_orgs(conn, cluster_id)
    return {o.id for o in members_repo.orgs_of_cluster(conn, cluster_id) if o.id not in closed}


def set_secretariat(conn: Conn, org_id: int, allowed: bool, user_id: int, now: int) -> None:
    """The organisation's choice; the next publication applies it (a change is audited)."""
    org = members_repo.org_by_id(conn, org_id)
    assert org is not None
    repo.set_stock_secretariat(conn, org_id, allowed)
    core_repo.audit(conn, org.cluster_id, user_id, "stock.secretariat", f"org:{org_id}", now, allowed=allowed)
    arm_publication(conn, org.cluster_id, now)


def history(conn: Conn, org_id: int, stock_id: int) -> list[Row] | None:
    line = repo.line_by_id(conn, stock_id)
    if line is None or line.organization_id != org_id:
        return None
    return repo.history_of_line(conn, stock_id)


# ---- use cases the handlers run, one transaction each (keyword-only) -----------------------------------------


def save_flow(conn: Conn, *, cluster_id: int, org_id: int, user_id: int, draft: StockDraft,
              chat_id: int, now: int) -> list[Saved]:  # fmt: skip
    """The guided report: store the line and close the dialog together (a crash cannot leave one without the
    other)."""
    saved = report(conn, cluster_id, org_id, user_id, [(1, draft)], now)
    core_repo.clear_dialog(conn, chat_id, user_id)
    return saved


def adjust_from_dialog(conn: Conn, *, org_id: int, stock_id: int, action: str, amount: float,
                       user_id: int, chat_id: int, now: int) -> Adjusted:  # fmt: skip
    """An amount typed in the adjust dialog; the dialog closes when the change is made (or the line is gone)."""
    result = adjust(conn, org_id, stock_id, action, amount, user_id, now)
    if result.ok or result.reason == "not_found":
        core_repo.clear_dialog(conn, chat_id, user_id)
    return result


def represents(conn: Conn, *, org_id: int, user_id: int) -> bool:
    """Is the person the organisation's own (pending or active) representative."""
    org = members_repo.org_by_id(conn, org_id)
    member = members_repo.current_member(conn, org.cluster_id, user_id) if org is not None else None
    return member is not None and member.organization_id == org_id and member.status in ("pending", "active")


def cluster_of(conn: Conn, cluster_id: int) -> members_repo.Cluster | None:
    """The cluster a reminder or notice is written for (its language and time zone)."""
    return members_repo.cluster_by_id(conn, cluster_id)


def org_of(conn: Conn, org_id: int) -> members_repo.Organization | None:
    return members_repo.org_by_id(conn, org_id)
