"""SQL for digests: subscriptions, runs (one per slot and chat), the digest's aggregates.

The digest queries take optional filters (kabupaten/kota codes, item categories) so the group's digest and a
member's filtered one are the same code; they read the open needs through ``needs_open`` / ``needs_item``
(migration 0004) and never scan pledges, except the pledge events of the digest's period.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.kernel import outbox_storage as outbox_repo
from bot.kernel.sql import Conn, Row

FREQUENCIES = ("daily", "weekly")


# ---- subscriptions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subscription:
    cluster_id: int
    user_id: int
    frequency: str
    region_codes: tuple[str, ...]
    categories: tuple[str, ...]
    locale: str | None = None  # the person's language (for their private digest)


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split(",") if v)


def _subscription(row: Row) -> Subscription:
    return Subscription(
        row["cluster_id"],
        row["user_id"],
        row["frequency"],
        _split(row["region_codes"]),
        _split(row["categories"]),
        row["locale"] if "locale" in row.keys() else None,  # noqa: SIM118 (Row has no __contains__),
    )


def upsert_subscription(
    conn: Conn,
    cluster_id: int,
    user_id: int,
    frequency: str,
    region_codes: Sequence[str],
    categories: Sequence[str],
    now: int,
) -> None:
    conn.execute(
        "INSERT INTO digest_subscriptions (cluster_id, user_id, frequency, region_codes, categories, active, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (cluster_id, user_id, frequency) "
        "DO UPDATE SET region_codes = excluded.region_codes, categories = excluded.categories, active = 1, "
        "updated_at = excluded.updated_at",
        (cluster_id, user_id, frequency, ",".join(region_codes), ",".join(categories), now, now),
    )


def cancel_subscriptions(
    conn: Conn, cluster_id: int, user_id: int, frequencies: Iterable[str], now: int
) -> int:
    wanted = list(frequencies)
    cur = conn.execute(
        f"UPDATE digest_subscriptions SET active = 0, updated_at = ? WHERE cluster_id = ? AND user_id = ? "
        f"AND active = 1 AND frequency IN ({','.join('?' * len(wanted))})",
        (now, cluster_id, user_id, *wanted),
    )
    return cur.rowcount


def subscriptions_of_user(conn: Conn, cluster_id: int, user_id: int) -> list[Subscription]:
    rows = conn.execute(
        "SELECT * FROM digest_subscriptions WHERE cluster_id = ? AND user_id = ? AND active = 1 ORDER BY frequency",
        (cluster_id, user_id),
    )
    return [_subscription(r) for r in rows]


def slot_subscribers(conn: Conn, cluster_id: int, frequency: str) -> list[Subscription]:
    """Active subscriptions of people who still represent an organisation and have not blocked the bot."""
    rows = conn.execute(
        "SELECT s.*, u.locale FROM digest_subscriptions s "
        "JOIN members m ON m.cluster_id = s.cluster_id AND m.user_id = s.user_id AND m.status = 'active' "
        "LEFT JOIN users u ON u.user_id = s.user_id "
        "WHERE s.cluster_id = ? AND s.frequency = ? AND s.active = 1 AND COALESCE(u.reachable, 1) = 1 "
        "ORDER BY s.user_id",
        (cluster_id, frequency),
    )
    return [_subscription(r) for r in rows]


# ---- digest runs ----------------------------------------------------------------------------------


def claim_run(
    conn: Conn, cluster_id: int, frequency: str, slot: str, chat_id: int, late: bool, now: int
) -> int | None:
    """Record that this slot goes to this chat; None when it already went (or is going) there."""
    row = conn.execute(
        "INSERT INTO digest_runs (cluster_id, frequency, slot, chat_id, late, created_at) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (cluster_id, frequency, slot, chat_id) DO NOTHING RETURNING id",
        (cluster_id, frequency, slot, chat_id, int(late), now),
    ).fetchone()
    return int(row[0]) if row else None


def finish_run(
    conn: Conn, run_id: int, status: str, message_id: int | None, now: int, error: str = ""
) -> None:
    conn.execute(
        "UPDATE digest_runs SET status = ?, message_id = ?, sent_at = ?, error = ? WHERE id = ?",
        (status, message_id, now, error[:200], run_id),
    )


RUN_KEY_PREFIX = "digest.run:"  # the outbox key of a run's message: "digest.run:<run id>"


def run_sent(conn: Conn, ref: int, chat_id: int, message_id: int, *, status: str) -> None:
    """The outbox sent a run's message (a message kind's record): the run is 'sent' or 'empty', with its id."""
    conn.execute(
        "UPDATE digest_runs SET status = ?, message_id = ? WHERE id = ? AND status = 'sending'",
        (status, message_id, ref),
    )


def sync_runs(conn: Conn) -> int:
    """Runs still 'sending' take their message's fate from the outbox: failed or uncertain (with the reason) when
    their row is; a run with no row at all was claimed by a direct send a crash interrupted (before the outbox
    carried digests): 'uncertain', never sent again. Pending rows are left to the outbox. Returns runs changed."""
    changed = 0
    for (run_id,) in conn.execute("SELECT id FROM digest_runs WHERE status = 'sending'").fetchall():
        fate = outbox_repo.outcome(conn, f"{RUN_KEY_PREFIX}{run_id}")
        if fate is not None and fate[0] in ("pending", "sending", "sent"):
            continue  # on its way (a sent row records its run through the message kind)
        status, reason = ("uncertain", "interrupted") if fate is None else (fate[0], fate[1] or fate[0])
        if status not in ("failed", "uncertain"):
            status = "failed"  # superseded cannot happen to a post; record it rather than leave it 'sending'
        conn.execute("UPDATE digest_runs SET status = ?, error = ? WHERE id = ?", (status, reason[:200], run_id))
        changed += 1
    return changed


def migrate_chat(conn: Conn, old: int, new: int) -> None:
    """A group became a supergroup: its runs follow it, so a slot that already reached the group is not sent
    again under the new id (the kernel's ``CHAT_MIGRATION`` point). A run the new id already has wins."""
    conn.execute("UPDATE OR IGNORE digest_runs SET chat_id = ? WHERE chat_id = ?", (new, old))
    conn.execute("DELETE FROM digest_runs WHERE chat_id = ?", (old,))


def runs(conn: Conn, cluster_id: int, frequency: str | None = None) -> list[Row]:
    sql = "SELECT * FROM digest_runs WHERE cluster_id = ?"
    params: list[Any] = [cluster_id]
    if frequency:
        sql += " AND frequency = ?"
        params.append(frequency)
    return conn.execute(sql + " ORDER BY id", params).fetchall()


def slot_status(conn: Conn, kind: str, ref: str) -> str | None:
    row = conn.execute("SELECT status FROM scheduled_jobs WHERE kind = ? AND ref = ?", (kind, ref)).fetchone()
    return row[0] if row else None


def has_pending_slot(conn: Conn, kind: str, ref_prefix: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM scheduled_jobs WHERE kind = ? AND ref LIKE ? AND status = 'pending' LIMIT 1",
            (kind, ref_prefix.replace("%", r"\%") + "%"),
        ).fetchone()
        is not None
    )


