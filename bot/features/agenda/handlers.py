"""/agenda (events: one line or guided, RSVP cards edited in place, edit/cancel, reminders, speakers, feedback,
calendar files) and /zona. Thin: parsing in bot.features.agenda.domain, rules in bot.features.agenda.service, texts in
bot.features.agenda.views; every scheduled send is a job handler below."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from telegram import InputFile, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler

from bot.features.agenda import domain, views
from bot.features.agenda import service as svc
from bot.features.agenda.service import EventView
from bot.features.agenda.storage import Recipient
from bot.features.members import storage as members_repo
from bot.features.members.gate import current_actor, require_cluster, require_secretariat
from bot.features.members.models import Cluster
from bot.kernel import jobs_storage as jobs_repo
from bot.kernel import storage as core_repo
from bot.kernel.context import BotContext
from bot.kernel.i18n import N_, Translator, translator
from bot.kernel.jobs_storage import JobRow
from bot.kernel.outbox import commit, out_edit, out_send
from bot.kernel.outbox_storage import Out
from bot.kernel.permissions import is_group_admin
from bot.kernel.runtime import CommandSpec, Runtime
from bot.kernel.storage import Dialog
from bot.kernel.telegram import add_command, call_with_retries, command_args, edit, is_id, reply, send
from bot.kernel.views import Reply
from bot.shared import dates

log = logging.getLogger(__name__)
AnyApp = Application[Any, Any, Any, Any, Any, Any]
NEW_KIND = "agenda.new"
COMMENT_KIND = "agenda.comment"
DIALOG_TTL_S = 30 * 60
MAX_COMMENT = 1000
_NUMBER_RE = re.compile(r"^(?:#|a-?)?0*(\d{1,6})$", re.IGNORECASE)
_RSVP = {"y": "yes", "m": "maybe", "n": "no"}
_EDIT_FIELDS = {
    "waktu": "starts_at", "jam": "starts_at", "tanggal": "starts_at", "jadwal": "starts_at", "time": "starts_at",
    "tempat": "place", "lokasi": "place", "link": "place", "tautan": "place", "place": "place",
    "durasi": "duration_min", "lama": "duration_min", "duration": "duration_min",
}  # fmt: skip
_ZONE_WORDS = {"wib": "Asia/Jakarta", "wita": "Asia/Makassar", "wit": "Asia/Jayapura"}


def parse_number(text: str) -> int | None:
    """``A-0007``, ``A-7``, ``a7``, ``#7`` and ``7`` all mean event 7 of the cluster."""
    match = _NUMBER_RE.match(text.strip())
    return int(match.group(1)) if match else None


def _app(context: BotContext | AnyApp) -> AnyApp:
    return context if isinstance(context, Application) else context.application


def _now_dt(runtime: Runtime) -> datetime:
    return runtime.clock.now()


# ---- sending helpers ------------------------------------------------------------------------------------


async def send_file(
    context: BotContext | AnyApp, chat_id: int, content: bytes, filename: str, caption: str = ""
) -> Message | None:
    """``send_document`` with the same failure rules as ``send``: None if the chat cannot be reached."""
    app = _app(context)
    runtime: Runtime = app.bot_data["runtime"]

    async def _do(cid: int) -> Message:
        return await app.bot.send_document(cid, InputFile(content, filename=filename), caption=caption or None)

    try:
        return await call_with_retries(runtime, chat_id, _do)
    except BadRequest:
        log.warning("could not send %s to %s", filename, chat_id, exc_info=True)
        return None


async def tell(
    app: AnyApp, cluster: Cluster, people: list[Recipient], render: Callable[[Translator], str | Reply]
) -> int:
    """Send ``render(t)`` (a text or a Reply) privately to each person, in their own language."""
    sent = 0
    for person in people:
        content = render(translator(person.locale or cluster.locale))
        reply_ = content if isinstance(content, Reply) else Reply(content)
        if await send(app, person.user_id, reply_.text, reply_.keyboard or None) is not None:
            sent += 1
    return sent


EVENT_CARD = "agenda.card"


def card_edit(view: EventView) -> list[Out]:
    """The event card's new state as an outbox edit (coalesced; posted again if it was deleted, while scheduled)."""
    card = views.event_card(translator(view.cluster.locale), view)
    event = view.event
    repost = EVENT_CARD if event.status == "scheduled" else None
    if event.chat_id is None or event.message_id is None:
        return out_send(view.cluster.chat_id, card, key=f"event:{event.id}", on_sent=EVENT_CARD, ref=event.id) \
            if repost else []  # fmt: skip
    return out_edit(event.chat_id, event.message_id, card, key=f"event:{event.id}", on_sent=repost, ref=event.id)


def event_card_at(conn: Any, event_id: int) -> tuple[int, int] | None:
    view = svc.load_view(conn, event_id)
    if view is None or view.event.chat_id is None or view.event.message_id is None:
        return None
    return view.event.chat_id, view.event.message_id




async def refresh_card(context: BotContext | AnyApp, view: EventView) -> None:
    """Edit the announcement in place; if it was deleted (or never posted), post it again and remember it."""
    app = _app(context)
    card = views.event_card(translator(view.cluster.locale), view)
    event = view.event
    if event.chat_id is not None and event.message_id is not None:
        ok = await edit(app, event.chat_id, event.message_id, card)
        if ok or event.status != "scheduled":
            return
    if event.status == "scheduled":
        await post_card(app, view)


