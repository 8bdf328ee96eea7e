"""Creating an event: the one-line form, the guided flow in private (typed answers and buttons), its deep link."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from telegram import Update
from telegram.constants import ChatType

from bot.features.agenda import domain
from bot.features.agenda import service as svc
from bot.features.agenda import speakers as speaker_svc
from bot.features.agenda.callbacks import NewFlowButton
from bot.features.agenda.handlers.calendar import _send_event_ics
from bot.features.agenda.handlers.common import NEW_KIND, _now_dt, _secretariat_of, card_edit
from bot.features.agenda.views import cards, common, flow
from bot.features.members.gate import require_secretariat
from bot.features.members.models import Cluster
from bot.kernel import dialogs
from bot.kernel import storage as core_repo
from bot.kernel.callbacks import stale
from bot.kernel.context import BotContext
from bot.kernel.outbox import commit, out_edit, out_reply
from bot.kernel.outbox_storage import Out
from bot.kernel.storage import Dialog
from bot.kernel.telegram import edit, is_id, reply
from bot.kernel.views import Reply
from bot.shared import dates

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
            await reply(update, context, flow.guided_in_private(context.t, context.bot.username, actor.cluster.id))
        return
    runtime = context.runtime
    parsed = domain.parse_event_line(line, _now_dt(runtime), actor.cluster.timezone)
    if isinstance(parsed, domain.LineError):
        await reply(update, context, flow.line_error(context.t, parsed))
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
    t, now = context.t, runtime.clock.timestamp()

    def tx(conn: Any) -> tuple[None, list[Out]]:
        """The event, its card in the group and the answer: one transaction (the card and the answer are outbox
        rows, so a failed send after the commit can neither hide the event nor report it unsaved)."""
        result = svc.create_event_checked(conn, cluster.id, user.id, draft, speakers, now, dialog_chat_id)
        if isinstance(result, speaker_svc.SpeakerLookup):
            return None, out_reply(update, flow.unknown_speaker(t, result.unknown or "", result.suggestions))
        text = cards.created_text(t, result, chat.id == cluster.chat_id, common.offsets_text(t, result.offsets))
        return None, card_edit(result) + out_reply(update, text)

    await commit(context, tx)


async def _start_flow(update: Update, context: BotContext, cluster: Cluster) -> None:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    await dialogs.save(
        context, chat_id=chat.id, user_id=user.id, kind=NEW_KIND, step="type", data={"cluster_id": cluster.id, "tz": cluster.timezone},
        ask=flow.ask_type(context.t), update=update,
    )


async def _ask_speaker(update: Update, context: BotContext, data: dict[str, Any]) -> None:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    suggestions = await context.runtime.db.read(speaker_svc.suggest_speakers, data["cluster_id"], data["title"])
    data["suggested"] = [s.org_id for s in suggestions]
    await dialogs.save(
        context, chat_id=chat.id, user_id=user.id, kind=NEW_KIND, step="speaker", data=data,
        ask=flow.ask_speaker(context.t, suggestions), update=update,
    )


async def _after_speaker(update: Update, context: BotContext, data: dict[str, Any]) -> None:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    if data.get("recurrence") is not None:  # given with the date already
        await dialogs.save(
            context, chat_id=chat.id, user_id=user.id, kind=NEW_KIND, step="desc", data=data,
            ask=flow.ask_description(context.t), update=update,
        )
        return
    await dialogs.save(
        context, chat_id=chat.id, user_id=user.id, kind=NEW_KIND, step="repeat", data=data,
        ask=flow.ask_repeat(context.t, data["starts_at"], data["tz"]), update=update,
    )


async def _confirm(update: Update, context: BotContext, data: dict[str, Any]) -> None:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    await dialogs.save(
        context, chat_id=chat.id, user_id=user.id, kind=NEW_KIND, step="confirm", data=data,
        ask=flow.confirm_new(context.t, data, data["tz"], data.get("speaker_labels", [])), update=update,
    )


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
            error = flow.error_head(t, domain.LineError("type", text))
            await reply(update, context, Reply(error + "\n\n" + flow.ask_type(t).text, flow.ask_type(t).keyboard))
            return
        data["type"] = type_
        await dialogs.save(
            context, chat_id=chat.id, user_id=user.id, kind=NEW_KIND, step="title", data=data,
            ask=flow.ask_title(t), update=update,
        )
    elif step == "title":
        title = domain.check_title(text)
        if isinstance(title, domain.LineError):
            await reply(update, context, flow.error_head(t, title) + "\n" + flow.ask_title(t))
            return
        data["title"] = title
        await dialogs.save(
            context, chat_id=chat.id, user_id=user.id, kind=NEW_KIND, step="when", data=data,
            ask=flow.ask_when(t), update=update,
        )
    elif step == "when":
        when = domain.parse_when(text, _now_dt(runtime), data["tz"])
        if isinstance(when, domain.LineError):
            await reply(update, context, flow.error_head(t, when) + "\n" + flow.ask_when(t))
            return
        data["starts_at"] = int(when[0].timestamp())
        if when[1] is not None:
            data["recurrence"] = when[1].encode()
        await dialogs.save(
            context, chat_id=chat.id, user_id=user.id, kind=NEW_KIND, step="duration", data=data,
            ask=flow.ask_duration(t), update=update,
        )
    elif step == "duration":
        minutes = domain.parse_duration(text)
        if minutes is None:
            error = flow.error_head(t, domain.LineError("duration", text))
            await reply(update, context, Reply(error, flow.ask_duration(t).keyboard))
            return
        data["duration_min"] = minutes
        await dialogs.save(
            context, chat_id=chat.id, user_id=user.id, kind=NEW_KIND, step="place", data=data,
            ask=flow.ask_place(t), update=update,
        )
    elif step == "place":
        place = domain.check_place(text)
        if isinstance(place, domain.LineError):
            await reply(update, context, flow.error_head(t, place) + "\n" + flow.ask_place(t))
            return
        data["place"] = place
        await _ask_speaker(update, context, data)
    elif step == "speaker":
        if text in ("-", "—") or text.lower() in ("tidak ada", "tanpa", "none"):
            data["speaker_ids"], data["speaker_labels"] = [], []
        else:
            lookup = await runtime.db.read(speaker_svc.resolve_speakers, data["cluster_id"], text, data["title"])
            if lookup.unknown is not None:
                await reply(update, context, flow.unknown_speaker_step(t, lookup.unknown or "", lookup.suggestions))
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
                head = flow.error_head(t, domain.LineError(field, text))
                ask = flow.ask_repeat(t, data["starts_at"], data["tz"])
                await reply(update, context, Reply(head + "\n" + ask.text, ask.keyboard))
                return
            data["recurrence"] = rule.encode()
        await dialogs.save(
            context, chat_id=chat.id, user_id=user.id, kind=NEW_KIND, step="desc", data=data,
            ask=flow.ask_description(t), update=update,
        )
    elif step == "desc":
        if len(text) > domain.MAX_DESCRIPTION:
            await reply(update, context, flow.error_head(t, domain.LineError("description", text[:40])))
            return
        data["description"] = "" if text in ("-", "—") else text
        await _confirm(update, context, data)
    else:
        await reply(update, context, flow.use_buttons(t))


async def on_new_button(update: Update, context: BotContext, button: NewFlowButton) -> None:
    """``agn:<action>[:<value>]``: valid only for the step the dialog is at, with values it offered."""
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    if query is None or chat is None or user is None:
        return
    t = context.t
    runtime = context.runtime
    dialog = await runtime.db.read(core_repo.get_dialog, chat.id, user.id)
    action, value = button.action, button.value
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
        await stale(update, context)
        return
    await query.answer()
    data = dict(dialog.data)
    if action == "x":
        pressed = query.message

        def cancel_tx(conn: Any) -> tuple[None, list[Out]]:
            core_repo.clear_dialog(conn, chat.id, user.id)
            cancelled = Reply(t.gettext("Cancelled. Nothing was saved."))
            return None, (out_edit(chat.id, pressed.message_id, cancelled) if pressed is not None else [])

        await commit(context, cancel_tx)
        return
    if action == "type":
        data["type"] = value
        await dialogs.save(
            context, chat_id=chat.id, user_id=user.id, kind=NEW_KIND, step="title", data=data,
            ask=flow.ask_title(t), update=update,
        )
    elif action == "dur":
        data["duration_min"] = int(value)
        await dialogs.save(
            context, chat_id=chat.id, user_id=user.id, kind=NEW_KIND, step="place", data=data,
            ask=flow.ask_place(t), update=update,
        )
    elif action == "spk":
        org_id = int(value)
        labels = await runtime.db.read(speaker_svc.speaker_labels, data["cluster_id"], [org_id]) if org_id else []
        data["speaker_ids"], data["speaker_labels"] = ([org_id], labels) if labels else ([], [])
        await _after_speaker(update, context, data)
    elif action == "rep":
        data["recurrence"] = "" if value == "none" else value
        await dialogs.save(
            context, chat_id=chat.id, user_id=user.id, kind=NEW_KIND, step="desc", data=data,
            ask=flow.ask_description(t), update=update,
        )
    elif action == "desc":
        data["description"] = ""
        await _confirm(update, context, data)
    elif action == "ok":
        cluster = await runtime.db.read(svc.cluster_by_id, data.get("cluster_id", -1))
        if cluster is None or not await _secretariat_of(context, cluster, user.id):
            await reply(update, context, t.gettext("Only the cluster secretariat can do this."))
            return
        if query.message is not None:  # the confirmation stays readable, without its buttons
            summary = flow.confirm_new(t, data, data["tz"], data.get("speaker_labels", []))
            await edit(context, chat.id, query.message.message_id, Reply(summary.text))
        if data["starts_at"] <= runtime.clock.timestamp():  # the flow took so long that the start has passed
            when = t.datetime(datetime.fromtimestamp(data["starts_at"], UTC), data["tz"])
            head = flow.error_head(t, domain.LineError("when_past", when))
            await dialogs.save(
                context, chat_id=chat.id, user_id=user.id, kind=NEW_KIND, step="when", data=data,
                ask=head + "\n" + flow.ask_when(t), update=update,
            )
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
        return is_id(value) and int(value) in flow.DURATION_CHOICES
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
        cluster = await runtime.db.read(svc.cluster_by_id, int(ref))
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
