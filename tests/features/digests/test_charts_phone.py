"""The digest's charts on a phone (issue 15 part 4): each chart is rendered and measured with matplotlib's own
text extents at the width a phone shows it (360 px): every text at least 11 px tall, inside the picture and
overlapping no other text; portrait; headed with the cluster and the date; compact numbers; units spelled out
(no panel titled "l"); a legend for the bars."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from matplotlib.text import Text
from PIL import Image, ImageChops

from bot.devtools import chart_gallery
from bot.features.digests import charts
from bot.features.digests.service import CategoryBar, RegionStock
from bot.kernel.i18n import translator
from bot.shared import catalogue
from tests.support.paths import ROOT

LONG = [CategoryBar(key, 10 + i, 0.1 * i, 0.05 * i) for i, key in enumerate(
    ["pangan", "sandang", "hunian", "kebersihan", "keluarga", "bayi", "kesehatan", "transportasi", "sar",
     "penerangan", "air_bersih"])]  # fmt: skip
BIG_STOCK = [RegionStock(code, unit, amount) for code, unit, amount in [
    ("63.06", "kg", 2_500_000_000), ("63.08", "kg", 12.5), ("63.10", "kg", 999), ("63.71", "l", 1_234_567),
    ("63.09", "l", 5), ("63.11", "ml", 750), ("63.01", "kg", 10_000), ("63.02", "kg", 1), ("63.03", "kg", 2),
    ("63.04", "kg", 3), ("63.05", "kg", 4), ("63.07", "kg", 5),
]]  # fmt: skip


# A group title as a province's cluster really names itself (Telegram allows 128 characters).
LONG_NAME = dataclasses.replace(chart_gallery.CLUSTER, name="Klaster Logistik Provinsi Kalimantan Selatan (BPBD Prov. "
                                "Kalsel) — Tanggap Darurat Banjir Januari 2026")  # fmt: skip


# Every category with a need, and stock in eleven kabupaten/kota and five units: more than a chart shows.
MANY_NEEDS = [CategoryBar(c.key, 40 - i, 0.5, 0.25) for i, c in enumerate(catalogue.categories())] + [
    CategoryBar("", 1, 0, 0)]  # fmt: skip
MANY_STOCK = [RegionStock(code, unit, 100.0 + i) for i, code in enumerate(
    ["63.01", "63.02", "63.03", "63.04", "63.05", "63.06", "63.07", "63.08", "63.09", "63.10", "63.71"])
    for unit in ("kg", "l", "lembar")] + [RegionStock("63.71", unit, 5.0) for unit in ("dus", "botol")]  # fmt: skip


def figures() -> Iterator[tuple[str, Any]]:
    cluster, now = chart_gallery.CLUSTER, chart_gallery.NOW
    for code in ("id", "en"):
        t = translator(code)
        yield f"needs-{code}", charts.needs_figure(t, chart_gallery.CATEGORIES, cluster, now)
        yield f"needs-long-{code}", charts.needs_figure(t, LONG, cluster, now)
        yield f"stock-{code}", charts.stock_figure(t, chart_gallery.STOCK, True, cluster, now)
        yield f"stock-big-{code}", charts.stock_figure(t, BIG_STOCK, False, cluster, now)
        yield f"needs-longname-{code}", charts.needs_figure(t, chart_gallery.CATEGORIES, LONG_NAME, now)
        yield f"stock-longname-{code}", charts.stock_figure(t, chart_gallery.STOCK, True, LONG_NAME, now)
        yield f"needs-many-{code}", charts.needs_figure(t, MANY_NEEDS, cluster, now)
        yield f"stock-many-{code}", charts.stock_figure(t, MANY_STOCK, True, cluster, now)
        yield f"stock-many-public-{code}", charts.stock_figure(t, MANY_STOCK, False, cluster, now)


def texts(fig: Any) -> list[Text]:
    return [x for x in fig.findobj(Text) if x.get_visible() and x.get_text().strip()]


@pytest.mark.parametrize(("name", "fig"), list(figures()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_text_is_readable_at_360_px(name: str, fig: Any) -> None:
    png = charts._png(fig)
    image = Image.open(io.BytesIO(png))
    assert image.width == round(charts.WIDTH_IN * charts.DPI) and image.height > image.width  # portrait
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = []
    for text in texts(fig):
        px = charts.text_px(text.get_fontsize(), image.width)
        assert px >= charts.MIN_TEXT_PX, (name, text.get_text(), round(px, 1))
        box = text.get_window_extent(renderer)
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= image.width + 0.5 and box.y1 <= image.height + 0.5, (
            name, text.get_text(), box)  # fmt: skip
        boxes.append((text.get_text(), box))
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            assert not box_a.overlaps(box_b), (name, a, b)


def test_heading_legend_units_and_compact_numbers() -> None:
    t = translator("id")
    cluster, now = chart_gallery.CLUSTER, chart_gallery.NOW
    needs = [x.get_text() for x in texts(charts.needs_figure(t, chart_gallery.CATEGORIES, cluster, now))]
    assert "Klaster Logistik Kalimantan Selatan · 25 Agu 2025" in needs
    assert {"dibutuhkan (100%)", "diterima"} <= set(needs)  # the legend names the bars
    assert "Pangan: 14 kebutuhan" in needs and "62% · 35%" in needs
    stock = [x.get_text().replace("\xa0", " ") for x in texts(charts.stock_figure(t, BIG_STOCK, False, cluster, now))]
    assert "Klaster Logistik Kalimantan Selatan · 25 Agu 2025" in stock
    assert {"dalam kilogram", "dalam liter", "dalam mililiter"} <= set(stock)
    assert not {"l", "kg", "ml"} & set(stock)  # no panel titled "l"
    assert "2,5 M kilogram" in stock and "1,2 jt liter" in stock and "12,5 kilogram" in stock
    assert any("stok dilaporkan" in x for x in stock)
    english = [x.get_text().replace("\xa0", " ")
               for x in texts(charts.stock_figure(translator("en"), BIG_STOCK, False, cluster, now))]  # fmt: skip
    assert "in litre" in english and "1.2M litre" in english


def test_the_pictures_in_docs_are_the_ones_the_script_draws(tmp_path: Any) -> None:

    docs = ROOT / "docs" / "charts"
    written = chart_gallery.render(tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in docs.glob("*.png"))
    for path in written:
        assert Image.open(path).size == Image.open(docs / path.name).size
        # and what they show: a stale picture kept "dikomitkan", a word the glossary avoids, after the strings changed
        drawn, shown = Image.open(path).convert("RGB"), Image.open(docs / path.name).convert("RGB")
        assert ImageChops.difference(drawn, shown).getbbox() is None, f"redraw {path.name}: python -m bot.devtools.chart_gallery docs/charts"


def test_a_chart_without_context_still_draws() -> None:
    png = charts.needs_chart(translator("id"), [CategoryBar("pangan", 1, 0.5, 0.0)])
    assert png is not None and Image.open(io.BytesIO(png)).width == 675
    assert datetime.fromtimestamp(chart_gallery.NOW, UTC).year == 2025


def test_what_a_chart_leaves_out_is_said() -> None:
    """The captions say "whole cluster" / "cluster totals", but the needs chart keeps ten categories and the stock
    chart eight kabupaten/kota per unit and three units: the rest vanished without a word."""
    cluster, now = chart_gallery.CLUSTER, chart_gallery.NOW
    many, stock = MANY_NEEDS, MANY_STOCK
    for code in ("id", "en"):
        t = translator(code)
        needs = charts.needs_figure(t, many, cluster, now)
        shown = [x.get_text() for x in texts(needs)]
        left_out = len(many) - charts.MAX_CATEGORIES
        assert left_out > 0
        expected = {"id": f"+ {left_out} kategori lain (lebih sedikit) tidak ditampilkan",
                    "en": f"+ {left_out} more categories with fewer needs, not shown"}[code]  # fmt: skip
        assert expected in shown, shown
        figure = charts.stock_figure(t, stock, True, cluster, now)
        shown = [x.get_text() for x in texts(figure)]
        more = {"id": "+ 3 kabupaten/kota lain tidak ditampilkan", "en": "+ 3 more kabupaten/kota, not shown"}[code]
        assert shown.count(more) == 3, shown  # one line under each of the three panels
        units = {"id": "Juga dilaporkan, tidak ditampilkan: stok dalam botol, dus",
                 "en": "Also reported, not shown: stock in botol, dus"}[code]  # fmt: skip
        assert units in shown, shown
