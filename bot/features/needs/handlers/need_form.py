"""The guided /butuh form (what, how much, where, how urgent, by when, for how many), one step per message
or button (``nf:<step>:<value>``), and the draft it ends with."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bot.features.members.models import Cluster
from bot.features.members.views import region_name
from bot.features.needs import views
from bot.features.needs.handlers.input import (
    NEED_EXAMPLE,
    item_fields,
    to_timestamp,
)
from bot.features.needs.service import MAX_QUANTITY, NeedDraft
from bot.kernel.i18n import Translator
from bot.kernel.views import Button, Reply, esc, in_sentence
from bot.shared import catalogue, quantity, regions
from bot.shared import dates as dates_mod

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
        data["item_key"], data["item_name"], data["category"] = item_fields(match)
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
        data["needed_by"] = to_timestamp(parsed)
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
