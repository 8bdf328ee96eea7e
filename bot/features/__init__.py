"""All SQL of the bot lives in this package.

``CHAT_MIGRATION_HOOKS`` is the one explicit list of per-module hooks that move a group's rows when
Telegram changes its chat id (group → supergroup). Each feature's repository module that stores a
chat id adds its hook here; the core tables are handled by ``core.migrate_chat_id`` itself.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

ChatMigrationHook = Callable[[sqlite3.Connection, int, int], None]


def _hooks() -> list[ChatMigrationHook]:
    from bot.features.agenda import storage as agenda
    from bot.features.needs import storage as needs
    from bot.features.sitrep import storage as sitrep

    return [needs.migrate_chat, sitrep.migrate_chat, agenda.migrate_chat]


CHAT_MIGRATION_HOOKS: list[ChatMigrationHook] = _hooks()
