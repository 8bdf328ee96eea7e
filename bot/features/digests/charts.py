"""The weekly digest's pictures, drawn with matplotlib's Agg canvas into PNG bytes.

Made for a phone held upright (issue 15 part 4): a portrait figure 4.5 inches wide (675 px at 150 dpi), so
that shown 360 px wide, as Telegram does on most phones, no text is smaller than 11 px (``MIN_TEXT_PX``; a test
measures every text of every chart at that width). Each bar's name is written above it on the full width (long
category and kabupaten/kota names never squeeze the bars or overlap), numbers are compact and in the cluster's
language ("1,2 jt", "12 rb"), units are spelled out ("liter", "kilogram"), a legend says which bar is which, and
the heading carries the cluster's name and the date (wrapped to the picture's width, so a long group title
never pushes the date off it), so a forwarded picture keeps its context. What a chart leaves out (categories
past ten, kabupaten/kota past eight per unit, units past three) is said on the picture, never silently dropped.

Quantities of different units are never added up: the needs chart compares shares of what is needed (each need
counts once, as in the situation summary) and the stock chart has one panel per unit.

matplotlib is imported only when a chart is drawn (it costs tens of megabytes and a noticeable import); the
figure is built without pyplot, so there is no global state and drawing can run in a worker thread.
"""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.numbers import format_compact_decimal

from bot.features.digests.service import CategoryBar, RegionStock
from bot.features.members.models import Cluster
from bot.kernel.i18n import N_, Translator
from bot.shared import catalogue, regions

DPI = 150
WIDTH_IN = 4.5
PHONE_PX = 360  # the width a phone shows a photo at
MIN_TEXT_PX = 11  # the smallest text at PHONE_PX
MAX_CATEGORIES = 10
MAX_UNITS = 3
MAX_REGIONS = 8
COLORS = {"needed": "#d0d4d9", "pledged": "#f0a30a", "received": "#2e8b57", "stock": "#2f6db5"}
# Text sizes in points: at 4.5 in shown 360 px wide one point is 360 / (4.5 * 72) = 1.11 px.
TITLE_PT, TEXT_PT, SMALL_PT = 13.5, 11.5, 10.5
ROW_IN = 0.62  # one labelled bar
BAR_SHARE = 0.6  # of the width: the bars; the rest is the column of figures, so a long name never hits one
TEXT_WIDTH_IN = WIDTH_IN * 0.94  # between the margins
SUBLINE_IN = 0.2  # one more line of subtitle
NOTE_LINE_IN = 0.3  # a line saying what a chart leaves out
UNIT_WORDS = {"kg": N_("kilogram"), "g": N_("gram"), "l": N_("litre"), "ml": N_("millilitre"), "kk": N_("households")}


def text_px(fontsize_pt: float, image_width_px: float) -> float:
    """How tall ``fontsize_pt`` text is when the image is shown ``PHONE_PX`` wide."""
    return fontsize_pt * DPI / 72 * PHONE_PX / image_width_px


def unit_name(t: Translator, unit: str) -> str:
    """``l`` → "liter", ``kg`` → "kilogram"; words (lembar, paket) stay as they are."""
    return t.gettext(UNIT_WORDS[unit]) if unit in UNIT_WORDS else unit


def compact(t: Translator, value: float) -> str:
    """1.234.567 → "1,2 jt" (id) / "1.2M" (en); below a thousand the number itself."""
    if abs(value) < 1000:
        return t.number(value, 0 if float(value).is_integer() or abs(value) >= 100 else 1)
    return str(format_compact_decimal(value, format_type="short", locale=t.locale, fraction_digits=1))


def _category_name(t: Translator, key: str) -> str:
    category = catalogue.get_category(key) if key else None
    if category is None:
        return t.gettext("Uncategorised")
    return category.name_id if t.code == "id" else category.name_en


def _region_name(code: str) -> str:
    region = regions.get_region(code)
    return region.name if region else code


def _percent(t: Translator, share: float) -> str:
    return f"{t.number(round(share * 100), 0)}%"


def _subtitle(t: Translator, cluster: Cluster | None, now: int | None) -> list[str]:
    """The cluster's name and the date, on as many lines as the picture's width needs (a group title can be
    long: on one line it ran off the picture and took the date with it); the date is never split."""
    words = cluster.name.split() if cluster is not None else []
    if now is not None:
        zone = ZoneInfo(cluster.timezone) if cluster is not None else ZoneInfo("UTC")
        day = t.short_date(datetime.fromtimestamp(now, zone))  # one word: the date stays on one line
        words += ["·", day] if words else [day]
    lines: list[str] = []
    for word in words:
        if lines and _fits(f"{lines[-1]} {word}", SMALL_PT, TEXT_WIDTH_IN):
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def _fits(text: str, size_pt: float, width_in: float) -> bool:
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    width, _, _ = TextToPath().get_text_width_height_descent(text, FontProperties(size=size_pt), ismath=False)
    return bool(width / 72 <= width_in)


