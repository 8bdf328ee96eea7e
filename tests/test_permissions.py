"""The permission matrix (issue 9, item 4): commands and buttons × roles × chats, table-driven.

``MATRIX`` below *is* the specification; ``docs/permissions.md`` carries the same table (generated from it, and a
test keeps the two equal: ``python -m tests.test_permissions`` prints the block). Adding a feature's permissions
means adding rows: an action, the probe that observes its effect, and one cell per role and chat.

A cell is three letters, for the cluster's group, a private chat and another cluster's group:

* ``Y`` allowed: the effect is observed (a row written or changed, a pin, the content shown) and only in the
  right cluster (the chat's cluster; in private the person's own cluster; for a button, its object's cluster);
* ``N`` denied: no effect anywhere, and a clear Indonesian answer saying why;
* ``-`` no effect, but not a denial either (e.g. the summary is shown without pinning it, or a private-only
  report typed in a group is answered with a pointer to the private chat).

Every cell starts from the same world (a database snapshot and the stand-in's state are restored).
"""

from __future__ import annotations

import copy
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.devtools.fakeapi import ApiCall, StoredMessage
from bot.devtools.harness import Harness
from bot.devtools.sim import SimUser
from tests.conftest import ADMIN, GROUP_ID, MEMBER, OTHER

ROLES = (
    "stranger",  # not a member anywhere
    "pending",  # registered in the cluster, not approved yet
    "rep",  # approved representative of PMI Kalsel (owns the need)
    "rep_other_org",  # approved representative of Dinsos (owns the pledges and the offer)
    "secretariat",  # added with /sekretariat tambah; not a group administrator, not a member
    "group_admin",  # administrator of the cluster's group, not in the stored list (admins ARE secretariat)
    "other_group_admin",  # creator of another cluster's group (so that cluster's secretariat)
    "other_cluster_rep",  # approved representative in the other cluster
)
CHATS = ("group", "private", "other_group")
ROLE_TITLES = {
    "stranger": "Non-member", "pending": "Pending", "rep": "Representative", "rep_other_org": "Rep. of another org",
    "secretariat": "Secretariat", "group_admin": "Group admin", "other_group_admin": "Admin of another group",
    "other_cluster_rep": "Other cluster's rep.",
}  # fmt: skip


@dataclass(frozen=True)
class Row:
    """One command or button. ``steps`` are sent by the role in the chat ("press:" = tap a button with that data
    on a bot message in that chat); ``{name}`` placeholders are ids of the world (``{chat_org}``: an approved
    organisation of the cluster the chat acts on). ``probe`` names a function of ``PROBES`` that maps
    cluster → observed state; ``target`` says where an allowed effect must land; ``prepare`` runs on the database
    before the cell (``detach``: both groups are not clusters yet)."""

    label: str
    steps: tuple[str, ...]
    probe: str
    cells: str  # 8 roles × (group, private, other group), in ROLES order, separated by spaces
    target: str = "chat"  # chat: the chat's cluster (private: the person's own) | object: cluster 1 | self
    prepare: str | None = None