async def post_card(context: BotContext | AnyApp, view: EventView) -> Message | None:
    app = _app(context)
    runtime: Runtime = app.bot_data["runtime"]
    card = views.event_card(translator(view.cluster.locale), view)
    message = await send(app, view.cluster.chat_id, card.text, card.keyboard)
    if message is not None:
        await runtime.db.write(svc.set_card, view.event.id, message.chat.id, message.message_id)
    return message


# ---- /agenda --------------------------------------------------------------------------------------------


async def agenda(update: Update, context: BotContext) -> None:
    args = command_args(update)
    parts = args.split(maxsplit=1)
    sub = parts[0].lower() if parts else ""
    rest = parts[1].strip() if len(parts) > 1 else ""
    if not sub:
        await _list(update, context)
    elif sub in ("baru", "new", "tambah", "buat"):
        await _new(update, context, rest)
    elif sub in ("ubah", "edit", "ganti", "pindah"):
        await _edit(update, context, rest)
    elif sub in ("batal", "batalkan", "cancel"):
        await _cancel(update, context, rest)
    elif sub in ("pengingat", "reminder", "reminders"):
        await _reminders(update, context, rest)
    elif sub in ("kalender", "calendar", "ics"):
        await _calendar(update, context)
    elif sub in ("materi", "materials", "bahan"):
        await _materials(update, context, rest)
    elif sub in ("ringkasan", "summary", "rekap"):
        await _summary(update, context, rest)
    elif sub in ("bantuan", "help"):
        await reply(update, context, views.agenda_help(context.t))
    elif parse_number(sub) is not None:
        await _detail(update, context, parse_number(sub) or 0)
    else:
        await reply(
            update,
            context,
            context.t.gettext("I did not understand “{bad}”.").format(bad=views.quote(args))
            + "\n\n"
            + views.agenda_help(context.t),
        )


async def _list(update: Update, context: BotContext) -> None:
    actor = await require_cluster(update, context)
    if actor is None:
        return
    runtime = context.runtime
    upcoming = await runtime.db.read(svc.upcoming, actor.cluster.id, runtime.clock.timestamp())
    await reply(update, context, views.event_list_page(context.t, actor.cluster, upcoming, 0))