def _subtitle_in(lines: list[str]) -> float:
    """The height the subtitle's lines beyond the first take."""
    return SUBLINE_IN * max(len(lines) - 1, 0)


def _heading(fig: Any, title: str, subtitle: list[str], height_in: float) -> float:
    """Title and subtitle at the top left; returns the figure fraction below them."""
    top = 1 - 0.12 / height_in
    fig.text(0.03, top, title, fontsize=TITLE_PT, fontweight="bold", ha="left", va="top")
    for index, line in enumerate(subtitle):
        fig.text(0.03, top - (0.30 + SUBLINE_IN * index) / height_in, line, fontsize=SMALL_PT, color="#444444",
                 ha="left", va="top")  # fmt: skip
    return top - (0.62 + _subtitle_in(subtitle)) / height_in


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _figure(height_in: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _bare(ax: Any) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)


def needs_figure(t: Translator, bars: list[CategoryBar], cluster: Cluster | None = None,
                 now: int | None = None) -> Any | None:  # fmt: skip
    """Per item category: needed (the full grey bar), pledged and received as shares of it. None without needs."""
    shown = [b for b in bars if b.needs > 0]
    bars, omitted = shown[:MAX_CATEGORIES], len(shown[MAX_CATEGORIES:])
    if not bars:
        return None
    from matplotlib.patches import Patch

    legend_in = 0.55
    more_in = NOTE_LINE_IN if omitted else 0.0  # the line that says how many categories are left out
    subtitle = _subtitle(t, cluster, now)
    height = 0.95 + _subtitle_in(subtitle) + legend_in + ROW_IN * len(bars) + 0.35 + more_in
    fig = _figure(height)
    body_top = _heading(fig, t.gettext("Needs: pledged and received"), subtitle, height)
    legend_top = body_top
    fig.legend(
        handles=[Patch(color=COLORS["needed"], label=t.gettext("needed (100%)")),
                 Patch(color=COLORS["pledged"], label=t.gettext("pledged")),
                 Patch(color=COLORS["received"], label=t.gettext("received"))],
        loc="upper left", bbox_to_anchor=(0.01, legend_top), ncol=3, fontsize=SMALL_PT, frameon=False,
        handlelength=1.0, columnspacing=0.9, handletextpad=0.4,
    )  # fmt: skip
    bottom = (0.42 + more_in) / height
    ax = fig.add_axes((0.03, bottom, 0.94, legend_top - legend_in / height - bottom))
    _bare(ax)
    ax.set_xlim(0, 100 / BAR_SHARE)  # the bars take the left part, the figures the column on the right
    ax.set_ylim(len(bars) - 0.6, -0.75)
    right = 100 / BAR_SHARE
    for y, bar in enumerate(bars):
        ax.barh(y, 100, height=0.42, color=COLORS["needed"])
        ax.barh(y, min(bar.pledged, 1) * 100, height=0.28, color=COLORS["pledged"])
        ax.barh(y, min(bar.received, 1) * 100, height=0.14, color=COLORS["received"])
        name = t.ngettext("{category}: {n} need", "{category}: {n} needs", bar.needs).format(
            category=_category_name(t, bar.category), n=t.number(bar.needs)
        )
        ax.text(0, y - 0.30, name, fontsize=TEXT_PT, ha="left", va="bottom")
        ax.text(right, y, f"{_percent(t, bar.pledged)} · {_percent(t, bar.received)}", fontsize=TEXT_PT,
                ha="right", va="center", color="#333333")  # fmt: skip
    fig.text(0.03, 0.12 / height, t.gettext("pledged · received, as a share of what is needed"), fontsize=SMALL_PT,
             color="#444444", ha="left", va="bottom")  # fmt: skip
    if omitted:  # the caption says "whole cluster": say what the picture leaves out
        more = t.ngettext("+ {n} more category with fewer needs, not shown",
                          "+ {n} more categories with fewer needs, not shown", omitted).format(n=t.number(omitted))
        fig.text(0.03, (0.12 + more_in) / height, more, fontsize=SMALL_PT, color="#444444", ha="left",
                 va="bottom")  # fmt: skip
    return fig


def needs_chart(t: Translator, bars: list[CategoryBar], cluster: Cluster | None = None,
                now: int | None = None) -> bytes | None:  # fmt: skip
    fig = needs_figure(t, bars, cluster, now)
    return _png(fig) if fig is not None else None