# cells: one group of three letters (group, private, other group) per role, in this order:
#   stranger · pending · rep · rep_other_org · secretariat · group_admin · other_group_admin · other_cluster_rep
MATRIX: list[Row] = [
    Row("/pasang (set the group up)", ("/pasang Klaster Uji",), "clusters",
        "NNN NNN NNN NNN NNN YNN NNY NNN", prepare="detach"),
    Row("/sekretariat tambah @user", ("/sekretariat tambah @calon_target",), "secretariat",
        "NNN NNN NNN NNN YYN YNN NYY NNN"),
    Row("/kejadian (declare an incident)", ("/kejadian banjir HSS tanggap darurat",), "incidents",
        "NNN NNN NNN NNN YYN YNN NYY NNN"),
    Row("/undang (invite an organisation)", ("/undang Dinas Kesehatan | opd",), "invited",
        "NNN NNN NNN NNN YYN YNN NYY NNN"),
    Row("/lapsit (publish and pin)", ("/lapsit",), "pins",
        "-N- --- --- --- Y-- YN- --Y ---"),
    Row("/lapsit bekukan (frozen copy)", ("/lapsit bekukan",), "frozen",
        "NNN NNN NNN NNN YYN YNN NYY NNN"),
    Row("/bahasa en (the group's language; own chat in private)", ("/bahasa en",), "locale",
        "NYN NYN NYN NYN YYN YYN NYY NYN", target="self"),
    Row("Approve a registration (button)", ("press:appr:{pending}:y",), "pending",
        "NNN NNN NNN NNN YYY YYY NNN NNN", target="object"),
    Row("Register via the group's link (/start daftar_, /daftar)",
        ("/start daftar_{c1}", "/daftar Yayasan Uji | YU | ngo | Bjm | Staf"), "registrations",
        "-Y- -N- -N- -N- -Y- -Y- -Y- -Y-", target="object"),
    Row("/butuh (post a need)", ("/butuh 120 lembar terpal HSS",), "needs",
        "NNN NNN YYN YYN NNN NNN NNN NYY"),
    Row("/tawar (post an offer)", ("/tawar 50 dus air mineral Bjm",), "offers",
        "NNN NNN YYN YYN NNN NNN NNN NYY"),
    Row("Pledge (Saya bantu link, amount)", ("/start bantu_{need}", "10"), "pledges",
        "NNN NNN -NN -YN NNN NNN NNN NNN", target="object"),
    Row("Pledge (amount button)", ("press:pl:q:{need}:10",), "pledges",
        "NNN NNN NNN YYN NNN NNN NNN NNN", target="object"),
    Row("Close a need: Terpenuhi (card button)", ("press:nd:done:{need}",), "need_status",
        "NNN NNN YYN NNN YYN YNN NNN NNN", target="object"),
    Row("Close a need: Batalkan (card button)", ("press:nd:cancel:{need}",), "need_status",
        "NNN NNN YYN NNN YYN YNN NNN NNN", target="object"),
    Row("Pledge Dikirim (pledger)", ("press:pg:sent:{pledge}",), "pledge_status",
        "NNN NNN NNN YYY YYY YYY NNN NNN", target="object"),
    Row("Pledge cancelled (pledger)", ("press:pg:cancel:{pledge}",), "pledge_status",
        "NNN NNN NNN YYY YYY YYY NNN NNN", target="object"),
    Row("Pledge Diterima (need's organisation)", ("press:pg:recv:{sent}",), "sent_status",
        "NNN NNN YYY NNN YYY YYY NNN NNN", target="object"),
    Row("Withdraw an offer (card button)", ("press:of:wd:{offer}",), "offer_status",
        "NNN NNN NNN YYN YYN YNN NNN NNN", target="object"),
    Row("Accept a handover meant for someone else (button)", ("press:ho:{handover}:y",), "handover",
        "NNN NNN NNN NNN NNN NNN NNN NNN", target="object"),
    Row("Take a code handover by its button, without the code", ("press:ho:{code_handover}:y",), "code_handover",
        "NNN NNN NNN NNN NNN NNN NNN NNN", target="object"),
    Row("/serahterima @user (offer a handover)", ("/serahterima @calon_target",), "handovers",
        "NNN NNN YYN YYN NNN NNN NNN NYY"),
    Row("/kapasitas (add capacity)", ("/kapasitas kendaraan perahu karet 4 HSS",), "capacities",
        "-N- -N- -Y- -Y- -N- -N- -N- -Y-"),
    Row("/stok (report stock)", ("/stok beras 100 kg gudang Banjarbaru",), "stock",
        "-N- -N- -Y- -Y- -N- -N- -N- -Y-"),
    Row("/agenda baru (create an event)",
        ("/agenda baru rapat koordinasi | Rakor logistik | besok 14.00 | 2 jam | Posko BPBD",), "events",
        "NNN NNN NNN NNN YYN YNN NYY NNN"),
    Row("/zona (the cluster's time zone)", ("/zona WIB",), "timezone",
        "NNN NNN NNN NNN YYN YNN NYY NNN"),
    Row("/rencana baru (work plan item)", ("/rencana baru Pemetaan gudang | {chat_org} | 30/9",), "work_items",
        "NNN NNN NNN NNN YYN YNN NYY NNN"),
    Row("/umumkan (broadcast, preview)", ("/umumkan Rapat koordinasi besok pukul 09.00",), "broadcasts",
        "-N- -N- -N- -N- -Y- -N- -Y- -N-"),
    Row("/langganan (digest subscription)", ("/langganan mingguan",), "subscriptions",
        "-N- -N- -Y- -Y- -N- -N- -N- -Y-"),
    Row("/anggota (read)", ("/anggota",), "shown_orgs",
        "YNY YYY YYY YYY YYY YNY YYY YYY"),
    Row("/kebutuhan (read)", ("/kebutuhan",), "shown_needs",
        "YNY YYY YYY YYY YYY YNY YYY YYY"),
    Row("/tawaran (read)", ("/tawaran",), "shown_offers",
        "YNY YYY YYY YYY YYY YNY YYY YYY"),
    Row("/lapsit (read)", ("/lapsit",), "shown_needs",
        "YNY YYY YYY YYY YYY YNY YYY YYY"),
    Row("An event's calendar file (/start agenda_ics- link)", ("/start agenda_ics-{event}",), "files",
        "-NN -Y- -Y- -Y- -Y- -Y- -NN -NN", target="object"),
    Row("RSVP to an event (Hadir button)", ("press:ag:r:{event}:y",), "rsvps",
        "YNN YYN YYN YYN YYN YYN YNN YNN", target="object"),
]  # fmt: skip

# ---- people and places ---------------------------------------------------------------------------------------

PENDING = SimUser(5001, "Putri", None, "putri_pending")
STRANGER = SimUser(5002, "Tamu", None, "tamu_asing")
SEKRE = SimUser(5003, "Sekar", None, "sekar_sekre")
GADMIN = SimUser(5004, "Gilang", None, "gilang_admin")
BOSS = SimUser(5005, "Wati", None, "wati_banjar")
FOREIGN = SimUser(5006, "Asep", None, "asep_basarnas")
TARGET = SimUser(5007, "Calon", None, "calon_target")
GROUP2 = -100_987_654
USERS = {
    "stranger": STRANGER, "pending": PENDING, "rep": MEMBER, "rep_other_org": OTHER, "secretariat": SEKRE,
    "group_admin": GADMIN, "other_group_admin": BOSS, "other_cluster_rep": FOREIGN,
}  # fmt: skip
# The cluster a private chat acts on: the person's membership, else the stored secretariat; with two clusters in
# the deployment a person with neither is asked to use the group's link (None).
HOME = {"stranger": None, "pending": 1, "rep": 1, "rep_other_org": 1, "secretariat": 1, "group_admin": None,
        "other_group_admin": 2, "other_cluster_rep": 2}  # fmt: skip
# A denial names the reason in Indonesian ("Hanya sekretariat …", "Tombol ini sudah tidak berlaku", "Saya belum
# tahu klaster Anda", "… masih menunggu persetujuan", "Gunakan /pasang di dalam grup", "… untuk orang lain").
DENIAL = re.compile(r"\b(hanya|tidak|belum|bukan|gunakan|menunggu|sudah|daftar|orang lain)\b", re.IGNORECASE)


class NoFlood:
    def check(self, user_id: int, now: int) -> str:
        return "ok"


