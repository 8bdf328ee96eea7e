"""Texts and keyboards for cluster setup, registration, approval, directory, handover and capacity."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.features.members.callbacks import ApprovalButton, DirectoryPageButton, RegChoice, RegPick
from bot.features.members.models import Cluster, Member, Organization
from bot.features.members.orgs import ORG_TYPES
from bot.features.members.service import CapacityHit, DirectoryPage, Profile
from bot.kernel.i18n import N_, Translator
from bot.kernel.sql import Row
from bot.kernel.views import Button, Keyboard, Reply, esc, page_nav
from bot.shared import regions

PAGE_SIZE = 10

TYPE_LABELS = {
    "opd": N_("Regional agency (OPD)"),
    "tni": N_("TNI"),
    "polri": N_("Polri"),
    "bmkg": N_("BMKG"),
    "basarnas": N_("BASARNAS"),
    "bumn": N_("State company (BUMN/BUMD)"),
    "usaha": N_("Business"),
    "ngo": N_("Humanitarian organisation / NGO"),
    "akademisi": N_("Academia"),
    "media": N_("Media"),
    "lainnya": N_("Other"),
}
KIND_LABELS = {
    "warehouse": N_("Warehouses"),
    "vehicle": N_("Vehicles"),
    "equipment": N_("Equipment"),
    "personnel": N_("Trained personnel"),
    "topic": N_("Topics they can teach"),
}
STATUS_LABELS = {
    "invited": N_("invited"),
    "pending": N_("registered, awaiting approval"),
    "approved": N_("approved"),
    "inactive": N_("inactive"),
    "rejected": N_("rejected"),
}


def region_name(code: str | None) -> str:
    if not code:
        return "—"
    region = regions.get_region(code)
    return region.name if region else code


def person(member: Member) -> str:
    name = esc(member.display_name)
    return f"{name} (@{esc(member.username)})" if member.username else name


# ---- setup ----------------------------------------------------------------------------------------


def setup_done(t: Translator, cluster: Cluster, created: bool, missing_right: str | None) -> str:
    if created:
        text = t.gettext(
            "✅ This group is now the cluster <b>{name}</b> (time zone {tz}). Group administrators are its "
            "secretariat; add others with /sekretariat."
        ).format(name=esc(cluster.name), tz=esc(cluster.timezone))
        text += "\n\n" + t.gettext("Members register their organisation privately with the button below.")
    else:
        text = t.gettext("This group is already set up as the cluster <b>{name}</b>. Nothing was changed.").format(
            name=esc(cluster.name)
        )
    if missing_right == "admin":
        text += "\n\n⚠️ " + t.gettext(
            "I am not an administrator of this group. Please make me an administrator with the right "
            "“Pin messages”, otherwise I cannot keep the situation summary pinned."
        )
    elif missing_right == "pin":
        text += "\n\n⚠️ " + t.gettext(
            "I am an administrator but lack the right “Pin messages”. Please turn it on in the group's "
            "administrator settings, otherwise I cannot keep the situation summary pinned."
        )
    return text


def register_button(t: Translator, bot_username: str, cluster_id: int) -> Keyboard:
    return [
        [Button(t.gettext("📝 Register my organisation"), url=f"https://t.me/{bot_username}?start=daftar_{cluster_id}")]
    ]


def secretariat_list(t: Translator, rows: list[Row]) -> str:
    lines = [t.gettext("<b>Cluster secretariat</b>"), t.gettext("Group administrators are always part of it.")]
    for row in rows:
        name = " ".join(p for p in (row["first_name"], row["last_name"]) if p) or str(row["user_id"])
        lines.append(f"• {esc(name)}" + (f" (@{esc(row['username'])})" if row["username"] else ""))
    lines += [
        "",
        t.gettext("Add: reply to someone's message with <code>/sekretariat tambah</code> or write "
                  "<code>/sekretariat tambah @username</code>. Remove: <code>/sekretariat hapus @username</code>."),
    ]  # fmt: skip
    return "\n".join(lines)


# ---- registration ---------------------------------------------------------------------------------


def ask_name(t: Translator, cluster: Cluster) -> str:
    return "\n".join([
        t.gettext("<b>Registering an organisation in {cluster}</b>").format(cluster=esc(cluster.name)),
        "",
        t.gettext("1/5 · What is the full name of your organisation or work unit?"),
        t.gettext("Example: <i>Palang Merah Indonesia Provinsi Kalimantan Selatan</i>"),
        "",
        t.gettext("Experienced users can send everything in one line:"),
        "<code>/daftar " + esc(t.gettext("Name | short name | type | kabupaten/kota | your position")) + "</code>",
        t.gettext("Cancel at any time with /batal."),
    ])  # fmt: skip


def ask_duplicate(t: Translator, name: str, dups: list[tuple[int, str]]) -> Reply:
    text = t.gettext(
        "“{name}” looks like an organisation that is already registered. Do you represent one of these? "
        "Joining keeps one organisation in the cluster, whoever holds the post."
    ).format(name=esc(name))
    keyboard = [
        [Button(t.gettext("Join {org}").format(org=other[:40]), RegPick("join", str(org_id)).pack())] for org_id, other in dups
    ]
    keyboard.append([Button(t.gettext("No, it is a different organisation"), RegChoice("new").pack())])
    return Reply(text, keyboard)


def ask_short_name(t: Translator) -> str:
    return t.gettext("2/5 · Its short name or abbreviation (e.g. <i>PMI Kalsel</i>), or “-” if none.")


def ask_type(t: Translator) -> Reply:
    buttons = [Button(t.gettext(TYPE_LABELS[k]), RegPick("type", k).pack()) for k in ORG_TYPES]
    keyboard = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return Reply(t.gettext("3/5 · What kind of organisation is it?"), keyboard)


def ask_region(t: Translator, province: str) -> Reply:
    buttons = [Button(r.short or r.name, RegPick("reg", r.code).pack()) for r in regions.regions(province)]
    keyboard = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    keyboard.append([Button(t.gettext("Province-wide / other"), RegPick("reg", "-").pack())])
    return Reply(t.gettext("4/5 · Which kabupaten/kota is it based in? Tap one or type its name."), keyboard)


def ask_title(t: Translator) -> str:
    return t.gettext("5/5 · Your own position in the organisation (e.g. <i>Kepala Seksi Logistik</i>).")


def confirm_registration(t: Translator, data: dict[str, object]) -> Reply:
    if data.get("join_org_id"):
        lines = [
            t.gettext("<b>Please check:</b>"),
            t.gettext("You will represent: {org}").format(org=esc(data.get("join_org_name", ""))),
            t.gettext("Your position: {title}").format(title=esc(data.get("title", ""))),
        ]
    else:
        lines = [
            t.gettext("<b>Please check:</b>"),
            t.gettext("Name: {name}").format(name=esc(data.get("name", ""))),
            t.gettext("Short name: {short}").format(short=esc(data.get("short_name") or "—")),
            t.gettext("Type: {type}").format(type=esc(t.gettext(TYPE_LABELS.get(str(data.get("type")), "—")))),
            t.gettext("Kabupaten/kota: {region}").format(region=esc(region_name(data.get("region_code")))),  # type: ignore[arg-type]
            t.gettext("Your position: {title}").format(title=esc(data.get("title", ""))),
        ]
    return Reply("\n".join(lines), [[Button(t.gettext("✅ Send"), RegChoice("ok").pack()), Button(t.gettext("✖ Cancel"), RegChoice("x").pack())]])


def registration_sent(t: Translator) -> str:
    return t.gettext(
        "Saved. Your registration was sent to the cluster secretariat; I will tell you when it is decided."
    )


def approval_card(t: Translator, member: Member, org: Organization, joining: bool) -> Reply:
    if joining:
        head = t.gettext("🆕 <b>{person}</b> asks to represent <b>{org}</b>.").format(
            person=person(member), org=esc(org.name)
        )
    else:
        head = t.gettext("🆕 New organisation registered: <b>{org}</b>").format(org=esc(org.name))
        head += "\n" + t.gettext("Type: {type} · Kabupaten/kota: {region}").format(
            type=esc(t.gettext(TYPE_LABELS.get(org.type, org.type))), region=esc(region_name(org.region_code))
        )
        head += "\n" + t.gettext("Representative: {person}").format(person=person(member))
    if member.title:
        head += "\n" + t.gettext("Position: {title}").format(title=esc(member.title))
    head += "\n\n" + t.gettext("Secretariat: approve or reject.")
    keyboard = [
        [Button(t.gettext("✅ Approve"), ApprovalButton(member.id, "y").pack()), Button(t.gettext("✖ Reject"), ApprovalButton(member.id, "n").pack())]
    ]
    return Reply(head, keyboard)


def approval_decided(t: Translator, member: Member, org: Organization, approved: bool, by: str) -> str:
    if approved:
        return t.gettext("✅ {person} — {org}: approved by {by}.").format(
            person=person(member), org=esc(org.name), by=esc(by)
        )
    return t.gettext("✖ {person} — {org}: rejected by {by}.").format(
        person=person(member), org=esc(org.name), by=esc(by)
    )


def applicant_told(t: Translator, org: Organization, approved: bool) -> str:
    if approved:
        return t.gettext(
            "🎉 Your registration for <b>{org}</b> was approved. You can now post needs, offers and stock. "
            "Type /bantuan to see how."
        ).format(org=esc(org.name))
    return t.gettext(
        "Your registration for <b>{org}</b> was not approved by the cluster secretariat. Contact the "
        "secretariat in the group if you think this is a mistake."
    ).format(org=esc(org.name))


# ---- directory ------------------------------------------------------------------------------------


def directory_page(t: Translator, cluster: Cluster, listing: DirectoryPage) -> Reply:
    entries, counts, page, pages = listing.entries, listing.status_counts, listing.page, listing.pages
    lines = [t.gettext("<b>Members of {cluster}</b>").format(cluster=esc(cluster.name))]
    status_bits = [f"{t.gettext(STATUS_LABELS[s])}: {t.number(counts.get(s, 0))}"
                   for s in ("approved", "pending", "invited", "inactive")]  # fmt: skip
    lines.append(" · ".join(status_bits))
    by_type = {k: listing.type_counts[k] for k in (*ORG_TYPES, *listing.type_counts) if k in listing.type_counts}
    lines.append(" · ".join(f"{esc(t.gettext(TYPE_LABELS.get(k, k)))} {n}" for k, n in by_type.items()))
    lines.append("")
    current_type = None
    for entry in entries:
        if entry.org.type != current_type:
            current_type = entry.org.type
            lines.append(f"<b>{esc(t.gettext(TYPE_LABELS.get(current_type, current_type)))}</b>")
        flag = ""
        if entry.org.status != "approved":
            flag = f" <i>({esc(t.gettext(STATUS_LABELS.get(entry.org.status, entry.org.status)))})</i>"
        elif entry.active_reps == 0:
            flag = " ⚠️ " + t.gettext("no active representative")
        elif entry.silent:
            flag = " ⚠️ " + t.gettext("silent for 30+ days")
        short = f" ({esc(entry.org.short_name)})" if entry.org.short_name else ""
        lines.append(f"• {esc(entry.org.name)}{short}{flag}")
    if not entries:
        lines.append(t.gettext("No organisations yet. Members register privately with /daftar."))
    lines += ["", t.gettext("Page {page} of {pages}. Profile: <code>/anggota NAME</code>").format(
        page=page + 1, pages=pages)]  # fmt: skip
    nav = page_nav(page, pages, DirectoryPageButton.prefix)
    return Reply("\n".join(lines), [nav] if nav else [])


def _fmt_day(t: Translator, ts: int | None, tz: str) -> str:
    if not ts:
        return "—"
    return t.date(datetime.fromtimestamp(ts, UTC), tz)


def profile_text(t: Translator, prof: Profile, tz: str) -> str:
    org = prof.org
    lines = [f"<b>{esc(org.name)}</b>" + (f" ({esc(org.short_name)})" if org.short_name else "")]
    lines.append(
        t.gettext("Type: {type} · Kabupaten/kota: {region}").format(
            type=esc(t.gettext(TYPE_LABELS.get(org.type, org.type))), region=esc(region_name(org.region_code))
        )
    )
    lines.append(t.gettext("Status: {status}").format(status=esc(t.gettext(STATUS_LABELS.get(org.status, org.status)))))
    lines.append(t.gettext("Last activity: {day}").format(day=_fmt_day(t, org.last_activity, tz)))
    if org.status == "approved" and not prof.reps:
        lines.append("⚠️ " + t.gettext("No active representative: the secretariat should follow up."))
    elif prof.silent:
        lines.append("⚠️ " + t.gettext("Silent for 30+ days: the secretariat should follow up."))
    lines += ["", t.gettext("<b>Representatives</b>")]
    for rep in prof.reps:
        title = f" — {esc(rep.title)}" if rep.title else ""
        lines.append(f"• {person(rep)}{title}")
    if not prof.reps:
        lines.append("—")
    for rep in prof.pending:
        waiting = t.gettext("awaiting approval")
        lines.append(f"• {person(rep)} <i>({esc(waiting)})</i>")
    lines += ["", t.gettext("<b>Capacity</b>")]
    lines += capacity_lines(t, prof.capacities) or ["—"]
    if prof.history:
        lines += ["", t.gettext("<b>Handover history</b>")]
        for row in prof.history:
            lines.append(
                "• "
                + t.gettext("{day}: from {old} to {new}").format(
                    day=_fmt_day(t, row["decided_at"], tz),
                    old=esc(row["from_name"] or "—"),
                    new=esc(row["to_name"] or "—"),
                )
            )
    return "\n".join(lines)


def capacity_lines(t: Translator, rows: list[Row], with_ids: bool = False) -> list[str]:
    lines: list[str] = []
    kind = None
    for row in rows:
        if row["kind"] != kind:
            kind = row["kind"]
            lines.append(f"<i>{esc(t.gettext(KIND_LABELS[kind]))}</i>")
        qty = ""
        if row["quantity"] is not None:
            unit = " m²" if kind == "warehouse" else ""
            qty = f" — {t.number(row['quantity'])}{unit}"
        where = ", ".join(
            p for p in (row["location"], region_name(row["region_code"]) if row["region_code"] else "") if p
        )
        prefix = f"#{row['id']} " if with_ids else ""
        lines.append(f"• {prefix}{esc(row['name'])}{qty}" + (f" ({esc(where)})" if where else ""))
    return lines


def capacity_help(t: Translator) -> str:
    return "\n".join([
        t.gettext("Add a capacity with one line:"),
        "<code>/kapasitas gudang Gudang Liang Anggang 500 Bjb</code>",
        "<code>/kapasitas kendaraan perahu karet 4 HSS</code>",
        "<code>/kapasitas peralatan genset 2</code>",
        "<code>/kapasitas personel tim SAR air 12</code>",
        "<code>/kapasitas materi manajemen gudang</code>",
        t.gettext("Remove: <code>/kapasitas hapus 12</code>. Search the cluster: <code>/kapasitas perahu</code>."),
    ])  # fmt: skip


def capacity_search(t: Translator, query: str, hits: list[CapacityHit]) -> str:
    if not hits:
        return t.gettext("No member has registered “{query}” as a capacity yet.").format(query=esc(query))
    lines = [t.gettext("<b>Who has “{query}”</b>").format(query=esc(query))]
    for hit in hits[:30]:
        qty = f" {t.number(hit.quantity)}" if hit.quantity is not None else ""
        where = ", ".join(p for p in (hit.location, region_name(hit.region_code) if hit.region_code else "") if p)
        lines.append(f"• {esc(hit.org_name)}: {esc(hit.name)}{qty}" + (f" — {esc(where)}" if where else ""))
    if len(hits) > 30:
        lines.append(t.gettext("… and {n} more").format(n=t.number(len(hits) - 30)))
    return "\n".join(lines)
