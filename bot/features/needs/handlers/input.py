"""From what people type to need/offer drafts: parse results of ``bot.shared`` turned into drafts or
into a clear Indonesian answer (what was not understood, how to write it, nothing stored).

Kept apart from ``needs.py`` so the glue between parser results and wording is testable on its own.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bot.features.members.models import Cluster
from bot.features.members.views import region_name
from bot.features.needs import views
from bot.features.needs.service import MAX_QUANTITY, NeedDraft, OfferDraft
from bot.features.needs.storage import Incident
from bot.kernel.i18n import Translator
from bot.kernel.telegram import parse_id
from bot.kernel.views import Button, Reply, esc, in_sentence
from bot.shared import catalogue, posting, quantity, regions
from bot.shared import dates as dates_mod
from bot.shared.examples import dated

PRIORITY_NUMBERS = {"mendesak": 1, "tinggi": 2, "sedang": 3, "rendah": 4}
NEED_EXAMPLE = "/butuh 500 paket sembako HSS mendesak untuk 120 KK besok"
OFFER_EXAMPLE = "/tawar 200 lembar terpal gudang Banjarbaru sampai {d+14}"  # dated() fills it in


def _field_name(t: Translator, field_key: str) -> str:
    return {
        "item": t.gettext("the item"),
        "quantity": t.gettext("the quantity"),
        "region": t.gettext("the kabupaten/kota"),
        "date": t.gettext("the date"),
        "beneficiaries": t.gettext("the number of people"),
    }.get(field_key, t.gettext("the text"))


def error_text(t: Translator, err: posting.PostError, example: str) -> str:
    if err.code == posting.EMPTY:
        head = t.gettext("Please write what you need after the command.")
    elif err.code == posting.MISSING_QUANTITY:
        head = t.gettext("I could not find a quantity (e.g. <i>500 paket</i> or <i>2,5 ton</i>).")
    elif err.code == posting.VAGUE_QUANTITY:
        head = t.gettext("“{bad}” is not a number I can track. Write an amount like <i>500 paket</i>.").format(
            bad=esc(err.text)
        )
    elif err.code == posting.MULTIPLE_QUANTITIES:
        head = t.gettext("I found more than one quantity (“{bad}”). Post one item per message.").format(
            bad=esc(err.text)
        )
    elif err.code == posting.MISSING_ITEM:
        head = t.gettext("I could not tell which item you mean.")
    elif err.code == posting.UNKNOWN_REGION:
        head = t.gettext("I did not recognise the kabupaten/kota “{bad}”.").format(bad=esc(err.text))
    elif err.code in (quantity.ZERO, quantity.NEGATIVE):
        head = t.gettext("The quantity must be more than zero (“{bad}”).").format(bad=esc(err.text))
    elif err.code == quantity.TOO_LARGE:
        head = t.gettext("The quantity “{bad}” is too large.").format(bad=esc(err.text))
    elif err.code == posting.TOO_LONG:
        head = t.gettext("That message is too long; keep one item per line.")
    else:
        head = t.gettext("I did not understand {field}: “{bad}”.").format(
            field=_field_name(t, err.field), bad=esc(err.text)
        )
    return "\n".join(
        [head, t.gettext("Write it like this:"), f"<code>{esc(example)}</code>", t.gettext("Nothing was saved.")]
    )


def _ts(parsed: dates_mod.ParsedDate | None) -> int | None:
    if parsed is None:
        return None
    value = parsed.value
    if not parsed.has_time:
        value = value.replace(hour=23, minute=59)
    return int(value.timestamp())


def _location(post: posting.Post) -> str:
    parts = []
    if post.district and not post.district_code:  # a recognised kecamatan is stored as its code
        parts.append("Kec. " + post.district)
    if post.village:
        parts.append("Desa " + post.village)
    return ", ".join(parts)[:120]


def _unit(post: posting.Post) -> str:
    if post.unit:
        return post.unit
    if post.item.item is not None:
        return post.item.item.unit
    return "buah"


def _item_fields(match: catalogue.ItemMatch) -> tuple[str | None, str, str | None]:
    """(catalogue key, the member's own words for the item, category). The card shows the member's words
    ("Air mineral") with the catalogue item and category beside them; lists and matching use the key."""
    own = " ".join(match.text.split())[:80]
    if match.item is not None:
        if not own or regions.fold(own) == regions.fold(match.item.name_id):
            own = match.item.name_id
        return match.item.key, own[:1].upper() + own[1:], match.item.category
    return None, own or "?", None


_NOTE_MARK_RE = re.compile(r"(?:^|[\s,;])(?:catatan|ket|keterangan|note)\s*:\s*", re.IGNORECASE)


def split_note(line: str) -> tuple[str, str]:
    """``… catatan: antar ke posko`` → (the need, the note the member wrote on purpose)."""
    mark = _NOTE_MARK_RE.search(line)
    if mark is None:
        return line, ""
    return line[: mark.start()], " ".join(line[mark.end() :].split())[:300]


def parse_need(line: str, cluster: Cluster, now: datetime, t: Translator) -> NeedDraft | str:
    line, written_note = split_note(line)
    post = posting.parse_post(line, now, cluster.timezone, cluster.province)
    if isinstance(post, posting.PostError):
        return error_text(t, post, NEED_EXAMPLE)
    if post.region is None:
        outside = regions.outside_place(post.note, cluster.province) or regions.outside_place(line, cluster.province)
        if outside is not None:
            province = regions.province_name(cluster.province)
            return "\n".join(
                [
                    t.gettext(
                        "{place} is outside {province}, the area of this cluster: I only record needs inside it."
                    ).format(place=esc(outside), province=esc(province)),
                    t.gettext("For a kabupaten/kota in {province}, write it like this:").format(province=esc(province)),
                    f"<code>{esc(NEED_EXAMPLE)}</code>",
                    t.gettext("Nothing was saved."),
                ]
            )
        return "\n".join(
            [
                t.gettext("Which kabupaten/kota is it for? Add it, e.g. <i>HSS</i> or <i>Kab. Banjar</i>."),
                t.gettext("Write it like this:"),
                f"<code>{esc(NEED_EXAMPLE)}</code>",
                t.gettext("Nothing was saved."),
            ]
        )
    if post.quantity > Decimal(MAX_QUANTITY):
        return error_text(t, posting.PostError(quantity.TOO_LARGE, "quantity", str(post.quantity)), NEED_EXAMPLE)
    if post.needed_by is not None and post.needed_by.value < now - timedelta(days=1):
        return "\n".join(
            [
                t.gettext("The date {day} is in the past.").format(day=t.date(post.needed_by.value)),
                t.gettext("Nothing was saved."),
            ]
        )
    key, name, category = _item_fields(post.item)
    people = post.beneficiaries[0] if post.beneficiaries else None
    return NeedDraft(
        item_key=key,
        item_name=name,
        category=category,
        quantity=float(post.quantity),
        unit=_unit(post),
        region_code=post.region.code,
        location=_location(post),
        priority=PRIORITY_NUMBERS.get(post.priority or "sedang", 3),
        needed_by=_ts(post.needed_by),
        beneficiaries=people.count if people else None,
        beneficiary_unit=people.unit if people else None,
        note=written_note,
        district_code=post.district_code,
        unclear=post.note[:300],
    )


def unclear_text(t: Translator, line: str, unclear: str) -> str:
    """Words the parser did not understand, shown back before anything is saved."""
    kept = " ".join(line.replace(unclear, " ").split()) if unclear in line else line
    return "\n".join(
        [
            t.gettext("I did not understand: “{words}”.").format(words=esc(unclear)),
            t.gettext("Send it again without those words, or keep them as a note:"),
            f"<code>/butuh {esc(kept)} catatan: {esc(unclear)}</code>",
            t.gettext("Nothing was saved."),
        ]
    )


def parse_offer(line: str, cluster: Cluster, now: datetime, t: Translator) -> OfferDraft | str:
    post = posting.parse_post(line, now, cluster.timezone, cluster.province)
    if isinstance(post, posting.PostError):
        return error_text(t, post, dated(OFFER_EXAMPLE))
    if post.quantity > Decimal(MAX_QUANTITY):
        return error_text(t, posting.PostError(quantity.TOO_LARGE, "quantity", str(post.quantity)), dated(OFFER_EXAMPLE))
    key, name, category = _item_fields(post.item)
    return OfferDraft(
        item_key=key,
        item_name=name,
        category=category,
        quantity=float(post.quantity),
        unit=_unit(post),
        region_code=post.region.code if post.region else None,
        location=_location(post),
        available_until=_ts(post.needed_by),
        conditions=post.note[:300],
        district_code=post.district_code,
    )


def ask_offer(t: Translator) -> str:
    return "\n".join(
        [
            t.gettext("What do you offer? Write it in one line: item, quantity, where, until when."),
            f"<code>{esc(dated(OFFER_EXAMPLE).removeprefix('/tawar '))}</code>",
            t.gettext("Cancel with /batal."),
        ]
    )


def parse_pledge_amount(text: str, unit: str, t: Translator) -> float | str:
    result = quantity.parse_quantity(text)
    if isinstance(result, quantity.QuantityError):
        return "\n".join(
            [
                t.gettext("I did not understand the amount “{bad}”.").format(bad=esc(result.text or text[:40])),
                t.gettext("Type a number such as <i>150</i>, or tap one of the buttons."),
            ]
        )
    value = result.value
    if result.unit and result.unit != unit:
        converted = quantity.convert(value, result.unit, unit)
        if converted is None:
            return t.gettext("This need is counted in {unit}; please give the amount in {unit}.").format(unit=esc(unit))
        value = converted
    if not 0 < value <= Decimal(MAX_QUANTITY):
        return t.gettext("The amount must be more than 0.")
    return float(value)


# ---- guided need dialog ---------------------------------------------------------------------------


@dataclass
class NeedStep:
    name: str
    data: dict[str, Any]


@dataclass
class StepResult:
    step: NeedStep | None = None
    reply: Reply | str | None = None
    draft: NeedDraft | None = None


def ask_item(t: Translator) -> str:
    return "\n".join(
        [
            t.gettext(
                "<b>Posting a need</b> (1/6) · What item is needed? e.g. <i>sembako</i>, <i>air mineral</i>, <i>terpal</i>"
            ),
            t.gettext("Experienced users can write it in one line:"),
            f"<code>{esc(NEED_EXAMPLE)}</code>",
            t.gettext("Cancel with /batal."),
        ]
    )


def _ask_quantity(t: Translator, item_name: str, unit: str) -> str:
    return t.gettext("(2/6) · How much {item} is needed? e.g. <i>500 {unit}</i>").format(
        item=esc(in_sentence(item_name)), unit=esc(unit)
    )


def _ask_region(t: Translator, province: str) -> Reply:
    buttons = [Button(r.short or r.name, f"nf:reg:{r.code}") for r in regions.regions(province)]
    return Reply(
        t.gettext("(3/6) · For which kabupaten/kota? Tap one or type it (you may add the kecamatan/desa)."),
        [buttons[i : i + 3] for i in range(0, len(buttons), 3)],
    )


def _ask_priority(t: Translator) -> Reply:
    return Reply(
        t.gettext("(4/6) · How urgent is it?"),
        [
            [
                Button("🔴 " + t.gettext(views.PRIORITY_LABELS[1]), "nf:prio:1"),
                Button("🟠 " + t.gettext(views.PRIORITY_LABELS[2]), "nf:prio:2"),
            ],
            [
                Button("🟡 " + t.gettext(views.PRIORITY_LABELS[3]), "nf:prio:3"),
                Button("🟢 " + t.gettext(views.PRIORITY_LABELS[4]), "nf:prio:4"),
            ],
        ],
    )


def _ask_when(t: Translator) -> Reply:
    return Reply(
        t.gettext("(5/6) · Needed by when? Tap or type a date (e.g. <i>besok</i>, <i>21/8</i>)."),
        [
            [
                Button(t.gettext("Today"), "nf:when:0"),
                Button(t.gettext("Tomorrow"), "nf:when:1"),
                Button(t.gettext("3 days"), "nf:when:3"),
                Button(t.gettext("1 week"), "nf:when:7"),
            ],
            [Button(t.gettext("Skip"), "nf:when:-")],
        ],
    )


def _ask_people(t: Translator) -> Reply:
    return Reply(
        t.gettext("(6/6) · For how many people? e.g. <i>120 KK</i> or <i>300 jiwa</i>."),
        [[Button(t.gettext("Skip"), "nf:people:-")]],
    )


def _confirm(t: Translator, data: dict[str, Any]) -> Reply:
    lines = [
        t.gettext("<b>Please check:</b>"),
        f"{esc(data['item_name'])} — {t.number(data['quantity'])} {esc(data['unit'])}",
        f"📍 {esc(region_name(data.get('region_code')))}"
        + (f" · {esc(data['location'])}" if data.get("location") else ""),
        f"{views.PRIORITY_ICONS[data.get('priority', 3)]} {esc(t.gettext(views.PRIORITY_LABELS[data.get('priority', 3)]))}",
    ]
    return Reply("\n".join(lines), [[Button(t.gettext("✅ Post"), "nf:ok"), Button(t.gettext("✖ Cancel"), "nf:x")]])


def _draft(data: dict[str, Any]) -> NeedDraft:
    return NeedDraft(
        item_key=data.get("item_key"),
        item_name=data["item_name"],
        category=data.get("category"),
        quantity=float(data["quantity"]),
        unit=data["unit"],
        region_code=data.get("region_code"),
        location=data.get("location", ""),
        priority=int(data.get("priority", 3)),
        needed_by=data.get("needed_by"),
        beneficiaries=data.get("beneficiaries"),
        beneficiary_unit=data.get("beneficiary_unit"),
    )


def need_dialog_text(step: NeedStep, text: str, cluster: Cluster, now: datetime, t: Translator) -> StepResult:
    text = " ".join(text.split())[:200]
    data = step.data
    if step.name == "item":
        match = catalogue.match_item(text)
        if match.method == "empty" or len(text) < 2:
            return StepResult(reply=ask_item(t))
        data["item_key"], data["item_name"], data["category"] = _item_fields(match)
        unit = match.item.unit if match.item else "buah"
        data["default_unit"] = unit
        return StepResult(NeedStep("qty", data), _ask_quantity(t, data["item_name"], unit))
    if step.name == "qty":
        result = quantity.parse_quantity(text)
        if isinstance(result, quantity.QuantityError) or result.value > Decimal(MAX_QUANTITY):
            bad = result.text if isinstance(result, quantity.QuantityError) else text
            return StepResult(
                reply=t.gettext("I did not understand the amount “{bad}”.").format(bad=esc(bad or text))
                + "\n"
                + _ask_quantity(t, data["item_name"], data.get("default_unit", "buah"))
            )
        data["quantity"], data["unit"] = float(result.value), result.unit or data.get("default_unit", "buah")
        return StepResult(NeedStep("region", data), _ask_region(t, cluster.province))
    if step.name == "region":
        hits = [h for h in regions.find_regions_in(text, cluster.province) if h.region is not None]
        region = hits[0].region if hits else regions.find_region(text, cluster.province)
        if region is None:
            return StepResult(reply=t.gettext("I did not recognise the kabupaten/kota “{bad}”.").format(bad=esc(text)))
        data["region_code"] = region.code
        rest = text[hits[0].end :].strip(" ,") if hits else ""
        data["location"] = re.sub(r"^(?:kec(?:amatan)?\.?)\s*", "Kec. ", rest, flags=re.I)[:120]
        return StepResult(NeedStep("prio", data), _ask_priority(t))
    if step.name == "when":
        parsed = dates_mod.parse_datetime(text, now, cluster.timezone)
        if isinstance(parsed, dates_mod.DateError):
            return StepResult(
                reply=t.gettext("I did not understand the date “{bad}”.").format(bad=esc(parsed.text or text))
            )
        data["needed_by"] = _ts(parsed)
        return StepResult(NeedStep("people", data), _ask_people(t))
    if step.name == "people":
        people = quantity.parse_quantity(text.lower().replace("orang", "jiwa").replace("keluarga", "kk"))
        if (
            isinstance(people, quantity.QuantityError)
            or people.unit not in quantity.PEOPLE_UNITS
            or people.value != int(people.value)
            or people.value > 10_000_000
        ):
            return StepResult(reply=t.gettext("Write it like <i>120 KK</i> or <i>300 jiwa</i>, or tap Skip."))
        data["beneficiaries"], data["beneficiary_unit"] = int(people.value), people.unit
        return StepResult(NeedStep("confirm", data), _confirm(t, data))
    return StepResult(reply=t.gettext("Please use the buttons above, or /batal to cancel."))


def need_dialog_button(
    step: NeedStep, payload: str, cluster: Cluster, now: datetime, t: Translator
) -> StepResult | None:
    """``nf:<action>:<value>`` for the current step; None when the button does not belong to it."""
    parts = payload.split(":")
    action, value = (parts[1] if len(parts) > 1 else ""), (parts[2] if len(parts) > 2 else "")
    data = step.data
    if action == "reg" and step.name == "region" and regions.get_region(value) is not None:
        data["region_code"], data["location"] = value, ""
        return StepResult(NeedStep("prio", data), _ask_priority(t))
    if action == "prio" and step.name == "prio" and value in ("1", "2", "3", "4"):
        data["priority"] = int(value)
        return StepResult(NeedStep("when", data), _ask_when(t))
    if action == "when" and step.name == "when" and value in ("0", "1", "3", "7", "-"):
        if value != "-":
            day = (now + timedelta(days=int(value))).astimezone(dates_mod.zone_of(cluster.timezone))
            data["needed_by"] = int(day.replace(hour=23, minute=59, second=0).timestamp())
        return StepResult(NeedStep("people", data), _ask_people(t))
    if action == "people" and step.name == "people" and value == "-":
        return StepResult(NeedStep("confirm", data), _confirm(t, data))
    if action == "ok" and step.name == "confirm":
        return StepResult(draft=_draft(data))
    if action == "x":
        return StepResult(step=None, reply=t.gettext("Cancelled. Nothing was saved."), draft=None)
    return None


# ---- list filters ---------------------------------------------------------------------------------


@dataclass
class ListFilters:
    region_code: str | None = None
    item_key: str | None = None
    category: str | None = None
    priority: int | None = None
    incident_id: int | None = None
    mine: bool = False
    label: str = field(default="", compare=False)

    def encode(self) -> str:
        """Compact form for callback data (≤ 64 bytes with prefix and page)."""
        return ",".join(
            [
                self.region_code or "",
                (self.item_key or "")[:20],
                (self.category or "")[:14],
                str(self.priority or ""),
                str(self.incident_id or ""),
                "1" if self.mine else "",
            ]
        )

    @classmethod
    def decode(cls, text: str) -> ListFilters | None:
        parts = text.split(",")
        if len(parts) != 6:
            return None
        region, item, category, prio, incident, mine = parts
        if (region and regions.get_region(region) is None) or (item and catalogue.get_item(item) is None):
            return None
        if (prio and prio not in ("1", "2", "3", "4")) or (incident and parse_id(incident) is None):
            return None
        return cls(
            region or None,
            item or None,
            category or None,
            int(prio) if prio else None,
            parse_id(incident) if incident else None,
            mine == "1",
        )


def parse_list_filters(args: str, cluster: Cluster) -> ListFilters:
    """Words after /kebutuhan or /tawaran: region, item or category, priority, #incident, 'saya'."""
    filters = ListFilters()
    text = " ".join(args.split())[:200]
    labels = []
    words = text.lower().split()
    if "saya" in words or "mine" in words:
        filters.mine = True
        labels.append("saya")
    for word in words:
        if word in PRIORITY_NUMBERS:
            filters.priority = PRIORITY_NUMBERS[word]
            labels.append(word)
        if word.startswith("#") and parse_id(word[1:]) is not None:
            filters.incident_id = parse_id(word[1:])
            labels.append(word)
    hits = [h for h in regions.find_regions_in(text, cluster.province) if h.region is not None]
    if hits and hits[0].region is not None:
        filters.region_code = hits[0].region.code
        labels.append(hits[0].region.short or hits[0].region.name)
    rest = " ".join(
        w for w in words if w not in PRIORITY_NUMBERS and w not in ("saya", "mine") and not w.startswith("#")
    )
    for hit in hits:
        rest = rest.replace(hit.text.lower(), " ")
    rest = " ".join(rest.split())
    if rest:
        found = catalogue.find_items_in(rest)
        if found:
            filters.item_key = found[0].item.key
            labels.append(found[0].item.name_id)
        else:
            category = catalogue.find_category(rest)
            if category is not None:
                filters.category = category.key
                labels.append(category.name_id)
    filters.label = ", ".join(labels)
    return filters


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
    return "\n".join([t.gettext("<b>Active incidents</b>")] + [views.incident_line(t, i, tz) for i in incidents])
