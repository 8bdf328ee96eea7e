"""The agenda list, the help texts and the settings answers (reminder offsets, the time zone)."""

from __future__ import annotations

from bot.features.agenda.callbacks import AgendaPage
from bot.features.agenda.domain import Offset
from bot.features.agenda.service import EventView
from bot.features.agenda.views.common import NEW_EXAMPLE, TYPE_ICONS, _dt, offsets_text, quote
from bot.features.members.models import Cluster
from bot.kernel.i18n import Translator
from bot.kernel.views import Button, Reply, esc
from bot.shared.examples import dated


def event_list(t: Translator, cluster: Cluster, views: list[EventView], limit: int = 15) -> str:
    if not views:
        return t.gettext("No upcoming events. The secretariat adds one with /agenda baru.")
    lines = [t.gettext("<b>Upcoming agenda · {cluster}</b>").format(cluster=esc(cluster.name))]
    for view in views[:limit]:
        event = view.event
        line = (
            f"{TYPE_ICONS.get(event.type, '📌')} <b>{event.code}</b> {esc(event.title)} — "
            f"{esc(t.short_datetime(_dt(event.starts_at), cluster.timezone))}"
        )
        if event.place:
            line += f" · {esc(event.place)}"
        line += f" · ✅ {t.number(view.counts.get('yes', 0))}"
        if view.rule is not None and view.series_active:
            line += " 🔁"
        lines.append(line)
    if len(views) > limit:
        hidden = len(views) - limit
        lines.append(t.ngettext("… and {n} more", "… and {n} more", hidden).format(n=t.number(hidden)))
    lines += [
        "",
        t.gettext("Details: <code>/agenda {code}</code> · calendar file: /agenda kalender").format(
            code=views[0].event.code
        ),
    ]
    return "\n".join(lines)


def new_help(t: Translator) -> str:
    return "\n".join([
        t.gettext("<b>New event</b> (secretariat). In one line:"),
        f"<code>{esc(dated(NEW_EXAMPLE))}</code>",
        t.gettext("Types: forum berbagi, pelatihan, rapat koordinasi, simulasi/gladi. Repeating: add e.g. "
                  "<i>setiap Kamis pertama</i> or <i>tiap 2 minggu</i> after the date."),
        t.gettext("Or step by step: /agenda baru in a private chat with me."),
    ])  # fmt: skip


def agenda_help(t: Translator) -> str:
    return "\n".join([
        t.gettext("<b>Agenda commands</b>"),
        "/agenda — " + t.gettext("upcoming events"),
        "<code>/agenda A-0001</code> — " + t.gettext("one event, with attendance buttons"),
        "<code>/agenda baru …</code> — " + t.gettext("new event (secretariat)"),
        "<code>/agenda ubah A-0001 waktu Jumat 5/9 10.00</code> — " + t.gettext("move it; also “tempat” or “durasi”"),
        "<code>/agenda batal A-0001 alasan</code> — " + t.gettext("cancel it (“semua” ends a series)"),
        "<code>/agenda materi A-0001 link</code> — " + t.gettext("the speaker's materials"),
        "<code>" + t.gettext("/agenda pengingat 1d16:00,1h") + "</code> — "
        + t.gettext("when reminders go out (secretariat)"),
        "<code>/agenda ringkasan A-0001</code> — " + t.gettext("attendance and feedback (secretariat)"),
        "/agenda kalender — " + t.gettext("all upcoming events as a calendar file"),
    ])  # fmt: skip


# ---- settings -----------------------------------------------------------------------------------------


def reminders_current(t: Translator, offsets: tuple[Offset, ...]) -> str:
    return "\n".join([
        t.gettext("Event reminders go out: {when}.").format(when=esc(offsets_text(t, offsets))),
        t.gettext("They go to the group, and privately to those who answered Attending or Maybe and to the speaker."),
        t.gettext("Change (secretariat): <code>/agenda pengingat 1d16:00,1h</code> — the day before at 16.00 and one "
                  "hour before. Back to the default: <code>/agenda pengingat standar</code>"),
    ])  # fmt: skip


def reminders_saved(t: Translator, offsets: tuple[Offset, ...], moved: int) -> str:
    return (
        t.gettext("Saved. Reminders now go out: {when}.").format(when=esc(offsets_text(t, offsets)))
        + " "
        + (
            t.ngettext(
                "Reminders of {n} upcoming event were moved.", "Reminders of {n} upcoming events were moved.", moved
            )
        ).format(n=moved)
    )


