"""Texts of the export (/ekspor): the files' caption, the help, where the files went."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.features.members.models import Cluster
from bot.kernel.i18n import Translator
from bot.kernel.views import esc


def _when(t: Translator, ts: int, tz: str) -> str:
    return t.short_datetime(datetime.fromtimestamp(ts, UTC), tz)


def export_caption(t: Translator, cluster: Cluster, when: int, counts: list[tuple[str, int]]) -> str:
    summary = " · ".join(f"{esc(name)} {t.number(n)}" for name, n in counts)
    return t.gettext("📑 Export of {cluster} as of {when}: {summary}").format(
        cluster=esc(cluster.name), when=_when(t, when, cluster.timezone), summary=summary
    )


def export_help(t: Translator) -> str:
    return t.gettext(
        "Write /ekspor for the workbook and the CSV files, or one kind: /ekspor xlsx (the workbook: open it in "
        "Excel or LibreOffice), /ekspor csv (comma-separated UTF-8 for HXL tools and scripts), /ekspor csv-excel "
        "(semicolon-separated with decimal commas, for a spreadsheet set to Indonesian). The files carry "
        "Indonesian headers and a row of HXL hashtags."
    )


def export_sent_privately(t: Translator) -> str:
    return t.gettext("I sent the files to you in a private chat.")


def export_unreachable(t: Translator) -> str:
    return t.gettext("I could not send you the files privately: open a private chat with me, press Start, and "
                     "try again.")  # fmt: skip
