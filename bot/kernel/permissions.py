"""Who may do what. The secretariat of a cluster = the group's administrators (checked live with
Telegram) plus members the secretariat added explicitly (stored; see the members feature)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram.error import TelegramError

from bot.kernel.context import BotContext
from bot.kernel.feature import Point

log = logging.getLogger(__name__)
# The members feature contributes the full check (administrators plus the stored secretariat list).
SecretariatCheck = Callable[[BotContext, int, int], Awaitable[bool]]
SECRETARIAT_CHECK: Point[SecretariatCheck] = Point("kernel.secretariat_check")


async def is_group_admin(context: BotContext, chat_id: int, user_id: int) -> bool:
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError:
        log.warning("could not check admin status of %s in %s", user_id, chat_id, exc_info=True)
        return False
    return member.status in ("administrator", "creator")


async def can_manage_cluster(context: BotContext, chat_id: int, user_id: int) -> bool:
    """Secretariat check used for cluster settings; extended by the members feature's stored list."""
    checkers = context.runtime.contributions(SECRETARIAT_CHECK)
    if checkers:
        return bool(await checkers[0](context, chat_id, user_id))
    return await is_group_admin(context, chat_id, user_id)