def stock_figure(t: Translator, rows: list[RegionStock], hidden: bool = False, cluster: Cluster | None = None,
                 now: int | None = None) -> Any | None:  # fmt: skip
    """Stock per kabupaten/kota, one panel per unit (the three most widespread). None without stock."""
    by_unit: dict[str, dict[str, float]] = defaultdict(dict)
    for row in rows:
        if row.quantity > 0:
            by_unit[row.unit][row.region_code] = by_unit[row.unit].get(row.region_code, 0.0) + row.quantity
    if not by_unit:
        return None
    ranked = sorted(by_unit, key=lambda u: (-len(by_unit[u]), -sum(by_unit[u].values()), u))
    units, other_units = ranked[:MAX_UNITS], ranked[MAX_UNITS:]
    from matplotlib.patches import Patch

    panels = [sorted(by_unit[u].items(), key=lambda kv: -kv[1])[:MAX_REGIONS] for u in units]
    left_out = [len(by_unit[u]) - len(values) for u, values in zip(units, panels, strict=True)]
    panel_in = [0.25 + ROW_IN * len(values) + (NOTE_LINE_IN if n else 0.0) for values, n in zip(panels, left_out,
                                                                                                 strict=True)]  # fmt: skip
    note_in = (0.55 if hidden else 0.2) + (NOTE_LINE_IN if other_units else 0.0)
    legend_in = 0.5
    subtitle = _subtitle(t, cluster, now)
    height = 0.95 + _subtitle_in(subtitle) + legend_in + sum(panel_in) + note_in
    fig = _figure(height)
    top = _heading(fig, t.gettext("Stock by kabupaten/kota"), subtitle, height)
    fig.legend(handles=[Patch(color=COLORS["stock"], label=t.gettext("stock reported (cluster total)"))],
               loc="upper left", bbox_to_anchor=(0.01, top), fontsize=SMALL_PT, frameon=False, handlelength=1.0,
               handletextpad=0.4)  # fmt: skip
    top -= legend_in / height
    for unit, values, size, omitted in zip(units, panels, panel_in, left_out, strict=True):
        frac = size / height
        ax = fig.add_axes((0.03, top - frac, 0.94, frac))
        top -= frac
        _bare(ax)
        peak = max(amount for _, amount in values)
        right = peak / BAR_SHARE
        ax.set_xlim(0, right)
        span = len(values) + (NOTE_LINE_IN / ROW_IN if omitted else 0.0)
        ax.set_ylim(span - 0.55, -1.35)
        if omitted:  # the smaller kabupaten/kota of this unit
            more = t.ngettext("+ {n} more kabupaten/kota, not shown", "+ {n} more kabupaten/kota, not shown",
                              omitted).format(n=t.number(omitted))
            ax.text(0, span - 0.55, more, fontsize=SMALL_PT, color="#444444", ha="left", va="bottom")
        ax.text(0, -0.95, t.gettext("in {unit}").format(unit=unit_name(t, unit)), fontsize=TEXT_PT,
                fontweight="bold", ha="left", va="center")  # fmt: skip
        for y, (code, amount) in enumerate(values):
            ax.barh(y, amount, height=0.32, color=COLORS["stock"])
            ax.text(0, y - 0.24, _region_name(code), fontsize=TEXT_PT, ha="left", va="bottom")
            ax.text(right, y, f"{compact(t, amount)} {unit_name(t, unit)}", fontsize=TEXT_PT, ha="right",
                    va="center", color="#333333")  # fmt: skip
    if other_units:  # the units beyond the three panels, by name (three at most, so the line fits)
        names = ", ".join(unit_name(t, u) for u in other_units[:3]) + (", …" if len(other_units) > 3 else "")
        fig.text(0.03, (0.55 if hidden else 0.2) / height,
                 t.gettext("Also reported, not shown: stock in {units}").format(units=names), fontsize=SMALL_PT,
                 color="#444444", ha="left", va="bottom")  # fmt: skip
    if hidden:
        fig.text(0.03, 0.08 / height, t.gettext("Figures that would reveal one organisation's private stock are "
                                                "left out."), fontsize=SMALL_PT, color="#444444", ha="left",
                 va="bottom", wrap=True)  # fmt: skip
    return fig


def stock_chart(t: Translator, rows: list[RegionStock], hidden: bool = False, cluster: Cluster | None = None,
                now: int | None = None) -> bytes | None:  # fmt: skip
    fig = stock_figure(t, rows, hidden, cluster, now)
    return _png(fig) if fig is not None else None
