"""The weekly digest's pictures, drawn with matplotlib's Agg canvas into PNG bytes.

Readable on a phone: horizontal bars (long category and kabupaten/kota names stay horizontal), large fonts,
about 1,200 pixels wide, labels in the cluster's language and numbers formatted by babel (``1.234,5``).
Quantities of different units are never added up: the needs chart compares shares of what is needed (each
need counts once, as in the situation summary) and the stock chart has one panel per unit.

matplotlib is imported only when a chart is drawn (it costs tens of megabytes and a noticeable import); the
figure is built without pyplot, so there is no global state and drawing can run in a worker thread.
"""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

from bot.domain import catalogue, regions
from bot.i18n import Translator
from bot.services.digests import CategoryBar, RegionStock

DPI = 150
WIDTH_IN = 8.0
MAX_CATEGORIES = 10
MAX_UNITS = 3
COLORS = {"needed": "#d0d4d9", "pledged": "#f0a30a", "received": "#2e8b57", "stock": "#2f6db5"}


def _category_name(t: Translator, key: str) -> str:
    category = catalogue.get_category(key) if key else None
    if category is None:
        return t.gettext("Uncategorised")
    return category.name_id if t.code == "id" else category.name_en


def _region_name(code: str) -> str:
    region = regions.get_region(code)
    return region.name if region else code


def _png(fig: Any) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def _percent(t: Translator, share: float) -> str:
    return f"{t.number(round(share * 100), 0)}%"


def needs_chart(t: Translator, bars: list[CategoryBar]) -> bytes | None:
    """Per item category: needed (the full bar), pledged and received as shares of it. None without needs."""
    bars = [b for b in bars if b.needs > 0][:MAX_CATEGORIES]
    if not bars:
        return None
    from matplotlib.figure import Figure
    from matplotlib.ticker import FixedLocator, FuncFormatter

    fig = Figure(figsize=(WIDTH_IN, 1.9 + 0.75 * len(bars)))
    ax = fig.add_subplot()
    positions = list(range(len(bars)))
    ax.barh(positions, [100] * len(bars), height=0.8, color=COLORS["needed"], label=t.gettext("Needed"))
    ax.barh(positions, [b.pledged * 100 for b in bars], height=0.55, color=COLORS["pledged"],
            label=t.gettext("Pledged"))  # fmt: skip
    ax.barh(positions, [b.received * 100 for b in bars], height=0.3, color=COLORS["received"],
            label=t.gettext("Received"))  # fmt: skip
    for y, bar in zip(positions, bars, strict=True):
        ax.text(102, y, f"{_percent(t, bar.pledged)} / {_percent(t, bar.received)}", va="center", fontsize=12)
    labels = [f"{_category_name(t, b.category)} ({t.number(b.needs)})" for b in bars]
    ax.yaxis.set_major_locator(FixedLocator(positions))
    ax.set_yticklabels(labels, fontsize=13)
    ax.invert_yaxis()
    ax.set_xlim(0, 135)
    ax.xaxis.set_major_locator(FixedLocator([0, 25, 50, 75, 100]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{t.number(value, 0)}%"))
    ax.tick_params(axis="x", labelsize=11)
    ax.set_xlabel(t.gettext("share of the quantity needed (mean over the needs; in brackets: number of needs)"),
                  fontsize=11)  # fmt: skip
    ax.set_title(t.gettext("Needed vs pledged vs received by item category"), fontsize=15, loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22 if len(bars) < 4 else -0.12), ncol=3, fontsize=12,
              frameon=False)  # fmt: skip
    return _png(fig)


def stock_chart(t: Translator, rows: list[RegionStock], hidden: bool = False) -> bytes | None:
    """Stock per kabupaten/kota, one panel per unit (the three most widespread). None without stock."""
    by_unit: dict[str, dict[str, float]] = defaultdict(dict)
    for row in rows:
        if row.quantity > 0:
            by_unit[row.unit][row.region_code] = by_unit[row.unit].get(row.region_code, 0.0) + row.quantity
    if not by_unit:
        return None
    units = sorted(by_unit, key=lambda u: (-len(by_unit[u]), -sum(by_unit[u].values()), u))[:MAX_UNITS]
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    heights = [0.9 + 0.5 * len(by_unit[u]) for u in units]
    fig = Figure(figsize=(WIDTH_IN, 1.2 + sum(heights)))
    axes = fig.subplots(len(units), 1, gridspec_kw={"height_ratios": heights}, squeeze=False)
    for ax, unit in zip(axes[:, 0], units, strict=True):
        values = sorted(by_unit[unit].items(), key=lambda kv: -kv[1])
        names = [_region_name(code) for code, _ in values]
        amounts = [amount for _, amount in values]
        positions = list(range(len(values)))
        ax.barh(positions, amounts, height=0.6, color=COLORS["stock"])
        ax.set_yticks(positions, names, fontsize=12)
        ax.invert_yaxis()
        top = max(amounts)
        ax.set_xlim(0, top * 1.35)
        for y, amount in zip(positions, amounts, strict=True):
            ax.text(amount + top * 0.02, y, t.number(amount, 0), va="center", fontsize=11)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: t.number(value, 0)))
        ax.tick_params(axis="x", labelsize=10)
        ax.set_title(unit, fontsize=13, loc="left")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    fig.suptitle(t.gettext("Stock by kabupaten/kota"), fontsize=15, x=0.02, ha="left")
    if hidden:
        fig.text(0.02, 0.0, t.gettext("Figures that would reveal one organisation's private stock are left out."),
                 fontsize=10, ha="left", va="top")  # fmt: skip
    fig.tight_layout()
    return _png(fig)
