"""Files on the outbox: a calendar file, an export or a chart is a 'send' row with a ``file_kind`` (document |
photo) whose bytes are stored beside it in ``outbox_files`` (migration 0031), in the same transaction. It goes
through the same sender, pacer, states and retries as a text message; its bytes are deleted once the row is
finished (sent, failed, uncertain), by a trigger."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from telegram import InputFile, Message
from telegram.ext import Application

from bot.kernel import outbox_storage as repo
from bot.kernel.outbox_storage import Out, OutFile, Row
from bot.kernel.runtime import Runtime

log = logging.getLogger(__name__)
AnyApp = Application[Any, Any, Any, Any, Any, Any]

CAPTION_LIMIT = 1024  # Telegram's limit for a caption


def out_file(
    chat_id: int, kind: str, filename: str, data: bytes, caption: str = "", *, thread_id: int | None = None,
    key: str | None = None,
) -> list[Out]:
    """A file to send (``kind``: document | photo), the caption its text; the bytes are stored with the row.
    ``key`` names the row so its fate can be asked (``outbox_storage.outcome``); a file row is never coalesced."""
    file = OutFile(kind, filename, data)
    return [Out("send", chat_id, caption[:CAPTION_LIMIT], thread_id=thread_id, coalesce_key=key, file=file)]


async def send_file(app: AnyApp, runtime: Runtime, row: Row, chat_id: int) -> Message | None:
    """sendDocument / sendPhoto for a file row (its bytes read from ``outbox_files``); None: the bytes are gone."""
    file = await runtime.db.read(repo.file_of, row.id)
    if file is None:
        return None
    upload: str | InputFile = file.file_id or InputFile(file.data, filename=file.filename)
    caption = row.text or None
    if file.kind == "photo":
        message = await app.bot.send_photo(chat_id, upload, caption=caption, message_thread_id=row.thread_id,
                                           disable_notification=not row.notify)  # fmt: skip
        sent_id = message.photo[-1].file_id if message.photo else None
    else:
        message = await app.bot.send_document(chat_id, upload, caption=caption, message_thread_id=row.thread_id,
                                              disable_notification=not row.notify)  # fmt: skip
        sent_id = message.document.file_id if message.document else None
    if sent_id and file.file_id is None:
        try:  # the same bytes owed to other chats (a chart to every subscriber) go by this id
            await runtime.db.write(repo.remember_file_id, row.id, sent_id)
        except Exception:  # only an optimisation: they would be uploaded again
            log.warning("could not remember a sent file's id", exc_info=True)
    return message


def file_key() -> str:
    """A key of its own for one file row (to ask its fate after the delivery)."""
    return f"file:{uuid.uuid4().hex}"
