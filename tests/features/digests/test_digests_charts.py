"""The weekly digest's pictures (PNG, phone-sized, Indonesian labels and numbers) and the digest text's escaping."""

from __future__ import annotations

import io

from PIL import Image

from bot.devtools.fakeapi import check_html
from bot.features.broadcast import views as broadcast_views
from bot.features.digests import charts, views
from bot.features.digests.service import CategoryBar, Digest, RegionStock, Scope
from bot.features.digests.storage import NeedLine, OfferLine
from bot.features.members.models import Cluster
from bot.kernel.i18n import translator

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CLUSTER = Cluster(1, -100, "Klaster <Kalsel> & Co", "", "63", "Asia/Makassar", "id")


def _image(png: bytes) -> Image.Image:
    assert png.startswith(PNG_MAGIC) and len(png) > 5_000
    return Image.open(io.BytesIO(png))


def test_needs_chart_is_a_phone_sized_png() -> None:
    bars = [CategoryBar("pangan", 12, 0.6, 0.35), CategoryBar("hunian", 4, 1.0, 0.2), CategoryBar("", 1, 0.0, 0.0)]
    image = _image(charts.needs_chart(translator("id"), bars) or b"")
    assert image.width == 675 and image.height >= 400  # phone width (tests/features/digests/test_charts_phone.py)


def test_stock_chart_has_a_panel_per_unit_and_nothing_without_stock() -> None:
    rows = [
        RegionStock("63.71", "kg", 12_000.5),
        RegionStock("63.06", "kg", 2_500),
        RegionStock("63.03", "lembar", 300),
    ]
    image = _image(charts.stock_chart(translator("id"), rows, hidden=True) or b"")
    assert image.height > image.width * 0.5
    assert charts.stock_chart(translator("id"), []) is None
    assert charts.needs_chart(translator("id"), []) is None


def test_charts_follow_the_language() -> None:
    bars = [CategoryBar("pangan", 3, 0.5, 0.25)]
    assert charts.needs_chart(translator("en"), bars) != charts.needs_chart(translator("id"), bars)


def test_digest_text_escapes_user_strings_and_is_valid_html() -> None:
    t = translator("id")
    scope = Scope(CLUSTER, "daily", 1_755_730_800)
    digest = Digest(scope, 1_755_817_200)
    digest.open_total, digest.new_needs = 1, 1
    digest.open_needs = [NeedLine(1, 1, None, "Nasi <bungkus> & lauk", 10, 0, 0, "bks", "63.06", 1, 1_755_800_000,
                                  "Yayasan <Peduli> & Co")]  # fmt: skip
    digest.offers_total = 1
    digest.offers = [OfferLine(1, None, "Tikar <anyam>", 5, "buah", None, "Org & Mitra")]
    digest.orgs_without_rep = ["<script>"]
    text = views.digest_text(t, digest, CLUSTER.timezone)
    error, plain = check_html(text)
    assert error is None
    assert "Nasi &lt;bungkus&gt; &amp; lauk" in text and "Yayasan &lt;Peduli&gt; &amp; Co" in text
    assert "Klaster &lt;Kalsel&gt; &amp; Co" in text and "&lt;script&gt;" in text
    assert "Klaster <Kalsel> & Co" in plain
    empty = views.digest_text(t, Digest(scope, 1_755_817_200), CLUSTER.timezone)
    assert "\n" not in empty and check_html(empty)[0] is None


def test_announcement_and_report_are_valid_html() -> None:
    t = translator("id")
    text = broadcast_views.announcement(t, CLUSTER, "Rapat <b>penting</b> & mendesak\nbaris dua")
    assert check_html(text)[0] is None and "&lt;b&gt;penting&lt;/b&gt; &amp; mendesak\nbaris dua" in text
    assert broadcast_views.progress_text(t, 120, 340) == "📢 Mengirim pengumuman… terkirim 120/340"
    english = translator("en")
    assert broadcast_views.progress_text(english, 1200, 3400) == "📢 Sending the announcement… sent 1,200/3,400"
