"""Statistical disclosure control for the cluster's stock picture (pure; see docs/privacy.md).

Every stock figure a member can see comes from one published table per cluster and snapshot. The table is built
per *table* — one (category, unit) pair — as a **partition** of that table's holdings into disjoint blocks:

1. a *cell* (item, kabupaten/kota) is a block when at least ``K`` distinct organisations hold the item there;
2. what is left of an item (its cells below ``K``) is pooled into the item's block "elsewhere" when that pool has
   at least ``K`` organisations;
3. what is left of the table is pooled into the category's block "other items" when that pool has at least ``K``
   organisations; otherwise it is *hidden* (only the number of organisations in it is shown).

Every shown figure is the sum of some of these blocks. Because the blocks are disjoint and each holds at least
``K`` organisations, any linear combination of published figures that is not zero contains every holding of at
least one block, so it involves at least ``K`` organisations: a member who subtracts its own holdings is left
with sums over at least ``K - 1 = 2`` others, never one organisation's figure (margins, per-item gaps and region
sums are sums of blocks, so they add nothing).

The secretariat also sees the figures of every organisation that allows it (``open`` below), so it is the
strongest observer: it knows all those figures. Against it, a block that contains an organisation which does not
allow the secretariat (a *closed* one) must contain at least two closed ones, so it learns at most the sum of two
closed organisations' holdings.

Over time (rule H, "hold"): a new version of a table replaces the published one only when every block of the new
version is either identical to a block of the published version (same holdings, same figures) or contains
changed holdings of at least ``K`` distinct organisations. The changed holdings of such a block appear in no
earlier published figure and in no other block, so any combination of old and new figures that uses the new
block still contains them: the difference between two snapshots is always masked by changes of at least two
organisations other than the one who looks. For the secretariat the same holds with the closed organisations: a
changed block that contains closed organisations must contain changed holdings of at least two of them. Otherwise
the whole table keeps its published version.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

K = 3  # minimum distinct organisations behind every published figure and every published change

CELL, ITEM, CATEGORY, HIDDEN = "cell", "item", "category", "hidden"

# (organisation, item, kabupaten/kota) → quantity: one table's holdings (quantities > 0, in the table's unit)
Holdings = Mapping[tuple[int, str, str], float]


@dataclass(frozen=True)
class Block:
    level: str  # cell | item | category | hidden
    item: str  # norm_item for cell and item blocks, '' otherwise
    region: str  # kabupaten/kota for cell blocks, '' otherwise
    members: frozenset[tuple[int, str, str]]  # the holdings it sums
    quantity: float

    @property
    def orgs(self) -> frozenset[int]:
        return frozenset(org for org, _, _ in self.members)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.level, self.item, self.region)


def _enough(members: Iterable[tuple[int, str, str]], k: int, closed: frozenset[int]) -> bool:
    orgs = {m[0] for m in members}
    return len(orgs) >= k and len(orgs & closed) != 1


def partition(holdings: Holdings, k: int = K, closed: frozenset[int] = frozenset()) -> list[Block]:
    """One table's holdings → disjoint blocks (cells, item rests, the category rest, a hidden rest).

    ``closed``: organisations that do not let the secretariat see their figures (at least two per block, or none).
    """
    by_cell: dict[tuple[str, str], set[tuple[int, str, str]]] = defaultdict(set)
    for key, amount in holdings.items():
        if amount > 0:
            by_cell[(key[1], key[2])].add(key)

    def block(level: str, item: str, region: str, members: Iterable[tuple[int, str, str]]) -> Block:
        chosen = frozenset(members)
        return Block(level, item, region, chosen, round(sum(holdings[m] for m in chosen), 6))

    blocks: list[Block] = []
    rest_of_item: dict[str, set[tuple[int, str, str]]] = defaultdict(set)
    for (item, region), members in sorted(by_cell.items()):
        if _enough(members, k, closed):
            blocks.append(block(CELL, item, region, members))
        else:
            rest_of_item[item] |= members
    rest: set[tuple[int, str, str]] = set()
    for item, members in sorted(rest_of_item.items()):
        if _enough(members, k, closed):
            blocks.append(block(ITEM, item, "", members))
        else:
            rest |= members
    if rest:
        level = CATEGORY if _enough(rest, k, closed) else HIDDEN
        blocks.append(block(level, "", "", rest))
    return blocks


def changed_orgs(block: Block, new: Holdings, old: Holdings, gone: Holdings | None = None) -> set[int]:
    """Organisations with a holding in the block that is new or differs from the published version's.

    ``gone``: holdings that have left the table since a published version contained them, with that figure. A
    holding that comes back with it is no change: an earlier publication already holds it.
    """
    def before(m: tuple[int, str, str]) -> float | None:
        value = old.get(m)
        return value if value is not None or gone is None else gone.get(m)

    return {m[0] for m in block.members if (b := before(m)) is None or abs(b - new[m]) > 1e-9}


def may_replace(
    new: Holdings, old: Holdings | None, k: int = K, closed: frozenset[int] = frozenset(),
    old_closed: frozenset[int] | None = None, gone: Holdings | None = None,
) -> bool:  # fmt: skip
    """Rule H: may the table's new version replace its published one (``old``, None if never published)?

    ``old_closed``: the closed organisations when ``old`` was published (its blocks are recomputed exactly).
    ``gone``: holdings that left the table after a publication showed them, with their last published figure.
    """
    if old is None:
        return True  # a first version: every block is new and has at least k organisations
    # No shortcut for unchanged holdings: a change of the closed set alone re-partitions them (a cell with one
    # closed organisation dissolves into a pool with another), and the new pool minus the old cell would be one
    # organisation's figure. Unchanged holdings under an unchanged closed set give identical blocks anyway.
    previous = {b.key: b for b in partition(old, k, closed if old_closed is None else old_closed) if b.level != HIDDEN}
    for block in partition(new, k, closed):
        if block.level == HIDDEN:
            continue  # no figure
        same = previous.get(block.key)
        if same is not None and same.members == block.members and not changed_orgs(block, new, old):
            continue  # the very same figure as before
        changed = changed_orgs(block, new, old, gone)
        if len(changed) < k or (block.orgs & closed and len(changed & closed) < 2):
            return False
    return True