def pending_slot(conn: Conn, kind: str, ref_prefix: str) -> int | None:
    """Due time of the next pending slot of one cluster and frequency."""
    row = conn.execute(
        "SELECT MIN(due_at) FROM scheduled_jobs WHERE kind = ? AND ref LIKE ? AND status = 'pending'",
        (kind, ref_prefix.replace("%", r"\%") + "%"),
    ).fetchone()
    return int(row[0]) if row and row[0] is not None else None


# ---- the digest's aggregates ----------------------------------------------------------------------


def _where(alias: str, region_codes: Sequence[str], categories: Sequence[str]) -> tuple[str, list[Any]]:
    sql, params = "", []
    if region_codes:
        sql += f" AND {alias}.region_code IN ({','.join('?' * len(region_codes))})"
        params += list(region_codes)
    if categories:
        sql += f" AND COALESCE({alias}.category, '') IN ({','.join('?' * len(categories))})"
        params += list(categories)
    return sql, params


@dataclass(frozen=True)
class NeedLine:
    id: int
    number: int
    item_key: str | None
    item_name: str
    quantity: float
    pledged: float
    received: float
    unit: str
    region_code: str | None
    priority: int
    created_at: int
    org_name: str

    @property
    def remaining(self) -> float:
        return max(0.0, self.quantity - self.pledged)


@dataclass(frozen=True)
class OfferLine:
    number: int
    item_key: str | None
    item_name: str
    quantity: float
    unit: str
    region_code: str | None
    org_name: str


@dataclass(frozen=True)
class Delivered:
    need_number: int
    item_key: str | None
    item_name: str
    quantity: float
    unit: str
    region_code: str | None
    org_name: str  # who delivered


_ORG_NAME = "COALESCE(NULLIF(o.short_name, ''), o.name)"


def open_needs(
    conn: Conn, cluster_id: int, region_codes: Sequence[str], categories: Sequence[str], limit: int
) -> list[NeedLine]:
    """Open needs, most urgent first then oldest (the order the group should act in)."""
    where, params = _where("n", region_codes, categories)
    rows = conn.execute(
        "SELECT n.id, n.number, n.item_key, n.item_name, n.quantity, n.pledged, n.received, n.unit, n.region_code, "
        f"n.priority, n.created_at, {_ORG_NAME} AS org_name FROM needs n JOIN organizations o ON o.id = n.organization_id "
        f"WHERE n.cluster_id = ? AND n.status = 'open'{where} ORDER BY n.priority, n.created_at LIMIT ?",
        (cluster_id, *params, limit),
    )
    return [NeedLine(*r) for r in rows]


