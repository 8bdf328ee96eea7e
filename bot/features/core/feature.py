"""The core feature's manifest: the introduction (/start and its deep links), /bantuan, /bahasa, /batal."""

from __future__ import annotations

from bot.features.core import handlers
from bot.kernel.feature import PUBLIC, Access, Feature, Rule

FEATURE = Feature(
    "core",
    handlers=handlers.register,
    access=Access(
        commands={"start": PUBLIC, "bantuan": PUBLIC, "bahasa": PUBLIC, "batal": PUBLIC},
        buttons={"lang:": Rule(PUBLIC)},
    ),
)
