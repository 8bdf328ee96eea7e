"""What the members feature tells other features inside the registration's own transaction: an organisation's
representative registered (the stock feature asks a new organisation whether the secretariat may see its stock).
A listener returns the messages it owes (``Out`` rows of that transaction)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.features.members.storage import Organization
from bot.kernel.feature import Point
from bot.kernel.i18n import Translator
from bot.kernel.outbox_storage import Out

# (update, translator, organisation, the organisation is new); the update is the registration's (for its chat).
Registered = Callable[[Any, Translator, Organization, bool], list[Out]]

REGISTERED: Point[Registered] = Point("members.registered")
