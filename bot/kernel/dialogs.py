"""The dialog store: a person's open multi-step exchange in one chat (the next free-text message goes to the
dialog's feature, ``Feature.dialogs``), with ONE time-to-live for every feature. Saving a step and asking its
question is one transaction: the question is an outbox row of it, so a question is never shown for a step that
was not saved, and a saved step's question is delivered even when Telegram fails right after the commit."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.kernel import storage as core_repo
from bot.kernel.context import BotContext
from bot.kernel.outbox import commit, out_reply
from bot.kernel.outbox_storage import Out
from bot.kernel.sql import Conn
from bot.kernel.views import Keyboard, Reply

DIALOG_TTL_S = 30 * 60  # an unanswered question lapses after half an hour (then /batal is not even needed)


def save_tx(conn: Conn, *, chat_id: int, user_id: int, kind: str, step: str, data: dict[str, Any],
            now: int) -> None:  # fmt: skip
    """Inside a feature's own transaction: the dialog's next step."""
    core_repo.set_dialog(conn, chat_id, user_id, kind, step, data, now + DIALOG_TTL_S)


async def save(
    context: BotContext,
    *,
    chat_id: int,
    user_id: int,
    kind: str,
    step: str,
    data: dict[str, Any],
    ask: str | Reply | None = None,
    update: Update | None = None,
    keyboard: Keyboard | None = None,
) -> None:
    """Save the step and (when ``ask`` and ``update`` are given) ask its question, in one transaction."""
    now = context.runtime.clock.timestamp()

    def tx(conn: Conn) -> tuple[None, list[Out]]:
        save_tx(conn, chat_id=chat_id, user_id=user_id, kind=kind, step=step, data=data, now=now)
        return None, (out_reply(update, ask, keyboard) if ask is not None and update is not None else [])

    await commit(context, tx)


async def clear(context: BotContext, *, chat_id: int, user_id: int) -> core_repo.Dialog | None:
    return await context.runtime.db.write(core_repo.clear_dialog, chat_id, user_id)