# ---- probes: what each action changes, per cluster -----------------------------------------------------------

Probe = Callable[[Harness, dict[str, int], SimUser, list[ApiCall]], dict[Any, Any]]


def _per_cluster(h: Harness, sql: str, *params: Any) -> dict[Any, Any]:
    conn = sqlite3.connect(h.runtime.db.path)
    try:
        return {row[0]: row[1:] for row in conn.execute(sql, params)}
    finally:
        conn.close()


def _count(table: str, where: str = "1") -> Probe:
    sql = f"SELECT cluster_id, COUNT(*) FROM {table} WHERE {where} GROUP BY cluster_id"
    return lambda h, w, user, calls: _per_cluster(h, sql)


def _status(sql: str, key: str) -> Probe:
    return lambda h, w, user, calls: {1: _per_cluster(h, sql, w[key])}


def _shown(marker_1: str, marker_2: str) -> Probe:
    def probe(h: Harness, w: dict[str, int], user: SimUser, calls: list[ApiCall]) -> dict[Any, Any]:
        texts = " ".join(c.text for c in calls if c.method in ("sendMessage", "editMessageText") and c.error is None)
        return {k: True for k, marker in ((1, marker_1), (2, marker_2)) if marker in texts}

    return probe


def _pins(h: Harness, w: dict[str, int], user: SimUser, calls: list[ApiCall]) -> dict[Any, Any]:
    return {1: tuple(h.api.pins.get(GROUP_ID, [])), 2: tuple(h.api.pins.get(GROUP2, []))}


def _clusters(h: Harness, w: dict[str, int], user: SimUser, calls: list[ApiCall]) -> dict[Any, Any]:
    rows = _per_cluster(h, "SELECT chat_id, id FROM clusters WHERE chat_id IN (?, ?)", GROUP_ID, GROUP2)
    return {1 if chat == GROUP_ID else 2: ids for chat, ids in rows.items()}


def _locale(h: Harness, w: dict[str, int], user: SimUser, calls: list[ApiCall]) -> dict[Any, Any]:
    chats = _per_cluster(h, "SELECT chat_id, locale FROM chats WHERE chat_id IN (?, ?)", GROUP_ID, GROUP2)
    mine = _per_cluster(h, "SELECT user_id, locale FROM users WHERE user_id = ?", user.id)
    return {1: chats.get(GROUP_ID), 2: chats.get(GROUP2), "self": mine.get(user.id)}


PROBES: dict[str, Probe] = {
    "clusters": _clusters,
    "secretariat": lambda h, w, user, calls: _per_cluster(
        h, "SELECT cluster_id, COUNT(*) FROM secretariat WHERE user_id = ? GROUP BY cluster_id", TARGET.id
    ),
    "incidents": _count("incidents"),
    "invited": _count("organizations", "status = 'invited'"),
    "pins": _pins,
    "frozen": _count("sitrep_versions", "kind = 'frozen'"),
    "locale": _locale,
    "pending": _status("SELECT status FROM members WHERE id = ?", "pending"),
    "registrations": _count("members", "status = 'pending'"),
    "needs": _count("needs"),
    "offers": _count("offers"),
    "pledges": lambda h, w, user, calls: _per_cluster(
        h, "SELECT n.cluster_id, COUNT(*) FROM pledges p JOIN needs n ON n.id = p.need_id GROUP BY n.cluster_id"
    ),
    "need_status": _status("SELECT status FROM needs WHERE id = ?", "need"),
    "pledge_status": _status("SELECT status FROM pledges WHERE id = ?", "pledge"),
    "sent_status": _status("SELECT status FROM pledges WHERE id = ?", "sent"),
    "offer_status": _status("SELECT status FROM offers WHERE id = ?", "offer"),
    "handover": _status("SELECT status FROM handovers WHERE id = ?", "handover"),
    "code_handover": _status("SELECT status FROM handovers WHERE id = ?", "code_handover"),
    "handovers": _count("handovers"),
    "capacities": lambda h, w, user, calls: _per_cluster(
        h,
        "SELECT o.cluster_id, COUNT(*) FROM capacities c JOIN organizations o ON o.id = c.organization_id "
        "GROUP BY o.cluster_id",
    ),
    "stock": _count("stock"),
    "events": _count("events"),
    "timezone": lambda h, w, user, calls: _per_cluster(h, "SELECT id, timezone FROM clusters"),
    "work_items": _count("work_items"),
    "broadcasts": _count("broadcasts"),
    "subscriptions": _count("digest_subscriptions"),
    "shown_orgs": _shown("PMI Kalsel", "Basarnas"),
    "shown_needs": _shown("Terpal", "Genset"),
    "shown_offers": _shown("Air minum", "Perahu karet"),
}

# ---- the world -----------------------------------------------------------------------------------------------


async def _approve(h: Harness, admin: SimUser, chat_id: int) -> None:
    await h.sim.press(admin, h.api.last(chat_id), text="✅ Setujui")


def _one(h: Harness, sql: str, *params: Any) -> int:
    conn = sqlite3.connect(h.runtime.db.path)
    try:
        return int(conn.execute(sql, params).fetchone()[0])
    finally:
        conn.close()


