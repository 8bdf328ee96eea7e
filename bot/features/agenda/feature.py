"""The agenda's manifest: forums, trainings and meetings (/agenda), RSVP, calendar files, reminders, speakers,
feedback, the cluster's time zone (/zona); the coming events in the situation summary."""

from __future__ import annotations

from bot.features.agenda import handlers, service, storage
from bot.features.agenda.handlers import common, create, feedback, jobs
from bot.features.digests.service import COMING_WEEK_S, DIGEST_SECTIONS, Digest, Scope
from bot.features.members import storage as members_storage
from bot.features.sitrep import domain as sitrep_domain
from bot.features.sitrep.parts import SUMMARY_PARTS, SummaryPart
from bot.kernel.feature import MEMBERS, Access, Contribution, Feature, Rule
from bot.kernel.outbox_storage import MESSAGE_KINDS, MessageKind
from bot.kernel.sql import Conn
from bot.kernel.storage import CHAT_MIGRATION


def upcoming_events(conn: object, cluster_id: int, now: int, report: sitrep_domain.Sitrep) -> None:
    """The agenda's next events (forum sessions, trainings, meetings) for the summary's "Coming up" section."""
    report.events = [sitrep_domain.EventLine(e.title, e.starts_at, e.type)
                     for e in storage.upcoming_events(conn, cluster_id, now, limit=5)]  # type: ignore[arg-type]  # fmt: skip


def coming_week(conn: Conn, scope: Scope, digest: Digest) -> None:
    """The digest's "Coming week": events of the next seven days (the work plan adds its deadlines)."""
    until = digest.until + COMING_WEEK_S
    digest.events = [(e.title, e.starts_at) for e in storage.upcoming_events(conn, scope.cluster.id, digest.until)
                     if e.starts_at <= until][:8]  # fmt: skip


FEATURE = Feature(
    "agenda",
    handlers=handlers.register,
    access=Access(
        commands={"agenda": MEMBERS, "zona": MEMBERS},
        deeplinks={"agenda": Rule(MEMBERS, ((r"^ics-(\d+)$", storage.cluster_of_event),
                                           (r"^new-(\d+)$", members_storage.cluster_if_exists)))},
        buttons={
            "ag:": Rule(MEMBERS, ((r"^ag:\w+:(\d+)", storage.cluster_of_event),)),
            "agn:": Rule(MEMBERS),
            "al:": Rule(MEMBERS),  # agenda pages: what /agenda shows
        },
    ),
    dialogs={common.NEW_KIND: create.on_new_text, common.COMMENT_KIND: feedback.on_comment_text},
    deeplinks={"agenda": create.deeplink},
    jobs={
        service.REMINDER_KIND: jobs.reminder_job,
        service.SPEAKER_KIND: jobs.speaker_job,
        service.FEEDBACK_KIND: jobs.feedback_job,
        service.SUMMARY_KIND: jobs.summary_job,
        service.NEXT_KIND: jobs.next_job,
    },
    contributes=(
        Contribution(MESSAGE_KINDS, MessageKind(common.EVENT_CARD, service.set_card, common.event_card_at)),
        Contribution(CHAT_MIGRATION, storage.migrate_chat),
        Contribution(SUMMARY_PARTS, SummaryPart(section=upcoming_events)),
        Contribution(DIGEST_SECTIONS, coming_week),
    ),
    depends_on=("core", "members", "sitrep", "digests"),
)
