"""The work plan's texts: the list, an item with its notes and status buttons, reminders, overdue notices, errors."""

from __future__ import annotations

from bot.features.agenda.domain import LineError
from bot.features.agenda.views.common import _dt, late_note, quote
from bot.features.agenda.views.flow import line_error
from bot.features.members.models import Cluster
from bot.features.workplan.callbacks import StatusButton, WorkPage
from bot.features.workplan.service import WorkNotice
from bot.features.workplan.storage import WorkItem, WorkNote
from bot.kernel.i18n import N_, Translator
from bot.kernel.views import Button, Keyboard, Reply, esc
from bot.shared.examples import dated

WORK_STATUS_LABELS = {
    "not_started": N_("not started"),
    "in_progress": N_("in progress"),
    "done": N_("done"),
    "on_hold": N_("on hold"),
}
WORK_ICONS = {"not_started": "⚪", "in_progress": "🔵", "done": "✅", "on_hold": "⏸"}
WORK_EXAMPLE = "/rencana baru Pemetaan gudang penyangga | BPBD Kalsel | {d+30}"


# ---- work plan ----------------------------------------------------------------------------------------


def work_status(t: Translator, status: str) -> str:
    return t.gettext(WORK_STATUS_LABELS.get(status, WORK_STATUS_LABELS["not_started"]))


def deadline_text(t: Translator, item: WorkItem, tz: str) -> str:
    when = _dt(item.deadline_at)
    return t.datetime(when, tz) if item.deadline_precision == "minute" else t.date(when, tz)


def is_overdue(item: WorkItem, now: int, tz: str) -> bool:
    if item.status == "done":
        return False
    end = item.deadline_at if item.deadline_precision == "minute" else item.deadline_at + 86400
    return now >= end


def work_list(t: Translator, cluster: Cluster, items: list[WorkItem], now: int, include_done: bool) -> str:
    if not items and include_done:
        return t.gettext("The work plan is empty. The secretariat adds items with /rencana baru.")
    if not items:
        return t.gettext("No open items in the work plan. Finished items: /rencana semua; new ones (secretariat): "
                         "/rencana baru")  # fmt: skip
    tz = cluster.timezone
    lines = [t.gettext("<b>Work plan · {cluster}</b>").format(cluster=esc(cluster.name))]
    for item in items:
        overdue = is_overdue(item, now, tz)
        line = (
            f"{'⚠️' if overdue else WORK_ICONS.get(item.status, '⚪')} <b>{item.code}</b> {esc(item.title)} — "
            f"{esc(item.org_label)} · "
            + t.gettext("deadline {when}").format(when=esc(deadline_text(t, item, tz)))
            + f" · {esc(work_status(t, item.status))}"
        )
        if overdue:
            line += " · <b>" + t.gettext("overdue") + "</b>"
        lines.append(line)
    lines += [
        "",
        t.gettext("Update: <code>/rencana {code} berjalan note</code> · details: <code>/rencana {code}</code>").format(
            code=items[0].code
        ),
    ]
    if not include_done:
        lines.append(t.gettext("Finished items: /rencana semua"))
    return "\n".join(lines)


def work_detail(t: Translator, cluster: Cluster, item: WorkItem, notes: list[WorkNote], now: int) -> Reply:
    tz = cluster.timezone
    lines = [
        f"{WORK_ICONS.get(item.status, '⚪')} <b>{item.code} · {esc(item.title)}</b>",
        "🏢 " + t.gettext("Responsible: {org}").format(org=esc(item.org_label)),
        "⏳ " + t.gettext("Deadline: {when}").format(when=esc(deadline_text(t, item, tz))),
        "📌 " + t.gettext("Status: {status}").format(status=esc(work_status(t, item.status))),
    ]
    if is_overdue(item, now, tz):
        lines.append("⚠️ <b>" + t.gettext("overdue") + "</b>")
    if notes:
        lines += ["", t.gettext("<b>Progress</b>")]
        for note in notes:
            text = f"• {esc(t.short_datetime(_dt(note.at), tz))} {esc(note.user_name)}"
            if note.to_status:
                text += f": {esc(work_status(t, note.to_status))}"
            if note.note:
                text += f" — {esc(note.note)}"
            lines.append(text)
    return Reply("\n".join(lines), status_buttons(t, item) if item.status != "done" else [])


def status_buttons(t: Translator, item: WorkItem) -> Keyboard:
    choices = [("in_progress", "▶️"), ("done", "✅"), ("on_hold", "⏸")]
    return [[Button(f"{icon} {work_status(t, s)}", StatusButton(item.id, s).pack()) for s, icon in choices if s != item.status]]


def work_created(t: Translator, item: WorkItem, tz: str) -> str:
    return t.gettext("Saved: {code} {title} — {org}, deadline {when}. Reminders go to its representative.").format(
        code=item.code, title=esc(item.title), org=esc(item.org_label), when=esc(deadline_text(t, item, tz))
    )


def work_updated(t: Translator, item: WorkItem, tz: str) -> str:
    return t.gettext("Saved: {code} is now “{status}”, deadline {when}.").format(
        code=item.code, status=esc(work_status(t, item.status)), when=esc(deadline_text(t, item, tz))
    )


