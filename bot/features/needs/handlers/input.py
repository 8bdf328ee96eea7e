"""From what people type to need/offer drafts: parse results of ``bot.shared`` turned into drafts or
into a clear Indonesian answer (what was not understood, how to write it, nothing stored).

Kept apart from ``needs.py`` so the glue between parser results and wording is testable on its own.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

from bot.features.members.models import Cluster
from bot.features.needs.service import MAX_QUANTITY, NeedDraft, OfferDraft
from bot.kernel.i18n import Translator
from bot.kernel.views import esc
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


def to_timestamp(parsed: dates_mod.ParsedDate | None) -> int | None:
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


def item_fields(match: catalogue.ItemMatch) -> tuple[str | None, str, str | None]:
    """(catalogue key, the member's own words for the item, category). The card shows the member's words
    ("Air mineral") with the catalogue item and category beside them; lists and matching use the key."""
    own = " ".join(match.text.split())[:80]
    if match.item is not None:
        if not own or regions.fold(own) == regions.fold(match.item.name_id):
            own = match.item.name_id
        return match.item.key, own[:1].upper() + own[1:], match.item.category
    return None, own or "?", None


# "catatan: …", and as officers also write it, without the colon: "catatan untuk posko …", "ket …".
_NOTE_MARK_RE = re.compile(r"(?:^|[\s,;])(?:catatan|keterangan|ket|note)(?:\s*:\s*|\s+(?=\S))", re.IGNORECASE)


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
    key, name, category = item_fields(post.item)
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
        needed_by=to_timestamp(post.needed_by),
        beneficiaries=people.count if people else None,
        beneficiary_unit=people.unit if people else None,
        note=written_note,
        district_code=post.district_code,
        unclear=post.note[:300],
    )


def unclear_text(t: Translator, line: str, unclear: str, command: str = "/butuh") -> str:
    """Words the parser did not understand, shown back before anything is saved."""
    kept = " ".join(line.replace(unclear, " ").split()) if unclear in line else line
    return "\n".join(
        [
            t.gettext("I did not understand: “{words}”.").format(words=esc(unclear)),
            t.gettext("Send it again without those words, or keep them as a note:"),
            f"<code>{command} {esc(kept)} catatan: {esc(unclear)}</code>",
            t.gettext("Nothing was saved."),
        ]
    )


def parse_offer(line: str, cluster: Cluster, now: datetime, t: Translator) -> OfferDraft | str:
    line, written_note = split_note(line)
    post = posting.parse_post(line, now, cluster.timezone, cluster.province)
    if isinstance(post, posting.PostError):
        return error_text(t, post, dated(OFFER_EXAMPLE))
    if post.quantity > Decimal(MAX_QUANTITY):
        return error_text(t, posting.PostError(quantity.TOO_LARGE, "quantity", str(post.quantity)), dated(OFFER_EXAMPLE))
    if quantity.find_quantities(post.note, allow_zero=True):
        # A number left over is a quantity not understood ("+ 0 selimut"): never hidden in the conditions.
        return unclear_text(t, line, post.note, "/tawar")
    key, name, category = item_fields(post.item)
    return OfferDraft(
        item_key=key,
        item_name=name,
        category=category,
        quantity=float(post.quantity),
        unit=_unit(post),
        region_code=post.region.code if post.region else None,
        location=_location(post),
        available_until=to_timestamp(post.needed_by),
        conditions=" ".join(part for part in (post.note, written_note) if part)[:300],
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