async def build_world(h: Harness) -> dict[str, int]:
    h.runtime.flood_guard = NoFlood()
    api = h.api
    api.add_chat(GROUP2, "supergroup", "Klaster Kabupaten Banjar")
    api.set_bot_rights(GROUP2)
    for user in (*USERS.values(), TARGET, ADMIN):
        api.set_member(GROUP_ID, user.json(), "member")
        api.set_member(GROUP2, user.json(), "member")
    api.set_member(GROUP_ID, ADMIN.json(), "creator")
    api.set_member(GROUP_ID, GADMIN.json(), "administrator")
    api.set_member(GROUP2, BOSS.json(), "creator")
    send = h.sim.send
    await send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
    await send(MEMBER, text="/daftar Palang Merah Indonesia Kalsel | PMI Kalsel | ngo | Bjm | Kepala Gudang")
    await _approve(h, ADMIN, GROUP_ID)
    await send(OTHER, text="/daftar Dinas Sosial Provinsi | Dinsos | opd | Bjb | Kabid")
    await _approve(h, ADMIN, GROUP_ID)
    await send(PENDING, text="/daftar Relawan Uji | RU | ngo | Bjb | Koordinator")
    for user in (SEKRE, TARGET, STRANGER, GADMIN):
        await send(user, GROUP_ID, "/bantuan")  # the bot learns their usernames
    await send(ADMIN, GROUP_ID, "/sekretariat tambah @sekar_sekre")
    await send(MEMBER, GROUP_ID, "/butuh 100 lembar terpal HSS")
    need = _one(h, "SELECT MAX(id) FROM needs")
    await send(OTHER, text=f"/start bantu_{need}")
    await send(OTHER, text="10")
    pledge = _one(h, "SELECT MAX(id) FROM pledges")
    await send(OTHER, text=f"/start bantu_{need}")
    await send(OTHER, text="20")
    sent = _one(h, "SELECT MAX(id) FROM pledges")
    await h.sim.press(OTHER, h.api.last(OTHER.id), data=f"pg:sent:{sent}")
    await send(OTHER, GROUP_ID, "/tawar 50 dus air mineral Bjm")
    offer = _one(h, "SELECT MAX(id) FROM offers")
    await send(OTHER, GROUP_ID, "/serahterima @calon_target")
    handover = _one(h, "SELECT MAX(id) FROM handovers")
    await send(MEMBER, text="/serahterima")
    await send(ADMIN, GROUP_ID, "/agenda baru rapat koordinasi | Rakor logistik | besok 14.00 | 2 jam | Posko BPBD")
    code_handover = _one(h, "SELECT MAX(id) FROM handovers WHERE code IS NOT NULL")
    await send(BOSS, GROUP2, "/pasang Klaster Kabupaten Banjar")
    c2 = _one(h, "SELECT id FROM clusters WHERE chat_id = ?", GROUP2)
    await send(FOREIGN, text=f"/start daftar_{c2}")
    await send(FOREIGN, text="/daftar Badan SAR Nasional Banjar | Basarnas | basarnas | Kab Banjar | Kepala Seksi")
    await _approve(h, BOSS, GROUP2)
    await send(FOREIGN, GROUP2, "/butuh 10 buah genset Kab Banjar")
    await send(FOREIGN, GROUP2, "/tawar 5 unit perahu karet Kab Banjar")
    world = {
        "c1": _one(h, "SELECT id FROM clusters WHERE chat_id = ?", GROUP_ID), "c2": c2, "need": need,
        "pledge": pledge, "sent": sent, "offer": offer, "handover": handover, "code_handover": code_handover,
        "event": _one(h, "SELECT MAX(id) FROM events"),
        "pending": _one(h, "SELECT id FROM members WHERE user_id = ? AND status = 'pending'", PENDING.id),
    }  # fmt: skip
    assert world["c1"] == 1 and c2 == 2
    assert _one(h, "SELECT COUNT(*) FROM pledges WHERE id = ? AND status = 'sent'", sent) == 1
    assert _one(h, "SELECT COUNT(*) FROM members WHERE status = 'active'") == 3
    assert _one(h, "SELECT COUNT(*) FROM secretariat WHERE user_id = ?", GADMIN.id) == 0
    assert [c for c in api.calls if c.error and "not modified" not in c.error] == []
    return world


@dataclass
class Saved:
    db: Path
    api: dict[str, Any]


API_STATE = ("messages", "pins", "chats", "members", "bot_rights", "_next_id")


async def save(h: Harness, path: Path) -> Saved:
    await h.runtime.db.backup(path)
    return Saved(path, {name: copy.deepcopy(getattr(h.api, name)) for name in API_STATE})


async def restore(h: Harness, saved: Saved) -> None:
    db = h.runtime.db
    await db.close()
    for suffix in ("-wal", "-shm"):
        Path(db.path + suffix).unlink(missing_ok=True)
    shutil.copyfile(saved.db, db.path)
    await db.open()
    for name, value in saved.api.items():
        setattr(h.api, name, copy.deepcopy(value))
    h.api.clear()


def _detach(conn: sqlite3.Connection) -> None:
    """Both groups as they were before /pasang: their clusters are moved to chat ids nobody uses."""
    conn.execute("UPDATE clusters SET chat_id = chat_id - 1000000000000")


PREPARE = {"detach": _detach}


def carrier(h: Harness, chat_id: int) -> StoredMessage:
    message_id = h.api._new_id(chat_id)
    stored = StoredMessage(chat_id, message_id, "Pesan bot", "HTML", None, h.clock.timestamp())
    h.api.messages[(chat_id, message_id)] = stored
    return stored


async def perform(h: Harness, row: Row, world: dict[str, int], user: SimUser, chat_id: int) -> list[ApiCall]:
    calls: list[ApiCall] = []
    # An organisation of the cluster the chat acts on (work plan items name one).
    cluster = {GROUP_ID: 1, GROUP2: 2}.get(chat_id, HOME[next(r for r, u in USERS.items() if u == user)])
    chat_org = "Basarnas" if cluster == 2 else "PMI Kalsel"
    for step in row.steps:
        text = step.format(**world, chat_org=chat_org)
        if text.startswith("press:"):
            calls += await h.sim.press(user, carrier(h, chat_id), data=text.removeprefix("press:"))
        else:
            calls += await h.sim.send(user, chat_id, text)
    return calls