async def on_list_more(update: Update, context: BotContext) -> None:
    """``al:<page>``: another page of the upcoming agenda, edited into the pressed message (the gate's ``al:``
    rule, like /agenda itself)."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    t = context.t
    parts = query.data.split(":")
    actor = await current_actor(update, context)
    if len(parts) != 2 or not is_id(parts[1]) or len(parts[1]) > 4 or actor is None:
        await query.answer(t.gettext("This button is no longer valid."))
        return
    runtime = context.runtime
    upcoming = await runtime.db.read(svc.upcoming, actor.cluster.id, runtime.clock.timestamp())
    page = int(parts[1])
    if page >= views.event_pages(upcoming):  # fewer events than when the list was shown, or a forged page
        await query.answer(t.gettext("This list has changed: write /agenda again."), show_alert=True)
        return
    await query.answer()
    await edit(context, query.message.chat.id, query.message.message_id,
               views.event_list_page(t, actor.cluster, upcoming, page))  # fmt: skip


async def _detail(update: Update, context: BotContext, number: int) -> None:
    actor = await require_cluster(update, context)
    if actor is None:
        return
    view = await context.runtime.db.read(svc.find_event, actor.cluster.id, number)
    if view is None:
        await reply(update, context, views.change_refused(context.t, "not_found", f"A-{number:04d}"))
        return
    await reply(update, context, views.event_detail(context.t, view))


# ---- creating -------------------------------------------------------------------------------------------


async def _new(update: Update, context: BotContext, line: str) -> None:
    chat = update.effective_chat
    actor = await require_secretariat(update, context)
    if actor is None or chat is None:
        return
    if not line:
        if chat.type == ChatType.PRIVATE:
            await _start_flow(update, context, actor.cluster)
        else:
            await reply(update, context, views.guided_in_private(context.t, context.bot.username, actor.cluster.id))
        return
    runtime = context.runtime
    parsed = domain.parse_event_line(line, _now_dt(runtime), actor.cluster.timezone)
    if isinstance(parsed, domain.LineError):
        await reply(update, context, views.line_error(context.t, parsed))
        return
    draft = svc.EventDraft(
        parsed.type, parsed.title, int(parsed.start.timestamp()), parsed.duration_min, parsed.place, parsed.description,
        recurrence=parsed.recurrence.encode() if parsed.recurrence else "",
    )  # fmt: skip
    await _create(update, context, actor.cluster, draft, parsed.speakers)


async def _create(
    update: Update, context: BotContext, cluster: Cluster, draft: svc.EventDraft, speakers: str,
    dialog_chat_id: int | None = None,
) -> None:  # fmt: skip
    runtime = context.runtime
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    result = await runtime.db.write(
        svc.create_event_checked, cluster.id, user.id, draft, speakers, runtime.clock.timestamp(), dialog_chat_id
    )
    if isinstance(result, svc.SpeakerLookup):
        await reply(update, context, views.unknown_speaker(context.t, result.unknown or "", result.suggestions))
        return
    message = await post_card(context, result)
    text = views.created_text(
        context.t, result, chat.id == cluster.chat_id, views.offsets_text(context.t, result.offsets)
    )
    if message is None:
        text += "\n" + views.announce_failed(context.t)
    await reply(update, context, text)


async def _secretariat_of(context: BotContext, cluster: Cluster, user_id: int) -> bool:
    stored = await context.runtime.db.read(members_repo.is_secretariat, cluster.id, user_id)
    return stored or await is_group_admin(context, cluster.chat_id, user_id)


async def _save(context: BotContext, chat_id: int, user_id: int, kind: str, step: str, data: dict[str, Any]) -> None:
    runtime = context.runtime
    await runtime.db.write(
        core_repo.set_dialog, chat_id, user_id, kind, step, data, runtime.clock.timestamp() + DIALOG_TTL_S
    )


async def _start_flow(update: Update, context: BotContext, cluster: Cluster) -> None:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    await _save(context, chat.id, user.id, NEW_KIND, "type", {"cluster_id": cluster.id, "tz": cluster.timezone})
    await reply(update, context, views.ask_type(context.t))


async def _ask_speaker(update: Update, context: BotContext, data: dict[str, Any]) -> None:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    suggestions = await context.runtime.db.read(svc.suggest_speakers, data["cluster_id"], data["title"])
    data["suggested"] = [s.org_id for s in suggestions]
    await _save(context, chat.id, user.id, NEW_KIND, "speaker", data)
    await reply(update, context, views.ask_speaker(context.t, suggestions))


async def _after_speaker(update: Update, context: BotContext, data: dict[str, Any]) -> None:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    if data.get("recurrence") is not None:  # given with the date already
        await _save(context, chat.id, user.id, NEW_KIND, "desc", data)
        await reply(update, context, views.ask_description(context.t))
        return
    await _save(context, chat.id, user.id, NEW_KIND, "repeat", data)
    await reply(update, context, views.ask_repeat(context.t, data["starts_at"], data["tz"]))


async def _confirm(update: Update, context: BotContext, data: dict[str, Any]) -> None:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    await _save(context, chat.id, user.id, NEW_KIND, "confirm", data)
    await reply(update, context, views.confirm_new(context.t, data, data["tz"], data.get("speaker_labels", [])))


async def on_new_text(update: Update, context: BotContext, dialog: Dialog) -> None:
    """Typed answers of the guided flow; a wrong answer quotes it back and asks the same step again."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    t = context.t
    runtime = context.runtime
    text = (message.text or "").strip()
    data = dict(dialog.data)
    step = dialog.step
    if step == "type":
        type_ = domain.parse_event_type(text)
        if type_ is None:
            error = views.error_head(t, domain.LineError("type", text))
            await reply(update, context, Reply(error + "\n\n" + views.ask_type(t).text, views.ask_type(t).keyboard))
            return
        data["type"] = type_
        await _save(context, chat.id, user.id, NEW_KIND, "title", data)
        await reply(update, context, views.ask_title(t))
    elif step == "title":
        title = domain.check_title(text)
        if isinstance(title, domain.LineError):
            await reply(update, context, views.error_head(t, title) + "\n" + views.ask_title(t))
            return
        data["title"] = title
        await _save(context, chat.id, user.id, NEW_KIND, "when", data)
        await reply(update, context, views.ask_when(t))
    elif step == "when":
        when = domain.parse_when(text, _now_dt(runtime), data["tz"])
        if isinstance(when, domain.LineError):
            await reply(update, context, views.error_head(t, when) + "\n" + views.ask_when(t))
            return
        data["starts_at"] = int(when[0].timestamp())
        if when[1] is not None:
            data["recurrence"] = when[1].encode()
        await _save(context, chat.id, user.id, NEW_KIND, "duration", data)
        await reply(update, context, views.ask_duration(t))
    elif step == "duration":
        minutes = domain.parse_duration(text)
        if minutes is None:
            error = views.error_head(t, domain.LineError("duration", text))
            await reply(update, context, Reply(error, views.ask_duration(t).keyboard))
            return
        data["duration_min"] = minutes
        await _save(context, chat.id, user.id, NEW_KIND, "place", data)
        await reply(update, context, views.ask_place(t))
    elif step == "place":
        place = domain.check_place(text)
        if isinstance(place, domain.LineError):
            await reply(update, context, views.error_head(t, place) + "\n" + views.ask_place(t))
            return
        data["place"] = place
        await _ask_speaker(update, context, data)
    elif step == "speaker":
        if text in ("-", "—") or text.lower() in ("tidak ada", "tanpa", "none"):
            data["speaker_ids"], data["speaker_labels"] = [], []
        else:
            lookup = await runtime.db.read(svc.resolve_speakers, data["cluster_id"], text, data["title"])
            if lookup.unknown is not None:
                await reply(update, context, views.unknown_speaker_step(t, lookup.unknown or "", lookup.suggestions))
                return
            data["speaker_ids"], data["speaker_labels"] = lookup.org_ids, lookup.labels
        await _after_speaker(update, context, data)
    elif step == "repeat":
        if text.lower() in ("-", "tidak", "sekali", "tidak berulang", "no", "once"):
            data["recurrence"] = ""
        else:
            first = datetime.fromtimestamp(data["starts_at"], UTC).astimezone(dates.zone_of(data["tz"]))
            rule = domain.parse_recurrence(text, first.date())
            if isinstance(rule, domain.RecurrenceError):
                field = {"weekday_mismatch": "recurrence_weekday", "nth_mismatch": "recurrence_nth"}.get(
                    rule.code, "recurrence"
                )
                head = views.error_head(t, domain.LineError(field, text))
                ask = views.ask_repeat(t, data["starts_at"], data["tz"])
                await reply(update, context, Reply(head + "\n" + ask.text, ask.keyboard))
                return
            data["recurrence"] = rule.encode()
        await _save(context, chat.id, user.id, NEW_KIND, "desc", data)
        await reply(update, context, views.ask_description(t))
    elif step == "desc":
        if len(text) > domain.MAX_DESCRIPTION:
            await reply(update, context, views.error_head(t, domain.LineError("description", text[:40])))
            return
        data["description"] = "" if text in ("-", "—") else text
        await _confirm(update, context, data)
    else:
        await reply(update, context, views.use_buttons(t))


