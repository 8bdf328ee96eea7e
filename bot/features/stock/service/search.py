"""/cari: one answer over the published stock, the capacity register and open offers; forwarding a search
privately to the holders and their answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.features.members import service as members_svc
from bot.features.members import storage as members_repo
from bot.features.members.service import CapacityHit
from bot.features.needs import storage as needs_repo
from bot.features.needs.storage import Offer
from bot.features.stock import storage as repo
from bot.features.stock.service.published import PubRow, publish
from bot.features.stock.service.rules import DAY_S, item_fields, norm_item_of, stale_days
from bot.kernel import storage as core_repo
from bot.kernel.sql import Conn
from bot.shared import catalogue, regions
from bot.shared.catalogue import ItemMatch

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
    conn: Conn, cluster_id: int, item: ItemMatch, region_code: str | None, now: int,
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


def search_again(conn: Conn, request_id: int, now: int) -> Search | None:
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


def forward_request(conn: Conn, request_id: int, user_id: int, now: int) -> Forwarded:
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


def answer_request(conn: Conn, request_id: int, user_id: int, yes: bool, now: int) -> RequestAnswer:
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
    conn: Conn, cluster_id: int, norm_items: list[str], now: int
) -> dict[str, dict[str, float]]:
    """Fresh, unexpired cluster stock per item and unit (no organisation involved): for gap computations."""
    fresh_after = now - stale_days(conn, cluster_id) * DAY_S
    out: dict[str, dict[str, float]] = {}
    for norm in norm_items:
        for row in repo.holders(conn, cluster_id, norm, fresh_after, now):
            units = out.setdefault(norm, {})
            units[row["unit"]] = units.get(row["unit"], 0.0) + row["quantity"]
    return out


def request_cluster(conn: Conn, *, request_id: int) -> int | None:
    """The cluster a /cari request belongs to."""
    row = repo.request_by_id(conn, request_id)
    return int(row["cluster_id"]) if row is not None else None
