"""The secretariat's file import (bot.features.stock.importer checks the file): applying valid rows, parking the
valid rows of a file with errors, the sender's decision."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.features.members import storage as members_repo
from bot.features.stock import storage as repo
from bot.features.stock.service.reports import report
from bot.features.stock.service.rules import StockDraft
from bot.kernel import storage as core_repo
from bot.kernel.sql import Conn

if TYPE_CHECKING:  # the importer builds on the rules (bot.features.stock.service.rules)
    from bot.features.stock import importer

# ---- file import ----------------------------------------------------------------------------------


def apply_import(
    conn: Conn, cluster_id: int, user_id: int, rows: list[dict[str, object]], now: int
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
    conn: Conn, cluster_id: int, user_id: int, file_name: str, rows: list[dict[str, object]],
    error_rows: int, now: int,
) -> int:  # fmt: skip
    return repo.create_import(conn, cluster_id, user_id, file_name[:120], rows, error_rows, now)


@dataclass
class ImportDecision:
    ok: bool
    reason: str = ""  # not_found | not_yours | already
    applied: int = 0


def decide_import(conn: Conn, import_id: int, user_id: int, load: bool, now: int) -> ImportDecision:
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


def import_orgs(conn: Conn, *, cluster_id: int) -> list[members_repo.Organization]:
    """The organisations a file's rows may name."""
    return members_repo.orgs_of_cluster(conn, cluster_id, ("approved",))


def import_file(conn: Conn, *, cluster_id: int, user_id: int, file_name: str,
                checked: importer.Checked, chat_id: int, now: int) -> tuple[int, int | None]:  # fmt: skip
    """Apply a valid file, or park the valid rows of a file with errors; closes the dialog either way. Returns
    (lines applied, the parked import's id or None)."""
    core_repo.clear_dialog(conn, chat_id, user_id)
    if checked.errors:
        return 0, import_pending(conn, cluster_id, user_id, file_name, checked.rows, checked.error_rows, now)
    return apply_import(conn, cluster_id, user_id, checked.rows, now), None
