"""What the agenda's handlers share: event numbers, the card (posted, edited in place, as outbox rows), private
notices in each person's language, calendar-file sends."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram.ext import Application

from bot.features.agenda import service as svc
from bot.features.agenda.service import EventView
from bot.features.agenda.storage import Recipient
from bot.features.agenda.views import cards
from bot.features.members.models import Cluster
from bot.kernel.context import BotContext
from bot.kernel.i18n import Translator, translator
from bot.kernel.outbox import enqueue, fate, out_edit, out_send
from bot.kernel.outbox_files import file_key, out_file
from bot.kernel.outbox_storage import Out
from bot.kernel.permissions import is_group_admin
from bot.kernel.runtime import Runtime
from bot.kernel.views import Reply

log = logging.getLogger(__name__)
AnyApp = Application[Any, Any, Any, Any, Any, Any]
NEW_KIND = "agenda.new"
COMMENT_KIND = "agenda.comment"
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
) -> tuple[str, str | None]:
    """The file owed as an outbox row (its own transaction; the update's claim when one is processed), delivered
    at once: (status, reason) of the row after that: sent, pending (a 5xx or 429: retried later), failed (403/400,
    with the reason) or uncertain (timed out)."""
    app = _app(context)
    key = file_key()
    await enqueue(app, out_file(chat_id, "document", filename, content, caption, key=key))
    return await fate(app, key) or ("failed", "not written")


def tell(cluster: Cluster, people: list[Recipient], render: Callable[[Translator], str | Reply]) -> list[Out]:
    """``render(t)`` (a text or a Reply) privately to each person, in their own language: outbox rows for the
    transaction that owes them (one unreachable or slow chat cannot drop the others)."""
    outs: list[Out] = []
    for person in people:
        outs += out_send(person.user_id, render(translator(person.locale or cluster.locale)))
    return outs


EVENT_CARD = "agenda.card"


def card_edit(view: EventView) -> list[Out]:
    """The event card's new state as an outbox edit (coalesced; posted again if it was deleted, while scheduled)."""
    card = cards.event_card(translator(view.cluster.locale), view)
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


async def _secretariat_of(context: BotContext, cluster: Cluster, user_id: int) -> bool:
    stored = await context.runtime.db.read(svc.is_secretariat, cluster.id, user_id)
    return stored or await is_group_admin(context, cluster.chat_id, user_id)


# ---- editing, cancelling, materials, summary ------------------------------------------------------------


def _split_number(text: str) -> tuple[int | None, str, str]:
    """``A-0001 waktu Jumat 10.00`` → (1, "waktu", "Jumat 10.00"); the raw first word is kept for errors."""
    parts = text.split(maxsplit=1)
    if not parts:
        return None, "", ""
    return parse_number(parts[0]), parts[0], parts[1].strip() if len(parts) > 1 else ""


NEW_EXAMPLE_SHORT = "/agenda baru rapat koordinasi | Rakor logistik banjir | besok 14.00 | 2 jam | Posko BPBD Kalsel"