async def on_new_button(update: Update, context: BotContext) -> None:
    """``agn:<action>[:<value>]``: valid only for the step the dialog is at, with values it offered."""
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    if query is None or query.data is None or chat is None or user is None:
        return
    t = context.t
    runtime = context.runtime
    dialog = await runtime.db.read(core_repo.get_dialog, chat.id, user.id)
    action, _, value = query.data.removeprefix("agn:").partition(":")
    expected = {"type": "type", "dur": "duration", "spk": "speaker", "rep": "repeat", "desc": "desc", "ok": "confirm",
                "x": None}  # fmt: skip
    if (
        action not in expected
        or dialog is None
        or dialog.kind != NEW_KIND
        or dialog.expires_at < runtime.clock.timestamp()
        or (expected[action] is not None and dialog.step != expected[action])
        or not _offered(action, value, dict(dialog.data))
    ):
        await query.answer(t.gettext("This button is no longer valid."))
        return
    await query.answer()
    data = dict(dialog.data)
    if action == "x":
        await runtime.db.write(core_repo.clear_dialog, chat.id, user.id)
        if query.message is not None:
            await edit(context, chat.id, query.message.message_id, Reply(t.gettext("Cancelled. Nothing was saved.")))
        return
    if action == "type":
        data["type"] = value
        await _save(context, chat.id, user.id, NEW_KIND, "title", data)
        await reply(update, context, views.ask_title(t))
    elif action == "dur":
        data["duration_min"] = int(value)
        await _save(context, chat.id, user.id, NEW_KIND, "place", data)
        await reply(update, context, views.ask_place(t))
    elif action == "spk":
        org_id = int(value)
        labels = await runtime.db.read(svc.speaker_labels, data["cluster_id"], [org_id]) if org_id else []
        data["speaker_ids"], data["speaker_labels"] = ([org_id], labels) if labels else ([], [])
        await _after_speaker(update, context, data)
    elif action == "rep":
        data["recurrence"] = "" if value == "none" else value
        await _save(context, chat.id, user.id, NEW_KIND, "desc", data)
        await reply(update, context, views.ask_description(t))
    elif action == "desc":
        data["description"] = ""
        await _confirm(update, context, data)
    elif action == "ok":
        cluster = await runtime.db.read(members_repo.cluster_by_id, data.get("cluster_id", -1))
        if cluster is None or not await _secretariat_of(context, cluster, user.id):
            await reply(update, context, t.gettext("Only the cluster secretariat can do this."))
            return
        if query.message is not None:  # the confirmation stays readable, without its buttons
            summary = views.confirm_new(t, data, data["tz"], data.get("speaker_labels", []))
            await edit(context, chat.id, query.message.message_id, Reply(summary.text))
        if data["starts_at"] <= runtime.clock.timestamp():  # the flow took so long that the start has passed
            when = t.datetime(datetime.fromtimestamp(data["starts_at"], UTC), data["tz"])
            head = views.error_head(t, domain.LineError("when_past", when))
            await reply(update, context, head + "\n" + views.ask_when(t))
            await _save(context, chat.id, user.id, NEW_KIND, "when", data)
            return
        draft = svc.EventDraft(
            data["type"], data["title"], data["starts_at"], data["duration_min"], data.get("place", ""),
            data.get("description", ""), tuple(data.get("speaker_ids", [])), data.get("recurrence") or "",
        )  # fmt: skip
        await _create(update, context, cluster, draft, "", dialog_chat_id=chat.id)


def _offered(action: str, value: str, data: dict[str, Any]) -> bool:
    """Was this value one the flow offered (a tampered or stale button is refused)?"""
    if action == "type":
        return value in domain.EVENT_TYPES
    if action == "dur":
        return is_id(value) and int(value) in views.DURATION_CHOICES
    if action == "spk":
        return is_id(value) and (int(value) == 0 or int(value) in data.get("suggested", []))
    if action == "rep":
        if value == "none":
            return True
        if "starts_at" not in data:
            return False
        first = datetime.fromtimestamp(data["starts_at"], UTC).astimezone(dates.zone_of(data["tz"]))
        return value in {r.encode() for r in domain.recurrence_choices(first.date())}
    if action == "desc":
        return value == "-"
    return value == ""


