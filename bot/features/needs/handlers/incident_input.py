"""/kejadian's words: declaring an incident, changing its status, and the incident list's text."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.features.members.models import Cluster
from bot.features.needs import list_views, views
from bot.features.needs.storage import Incident
from bot.kernel.i18n import Translator
from bot.kernel.telegram import parse_id
from bot.kernel.views import esc
from bot.shared import dates as dates_mod
from bot.shared import regions
from bot.shared.examples import dated

# ---- incidents ------------------------------------------------------------------------------------

INCIDENT_WORDS = {
    "banjir": "banjir",
    "banjir bandang": "banjir",
    "rob": "banjir",
    "karhutla": "karhutla",
    "kebakaran hutan dan lahan": "karhutla",
    "kebakaran hutan": "karhutla",
    "kebakaran lahan": "karhutla",
    "kebakaran": "karhutla",
    "longsor": "longsor",
    "tanah longsor": "longsor",
    "puting beliung": "puting_beliung",
    "angin puting beliung": "puting_beliung",
    "angin kencang": "puting_beliung",
    "gempa": "gempa",
    "gempa bumi": "gempa",
    "lainnya": "lainnya",
    "bencana": "lainnya",
}
STATUS_WORDS = {
    "siaga": "siaga",
    "tanggap": "tanggap",
    "transisi": "transisi",
    "selesai": "selesai",
    "tutup": "selesai",
}
INCIDENT_EXAMPLE = "/kejadian banjir HSS, HST tanggap darurat {d-2}"  # dated() fills it in


@dataclass
class IncidentCommand:
    action: str  # new | status
    type: str = "lainnya"
    title: str = ""
    region_codes: list[str] = field(default_factory=list)
    status: str = "tanggap"
    started_at: int = 0
    incident_id: int = 0


def _incident_help(t: Translator, head: str) -> str:
    return "\n".join(
        [
            head,
            t.gettext("Write it like this:"),
            f"<code>{esc(dated(INCIDENT_EXAMPLE))}</code>",
            "<code>/kejadian status 3 transisi</code> · <code>/kejadian tutup 3</code>",
            t.gettext("Nothing was saved."),
        ]
    )


def parse_incident_command(args: str, cluster: Cluster, now: datetime, t: Translator) -> IncidentCommand | str:
    text = " ".join(args.split())[:200]
    words = text.lower().split()
    if words and words[0] in ("status", "tutup", "selesai"):
        number = next((parse_id(w.lstrip("#")) for w in words[1:] if parse_id(w.lstrip("#")) is not None), None)
        status = (
            "selesai"
            if words[0] in ("tutup", "selesai")
            else next((STATUS_WORDS[w] for w in words[2:] if w in STATUS_WORDS), None)
        )
        if number is None or status is None:
            return _incident_help(
                t, t.gettext("Tell me the incident number and the new status (siaga, tanggap, transisi, selesai).")
            )
        return IncidentCommand("status", incident_id=number, status=status)
    lowered = text.lower()
    type_key = None
    for phrase in sorted(INCIDENT_WORDS, key=len, reverse=True):
        if lowered.startswith(phrase):
            type_key = INCIDENT_WORDS[phrase]
            break
    if type_key is None:
        first = text.split(" ")[0] if text else ""
        return _incident_help(
            t,
            t.gettext(
                "I did not understand the kind of disaster “{bad}” (banjir, karhutla, "
                "longsor, puting beliung, gempa, lainnya)."
            ).format(bad=esc(first)),
        )
    hits = regions.find_regions_in(text, cluster.province)
    unknown = [h for h in hits if h.region is None]
    if unknown:
        return _incident_help(
            t, t.gettext("I did not recognise the kabupaten/kota “{bad}”.").format(bad=esc(unknown[0].text))
        )
    codes = list(dict.fromkeys(h.region.code for h in hits if h.region is not None))
    if not codes:
        return _incident_help(t, t.gettext("Which kabupaten/kota are affected? Add at least one, e.g. <i>HSS</i>."))
    status = next((STATUS_WORDS[w] for w in words if w in STATUS_WORDS and w != "tutup"), "tanggap")
    found = dates_mod.find_datetime(text, now, cluster.timezone)
    started = now
    if found is not None:
        if isinstance(found.result, dates_mod.DateError):
            return _incident_help(t, t.gettext("I did not understand the date “{bad}”.").format(bad=esc(found.text)))
        started = found.result.value
        if not found.has_year and started > now + timedelta(days=1):
            # "20/8" typed in December: an incident that started lies in the past, so it is this August.
            with contextlib.suppress(ValueError):  # 29/2 has no previous-year twin
                started = started.replace(year=started.year - 1)
    names = ", ".join(regions.get_region(c).short or c for c in codes if regions.get_region(c))  # type: ignore[union-attr]
    title = f"{t.gettext(views.INCIDENT_TYPES[type_key])} {names}"
    return IncidentCommand("new", type_key, title[:120], codes, status, int(started.timestamp()))


def incidents_text(t: Translator, incidents: list[Incident], tz: str) -> str:
    if not incidents:
        return (
            t.gettext("No active incident. The secretariat declares one with:")
            + f"\n<code>{esc(dated(INCIDENT_EXAMPLE))}</code>"
        )
    return "\n".join([t.gettext("<b>Active incidents</b>")] + [list_views.incident_line(t, i, tz) for i in incidents])
