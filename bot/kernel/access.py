"""The read gate: who may read what, declared once per command, deep link and button family, enforced here.

Every command, ``/start`` deep link and callback-data family has a declared level:

* ``public``: anyone, anywhere (introduction, help, language, registration, the successor's handover code);
* ``members``: in the cluster's own group, anyone there (what is posted in the group is public to the group);
  anywhere else the person must belong to the cluster: an approved or pending representative, the stored
  secretariat, or an administrator of the cluster's group (checked live);
* ``approved``: as ``members``, but a pending registration is not enough (stock figures, digests).

"The cluster" is the cluster that owns the object the button or link names when the rule declares an owner
(an event's calendar file, an RSVP, an approval card, a pledge) and otherwise the cluster of the chat (group) or
of the person (private). So a deep link to another cluster's event, or a button pressed by someone who is not a
member, changes nothing and reveals nothing. The features keep their own checks for *writes* (who may close a
need, approve, pledge); this gate is the floor under every read. Each feature declares its levels in its manifest
(``bot/features/<name>/feature.py``, ``Access``); ``install`` merges them into ``runtime.access``.
``tests/kernel/test_permissions.py`` derives its rows from the registered commands, deep links and buttons, so a new one
without a declaration fails the suite (undeclared ones default to ``members``).
"""

from __future__ import annotations

import re
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from bot.kernel.actor import actor_lookup
from bot.kernel.context import BotContext
from bot.kernel.feature import APPROVED, MEMBERS, PUBLIC, Rule
from bot.kernel.permissions import is_group_admin
from bot.kernel.runtime import Runtime
from bot.kernel.telegram import command_args, parse_id, reply

GATE_GROUP = -90  # after the pre-handler (-100: claim, locale, actor), before every feature
LEVELS = (PUBLIC, MEMBERS, APPROVED)
DEFAULT = Rule(MEMBERS)  # what an undeclared command or button gets (the tests refuse undeclared ones)


# ---- which rule applies --------------------------------------------------------------------------------


def _command_word(update: Update) -> str | None:
    message = update.effective_message
    text = (message.text or message.caption or "") if message is not None else ""
    if not text.startswith("/"):
        return None
    return text.split(maxsplit=1)[0][1:]


def _canonical(runtime: Runtime, name: str) -> str | None:
    for spec in runtime.commands:
        if name == spec.name or name in spec.aliases:
            return spec.name
    return None


def rule_for(update: Update, runtime: Runtime, bot_username: str | None) -> tuple[Rule, str] | None:
    """The rule for this update and the text its owner patterns read (callback data or deep link argument);
    None for updates the gate does not look at (free text, service messages, other bots' commands)."""
    query = update.callback_query
    if query is not None:
        data = query.data or ""
        buttons = runtime.access.buttons
        prefixes = [p for p in buttons if data.startswith(p)]
        return (buttons[max(prefixes, key=len)] if prefixes else DEFAULT), data
    word = _command_word(update)
    if word is None:
        return None
    name, _, target = word.partition("@")
    if target and target.lower() != (bot_username or "").lower():
        return None
    command = _canonical(runtime, name.lower())
    if command is None:
        return None  # unknown commands get the fallback's hint
    if command == "start":
        prefix, _, arg = command_args(update).partition("_")
        rule = runtime.access.deeplinks.get(prefix, Rule(PUBLIC))
        return (Rule(rule.level, rule.owners, private_only=True) if rule.level != PUBLIC else rule), arg
    words = command_args(update).split(maxsplit=1)
    sub = words[0].lower() if words else ""
    declared = runtime.access
    return Rule(declared.subcommands.get((command, sub), declared.commands.get(command, DEFAULT.level))), ""


# ---- the check -----------------------------------------------------------------------------------------


def owner_question(update: Update, runtime: Runtime, bot_username: str | None) -> tuple[Any, int] | None:
    """(the owner's storage function, the object's id) when this update's rule names an owner: the pre-handler
    asks it in its own read, so the gate needs no hand-off of its own."""
    found = rule_for(update, runtime, bot_username)
    if found is None:
        return None
    rule, text = found
    for pattern, owner_of in rule.owners:
        match = re.match(pattern, text)
        object_id = parse_id(match.group(1)) if match else None
        if object_id is not None:
            return owner_of, object_id
    return None


async def _owner(context: BotContext, rule: Rule, text: str) -> tuple[int | None, Any, bool]:
    """(the owning cluster, the actor there, whether that actor is known) of the object the text names."""
    for pattern, owner_of in rule.owners:
        match = re.match(pattern, text)
        object_id = parse_id(match.group(1)) if match else None
        if object_id is not None:
            seen = context.seen
            if seen is not None and seen.owner is not None and seen.owner[0] == object_id:
                return seen.owner[1], seen.owner[2], True  # asked in the pre-handler's read
            return await context.runtime.db.read(owner_of, object_id), None, False
    return None, None, False


async def refusal(update: Update, context: BotContext, rule: Rule, text: str) -> str | None:
    """None when the update may go on; else the answer to give (nothing is done)."""
    chat, user = update.effective_chat, update.effective_user
    if rule.level == PUBLIC or chat is None or user is None:
        return None
    seen = context.seen
    lookup = actor_lookup(context.runtime)
    actor: Any = seen.actor if seen is not None and seen.actor_resolved else None
    if seen is None or not seen.actor_resolved:
        actor = await context.runtime.db.read(lookup.for_chat, chat.id, chat.type, user.id)
    owner, owner_actor, known = await _owner(context, rule, text)
    is_group = chat.type != ChatType.PRIVATE
    if is_group and rule.private_only:
        return context.t.gettext("This link works in a private chat with me.")
    group_cluster = actor.cluster.id if is_group and actor is not None else None
    cluster_id = owner or (group_cluster if is_group else (actor.cluster.id if actor else None))
    if is_group and (cluster_id is None or cluster_id == group_cluster):
        return None  # the cluster's own group (or a group that is no cluster: the feature says so)
    t = context.t
    stranger = (
        t.gettext("This button is no longer valid.")  # as for any forged or stale button: it reveals nothing
        if update.callback_query is not None
        else t.gettext("This command is only for members of the cluster. Register your organisation with /daftar.")
    )
    if cluster_id is None:
        return stranger
    if actor is None or actor.cluster.id != cluster_id:
        if known and owner == cluster_id:
            actor = owner_actor
        else:
            actor = await context.runtime.db.read(lookup.in_cluster, cluster_id, user.id)
        if actor is None:
            return stranger
    if actor.is_active or actor.is_secretariat:
        return None
    if await is_group_admin(context, actor.cluster.chat_id, user.id):
        return None
    if actor.member is not None and actor.member.status == "pending":
        if rule.level == MEMBERS:
            return None
        return t.gettext("Your registration is still waiting for the secretariat's approval.")
    return stranger


async def gate(update: Update, context: BotContext) -> None:
    found = rule_for(update, context.runtime, context.bot.username)
    if found is None:
        return
    rule, text = found
    answer = await refusal(update, context, rule, text)
    if answer is None:
        return
    if update.callback_query is not None:
        await update.callback_query.answer(answer, show_alert=True)
    else:
        await reply(update, context, answer)
    raise ApplicationHandlerStop


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(TypeHandler(Update, gate), group=GATE_GROUP)
