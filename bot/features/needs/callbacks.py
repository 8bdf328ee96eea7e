"""The needs feature's button families (bot/kernel/callbacks.py codecs): the views build them, the handlers parse
them. The packed data is byte-identical to the strings the cards carried before (old buttons in chats still work).
The guided need form (``nf:``) keeps its own parser: its data has a variable number of parts."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.callbacks import Callback


@dataclass(frozen=True)
class NeedCardButton(Callback, prefix="nd"):
    """``nd:<help|info|done|cancel>:<need>`` on a need card."""

    action: str
    need_id: int


@dataclass(frozen=True)
class PledgeAmountButton(Callback, prefix="pl"):
    """``pl:q:<need>:<amount>`` (an amount button) or ``pl:o:<need>:<offer>`` (one tap from a matching offer)."""

    kind: str
    need_id: int
    value: str


@dataclass(frozen=True)
class PledgeStateButton(Callback, prefix="pg"):
    """``pg:<sent|recv|cancel>:<pledge>`` on a pledge message or notice."""

    action: str
    pledge_id: int


@dataclass(frozen=True)
class OfferButton(Callback, prefix="of"):
    """``of:wd:<offer>`` on an offer card."""

    action: str
    offer_id: int


@dataclass(frozen=True)
class DuplicateButton(Callback, prefix="ndup"):
    """``ndup:yes`` / ``ndup:no`` under the double-post question."""

    answer: str


@dataclass(frozen=True)
class NeedListPage(Callback, prefix="nl"):
    """``nl:<filters>:<page>``: a page of /kebutuhan (the filters in ``ListFilters.encode`` form, no ``:``)."""

    filters: str
    page: int


@dataclass(frozen=True)
class OfferListPage(Callback, prefix="ol"):
    """``ol:<filters>:<page>``: a page of /tawaran."""

    filters: str
    page: int