def reminders_error(t: Translator, bad: str) -> str:
    return "\n".join([
        t.gettext("I did not understand the reminder time “{bad}”.").format(bad=quote(bad)),
        t.gettext("Write for example <code>/agenda pengingat 1d16:00,1h</code> (the day before at 16.00, and one hour "
                  "before) or <code>/agenda pengingat 2d09:00,3h,30m</code>; at most five."),
        t.gettext("Nothing was changed."),
    ])  # fmt: skip


def zone_current(t: Translator, cluster: Cluster) -> str:
    return "\n".join([
        t.gettext("The time zone of {cluster} is {tz}.").format(cluster=esc(cluster.name), tz=esc(cluster.timezone)),
        t.gettext("Change (secretariat): <code>/zona WIB</code>, <code>/zona WITA</code>, <code>/zona WIT</code> or "
                  "a name like <code>/zona Asia/Jakarta</code>."),
    ])  # fmt: skip


def zone_saved(t: Translator, tz: str, moved: int) -> str:
    return (
        t.gettext("Saved. The cluster's time zone is now {tz}.").format(tz=esc(tz))
        + " "
        + t.ngettext(
            "Reminders of {n} upcoming event were moved.", "Reminders of {n} upcoming events were moved.", moved
        ).format(n=moved)
    )


def zone_error(t: Translator, bad: str) -> str:
    return "\n".join([
        t.gettext("I do not know the time zone “{bad}”.").format(bad=quote(bad)),
        t.gettext("Write e.g. <code>/zona WIB</code> (Asia/Jakarta), <code>/zona WITA</code> (Asia/Makassar) or "
                  "<code>/zona WIT</code> (Asia/Jayapura)."),
        t.gettext("Nothing was changed."),
    ])  # fmt: skip


def edit_help(t: Translator, bad: str = "") -> str:
    lines = []
    if bad:
        lines.append(t.gettext("I did not understand “{bad}”.").format(bad=quote(bad)))
    lines += [
        t.gettext("Write the event number, what to change and the new value:"),
        "<code>/agenda ubah A-0001 waktu Jumat 5/9 10.00</code>",
        "<code>/agenda ubah A-0001 tempat Zoom https://zoom.us/j/123</code>",
        "<code>/agenda ubah A-0001 durasi 3 jam</code>",
        t.gettext("Nothing was changed."),
    ]
    return "\n".join(lines)


def number_help(t: Translator, command: str, bad: str = "") -> str:
    lines = []
    if bad:
        lines.append(t.gettext("I did not understand the event number “{bad}”.").format(bad=quote(bad)))
    lines += [
        t.gettext("Write the number shown on the card, e.g.:"),
        f"<code>{esc(command)} A-0001</code>",
        t.gettext("Nothing was changed."),
    ]
    return "\n".join(lines)


EVENT_PAGE = 15  # events per message on /agenda; the rest behind "More"


def event_pages(views: list[EventView]) -> int:
    return max(1, -(-len(views) // EVENT_PAGE))


def event_list_page(t: Translator, cluster: Cluster, views: list[EventView], page: int) -> Reply:
    """One page of the upcoming agenda (``event_list`` over that page) with ◀ / "➕ More" (``al:<page>``)."""
    pages = event_pages(views)
    page = max(0, min(page, pages - 1))
    shown = views[page * EVENT_PAGE : (page + 1) * EVENT_PAGE]
    text = event_list(t, cluster, shown, limit=EVENT_PAGE)
    if pages > 1:
        head, _, rest = text.partition("\n")
        head += " " + t.gettext("(page {page} of {pages})").format(page=page + 1, pages=pages)
        hidden = len(views) - (page + 1) * EVENT_PAGE
        more = ("\n" + t.gettext("… {n} more: tap “More”.").format(n=hidden)) if hidden > 0 else ""
        body, sep, footer = rest.partition("\n\n")
        text = head + "\n" + body + more + sep + footer
    nav: list[Button] = []
    if page > 0:
        nav.append(Button("◀", AgendaPage(page - 1).pack()))
    if page + 1 < pages:
        nav.append(Button(t.gettext("➕ More"), AgendaPage(page + 1).pack()))
    return Reply(text, [nav] if nav else [])