def expected_target(row: Row, role: str, chat: str) -> Any:
    if row.target == "object":
        return 1
    if chat == "group":
        return 1
    if chat == "other_group":
        return 2
    return "self" if row.target == "self" else HOME[role]


def answers(calls: list[ApiCall], user: SimUser, chat_id: int) -> list[str]:
    out = []
    for c in calls:
        if c.error is not None:
            continue
        if c.method == "answerCallbackQuery" and c.params.get("text"):
            out.append(str(c.params["text"]))
        elif c.method in ("sendMessage", "editMessageText") and c.chat_id in (chat_id, user.id):
            out.append(c.text)
    return out


def cell(row: Row, role: str, chat: str) -> str:
    groups = row.cells.split()
    assert len(groups) == len(ROLES) and all(len(g) == len(CHATS) for g in groups), row.label
    return groups[ROLES.index(role)][CHATS.index(chat)]


async def check_row(h: Harness, row: Row, world: dict[str, int], saved: Saved) -> list[str]:
    problems = []
    for role in ROLES:
        user = USERS[role]
        for chat in CHATS:
            await restore(h, saved)
            if row.prepare:
                await h.runtime.db.write(PREPARE[row.prepare])
            chat_id = {"group": GROUP_ID, "private": user.id, "other_group": GROUP2}[chat]
            probe = PROBES[row.probe]
            before = probe(h, world, user, [])
            calls = await perform(h, row, world, user, chat_id)
            after = probe(h, world, user, calls)
            moved = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
            said = answers(calls, user, chat_id)
            want = cell(row, role, chat)
            where = f"{row.label} · {role} · {chat}"
            failures = [f"{c.method}: {c.error}" for c in calls if c.error and "not modified" not in c.error]
            if failures:
                problems.append(f"{where}: Bot API rejected {failures}")
            if any("terjadi kesalahan" in s.lower() for s in said):
                problems.append(f"{where}: crashed ({said})")
            if want == "Y":
                target = expected_target(row, role, chat)
                if moved != {target}:
                    problems.append(f"{where}: expected allowed in {target}, changed {sorted(map(str, moved))}")
            elif moved:
                problems.append(f"{where}: expected {'denied' if want == 'N' else 'no effect'}, changed {moved}")
            elif want == "N" and not any(DENIAL.search(s) for s in said):
                problems.append(f"{where}: denied without a clear Indonesian reason: {said}")
            elif want == "-" and not said:
                problems.append(f"{where}: no answer")
    return problems


@pytest.fixture
async def world_saved(h: Harness, tmp_path: Path) -> tuple[dict[str, int], Saved]:
    world = await build_world(h)
    return world, await save(h, tmp_path / "world.db")


@pytest.mark.parametrize("row", MATRIX, ids=[r.label for r in MATRIX])
async def test_permission_matrix(h: Harness, world_saved: tuple[dict[str, int], Saved], row: Row) -> None:
    world, saved = world_saved
    problems = await check_row(h, row, world, saved)
    assert problems == [], "\n".join(problems)


# ---- the same matrix as Markdown -----------------------------------------------------------------------------

SYMBOLS = {"Y": "✅", "N": "❌", "-": "➖"}
BEGIN, END = "<!-- permission-matrix:begin -->", "<!-- permission-matrix:end -->"


def markdown() -> str:
    header = "| Action | " + " | ".join(ROLE_TITLES[r] for r in ROLES) + " |"
    lines = [
        BEGIN,
        "## Tested matrix (generated from `tests/test_permissions.py`)",
        "",
        "Each cell: **cluster group / private chat / another cluster's group**. ✅ allowed (the effect is observed, "
        "in the right cluster only) · ❌ denied (nothing changes; a clear Indonesian answer) · ➖ nothing changes "
        "and it is not a denial (e.g. the summary is shown without pinning, or a private-only report typed in a "
        "group is pointed to the private chat). Group administrators *are* the secretariat; in a private chat the "
        "bot acts on the person's own cluster (membership, else stored secretariat); with several clusters a "
        "person with neither is asked to use the group's link.",
        "",
        header,
        "|" + "---|" * (len(ROLES) + 1),
    ]
    for row in MATRIX:
        cells = [" ".join(SYMBOLS[c] for c in group) for group in row.cells.split()]
        lines.append(f"| {row.label} | " + " | ".join(cells) + " |")
    lines.append(END)
    return "\n".join(lines)


BEGIN1, END1 = "<!-- permission-matrix-one-cluster:begin -->", "<!-- permission-matrix-one-cluster:end -->"


def markdown1() -> str:
    header = "| Command | What is checked | " + " | ".join(ROLE_TITLES[r] for r in ROLES1) + " |"
    lines = [
        BEGIN1,
        "## Tested matrix, one cluster in the deployment (generated from `tests/test_permissions.py`)",
        "",
        "Each cell: **the cluster's group / a private chat**, same symbols as above. With one cluster a private chat "
        "of anyone falls back to that cluster, so this is where a stranger could read it: every registered "
        "command has a row (the test derives the list from the registered commands), plus every deep link and "
        "the read buttons. A refusal must also reveal none of the cluster's names, items, events or usernames.",
        "",
        header,
        "|" + "---|" * (len(ROLES1) + 2),
    ]
    for row in ONE_MATRIX:
        cells = [" ".join(SYMBOLS[c] for c in group) for group in row.cells.split()]
        steps = " → ".join(s.replace("{", "").replace("}", "").replace("|", "\\|") for s in row.steps)
        lines.append(f"| {row.command} | `{steps}` ({row.probe}) | " + " | ".join(cells) + " |")
    lines.append(END1)
    return "\n".join(lines)


