"""The stock feature's button families (bot/kernel/callbacks.py): one codec each builds the callback data in the
views and parses it in the handlers. The data is byte-identical to the layouts buttons in chats already carry."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.callbacks import Callback


@dataclass(frozen=True)
class FlowButton(Callback, prefix="sf", rest=True):
    """``sf:<action>[:<value>]`` in the guided report: reg:<code>, loc:-, exp:-, cond:<key>, ok, x."""

    arg: str

    @classmethod
    def of(cls, action: str, value: str = "") -> FlowButton:
        return cls(f"{action}:{value}" if value else action)

    @property
    def action(self) -> str:
        return self.arg.partition(":")[0]

    @property
    def value(self) -> str:
        return self.arg.partition(":")[2]


@dataclass(frozen=True)
class LineButton(Callback, prefix="sk"):
    """``sk:pg:<page>``, ``sk:v:<id>`` and ``sk:add|sub|zero|del|ok:<id>`` on one's own stock lines."""

    action: str
    number: int


LINE_PAGES = "sk:pg"  # page_nav's prefix: LineButton("pg", n)


@dataclass(frozen=True)
class MoreButton(Callback, prefix="sm"):
    """``sm:<search>:<page>``: a further page of a /cari answer."""

    request_id: int
    page: int


@dataclass(frozen=True)
class RequestButton(Callback, prefix="sq"):
    """``sq:fw:<id>`` (the searcher forwards privately), ``sq:y|n:<id>`` (a holder answers)."""

    action: str
    request_id: int


@dataclass(frozen=True)
class VisibilityButton(Callback, prefix="sv"):
    """``sv:y|n:<org>``: may the secretariat see the organisation's figures."""

    answer: str
    org_id: int


@dataclass(frozen=True)
class ReminderButton(Callback, prefix="sr"):
    """``sr:ok:<org>``: every stale line of one's own organisation is still correct."""

    action: str
    org_id: int


@dataclass(frozen=True)
class ImportButton(Callback, prefix="si"):
    """``si:ok|x:<import>``: load only the valid rows, or drop the file."""

    action: str
    import_id: int


@dataclass(frozen=True)
class StockPledgeButton(Callback, prefix="sp"):
    """``sp:<need>:<stock line>`` from the private match notice."""

    need_id: int
    stock_id: int


@dataclass(frozen=True)
class DeductButton(Callback, prefix="sd"):
    """``sd:y|n:<pledge>``: reduce the stock line by what was delivered, or keep it."""

    answer: str
    pledge_id: int