async def deeplink(update: Update, context: BotContext, arg: str) -> None:
    """``/start agenda_new-<cluster>`` (guided creation) and ``/start agenda_ics-<event>`` (calendar file)."""
    kind, _, ref = arg.partition("-")
    runtime = context.runtime
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or not is_id(ref):
        await reply(update, context, context.t.gettext("This link is no longer valid."))
        return
    if kind == "new":
        cluster = await runtime.db.read(members_repo.cluster_by_id, int(ref))
        if cluster is None:
            await reply(update, context, context.t.gettext("This link is no longer valid."))
            return
        if not await _secretariat_of(context, cluster, user.id):
            await reply(update, context, context.t.gettext("Only the cluster secretariat can do this."))
            return
        await _start_flow(update, context, cluster)
    elif kind == "ics":
        view = await runtime.db.read(svc.load_view, int(ref))
        if view is None:
            await reply(update, context, context.t.gettext("This link is no longer valid."))
            return
        await _send_event_ics(context, chat.id, view)
    else:
        await reply(update, context, context.t.gettext("This link is no longer valid."))


# ---- RSVP, calendar files -------------------------------------------------------------------------------


async def on_rsvp(update: Update, context: BotContext) -> None:
    """``ag:r:<event>:<y|m|n>``: record the answer, then edit the group's card (and a private copy) in place."""
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    t = context.t
    parts = query.data.split(":")
    if len(parts) != 4 or not is_id(parts[2]) or parts[3] not in _RSVP:
        await query.answer(t.gettext("This button is no longer valid."))
        return
    runtime = context.runtime
    answer = _RSVP[parts[3]]
    chat = update.effective_chat
    group_cluster: int | None = None  # in a group, only that group's cluster's events (private: any shown card)
    if chat is not None and chat.type != ChatType.PRIVATE:
        group_cluster = (context.seen.cluster_id if context.seen is not None else None) or -1
    pressed = query.message
    event_id = int(parts[2])

    def tx(conn: Any) -> tuple[svc.RsvpResult, list[Out]]:
        """The answer and the card edits (the group's, and the private copy pressed) in one transaction."""
        result = svc.rsvp(conn, event_id, user.id, answer, runtime.clock.timestamp(), group_cluster)
        if not result.ok or result.view is None or result.previous == answer:
            return result, []
        view = result.view
        outs = card_edit(view)
        if pressed is not None and (pressed.chat.id, pressed.message_id) != (view.event.chat_id,
                                                                              view.event.message_id):  # fmt: skip
            outs += out_edit(pressed.chat.id, pressed.message_id, views.event_card(t, view),
                             key=f"event:{view.event.id}:{pressed.chat.id}:{pressed.message_id}")  # fmt: skip
        return result, outs

    async def answer_press(result: svc.RsvpResult) -> None:
        if not result.ok or result.view is None:
            await query.answer(views.rsvp_refused(t, result.reason))
        else:
            await query.answer(views.rsvp_answered(t, answer))

    await commit(context, tx, then=answer_press)


async def _send_event_ics(
    context: BotContext | AnyApp, chat_id: int, view: EventView, t: Translator | None = None
) -> Message | None:
    app = _app(context)
    runtime: Runtime = app.bot_data["runtime"]
    t = t or translator(view.cluster.locale)
    content = views.ics_file(t, [view], runtime.clock.timestamp())
    return await send_file(app, chat_id, content, f"{view.event.code}.ics", views.ics_caption(t, view))


