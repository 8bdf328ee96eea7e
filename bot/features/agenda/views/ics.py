"""Calendar files (.ics) for one event or the cluster's agenda, and their captions."""

from __future__ import annotations

import dataclasses
from zoneinfo import ZoneInfo

from bot.features.agenda import domain
from bot.features.agenda.service import EventView
from bot.features.agenda.storage import Event
from bot.features.agenda.views.common import _dt, rule_text, type_label
from bot.features.members.models import Cluster
from bot.kernel.i18n import Translator
from bot.kernel.views import esc

# ---- calendar files -----------------------------------------------------------------------------------


UID_DOMAIN = "klaster-logistik-bot"


def _ics_text(t: Translator, view: EventView, event: Event) -> tuple[str, str]:
    details = [event.description] if event.description else []
    if view.speakers:
        details.append(t.gettext("Speaker: {names}").format(names=", ".join(s.label for s in view.speakers)))
    if event.materials:
        details.append(t.gettext("Materials: {materials}").format(materials=event.materials))
    details.append(f"{event.code} · {view.cluster.name}")
    return f"{type_label(t, event.type)}: {event.title}", "\n".join(details)


def _ics_one(t: Translator, view: EventView, event: Event, uid: str, sequence: int, tz: ZoneInfo,
             **series: object) -> domain.IcsEvent:  # fmt: skip
    summary, description = _ics_text(t, view, event)
    start = _dt(event.starts_at)
    return domain.IcsEvent(
        uid=uid, sequence=sequence, start=start, end=_dt(event.ends_at), summary=summary, location=event.place,
        description=description, cancelled=event.status == "cancelled", categories=type_label(t, event.type), tz=tz,
        alarms=domain.alarm_leads(view.offsets, start, tz), **series,  # type: ignore[arg-type]
    )  # fmt: skip


def _ics_series(t: Translator, view: EventView, tz: ZoneInfo) -> list[domain.IcsEvent]:
    """A series as calendars expect it: one master (the first slot, the rule, the cancelled and skipped slots as
    EXDATE, an UNTIL once stopped) with the latest occurrence's details, plus one override (RECURRENCE-ID) per occurrence
    that differs from the master. SEQUENCE is the sum of the occurrences' own (each edit or cancellation bumps
    one) plus one once stopped, so it rises with every change."""
    assert view.rule is not None and view.event.series_id is not None
    occurrences = list(view.series) or [view.event]
    template = occurrences[-1]
    first = occurrences[0]
    uid = f"{view.calendar_uid}-c{view.cluster.id}-s{view.event.series_id}@{UID_DOMAIN}"
    sequence = sum(e.sequence for e in occurrences) + (0 if view.series_active else 1)
    until = None if view.series_active else _dt(template.occurrence_at)
    slots = {e.occurrence_at for e in occurrences}
    skipped = []  # slots the bot was down over: they never took place
    slot = _dt(first.occurrence_at)
    while True:
        slot = domain.next_occurrence(view.rule, slot, slot, tz)
        if int(slot.timestamp()) >= template.occurrence_at:
            break
        if int(slot.timestamp()) not in slots:
            skipped.append(slot)
    exdates = tuple(sorted([_dt(e.occurrence_at) for e in occurrences if e.status == "cancelled"] + skipped))
    master_start = first.occurrence_at
    everything_cancelled = not view.series_active and all(e.status == "cancelled" for e in occurrences)
    master = dataclasses.replace(
        template, starts_at=master_start, occurrence_at=master_start,
        status="cancelled" if everything_cancelled else "scheduled",
    )  # fmt: skip
    out = [_ics_one(t, view, master, uid, sequence, tz, rrule=domain.ics_rrule(view.rule, until), exdates=exdates)]
    for event in occurrences:
        if event.status == "cancelled":
            continue
        same = (event.starts_at == event.occurrence_at and event.duration_min == template.duration_min
                and event.place == template.place and event.title == template.title
                and event.description == template.description and event.materials == template.materials)  # fmt: skip
        if not same:
            out.append(_ics_one(t, view, event, uid, sequence, tz, recurrence_id=_dt(event.occurrence_at)))
    return out


def ics_events(t: Translator, views: list[EventView]) -> list[domain.IcsEvent]:
    """The calendar entries of ``views``: a single event as one VEVENT, every series once (master + overrides)."""
    out: list[domain.IcsEvent] = []
    seen: set[int] = set()
    for view in views:
        event, tz = view.event, ZoneInfo(view.cluster.timezone)
        if event.series_id is not None and view.rule is not None:
            if event.series_id not in seen:
                seen.add(event.series_id)
                out += _ics_series(t, view, tz)
            continue
        uid = f"{view.calendar_uid}-c{view.cluster.id}-e{event.id}@{UID_DOMAIN}"
        out.append(_ics_one(t, view, event, uid, event.sequence, tz))
    return out


def ics_file(t: Translator, views: list[EventView], stamp: int, name: str = "") -> bytes:
    return domain.ics_calendar(ics_events(t, views), _dt(stamp), name)


def ics_caption(t: Translator, view: EventView) -> str:
    if view.rule is not None:  # the file is the whole series (ics_events), not this one occurrence
        first = _dt((view.series[0] if view.series else view.event).occurrence_at)
        return t.gettext("📅 {code} {title} ({rule}): the file holds the whole series; open it to add every "
                         "occurrence to your calendar.").format(
            code=view.event.code, title=esc(view.event.title),
            rule=esc(rule_text(t, view.rule, first, view.cluster.timezone)),
        )  # fmt: skip
    return t.gettext("📅 {code} {title}: open the file to add it to your calendar.").format(
        code=view.event.code, title=esc(view.event.title)
    )


def cluster_ics_caption(t: Translator, cluster: Cluster, count: int) -> str:
    return t.ngettext(
        "📅 {n} upcoming event of {cluster}: open the file to add it to your calendar.",
        "📅 {n} upcoming events of {cluster}: open the file to add them to your calendar.",
        count,
    ).format(n=count, cluster=esc(cluster.name))


def ics_sent_privately(t: Translator) -> str:
    return t.gettext("I sent you the calendar file in a private chat.")