def test_docs_carry_the_same_matrix() -> None:
    docs = (Path(__file__).resolve().parent.parent / "docs" / "permissions.md").read_text(encoding="utf-8")
    assert BEGIN in docs and END in docs, "run `python -m tests.test_permissions` and paste the block into docs"
    block = docs[docs.index(BEGIN) : docs.index(END) + len(END)]
    assert block == markdown(), "docs/permissions.md is out of date: run `python -m tests.test_permissions`"
    assert BEGIN1 in docs and END1 in docs, "run `python -m tests.test_permissions` and paste both blocks into docs"
    block = docs[docs.index(BEGIN1) : docs.index(END1) + len(END1)]
    assert block == markdown1(), "docs/permissions.md is out of date: run `python -m tests.test_permissions`"


def test_matrix_is_well_formed() -> None:
    for row in MATRIX:
        assert row.probe in PROBES, row.label
        for role in ROLES:
            for chat in CHATS:
                assert cell(row, role, chat) in SYMBOLS, row.label




# ---- one cluster in the deployment (issue 12, part 2) ----------------------------------------------------------
#
# With a single cluster, a private chat of anyone falls back to that cluster, so the two-cluster matrix above never
# saw a stranger read it. ``ONE_MATRIX`` has a row for every registered command (``test_one_cluster_matrix_covers_
# every_command`` derives the list from the registered ``CommandSpec``s), every deep link and the read buttons.
# Six roles (the other cluster's two do not exist here) × two chats (the cluster's group, a private chat). Beyond
# the cells' rules, a refusal must reveal none of the cluster's content (``SECRETS``).

ROLES1 = ROLES[:6]
GATE_REFUSAL = "hanya untuk anggota klaster"
CHATS1 = ("group", "private")
SECRETS = ("PMI Kalsel", "Dinsos", "budi_pmi", "sari_dinsos", "Terpal", "Air minum", "Rakor logistik",
           "Pemetaan gudang", "Banjarbaru")  # fmt: skip


@dataclass(frozen=True)
class Row1:
    """``command``: the registered command (or ``start <prefix>`` for a deep link, ``button <prefix>``) it covers;
    ``probe``: a name of ``PROBES`` or ``ONE_PROBES``; cells: 6 roles × (group, private)."""

    command: str
    steps: tuple[str, ...]
    probe: str
    cells: str
    target: str = "chat"


ONE_PROBES: dict[str, Probe] = {
    "shown_org": _shown("PMI Kalsel", "\x00"),
    "shown_username": _shown("budi_pmi", "\x00"),
    "shown_need": _shown("Terpal", "\x00"),
    "shown_offer": _shown("Air minum", "\x00"),
    "shown_event": _shown("Rakor logistik", "\x00"),
    "shown_item": _shown("Pemetaan gudang", "\x00"),
    "shown_incident": _shown("Banjir", "\x00"),
    "shown_stock": _shown("Beras", "\x00"),
    "shown_totals": _shown("organisasi melaporkan stok", "\x00"),
    "shown_boat": _shown("perahu karet", "\x00"),
    "shown_pledge": _shown("K-0001", "\x00"),
    "shown_status": _shown("Status bot", "\x00"),
    "nothing": lambda h, w, user, calls: {},
    "files": lambda h, w, user, calls: {1: True} if any(c.method == "sendDocument" and c.error is None
                                                        for c in calls) else {},
    "rsvps": _count("event_rsvps JOIN events ON events.id = event_rsvps.event_id"),
    "dialogs": lambda h, w, user, calls: {1: _per_cluster(h, "SELECT kind, step FROM dialogs WHERE user_id = ?",
                                                             user.id)},
}

PROBES.update(ONE_PROBES)