async def on_ics(update: Update, context: BotContext) -> None:
    """``ag:i:<event>``: the event's .ics, in the chat if private, else privately (or via a deep link)."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or query.data is None or user is None or chat is None:
        return
    parts = query.data.split(":")
    view = await context.runtime.db.read(svc.load_view, int(parts[2])) if len(parts) == 3 and is_id(parts[2]) else None
    if view is None:
        await query.answer(context.t.gettext("This button is no longer valid."))
        return
    if chat.type == ChatType.PRIVATE:
        await query.answer()
        await _send_event_ics(context, chat.id, view, context.t)
        return
    user_locale = context.seen.user_locale if context.seen is not None else None
    sent = await _send_event_ics(context, user.id, view, translator(user_locale or view.cluster.locale))
    if sent is None:  # they never started a chat with the bot: Telegram opens it with the file's deep link
        await query.answer(url=f"https://t.me/{context.bot.username}?start=agenda_ics-{view.event.id}")
        return
    await query.answer(views.ics_sent_privately(context.t))


async def _calendar(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    actor = await require_cluster(update, context)
    if actor is None or chat is None:
        return
    runtime = context.runtime
    cluster, upcoming = await runtime.db.read(svc.calendar, actor.cluster.id, runtime.clock.timestamp())
    if not upcoming:
        await reply(update, context, views.event_list(context.t, cluster, []))
        return
    content = views.ics_file(context.t, upcoming, runtime.clock.timestamp(), cluster.name)
    await send_file(
        context, chat.id, content, "agenda.ics", views.cluster_ics_caption(context.t, cluster, len(upcoming))
    )


# ---- editing, cancelling, materials, summary ------------------------------------------------------------


def _split_number(text: str) -> tuple[int | None, str, str]:
    """``A-0001 waktu Jumat 10.00`` → (1, "waktu", "Jumat 10.00"); the raw first word is kept for errors."""
    parts = text.split(maxsplit=1)
    if not parts:
        return None, "", ""
    return parse_number(parts[0]), parts[0], parts[1].strip() if len(parts) > 1 else ""


async def _edit(update: Update, context: BotContext, args: str) -> None:
    actor = await require_secretariat(update, context)
    if actor is None or update.effective_user is None:
        return
    t = context.t
    runtime = context.runtime
    number, raw, rest = _split_number(args)
    if number is None:
        await reply(update, context, views.edit_help(t, raw))
        return
    field_word, _, value = rest.partition(" ")
    field = _EDIT_FIELDS.get(field_word.lower())
    value = value.strip()
    if field is None or not value:
        await reply(update, context, views.edit_help(t, rest or raw))
        return
    changes: dict[str, int | str] = {}
    if field == "starts_at":
        when = domain.parse_when(value, _now_dt(runtime), actor.cluster.timezone)
        if isinstance(when, domain.LineError) or when[1] is not None:
            error = when if isinstance(when, domain.LineError) else domain.LineError("when", value)
            await reply(update, context, views.error_head(t, error) + "\n" + views.edit_help(t))
            return
        changes["starts_at"] = int(when[0].timestamp())
    elif field == "duration_min":
        minutes = domain.parse_duration(value)
        if minutes is None:
            await reply(
                update, context, views.error_head(t, domain.LineError("duration", value)) + "\n" + views.edit_help(t)
            )
            return
        changes["duration_min"] = minutes
    else:
        place = domain.check_place(value)
        if isinstance(place, domain.LineError):
            await reply(update, context, views.error_head(t, place) + "\n" + views.edit_help(t))
            return
        changes["place"] = place
    result = await runtime.db.write(
        svc.edit_event, actor.cluster.id, number, changes, update.effective_user.id, runtime.clock.timestamp()
    )
    if not result.ok or result.view is None or result.before is None:
        await reply(update, context, views.change_refused(t, result.reason, f"A-{number:04d}"))
        return
    view, before = result.view, result.before

    def render(tr: Translator) -> str:
        return views.changed_text(tr, view, before)

    await _announce_change(update, context, view, result.recipients, render)


async def _announce_change(
    update: Update, context: BotContext, view: EventView, recipients: list[Recipient],
    render: Callable[[Translator], str],
) -> None:  # fmt: skip
    """Card edited in place, a notice in the group, attendees and speakers told privately, the requester answered."""
    chat = update.effective_chat
    cluster = view.cluster
    await refresh_card(context, view)
    await send(context, cluster.chat_id, render(translator(cluster.locale)))
    await tell(context.application, cluster, recipients, render)
    if chat is not None and chat.id != cluster.chat_id:
        await reply(update, context, context.t.gettext("Saved.") + "\n" + render(context.t))


async def _cancel(update: Update, context: BotContext, args: str) -> None:
    actor = await require_secretariat(update, context)
    if actor is None or update.effective_user is None:
        return
    t = context.t
    runtime = context.runtime
    number, raw, rest = _split_number(args)
    if number is None:
        await reply(update, context, views.number_help(t, "/agenda batal", raw))
        return
    first, _, reason = rest.partition(" ")
    whole = first.lower() in ("semua", "seri", "all", "series")
    reason = (reason if whole else rest).strip()[:300]
    result = await runtime.db.write(
        svc.cancel_event, actor.cluster.id, number, whole, reason, update.effective_user.id, runtime.clock.timestamp()
    )
    if not result.ok or result.view is None or result.before is None:
        await reply(update, context, views.change_refused(t, result.reason, f"A-{number:04d}"))
        return
    view = result.view
    if result.before.status != "scheduled" or result.before.ends_at <= runtime.clock.timestamp():
        await reply(update, context, views.series_stopped_text(t, view))  # only the series was ended
        return
    series_stopped = whole and view.rule is not None

    def render(tr: Translator) -> str:
        return views.cancelled_text(tr, view, series_stopped)

    await _announce_change(update, context, view, result.recipients, render)


async def _materials(update: Update, context: BotContext, args: str) -> None:
    actor = await require_cluster(update, context)
    user = update.effective_user
    if actor is None or user is None:
        return
    t = context.t
    runtime = context.runtime
    number, raw, text = _split_number(args)
    if number is None or not text:
        await reply(update, context, views.number_help(t, "/agenda materi", raw) if number is None else
                    views.number_help(t, "/agenda materi").replace("A-0001</code>", "A-0001 https://…</code>"))  # fmt: skip
        return
    now = runtime.clock.timestamp()
    result = await runtime.db.write(svc.set_materials, actor.cluster.id, number, user.id, False, text[:500], now)
    if result.reason == "not_allowed" and await is_group_admin(context, actor.cluster.chat_id, user.id):
        result = await runtime.db.write(svc.set_materials, actor.cluster.id, number, user.id, True, text[:500], now)
    if not result.ok or result.view is None:
        await reply(update, context, views.change_refused(t, result.reason, f"A-{number:04d}"))
        return
    await refresh_card(context, result.view)
    await reply(update, context, views.materials_saved(t, result.view))


async def _summary(update: Update, context: BotContext, args: str) -> None:
    actor = await require_secretariat(update, context)
    if actor is None:
        return
    number, raw, _ = _split_number(args)
    if number is None:
        await reply(update, context, views.number_help(context.t, "/agenda ringkasan", raw))
        return
    result = await context.runtime.db.read(svc.summary_by_number, actor.cluster.id, number)
    if result is None:
        await reply(update, context, views.change_refused(context.t, "not_found", f"A-{number:04d}"))
        return
    await reply(update, context, views.summary_text(context.t, result))


# ---- settings: reminder offsets, time zone --------------------------------------------------------------


async def _reminders(update: Update, context: BotContext, args: str) -> None:
    t = context.t
    runtime = context.runtime
    if not args:
        actor = await require_cluster(update, context)
        if actor is None:
            return
        current = await runtime.db.read(svc.cluster_offsets, actor.cluster.id)
        await reply(update, context, views.reminders_current(t, current))
        return
    actor = await require_secretariat(update, context)
    if actor is None or update.effective_user is None:
        return
    if args.lower() in ("standar", "default", "bawaan"):
        offsets: tuple[domain.Offset, ...] | str = domain.DEFAULT_OFFSETS
    else:
        offsets = domain.parse_offsets(args)
    if isinstance(offsets, str):
        await reply(update, context, views.reminders_error(t, offsets))
        return
    moved = await runtime.db.write(
        svc.set_offsets, actor.cluster.id, offsets, update.effective_user.id, runtime.clock.timestamp()
    )
    await reply(update, context, views.reminders_saved(t, offsets, moved))


async def zona(update: Update, context: BotContext) -> None:
    args = command_args(update).strip()
    t = context.t
    runtime = context.runtime
    if not args:
        actor = await require_cluster(update, context)
        if actor is not None:
            await reply(update, context, views.zone_current(t, actor.cluster))
        return
    actor = await require_secretariat(update, context)
    if actor is None or update.effective_user is None:
        return
    name = _ZONE_WORDS.get(args.lower(), args)
    if dates.zone_of(name) is None:
        await reply(update, context, views.zone_error(t, args))
        return
    moved = await runtime.db.write(
        svc.set_timezone, actor.cluster.id, name, update.effective_user.id, runtime.clock.timestamp()
    )
    await reply(update, context, views.zone_saved(t, name, moved))


# ---- speakers and feedback buttons ----------------------------------------------------------------------


async def on_speaker(update: Update, context: BotContext) -> None:
    """``ag:s:<event>:<org>:<y|n>``: a representative of the speaker organisation confirms or declines."""
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    t = context.t
    parts = query.data.split(":")
    if len(parts) != 5 or not is_id(parts[2]) or not is_id(parts[3]) or parts[4] not in ("y", "n"):
        await query.answer(t.gettext("This button is no longer valid."))
        return
    runtime = context.runtime
    confirmed = parts[4] == "y"
    result = await runtime.db.write(
        svc.speaker_answer, int(parts[2]), int(parts[3]), user.id, confirmed, runtime.clock.timestamp()
    )
    if not result.ok or result.view is None or result.speaker is None:
        await query.answer(
            views.rsvp_refused(t, "over") if result.reason == "over" else t.gettext("This button is no longer valid.")
        )
        return
    await query.answer(t.gettext("Saved."))
    if query.message is not None:
        await edit(
            context, query.message.chat.id, query.message.message_id, Reply(views.speaker_answered(t, confirmed))
        )
    view, speaker = result.view, result.speaker
    await refresh_card(context, view)
    if not confirmed:
        await tell(context.application, view.cluster, result.secretariat,
                    lambda tr: views.speaker_declined(tr, view, speaker))  # fmt: skip


async def on_feedback(update: Update, context: BotContext) -> None:
    """``ag:f:<event>:<0-5>`` (0 = did not attend) and ``ag:fs:<event>`` (skip the comment)."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or query.data is None or user is None or chat is None:
        return
    t = context.t
    runtime = context.runtime
    parts = query.data.split(":")
    now = runtime.clock.timestamp()
    if parts[1] == "fs" and len(parts) == 3:
        dialog = await runtime.db.read(core_repo.get_dialog, chat.id, user.id)
        if dialog is None or dialog.kind != COMMENT_KIND or str(dialog.data.get("event_id")) != parts[2]:
            await query.answer(t.gettext("This button is no longer valid."))
            return
        await runtime.db.write(core_repo.clear_dialog, chat.id, user.id)
        await query.answer()
        if query.message is not None:
            await edit(context, chat.id, query.message.message_id, Reply(views.feedback_done(t)))
        return
    if len(parts) != 4 or not is_id(parts[2]) or parts[3] not in ("0", "1", "2", "3", "4", "5"):
        await query.answer(t.gettext("This button is no longer valid."))
        return
    event_id, value = int(parts[2]), int(parts[3])
    result = await runtime.db.write(_rating_tx, event_id, user.id, value, chat.id, now, now + DIALOG_TTL_S)
    if not result.ok:
        await query.answer(t.gettext("This button is no longer valid."))
        return
    await query.answer(t.gettext("Saved."))
    if query.message is not None:
        content = views.ask_comment(t, event_id, value) if value else Reply(views.not_attended_noted(t))
        await edit(context, chat.id, query.message.message_id, content)


