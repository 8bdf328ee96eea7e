"""The work plan's manifest: /rencana, items with a responsible organisation and deadline, reminders to the
representative, overdue items flagged to the secretariat."""

from __future__ import annotations

from bot.features.agenda.points import RESCHEDULE
from bot.features.workplan import handlers, service
from bot.kernel.feature import MEMBERS, Access, Contribution, Feature, Rule

FEATURE = Feature(
    "workplan",
    handlers=handlers.register,
    access=Access(commands={"rencana": MEMBERS}, buttons={"wp:": Rule(MEMBERS, ((r"^wp:(\d+):", "work_item"),))}),
    jobs={service.WORK_REMINDER_KIND: handlers.reminder_job, service.WORK_OVERDUE_KIND: handlers.overdue_job},
    contributes=(Contribution(RESCHEDULE, service.reschedule_work),),
    depends_on=("core", "members", "agenda"),
)