# cells: stranger · pending · rep · rep_other_org · secretariat · group_admin, each (group, private)
ONE_MATRIX: list[Row1] = [
    Row1("start", ("/start",), "nothing", "-- -- -- -- -- --"),
    Row1("bantuan", ("/bantuan",), "nothing", "-- -- -- -- -- --"),
    Row1("bahasa", ("/bahasa en",), "locale", "NY NY NY NY YY YY", target="self"),
    Row1("batal", ("/batal",), "nothing", "-- -- -- -- -- --"),
    Row1("daftar", ("/daftar Yayasan Uji | YU | ngo | Bjm | Staf",), "registrations", "-Y -N -N -N -Y -Y"),
    Row1("pasang", ("/pasang Klaster Uji",), "clusters", "NN NN NN NN NN NN"),
    Row1("hitung", ("/hitung 100 jiwa 3 hari HSS",), "nothing", "-- -- -- -- -- --"),
    Row1("terima", ("/terima ST-ABCDEFGH",), "nothing", "NN NN NN NN NN NN"),
    Row1("sekretariat", ("/sekretariat tambah @calon_target",), "secretariat", "NN NN NN NN YY YY"),
    Row1("undang", ("/undang Dinas Kesehatan | opd",), "invited", "NN NN NN NN YY YY"),
    Row1("anggota", ("/anggota",), "shown_org", "YN YY YY YY YY YY"),
    Row1("serahterima", ("/serahterima",), "handovers", "NN NN YY YY NN NN"),
    Row1("kapasitas", ("/kapasitas kendaraan tenda 4 HSS",), "capacities", "-N -N -Y -Y -N -N"),
    Row1("kapasitas", ("/kapasitas perahu",), "shown_boat", "YN YY YY YY YY YY"),
    Row1("butuh", ("/butuh 120 lembar terpal HSS",), "needs", "NN NN YY YY NN NN"),
    Row1("tawar", ("/tawar 50 dus air mineral Bjm",), "offers", "NN NN YY YY NN NN"),
    Row1("kebutuhan", ("/kebutuhan",), "shown_need", "YN YY YY YY YY YY"),
    Row1("tawaran", ("/tawaran",), "shown_offer", "YN YY YY YY YY YY"),
    Row1("komitmen", ("/komitmen",), "shown_pledge", "NN NN -- YY NN NN"),
    Row1("kejadian", ("/kejadian",), "shown_incident", "YN YY YY YY YY YY"),
    Row1("stok", ("/stok beras 100 kg gudang Banjarbaru",), "stock", "NN NN N- NY NN NN"),
    Row1("ringkasan", ("/ringkasan stok",), "shown_totals", "YN YN YY YY YY YY"),
    Row1("ringkasan", ("/ringkasan mingguan",), "shown_need", "YN YN YY YY YY YY"),
    Row1("cari", ("/cari beras",), "shown_stock", "YN YN YY YY YY YY"),
    Row1("lapsit", ("/lapsit",), "shown_need", "YN YY YY YY YY YY"),
    Row1("langganan", ("/langganan mingguan",), "subscriptions", "NN NN NY NY NN NN"),
    Row1("umumkan", ("/umumkan Rapat koordinasi besok pukul 09.00",), "broadcasts", "NN NN NN NN NY NY"),
    Row1("ekspor", ("/ekspor",), "files", "NN NN NN NN YY YY"),
    Row1("agenda", ("/agenda",), "shown_event", "YN YY YY YY YY YY"),
    Row1("zona", ("/zona WIB",), "timezone", "NN NN NN NN YY YY"),
    Row1("rencana", ("/rencana",), "shown_item", "YN YY YY YY YY YY"),
    Row1("status", ("/status",), "shown_status", "-N -N -N -N -Y -Y"),
    Row1("start detail", ("/start detail_{need}",), "shown_need", "-N -Y -Y -Y -Y -Y"),
    Row1("start bantu", ("/start bantu_{need}",), "dialogs", "NN NN -N -Y NN NN"),
    Row1("start agenda", ("/start agenda_ics-{event}",), "files", "-N -Y -Y -Y -Y -Y"),
    Row1("start agenda", ("/start agenda_new-{c1}",), "dialogs", "NN NN NN NN -Y -Y"),
    Row1("start lapsit", ("/start lapsit_{c1}",), "shown_need", "NN NN -Y -Y -Y -Y"),
    Row1("start stok", ("/start stok_lapor",), "dialogs", "NN NN -Y -Y NN NN"),
    Row1("start daftar", ("/start daftar_{c1}",), "dialogs", "YY NN NN NN YY YY"),
    Row1("start inv", ("/start inv_TIDAKADA",), "nothing", "NN NN NN NN NN NN"),
    Row1("start st", ("/start st_TIDAKADA",), "nothing", "NN NN NN NN NN NN"),
    Row1("button ag:r (RSVP)", ("press:ag:r:{event}:y",), "rsvps", "YN YY YY YY YY YY"),
    Row1("button ag:i (calendar file)", ("press:ag:i:{event}",), "files", "YN YY YY YY YY YY"),
    Row1("button dir (directory page)", ("press:dir:1",), "shown_org", "YN YY YY YY YY YY"),
]  # fmt: skip


async def build_one_world(h: Harness) -> dict[str, int]:
    """The same people as ``build_world`` in a deployment with only the one cluster."""
    h.runtime.flood_guard = NoFlood()
    api = h.api
    for role in ROLES1:
        api.set_member(GROUP_ID, USERS[role].json(), "member")
    for user in (TARGET, ADMIN):
        api.set_member(GROUP_ID, user.json(), "member")
    api.set_member(GROUP_ID, ADMIN.json(), "creator")
    api.set_member(GROUP_ID, GADMIN.json(), "administrator")
    send = h.sim.send
    await send(ADMIN, GROUP_ID, "/pasang Klaster Logistik Kalsel")
    await send(MEMBER, text="/daftar Palang Merah Indonesia Kalsel | PMI Kalsel | ngo | Bjm | Kepala Gudang")
    await _approve(h, ADMIN, GROUP_ID)
    await send(OTHER, text="/daftar Dinas Sosial Provinsi | Dinsos | opd | Bjb | Kabid")
    await _approve(h, ADMIN, GROUP_ID)
    await send(PENDING, text="/daftar Relawan Uji | RU | ngo | Bjb | Koordinator")
    for user in (SEKRE, TARGET, STRANGER, GADMIN):
        await send(user, GROUP_ID, "/bantuan")
    await send(ADMIN, GROUP_ID, "/sekretariat tambah @sekar_sekre")
    await send(MEMBER, GROUP_ID, "/butuh 100 lembar terpal HSS")
    need = _one(h, "SELECT MAX(id) FROM needs")
    await send(OTHER, text=f"/start bantu_{need}")
    await send(OTHER, text="10")
    await send(OTHER, GROUP_ID, "/tawar 50 dus air mineral Bjm")
    await send(MEMBER, text="/stok beras 100 kg gudang Banjarbaru")
    await send(MEMBER, text="/kapasitas kendaraan perahu karet 4 HSS")
    await send(ADMIN, GROUP_ID, "/kejadian banjir HSS tanggap darurat")
    await send(ADMIN, GROUP_ID, "/agenda baru rapat koordinasi | Rakor logistik | besok 14.00 | 2 jam | Posko BPBD")
    await send(ADMIN, GROUP_ID, "/rencana baru Pemetaan gudang | PMI Kalsel | 30/9")
    world = {
        "c1": _one(h, "SELECT id FROM clusters"), "need": need, "event": _one(h, "SELECT MAX(id) FROM events"),
        "pledge": _one(h, "SELECT MAX(id) FROM pledges"),
        "pending": _one(h, "SELECT id FROM members WHERE user_id = ? AND status = 'pending'", PENDING.id),
    }  # fmt: skip
    assert _one(h, "SELECT COUNT(*) FROM clusters") == 1
    assert _one(h, "SELECT COUNT(*) FROM stock") == 1 and _one(h, "SELECT COUNT(*) FROM work_items") == 1
    assert [c for c in api.calls if c.error and "not modified" not in c.error] == []
    return world


