"""The work plan's manifest: /rencana, items with a responsible organisation and deadline, reminders to the
representative, overdue items flagged to the secretariat."""

from __future__ import annotations

from bot.features.agenda.points import RESCHEDULE
from bot.features.digests.service import COMING_WEEK_S, DIGEST_SECTIONS, Digest, Scope
from bot.features.workplan import handlers, service, storage
from bot.kernel.feature import MEMBERS, Access, Contribution, Feature, Rule
from bot.kernel.sql import Conn


def coming_deadlines(conn: Conn, scope: Scope, digest: Digest) -> None:
    """The digest's "Coming week": open work-plan deadlines of the next seven days."""
    until = digest.until + COMING_WEEK_S
    digest.deadlines = sorted((w.title, w.org_label, w.deadline_at)
                              for w in storage.open_work_items(conn, scope.cluster.id)
                              if w.deadline_at <= until)[:8]  # fmt: skip


FEATURE = Feature(
    "workplan",
    handlers=handlers.register,
    access=Access(commands={"rencana": MEMBERS}, buttons={
        "wp:": Rule(MEMBERS, ((r"^wp:(\d+):", storage.cluster_of_work_item),)),
        "wl:": Rule(MEMBERS),  # work plan pages: what /rencana shows
    }),
    jobs={service.WORK_REMINDER_KIND: handlers.reminder_job, service.WORK_OVERDUE_KIND: handlers.overdue_job},
    contributes=(Contribution(RESCHEDULE, service.reschedule_work), Contribution(DIGEST_SECTIONS, coming_deadlines)),
    depends_on=("core", "members", "agenda", "digests"),
)