def _rating_tx(conn: Any, event_id: int, user_id: int, value: int, chat_id: int, now: int, expires: int) -> Any:
    """Save the rating and open the comment step in one transaction."""
    result = svc.save_rating(conn, event_id, user_id, value, now)
    if result.ok and value:
        core_repo.set_dialog(conn, chat_id, user_id, COMMENT_KIND, "comment", {"event_id": event_id}, expires)
    return result


def _comment_tx(conn: Any, event_id: int, user_id: int, chat_id: int, comment: str, now: int) -> bool:
    saved = svc.save_comment(conn, event_id, user_id, comment, now)
    core_repo.clear_dialog(conn, chat_id, user_id)
    return saved


async def on_comment_text(update: Update, context: BotContext, dialog: Dialog) -> None:
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    text = (message.text or "").strip()
    if not text or len(text) > MAX_COMMENT:
        await reply(
            update, context, context.t.gettext("Please write a comment of at most 1000 characters, or tap Skip.")
        )
        return
    runtime = context.runtime
    await runtime.db.write(
        _comment_tx, int(dialog.data.get("event_id", 0)), user.id, chat.id, text, runtime.clock.timestamp()
    )
    await reply(update, context, views.feedback_done(context.t))


# ---- scheduled jobs -------------------------------------------------------------------------------------