def need_counts(
    conn: Conn, cluster_id: int, since: int, region_codes: Sequence[str], categories: Sequence[str]
) -> tuple[int, int]:
    """(open needs, needs posted since ``since``)."""
    where, params = _where("n", region_codes, categories)
    row = conn.execute(
        "SELECT COALESCE(SUM(n.status = 'open'), 0), COALESCE(SUM(n.created_at >= ?), 0) FROM needs n "
        f"WHERE n.cluster_id = ? AND (n.status = 'open' OR n.created_at >= ?){where}",
        (since, cluster_id, since, *params),
    ).fetchone()
    return int(row[0]), int(row[1])


def new_offers(
    conn: Conn,
    cluster_id: int,
    since: int,
    region_codes: Sequence[str],
    categories: Sequence[str],
    limit: int,
) -> tuple[int, list[OfferLine]]:
    where, params = _where("f", region_codes, categories)
    base = f"FROM offers f JOIN organizations o ON o.id = f.organization_id WHERE f.cluster_id = ? AND f.created_at >= ?{where}"
    total = conn.execute(f"SELECT COUNT(*) {base}", (cluster_id, since, *params)).fetchone()[0]
    rows = conn.execute(
        f"SELECT f.number, f.item_key, f.item_name, f.quantity, f.unit, f.region_code, {_ORG_NAME} {base} "
        "ORDER BY f.created_at LIMIT ?",
        (cluster_id, since, *params, limit),
    )
    return int(total), [OfferLine(*r) for r in rows]


def received_since(
    conn: Conn,
    cluster_id: int,
    since: int,
    region_codes: Sequence[str],
    categories: Sequence[str],
    limit: int,
) -> tuple[int, list[Delivered]]:
    """Pledges confirmed received in the period (from the pledge event log)."""
    where, params = _where("n", region_codes, categories)
    base = (
        "FROM pledge_events e JOIN needs n ON n.id = e.need_id JOIN pledges p ON p.id = e.pledge_id "
        "JOIN organizations o ON o.id = p.organization_id "
        f"WHERE n.cluster_id = ? AND e.to_status = 'received' AND e.at >= ?{where}"
    )
    total = conn.execute(f"SELECT COUNT(*) {base}", (cluster_id, since, *params)).fetchone()[0]
    rows = conn.execute(
        f"SELECT n.number, n.item_key, n.item_name, e.quantity, n.unit, n.region_code, {_ORG_NAME} {base} "
        "ORDER BY e.at LIMIT ?",
        (cluster_id, since, *params, limit),
    )
    return int(total), [Delivered(*r) for r in rows]


def needs_by_item(
    conn: Conn, cluster_id: int, region_codes: Sequence[str], categories: Sequence[str]
) -> list[Row]:
    """Open needs summed per item and unit: the input of the gap computation."""
    where, params = _where("n", region_codes, categories)
    return conn.execute(
        "SELECT n.item_key, MIN(n.item_name) AS item_name, n.unit, SUM(n.quantity) AS needed, "
        "SUM(n.pledged) AS pledged, SUM(n.received) AS received FROM needs n "
        f"WHERE n.cluster_id = ? AND n.status = 'open'{where} "
        "GROUP BY n.item_key, CASE WHEN n.item_key IS NULL THEN n.item_name END, n.unit",
        (cluster_id, *params),
    ).fetchall()


def orgs_without_active_rep(conn: Conn, cluster_id: int, region_codes: Sequence[str]) -> list[str]:
    """Approved organisations nobody represents any more (through ``members_cluster_status``)."""
    sql = (
        f"SELECT {_ORG_NAME} FROM organizations o WHERE o.cluster_id = ? AND o.status = 'approved' AND NOT EXISTS "
        "(SELECT 1 FROM members m WHERE m.cluster_id = o.cluster_id AND m.status = 'active' "
        "AND m.organization_id = o.id)"
    )
    params: list[Any] = [cluster_id]
    if region_codes:
        sql += f" AND o.region_code IN ({','.join('?' * len(region_codes))})"
        params += list(region_codes)
    return [r[0] for r in conn.execute(sql + " ORDER BY o.name COLLATE NOCASE", params)]


def category_progress(conn: Conn, cluster_id: int, since: int) -> list[Row]:
    """Per category, over the needs open now or closed as fulfilled in the period: how many, and the mean share
    pledged and received (each need counts once: quantities of different items cannot be added)."""
    return conn.execute(
        "SELECT COALESCE(category, '') AS category, COUNT(*) AS n, AVG(MIN(pledged / quantity, 1.0)) AS pledged, "
        "AVG(MIN(received / quantity, 1.0)) AS received FROM needs WHERE cluster_id = ? "
        "AND (status = 'open' OR (status = 'fulfilled' AND closed_at >= ?)) "
        "GROUP BY COALESCE(category, '') ORDER BY n DESC",
        (cluster_id, since),
    ).fetchall()
