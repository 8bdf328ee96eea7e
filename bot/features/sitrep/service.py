"""Building the situation summary from the data (one read snapshot) and recording what was published."""

from __future__ import annotations

import hashlib

from bot.features.members.models import Cluster
from bot.features.needs import storage as needs_repo
from bot.features.sitrep import domain
from bot.features.sitrep import storage as repo
from bot.features.sitrep.parts import NO_PARTS, Parts
from bot.kernel.sql import Conn

URGENT_LIMIT = 8
OFFER_LIMIT = 5


def build(conn: Conn, cluster: Cluster, now: int, parts: Parts = NO_PARTS) -> domain.Sitrep:
    """The summary from one read snapshot; ``parts`` are what other features add (``Parts.of(runtime)``)."""
    report = domain.Sitrep(cluster.name, now)
    report.incidents = [
        domain.IncidentLine(i.title, i.status, i.region_codes) for i in needs_repo.incidents(conn, cluster.id)
    ]
    report.regions = domain.region_loads(
        [(r["region_code"], r["priority"], r["n"], r["uncovered"]) for r in repo.open_needs_by_region(conn, cluster.id)]
    )
    urgent_rows = repo.most_urgent(conn, cluster.id, 200)
    report.urgent_total = len(urgent_rows)
    report.urgent = [
        domain.UrgentNeed(
            r["number"],
            r["item_key"],
            r["item_name"],
            max(0.0, r["quantity"] - r["pledged"]),
            r["unit"],
            r["region_code"],
            r["priority"],
        )
        for r in urgent_rows[:URGENT_LIMIT]
    ]
    report.coverage = [
        domain.CategoryCoverage(r["category"] or "", r["n"], r["pledged"], r["sent"], r["received"])
        for r in repo.coverage_by_category(conn, cluster.id)
    ]
    items = [
        domain.ItemNeed(r["item_key"], r["item_name"], r["unit"], r["needed"], r["pledged"], r["received"])
        for r in repo.needs_by_item(conn, cluster.id)
    ]
    stock: dict[tuple[str, str], float] = {}
    for contribute in parts.stock:
        stock.update(contribute(conn, cluster.id, now))
    report.gaps = domain.compute_gaps(items, stock)
    total, offers = repo.unused_offers(conn, cluster.id, OFFER_LIMIT)
    report.unused_offers_total = total
    report.unused_offers = [
        domain.OfferLine(
            r["number"], r["item_key"], r["item_name"], r["quantity"], r["unit"], r["region_code"], r["org_name"]
        )
        for r in offers
    ]
    counts = repo.counts(conn, cluster.id)
    report.open_needs, report.fulfilled_needs, report.open_offers = (
        counts["open_needs"],
        counts["fulfilled_needs"],
        counts["open_offers"],
    )
    for section in parts.sections:
        section(conn, cluster.id, now, report)
    return report


def prepare(conn: Conn, cluster_id: int, now: int, parts: Parts = NO_PARTS) -> None:
    """Run in a write transaction before ``build`` (and before a digest): the stock feature takes the period's
    snapshot of its published table here, so the summary, read afterwards, shows the same snapshot as
    /ringkasan stok and /cari."""
    for hook in parts.prepare:
        hook(conn, cluster_id, now)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def publish(conn: Conn, *, cluster_id: int, text: str, kind: str, by: int | None, now: int) -> int:
    """A new summary card is owed (posted, then pinned by the outbox): its version, whose message id the outbox
    records once the post is delivered (``card_posted``). Returns the version id."""
    return repo.add_version(conn, cluster_id, kind, text, None, by, now)


def record_edit(conn: Conn, cluster_id: int, text: str, now: int) -> int:
    """The pinned card's new state is owed as an edit; returns the version (a repost if the card is gone)."""
    repo.save_edit(conn, cluster_id, text_hash(text), now)
    state = repo.pin_state(conn, cluster_id)
    return repo.add_version(conn, cluster_id, "edit", text, state.message_id if state else None, None, now)


PINNED_KINDS = ("pin", "repost")  # versions that are (to be) the pinned card


def card_posted(conn: Conn, version_id: int, chat_id: int, message_id: int) -> None:
    """The outbox posted a summary card (``MessageKind.record``): a pin or repost becomes the pinned card; an edit
    that had to post its message again (the pinned card was deleted) is a repost from here on."""
    row = repo.version(conn, version_id)
    if row is None:
        return
    kind = "repost" if row["kind"] == "edit" else row["kind"]
    repo.set_version_message(conn, version_id, message_id, kind)
    if kind in PINNED_KINDS:
        repo.save_pin(conn, row["cluster_id"], chat_id, message_id, text_hash(row["text"]), row["published_at"])


def card_at(conn: Conn, version_id: int) -> tuple[int, int] | None:
    """Where the card to pin is (``MessageKind.resolve``): only a posted pin or repost; a plain edit pins nothing."""
    row = repo.version(conn, version_id)
    if row is None or row["kind"] not in PINNED_KINDS or row["message_id"] is None:
        return None
    return int(row["chat_id"]), int(row["message_id"])
