"""The custom CallbackContext: per-update locale and the runtime, resolved once in the pre-handler."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.kernel.i18n import Translator, translator
from bot.kernel.runtime import Runtime
from bot.kernel.storage import Seen


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB reuses one context object across handler groups for an update, so the pre-handler's
    findings (``seen``, ``locale``) are visible to every feature handler without another DB hop."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.seen: Seen | None = None
        self.locale: str | None = None

    @property
    def runtime(self) -> Runtime:
        return self.application.bot_data["runtime"]

    @property
    def t(self) -> Translator:
        return translator(self.locale or self.runtime.settings.locale)

    @property
    def tz(self) -> str:
        if self.seen is not None and self.seen.cluster_tz:
            return self.seen.cluster_tz
        return self.runtime.settings.timezone