def _late(job: JobRow, late: bool) -> int | None:
    return job.due_at if late else None


def _result(late: bool) -> tuple[str, str]:
    return "done", "terlambat" if late else ""


async def reminder_job(app: AnyApp, job: JobRow, now: int, late: bool) -> tuple[str, str]:
    """An event reminder: the group, then privately Hadir/Mungkin and the speaker. Late but before the start:
    sent with the "terlambat" note; after the start (or cancelled/moved): recorded as missed."""

    def tx(conn: Any) -> tuple[tuple[str, str], list[Out]]:
        """Every reminder owed (the group, then each person) is an outbox row written with the job's "done":
        one failed or timed-out send cannot drop the others, and a crash cannot send them twice."""
        plan = svc.reminder_plan(conn, job, now)
        if isinstance(plan, str):
            return ("missed", plan), []
        view, cluster = plan.view, plan.view.cluster
        outs = out_send(cluster.chat_id, views.reminder_text(translator(cluster.locale), view, now, _late(job, late)))
        for person in plan.recipients:
            t = translator(person.locale or cluster.locale)
            outs += out_send(person.user_id, Reply(views.reminder_text(t, view, now, _late(job, late)),
                                                   [[views.ics_button(t, view.event.id)]]))  # fmt: skip
        status, note = _result(late)
        jobs_repo.finish(conn, job.id, status, now, note)
        return (status, note), outs

    return await commit(app, tx)


async def speaker_job(app: AnyApp, job: JobRow, now: int, late: bool) -> tuple[str, str]:
    runtime: Runtime = app.bot_data["runtime"]
    plan = await runtime.db.write(svc.speaker_plan, job, now)
    if isinstance(plan, str):
        return ("done" if plan == "nothing to ask" else "missed"), plan
    view = plan.view
    for speaker, people in plan.asks:
        render = partial(views.speaker_request, view=view, speaker=speaker, late_due=_late(job, late))
        await tell(app, view.cluster, people, render)
    return _result(late)


async def feedback_job(app: AnyApp, job: JobRow, now: int, late: bool) -> tuple[str, str]:
    runtime: Runtime = app.bot_data["runtime"]
    plan = await runtime.db.write(svc.feedback_plan, job, now)
    if isinstance(plan, str):
        return ("done" if plan == "no attendees" else "missed"), plan
    await tell(app, plan.view.cluster, plan.recipients, partial(views.feedback_request, view=plan.view,
                                                                  late_due=_late(job, late)))  # fmt: skip
    return _result(late)


async def summary_job(app: AnyApp, job: JobRow, now: int, late: bool) -> tuple[str, str]:
    runtime: Runtime = app.bot_data["runtime"]
    plan = await runtime.db.read(svc.summary_plan, job, now)
    if isinstance(plan, str):
        return "missed", plan
    result, people = plan
    await tell(app, result.view.cluster, people, lambda t: views.summary_text(t, result, _late(job, late)))
    return _result(late)


async def next_job(app: AnyApp, job: JobRow, now: int, late: bool) -> tuple[str, str]:
    """A recurring event ended: its next occurrence is created (with its reminders) and announced."""
    runtime: Runtime = app.bot_data["runtime"]
    created = await runtime.db.write(svc.next_occurrence, job, now)
    if isinstance(created, str):
        return "done", created
    await post_card(app, created.view)
    return "done", "skipped slots" if created.skipped else ""


def register(app: AnyApp) -> None:
    add_command(
        app,
        CommandSpec(
            "agenda",
            N_("Forum sharing, trainings and meetings: list, RSVP, calendar; the secretariat creates and edits them"),
            NEW_EXAMPLE_SHORT,
            aliases=("events",),
            section="agenda",
        ),
        agenda,
    )
    add_command(
        app,
        CommandSpec("zona", N_("The cluster's time zone (the secretariat changes it)"), "/zona WIB",
                    aliases=("timezone",), section="agenda"),
        zona,
    )  # fmt: skip
    app.add_handler(CallbackQueryHandler(on_rsvp, pattern=r"^ag:r:"))
    app.add_handler(CallbackQueryHandler(on_list_more, pattern=r"^al:"))
    app.add_handler(CallbackQueryHandler(on_ics, pattern=r"^ag:i:"))
    app.add_handler(CallbackQueryHandler(on_speaker, pattern=r"^ag:s:"))
    app.add_handler(CallbackQueryHandler(on_feedback, pattern=r"^ag:fs?:"))
    app.add_handler(CallbackQueryHandler(on_new_button, pattern=r"^agn:"))


NEW_EXAMPLE_SHORT = "/agenda baru rapat koordinasi | Rakor logistik banjir | besok 14.00 | 2 jam | Posko BPBD Kalsel"

__all__ = ["post_card", "refresh_card", "register", "send_file"]
