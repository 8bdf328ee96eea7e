"""The members feature's button families (bot/kernel/callbacks.py): the data is byte-identical to the buttons
already in chats."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.callbacks import Callback


@dataclass(frozen=True)
class RegChoice(Callback, prefix="reg"):
    """A step of the registration dialog without a value: ``reg:new`` (a different organisation after all),
    ``reg:ok`` (send), ``reg:x`` (cancel)."""

    action: str


@dataclass(frozen=True)
class RegPick(Callback, prefix="reg"):
    """A step of the registration dialog with a value: ``reg:join:<org id>``, ``reg:type:<type>``,
    ``reg:reg:<region code or ->``."""

    action: str
    value: str


@dataclass(frozen=True)
class ApprovalButton(Callback, prefix="appr"):
    """The secretariat's decision on a registration: ``appr:<member id>:y|n``."""

    member_id: int
    verdict: str


@dataclass(frozen=True)
class HandoverButton(Callback, prefix="ho"):
    """The named successor's answer to a handover: ``ho:<handover id>:y|n``."""

    handover_id: int
    verdict: str


@dataclass(frozen=True)
class DirectoryPageButton(Callback, prefix="dir"):
    """A page of /anggota: ``dir:<page>``."""

    page: int
