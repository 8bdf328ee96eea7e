"""What the members feature tells other features inside the registration's own transaction: an organisation's
representative registered (the stock feature asks a new organisation whether the secretariat may see its stock).
A listener returns the messages it owes (``Out`` rows of that transaction).

And what other features show on an organisation's profile (/anggota NAME): ``ORG_PROFILE_SECTIONS`` (the stock
feature says whether the secretariat may see the organisation's figures), so the directory imports no feature."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.features.members.models import Organization
from bot.kernel.feature import Point
from bot.kernel.i18n import Translator
from bot.kernel.outbox_storage import Out
from bot.kernel.sql import Conn

# (update, translator, organisation, the organisation is new); the update is the registration's (for its chat).
Registered = Callable[[Any, Translator, Organization, bool], list[Out]]

REGISTERED: Point[Registered] = Point("members.registered")

# (read connection, translator of the asker, organisation) -> an HTML section of the profile, or None for nothing.
ProfileSection = Callable[[Conn, Translator, Organization], "str | None"]

ORG_PROFILE_SECTIONS: Point[ProfileSection] = Point("members.org_profile_sections")