def work_reminder(t: Translator, notice: WorkNotice, now: int, late_due: int | None = None) -> Reply:
    item, tz = notice.item, notice.cluster.timezone
    lines = [
        "📋 " + t.gettext("<b>Work plan reminder: {title}</b> ({code})").format(title=esc(item.title), code=item.code),
        t.gettext("Responsible: {org} · deadline {when} · status: {status}").format(
            org=esc(item.org_label), when=esc(deadline_text(t, item, tz)), status=esc(work_status(t, item.status))
        ),
    ]
    if notice.to_secretariat:
        lines.append(t.gettext("Nobody represents {org} at the moment, so I am telling the secretariat.").format(
            org=esc(item.org_label)))  # fmt: skip
    lines.append(t.gettext("Update it with the buttons or e.g. <code>/rencana {code} berjalan survei 60%</code>.").format(
        code=item.code))  # fmt: skip
    if late_due is not None:
        lines.append(late_note(t, late_due, tz))
    return Reply("\n".join(lines), status_buttons(t, item))


def work_overdue(t: Translator, notice: WorkNotice, late_due: int | None = None) -> str:
    item, tz = notice.item, notice.cluster.timezone
    lines = [
        "⚠️ "
        + t.gettext("<b>Overdue</b>: {code} {title} ({org}) was due {when}; status: {status}.").format(
            code=item.code,
            title=esc(item.title),
            org=esc(item.org_label),
            when=esc(deadline_text(t, item, tz)),
            status=esc(work_status(t, item.status)),
        ),
        t.gettext(
            "Follow up with the organisation, or set a new deadline: <code>/rencana {code} tenggat 15/10</code>."
        ).format(code=item.code),
    ]
    if late_due is not None:
        lines.append(late_note(t, late_due, tz))
    return "\n".join(lines)


def work_help(t: Translator, bad: str = "") -> str:
    lines = []
    if bad:
        lines.append(t.gettext("I did not understand “{bad}”.").format(bad=quote(bad)))
    lines += [
        t.gettext("<b>Work plan</b>"),
        "/rencana — " + t.gettext("open items; /rencana semua also shows finished ones; /rencana saya your own"),
        f"<code>{esc(WORK_EXAMPLE)}</code> — " + t.gettext("new item (secretariat): title | organisation | deadline"),
        "<code>/rencana R-0001 berjalan survei 60%</code> — "
        + t.gettext("status (belum mulai, berjalan, selesai, tertunda) and a progress note"),
        "<code>/rencana R-0001 catatan …</code> — " + t.gettext("a progress note only"),
        "<code>/rencana R-0001 tenggat 15/10</code> — " + t.gettext("new deadline (secretariat)"),
    ]
    if bad:
        lines.append(t.gettext("Nothing was changed."))
    return "\n".join(lines)


def work_line_error(t: Translator, error: LineError) -> str:
    if error.field == "format":
        head = t.gettext("I need three parts separated by “|”: title | responsible organisation | deadline.")
        return "\n".join([head, t.gettext("Write it like this:"), f"<code>{esc(dated(WORK_EXAMPLE))}</code>",
                          t.gettext("Nothing was saved.")])  # fmt: skip
    return line_error(t, error, WORK_EXAMPLE)


def unknown_org(t: Translator, name: str, suggestions: list[str]) -> str:
    lines = [t.gettext("“{bad}” is not an approved member organisation of this cluster.").format(bad=quote(name))]
    if suggestions:
        lines.append(t.gettext("Did you mean: {names}?").format(names=esc(", ".join(suggestions))))
    lines += [t.gettext("Write it like this:"), f"<code>{esc(dated(WORK_EXAMPLE))}</code>", t.gettext("Nothing was saved.")]
    return "\n".join(lines)


def work_refused(t: Translator, reason: str, code: str) -> str:
    return {
        "not_found": t.gettext("There is no work plan item {code} in this cluster. /rencana lists them.").format(
            code=esc(code)
        ),
        "not_allowed": t.gettext(
            "Only the responsible organisation's representative or the secretariat can update {code} (a new deadline: "
            "the secretariat only). Nothing was changed."
        ).format(code=esc(code)),
        "unchanged": t.gettext("That is what {code} already says. Nothing was changed.").format(code=esc(code)),
    }.get(reason, t.gettext("Nothing was changed."))


WORK_PAGE = 15  # items per message; the rest behind "More" (one message however long the plan grows)


def work_pages(items: list[WorkItem]) -> int:
    return max(1, -(-len(items) // WORK_PAGE))


def work_list_page(t: Translator, cluster: Cluster, items: list[WorkItem], now: int, include_done: bool, page: int,
                   kind: str) -> Reply:  # fmt: skip
    """One page of the work plan (``work_list`` over that page's items) with ◀ / "➕ More" buttons
    (``wl:<kind>:<page>``; kind ``o`` open items, ``a`` all, ``m`` the asker's organisation's)."""
    pages = work_pages(items)
    page = max(0, min(page, pages - 1))
    shown = items[page * WORK_PAGE : (page + 1) * WORK_PAGE]
    text = work_list(t, cluster, shown, now, include_done)
    if pages > 1:
        head, _, rest = text.partition("\n")
        head += " " + t.gettext("(page {page} of {pages})").format(page=page + 1, pages=pages)
        text = head + "\n" + rest
        hidden = len(items) - (page + 1) * WORK_PAGE
        if hidden > 0:
            text += "\n" + t.gettext("… {n} more: tap “More”.").format(n=hidden)
    nav: list[Button] = []
    if page > 0:
        nav.append(Button("◀", WorkPage(kind, page - 1).pack()))
    if page + 1 < pages:
        nav.append(Button(t.gettext("➕ More"), WorkPage(kind, page + 1).pack()))
    return Reply(text, [nav] if nav else [])
