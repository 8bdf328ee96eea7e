"""What the stock handlers share: the dialog kinds, the yes/no words, and saving a dialog step with its question."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.kernel import dialogs
from bot.kernel.context import BotContext
from bot.kernel.views import Reply

KIND = "stock"
ADJUST_KIND = "stock_adjust"
IMPORT_KIND = "stock_import"
AnyApp = Application[Any, Any, Any, Any, Any, Any]
YES = {"ya", "yes", "y", "on", "1", "boleh", "publik"}
NO = {"tidak", "tdk", "no", "n", "off", "0", "jangan", "privat", "private"}
CONDITION_WORDS = {"baik": "baik", "bagus": "baik", "layak": "baik", "rusak ringan": "rusak_ringan",
                   "rusak berat": "rusak_berat", "rusak": "rusak_berat"}  # fmt: skip


async def ask(update: Update, context: BotContext, kind: str, step: str, data: dict[str, Any],
              question: str | Reply) -> None:  # fmt: skip
    """Save the dialog's step and ask its question in one transaction (the question is an outbox row of it)."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    await dialogs.save(context, chat_id=chat.id, user_id=user.id, kind=kind, step=step, data=data, ask=question,
                       update=update)  # fmt: skip
