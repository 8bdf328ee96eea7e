"""Work-plan use cases (one transaction body each): items with a responsible organisation and a deadline,
status and progress notes, and the deadline-reminder and overdue job bodies. Every deadline check is a
``scheduled_jobs`` row written in the same transaction as the change that caused it."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.features.agenda import storage as agenda_repo
from bot.features.agenda.service import _cluster, _dt, _ts
from bot.features.agenda.speakers import SpeakerLookup
from bot.features.agenda.storage import Recipient
from bot.features.members import service as members_svc
from bot.features.members import storage as members_repo
from bot.features.members.models import Cluster
from bot.features.workplan import domain
from bot.features.workplan import storage as repo
from bot.features.workplan.domain import Deadline
from bot.features.workplan.storage import WorkItem, WorkNote
from bot.kernel import jobs_storage as jobs_repo
from bot.kernel import storage as core_repo
from bot.kernel.jobs_storage import JobRow
from bot.kernel.sql import Conn

WORK_REMINDER_KIND = "work.reminder"
WORK_OVERDUE_KIND = "work.overdue"


def work_ref(item_id: int, slot: str = "") -> str:
    return f"work:{item_id}:{slot}"


def schedule_work_jobs(conn: Conn, item: WorkItem, cluster: Cluster, now: int) -> None:
    prefix = work_ref(item.id)
    jobs_repo.cancel(conn, WORK_REMINDER_KIND, prefix)
    jobs_repo.cancel(conn, WORK_OVERDUE_KIND, prefix)
    if item.status == "done":
        return
    tz = ZoneInfo(cluster.timezone)
    deadline = _dt(item.deadline_at)
    payload = {"item_id": item.id, "deadline_at": item.deadline_at}
    for key, due in domain.work_reminder_times(deadline, item.deadline_precision, tz, _dt(now)):
        jobs_repo.schedule(conn, WORK_REMINDER_KIND, work_ref(item.id, key), _ts(due), cluster.id, payload)
    if item.overdue_flagged_at is None:
        due_at = max(now, _ts(domain.overdue_at(deadline, item.deadline_precision, tz)))
        jobs_repo.schedule(conn, WORK_OVERDUE_KIND, work_ref(item.id, "overdue"), due_at, cluster.id, payload)


# ---- work plan ----------------------------------------------------------------------------------------


def create_work_item(
    conn: Conn, cluster_id: int, user_id: int, title: str, org_id: int, deadline: Deadline, now: int
) -> WorkItem:
    cluster = _cluster(conn, cluster_id)
    number = agenda_repo.next_number(conn, cluster_id, "work")
    item = repo.insert_work_item(
        conn, cluster_id, number, title, org_id, _ts(deadline.at), deadline.precision, user_id, now
    )
    repo.add_work_note(conn, item.id, user_id, None, item.status, "", now)
    schedule_work_jobs(conn, item, cluster, now)
    core_repo.audit(conn, cluster_id, user_id, "work.create", item.code, now, title=title)
    return item


def create_work_checked(
    conn: Conn, cluster_id: int, user_id: int, title: str, org_text: str, deadline: Deadline, now: int
) -> WorkItem | SpeakerLookup:
    """Resolve the responsible organisation and create the item in one hand-off (nothing written if unknown)."""
    org, others = members_svc.find_org(conn, cluster_id, org_text)
    if org is None or org.status != "approved":
        return SpeakerLookup(unknown=org_text, suggestions=[o.label for o in others if o.status == "approved"][:5])
    return create_work_item(conn, cluster_id, user_id, title, org.id, deadline, now)


@dataclass(frozen=True)
class WorkUpdate:
    ok: bool
    reason: str = ""  # not_found | not_allowed | unchanged
    item: WorkItem | None = None
    before: WorkItem | None = None


def update_work_item(
    conn: Conn, cluster_id: int, item_id: int | None, number: int | None, user_id: int, admin: bool,
    status: str | None, note: str, deadline: Deadline | None, now: int,
) -> WorkUpdate:  # fmt: skip
    """A status change or progress note by the responsible organisation's representative or the secretariat;
    a new deadline by the secretariat only."""
    if item_id is not None:
        item = repo.work_by_id(conn, item_id)
        item = item if item is not None and item.cluster_id == cluster_id else None
    else:
        item = repo.work_by_number(conn, cluster_id, number or 0)
    if item is None:
        return WorkUpdate(False, "not_found")
    secretariat = admin or members_repo.is_secretariat(conn, cluster_id, user_id)
    member = members_repo.current_member(conn, cluster_id, user_id)
    is_rep = member is not None and member.status == "active" and member.organization_id == item.organization_id
    if (deadline is not None and not secretariat) or not (secretariat or is_rep):
        return WorkUpdate(False, "not_allowed", item, item)
    fields: dict[str, object] = {}
    if status is not None and status != item.status:
        fields.update(status=status, done_at=now if status == "done" else None)
    if deadline is not None and (_ts(deadline.at), deadline.precision) != (item.deadline_at, item.deadline_precision):
        fields.update(deadline_at=_ts(deadline.at), deadline_precision=deadline.precision, overdue_flagged_at=None)
    if not fields and not note:
        return WorkUpdate(False, "unchanged", item, item)
    if fields:
        repo.update_work_item(conn, item.id, now, **fields)
    repo.add_work_note(conn, item.id, user_id, item.status, status if "status" in fields else None, note, now)
    updated = repo.work_by_id(conn, item.id)
    assert updated is not None
    schedule_work_jobs(conn, updated, _cluster(conn, cluster_id), now)
    core_repo.audit(conn, cluster_id, user_id, "work.update", item.code, now, status=status, note=note)
    return WorkUpdate(True, "", updated, item)


def work_detail(conn: Conn, cluster_id: int, number: int) -> tuple[WorkItem, list[WorkNote]] | None:
    item = repo.work_by_number(conn, cluster_id, number)
    return (item, repo.work_notes(conn, item.id)) if item else None


def list_work(
    conn: Conn, cluster_id: int, include_done: bool = False, org_id: int | None = None
) -> list[WorkItem]:
    return repo.work_items(conn, cluster_id, include_done, org_id)


@dataclass(frozen=True)
class WorkNotice:
    item: WorkItem
    cluster: Cluster
    recipients: list[Recipient]
    to_secretariat: bool  # nobody represents the organisation: the secretariat is told instead


def work_reminder_plan(conn: Conn, job: JobRow, now: int) -> WorkNotice | str:
    item = repo.work_by_id(conn, int(job.payload.get("item_id", 0)))
    if item is None:
        return "item gone"
    if item.status == "done":
        return "done"
    if job.payload.get("deadline_at") != item.deadline_at:
        return "moved"
    cluster = _cluster(conn, item.cluster_id)
    if now >= _ts(domain.overdue_at(_dt(item.deadline_at), item.deadline_precision, ZoneInfo(cluster.timezone))):
        return "deadline passed"
    reps = agenda_repo.org_recipients(conn, [item.organization_id])
    if reps:
        return WorkNotice(item, cluster, reps, False)
    return WorkNotice(item, cluster, agenda_repo.secretariat_recipients(conn, cluster.id), True)


def work_overdue_plan(conn: Conn, job: JobRow, now: int) -> WorkNotice | str:
    """An unfinished item past its deadline is flagged once to the secretariat (and its representative)."""
    item = repo.work_by_id(conn, int(job.payload.get("item_id", 0)))
    if item is None:
        return "item gone"
    if item.status == "done":
        return "done"
    if job.payload.get("deadline_at") != item.deadline_at:
        return "moved"
    repo.update_work_item(conn, item.id, now, overdue_flagged_at=now)
    flagged = repo.work_by_id(conn, item.id)
    assert flagged is not None
    cluster = _cluster(conn, item.cluster_id)
    return WorkNotice(flagged, cluster, agenda_repo.secretariat_recipients(conn, cluster.id), True)


def reschedule_work(conn: Conn, cluster: Cluster, now: int) -> None:
    """The agenda's ``RESCHEDULE``: after the cluster's zone changed, every open item's deadline jobs anew."""
    for item in repo.open_work_items(conn, cluster.id):
        schedule_work_jobs(conn, item, cluster, now)