def cell1(row: Row1, role: str, chat: str) -> str:
    groups = row.cells.split()
    assert len(groups) == len(ROLES1) and all(len(g) == len(CHATS1) for g in groups), row.command
    return groups[ROLES1.index(role)][CHATS1.index(chat)]


async def check_row1(h: Harness, row: Row1, world: dict[str, int], saved: Saved) -> list[str]:
    problems = []
    probe = {**PROBES, **ONE_PROBES}[row.probe]
    for role in ROLES1:
        user = USERS[role]
        for chat in CHATS1:
            await restore(h, saved)
            chat_id = GROUP_ID if chat == "group" else user.id
            before = probe(h, world, user, [])
            calls: list[ApiCall] = []
            for step in row.steps:
                text = step.format(**world)
                if text.startswith("press:"):
                    calls += await h.sim.press(user, carrier(h, chat_id), data=text.removeprefix("press:"))
                else:
                    calls += await h.sim.send(user, chat_id, text)
            after = probe(h, world, user, calls)
            moved = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
            said = answers(calls, user, chat_id)
            want = cell1(row, role, chat)
            where = f"{row.command} · {role} · {chat}"
            failures = [f"{c.method}: {c.error}" for c in calls if c.error and "not modified" not in c.error]
            if failures:
                problems.append(f"{where}: Bot API rejected {failures}")
            if any("terjadi kesalahan" in s.lower() for s in said):
                problems.append(f"{where}: crashed ({said})")
            if GATE_REFUSAL in " ".join(said) and want != "N":
                problems.append(f"{where}: the read gate refused it: {said}")
            if want == "Y":
                expected = "self" if row.target == "self" and chat == "private" else 1
                if moved != {expected}:
                    problems.append(f"{where}: expected allowed, changed {sorted(map(str, moved))}: {said}")
                continue
            if moved:
                problems.append(f"{where}: expected {'denied' if want == 'N' else 'no effect'}, changed {moved}")
            if want == "N":
                if not any(DENIAL.search(s) for s in said):
                    problems.append(f"{where}: denied without a clear Indonesian reason: {said}")
                leaked = [s for s in SECRETS if any(s.lower() in x.lower() for x in said)]
                sent_files = [c for c in calls if c.method == "sendDocument"]
                if leaked or sent_files:
                    problems.append(f"{where}: a refusal revealed {leaked or 'a file'}: {said}")
            elif not said:
                problems.append(f"{where}: no answer")
    return problems


@pytest.fixture
async def one_world_saved(h: Harness, tmp_path: Path) -> tuple[dict[str, int], Saved]:
    world = await build_one_world(h)
    return world, await save(h, tmp_path / "one_world.db")


@pytest.mark.parametrize("row", ONE_MATRIX, ids=[f"{r.command}: {r.steps[0]}" for r in ONE_MATRIX])
async def test_one_cluster_matrix(h: Harness, one_world_saved: tuple[dict[str, int], Saved], row: Row1) -> None:
    world, saved = one_world_saved
    problems = await check_row1(h, row, world, saved)
    assert problems == [], "\n".join(problems)


def _registered(h: Harness) -> tuple[set[str], set[str]]:
    return {spec.name for spec in h.runtime.commands}, set(h.runtime.deeplinks)


def _families(pattern: str) -> list[str]:
    """``^ag:r:`` → ["ag:"]; ``^(nl|ol):`` → ["nl:", "ol:"]: the callback-data families a pattern matches."""
    body = pattern.removeprefix("^")
    if body.endswith("(:|$)"):  # a codec's pattern (bot/kernel/callbacks.py): ``^nd(:|$)``
        return [body.removesuffix("(:|$)").replace("\\", "") + ":"]
    if body.startswith("("):
        alternatives, rest = body[1 : body.index(")")], body[body.index(")") + 1 :]
        return [alt + rest.split(":")[0] + ":" for alt in alternatives.split("|")]
    return [body.split(":")[0] + ":"]


async def test_one_cluster_matrix_covers_every_command(h: Harness) -> None:
    """A new command (or deep link) without a row in ONE_MATRIX, or without a declared level, fails here."""

    commands, deeplinks = _registered(h)
    covered = {r.command for r in ONE_MATRIX}
    assert commands - covered == set(), f"commands without a row in ONE_MATRIX: {sorted(commands - covered)}"
    assert {f"start {d}" for d in deeplinks} - covered == set(), "deep links without a row in ONE_MATRIX"
    assert commands - set(h.runtime.access.commands) == set(), "commands without a declared read level (manifests)"
    assert deeplinks - set(h.runtime.access.deeplinks) == set(), "deep links without a declared level (manifests)"


async def test_every_button_family_has_a_declared_level(h: Harness) -> None:
    from telegram.ext import CallbackQueryHandler


    undeclared = []
    for handlers in h.app.handlers.values():
        for handler in handlers:
            if not isinstance(handler, CallbackQueryHandler) or handler.pattern is None:
                continue  # the fallback (no pattern) answers "no longer valid"
            pattern = str(getattr(handler.pattern, "pattern", handler.pattern))
            for family in _families(pattern):
                if family not in h.runtime.access.buttons:
                    undeclared.append((pattern, family))
    assert undeclared == [], f"button families without a declared level in their feature's manifest: {undeclared}"


if __name__ == "__main__":
    print(markdown())
    print()
    print(markdown1())
