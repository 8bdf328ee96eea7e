"""Hostile and odd input through the real Application (issue 9, item 3).

Arbitrary text, unicode (RTL marks, emoji, zero-width joiners, combining characters, lines up to 10,000
characters), HTML, SQL-looking strings, huge numbers, zero and negative quantities and far-away dates are thrown
at every registered command (read from ``runtime.commands``, so features added later are covered without edits),
by an approved representative, a stranger and the secretariat, in private and in the cluster group, and at every
step of every guided conversation (the steps are discovered by walking the known flows and by opening every
command bare, then replayed from the stored dialog row). Forged, foreign and replayed callback data are pressed by
people who have no right to them (callback prefixes are read from the registered handlers).

Every case asserts: no exception reached the error handlers, nobody got the generic error text, every text in a
private chat got an answer, no Bot API call failed at the stand-in (which rejects over-long texts and broken HTML
exactly like Telegram), and the database holds nothing invalid; forged buttons change nothing at all.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.app import build_application
from bot.devtools.fakeapi import ApiCall, FakeBotApi, StoredMessage
from bot.devtools.harness import Harness
from bot.devtools.sim import SimUser
from bot.kernel import storage as core_repo
from bot.kernel.config import Settings
from bot.kernel.context import BotContext
from bot.kernel.storage import Dialog
from tests.support.people import ADMIN, DONOR, GROUP_ID, MEMBER, OTHER
from tests.support.world import cluster_with_members

STRANGER = SimUser(4041, "Orang <b>Asing</b> & Co", None, "orang_asing")
NEWBIE = SimUser(4042, "Baru", None, "baru_daftar")
PENDING = SimUser(4043, "Menunggu", None, "menunggu")
BOSS = SimUser(4051, "Wati", None, "wati_banjar")  # creator of a second cluster's group
FOREIGN = SimUser(4052, "Asep", None, "asep_banjar")  # approved representative in the second cluster
GROUP2 = -100_444_555
GENERIC_ERROR = "terjadi kesalahan"
SLOW_UPDATE_S = 2.0  # generous (a command takes milliseconds); a pasted page once held storage for 10 s  # the Indonesian of on_error's "something went wrong"
SENDS = ("sendMessage", "sendDocument", "sendPhoto")
# Tables whose rows every update may touch (update claims, who/where bookkeeping); everything else must stay
# byte-for-byte equal when a forged or stale button is pressed.
BOOKKEEPING = {"processed_updates", "users", "chats"}

# ---- the hostile material ------------------------------------------------------------------------------------

NASTY = [
    "<b>tebal</b> </code> <script>alert(1)</script> & &amp; &#x; <a href='x'>",
    "'; DROP TABLE needs; --",
    "1 OR 1=1; DELETE FROM members WHERE ''=''",
    "1e308 kg beras HSS",
    "-1e308 paket sembako HSS",
    "9" * 40 + " paket sembako HSS",
    "99999999999999999999 buah genset HSS mendesak",
    "-5 kg beras HSS",
    "0 paket sembako HSS",
    "0,0000001 ton beras HSS",
    "500 paket sembako HSS 31/12/9999",
    "500 paket sembako HSS 1/1/1900",
    "500 paket sembako HSS 31/2",
    "\u202eHSS 500 paket\u202c \u200f\u200e",
    "👩\u200d👩\u200d👧 500 paket 🍚 HSS 🇮🇩",
    "a\u200b\u200db\u0301\u0301\u0301\u20dd" * 40,
    "x" * 10_000,
    "<b>" * 2_000,
    "&" * 5_000,
    "1 " * 5_000,
    "beras " * 1_600,
    "|||||",
    "Org <i>X</i> | <b>O</b> | ngo | Bjm | <script>",
    "\n\n\n",
    "@@@ #1 %s %d {0} {name} {{}} \\x00",
    "\x00\x01\x1f\x7f",
    "²³ ٣ ۴ ४ １２",
    "hapus 99999999999999999999",
    "hapus ²",
    "status 99999999999999999999 transisi",
    "tutup ²",
    "banjir HSS 31/12/9999",
    "banjir HSS 1/1/1900",
    "#99999999999999999999 mendesak",
    "tambah @<b>x</b>",
    "1.200 jiwa 9999999 hari HSS",
    "99999999999999999999 jiwa 7 hari",
]  # fmt: skip
# Words that route to sub-commands and deep links, so the odd text reaches the branches behind them.
LEADS = [
    "", "hapus", "status", "tutup", "tambah", "saya", "mine", "lapor", "impor", "basi", "publik", "total",
    "riwayat", "bekukan", "baru", "ubah", "batal", "harian", "jadwal", "stok", "#1", "R-0001", "K-0001",
    "bantu_", "detail_", "daftar_", "lapsit_", "inv_", "st_", "stok_",
]  # fmt: skip
TAILS = [
    "", "1", "0", "-1", "²", "99999999999999999999", "9" * 400, "1e308", "nan", "inf", "31/12/9999", "1/1/1900",
    "<b>", "</code>", "&", "<script>", "'; DROP TABLE needs; --", "\u202e", "\u200d", "👍🏽", "e\u0301",
]  # fmt: skip


def _long(piece: str, size: int) -> str:
    return (piece * (size // max(1, len(piece)) + 1))[:size]


hostile_text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=120),
    st.builds(
        lambda lead, tail: (lead + tail if lead.endswith("_") else f"{lead} {tail}").strip(),
        st.sampled_from(LEADS),
        st.sampled_from(TAILS),
    ),
    st.builds(lambda parts: " ".join(parts), st.lists(st.sampled_from(TAILS + NASTY[:14]), min_size=1, max_size=5)),
    st.builds(
        _long, st.sampled_from(["x", "<b>", "&", "1 ", "\u0301", "👩\u200d👧", "HSS "]), st.integers(4_000, 10_000)
    ),
)


# ---- harness helpers -----------------------------------------------------------------------------------------


class NoFlood:
    """The flood guard answers a person typing fast once and then drops them; these tests are a script."""

    def check(self, user_id: int, now: int) -> str:
        return "ok"


@dataclass(eq=False)
class Spy:
    """An extra error handler: every exception that escaped a handler, with the input that caused it. Each case
    asserts ``errors == []`` right after the update that caused it, so a crash fails that very case (a subset
    run sees it, and Hypothesis shrinks and replays it); each case starts with an empty list."""

    errors: list[str]

    async def __call__(self, update: object, context: BotContext) -> None:
        error = context.error
        what = ""
        if isinstance(update, Update):
            if update.callback_query is not None:
                what = f"button {update.callback_query.data!r}"
            elif update.effective_message is not None:
                what = f"text {(update.effective_message.text or '')[:80]!r}"
        formatted = "".join(traceback.format_exception(error)) if error else ""
        self.errors.append(f"{what}: {formatted}")


def install(h: Harness) -> Spy:
    spy = getattr(h, "hostile_spy", None)
    if spy is None:
        h.runtime.flood_guard = NoFlood()
        spy = Spy([])
        h.app.add_error_handler(spy)
        h.hostile_spy = spy  # type: ignore[attr-defined]
    return spy


def q(h: Harness, sql: str, *params: object) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(h.runtime.db.path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def one(h: Harness, sql: str, *params: object) -> Any:
    rows = q(h, sql, *params)
    assert rows, sql
    return rows[0][0]


def failed(calls: Sequence[ApiCall]) -> list[str]:
    """Calls Telegram would reject. 'Not modified' is Telegram's answer to an edit that changes nothing, which
    the bot handles deliberately (a card refreshed with the same figures)."""
    return [f"{c.method} → {c.error}: {c.text[:160]!r}" for c in calls if c.error and "not modified" not in c.error]


def check_update(calls: list[ApiCall], chat_id: int, private: bool, what: str) -> None:
    """What must hold for every single update."""
    assert failed(calls) == [], what
    texts = [c.text for c in calls] + [
        str(c.params.get("text", "")) for c in calls if c.method == "answerCallbackQuery"
    ]
    assert not any(GENERIC_ERROR in t.lower() for t in texts), what
    if private:
        assert any(c.method in SENDS and c.chat_id == chat_id and c.error is None for c in calls), (
            f"no answer in private to {what}"
        )


def carrier(h: Harness, chat_id: int) -> StoredMessage:
    """A message of the bot in ``chat_id`` that a (forged) button can be pressed on."""
    message_id = h.api._new_id(chat_id)
    stored = StoredMessage(chat_id, message_id, "Pesan bot", "HTML", None, h.clock.timestamp())
    h.api.messages[(chat_id, message_id)] = stored
    return stored


def last_private(h: Harness, user: SimUser) -> StoredMessage:
    call = h.api.last(user.id)
    return h.api.message(user.id, call.result["message_id"])


def invariants(h: Harness) -> None:
    """Nothing invalid was stored, whatever was typed."""
    conn = sqlite3.connect(h.runtime.db.path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:  # generic: no NULL in a NOT NULL column, whatever features exist
            for column in conn.execute(f"PRAGMA table_info({table})").fetchall():
                if column[3]:
                    nulls = conn.execute(f'SELECT COUNT(*) FROM {table} WHERE "{column[1]}" IS NULL').fetchone()[0]
                    assert nulls == 0, (table, column[1])
        checks = {
            "needs with a quantity out of range": "SELECT COUNT(*) FROM needs WHERE NOT (quantity > 0 AND quantity <= 1e9)",
            "needs without an item or unit": "SELECT COUNT(*) FROM needs WHERE trim(item_name) = '' OR trim(unit) = ''",
            "needs with odd totals": "SELECT COUNT(*) FROM needs WHERE pledged < 0 OR sent < 0 OR received < 0",
            "needs due before 1970 or after 2200": "SELECT COUNT(*) FROM needs WHERE needed_by < 0 OR needed_by > 7258118400",
            "needs with a wild beneficiary count": "SELECT COUNT(*) FROM needs WHERE beneficiaries <= 0 OR beneficiaries > 100000000",
            "offers with a quantity out of range": "SELECT COUNT(*) FROM offers WHERE NOT (quantity > 0 AND quantity <= 1e9) OR committed < 0",
            "pledges with a quantity out of range": "SELECT COUNT(*) FROM pledges WHERE NOT (quantity > 0 AND quantity <= 1e9)",
            "stock out of range": "SELECT COUNT(*) FROM stock WHERE NOT (quantity >= 0 AND quantity <= 1e9) OR trim(item_name) = ''",
            "organisations with a bad name": "SELECT COUNT(*) FROM organizations WHERE length(trim(name)) < 2 OR length(name) > 120 OR length(short_name) > 30",
            "members with an over-long title": "SELECT COUNT(*) FROM members WHERE length(title) > 80",
            "capacities with a bad name": "SELECT COUNT(*) FROM capacities WHERE trim(name) = '' OR length(name) > 80 OR quantity < 0",
            "incidents without a region": "SELECT COUNT(*) FROM incidents WHERE region_codes = '' OR trim(title) = ''",
        }  # fmt: skip
        for label, sql in checks.items():
            assert conn.execute(sql).fetchone() == (0,), label
        # Running totals equal the pledges they summarise.
        drift = conn.execute(
            "SELECT n.id FROM needs n LEFT JOIN pledges p ON p.need_id = n.id AND p.status != 'cancelled' "
            "GROUP BY n.id HAVING abs(n.pledged - COALESCE(SUM(p.quantity), 0)) > 1e-6"
        ).fetchall()
        assert drift == [], "pledged totals drifted"
    finally:
        conn.close()


def snapshot(h: Harness) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(h.runtime.db.path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables if t not in BOOKKEEPING}
    finally:
        conn.close()


def changed(before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    return [t for t in sorted(set(before) | set(after)) if before.get(t) != after.get(t)]


# ---- the world -----------------------------------------------------------------------------------------------


@dataclass
class World:
    need: int
    pledge: int
    offer: int
    stock: int
    code_handover: int
    dialogs: list[tuple[SimUser, int, Dialog, str]]
    need2: int = 0
    pending2: int = 0


async def _dialog(h: Harness, user: SimUser, chat_id: int) -> Dialog | None:
    return await h.runtime.db.read(core_repo.get_dialog, chat_id, user.id)


async def _walk(h: Harness, user: SimUser, steps: list[str], found: dict[tuple[str, str], Any], label: str) -> None:
    """Walk one guided flow in private; every distinct (kind, step) reached is recorded with its stored state."""
    await h.sim.send(user, text="/batal")
    for step in steps:
        if step.startswith("press "):
            await h.sim.press(user, last_private(h, user), data=step.removeprefix("press "))
        else:
            await h.sim.send(user, text=step)
        dialog = await _dialog(h, user, user.id)
        if dialog is not None:
            found.setdefault((dialog.kind, dialog.step), (user, user.id, dialog, f"{label}: {step}"))
    await h.sim.send(user, text="/batal")


async def build_world(h: Harness, second_cluster: bool = False) -> World:
    install(h).errors.clear()  # each case (and each Hypothesis example) starts clean
    world = getattr(h, "hostile_world", None)
    if world is not None:
        return world
    api = h.api
    for user in (DONOR, STRANGER, NEWBIE, PENDING):
        api.set_member(GROUP_ID, user.json(), "member")
    await cluster_with_members(h)
    await h.sim.send(PENDING, text="/daftar Relawan Uji | RU | ngo | Bjb | Koordinator")
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 500 paket sembako HSS mendesak untuk 120 KK besok")
    need = one(h, "SELECT MAX(id) FROM needs")
    await h.sim.send(OTHER, text=f"/start bantu_{need}")
    await h.sim.send(OTHER, text="100")
    pledge = one(h, "SELECT MAX(id) FROM pledges")
    await h.sim.send(DONOR, GROUP_ID, "/tawar 2 ton beras Banjarmasin sampai 30/9")
    offer = one(h, "SELECT MAX(id) FROM offers")
    await h.sim.send(MEMBER, text="/kapasitas kendaraan perahu karet 4 HSS")
    await h.sim.send(MEMBER, text="/stok beras 100 kg gudang Banjarbaru")
    stock = one(h, "SELECT MAX(id) FROM stock")
    await h.sim.send(MEMBER, text="/serahterima")
    code_handover = one(h, "SELECT MAX(id) FROM handovers WHERE code IS NOT NULL")
    await h.sim.send(STRANGER, GROUP_ID, "/bantuan")  # the bot learns the stranger's username
    # Every step of the known guided flows, recorded as stored dialog rows.
    found: dict[tuple[str, str], Any] = {}
    paths = [
        ("need", MEMBER, ["/butuh", "air mineral", "1.000 dus", "Batola kec. Alalak", "press nf:prio:2",
                          "press nf:when:1", "300 jiwa"]),
        ("offer", MEMBER, ["/tawar"]),
        ("pledge", OTHER, [f"/start bantu_{need}"]),
        ("registration", NEWBIE, ["/daftar", "Yayasan Uji Coba", "YUC", "press reg:type:ngo", "press reg:reg:63.71",
                                  "Staf Logistik"]),
        ("registration duplicate", NEWBIE, ["/daftar", "Palang Merah Indonesia Kalsel"]),
        ("stock", MEMBER, ["/stok lapor", "beras", "100 kg", "Banjarbaru", "Gudang A", "12/2026", "baik"]),
        ("stock without expiry", MEMBER, ["/stok lapor", "terpal", "20 lembar", "press sf:reg:63.72", "press sf:loc:-"]),
        ("stock import", ADMIN, ["/stok impor"]),
    ]  # fmt: skip
    for label, user, steps in paths:
        await _walk(h, user, steps, found, label)
    await h.sim.send(MEMBER, text="/stok saya")
    await h.sim.press(MEMBER, carrier(h, MEMBER.id), data=f"sk:add:{stock}")
    dialog = await _dialog(h, MEMBER, MEMBER.id)
    if dialog is not None:
        found.setdefault((dialog.kind, dialog.step), (MEMBER, MEMBER.id, dialog, "stock adjust"))
    await h.sim.send(MEMBER, text="/batal")
    # Any command that opens a conversation when sent bare (features added later included).
    for spec in h.runtime.commands:
        for user in (MEMBER, ADMIN, STRANGER):
            await h.sim.send(user, text=f"/{spec.name}")
            dialog = await _dialog(h, user, user.id)
            if dialog is not None:
                found.setdefault((dialog.kind, dialog.step), (user, user.id, dialog, f"/{spec.name}"))
            await h.runtime.db.write(core_repo.clear_dialog, user.id, user.id)
    world = World(need, pledge, offer, stock, code_handover, [(u, c, d, label) for u, c, d, label in found.values()])
    if second_cluster:
        api.set_member(GROUP2, BOSS.json(), "creator")
        api.set_member(GROUP2, FOREIGN.json(), "member")
        api.set_bot_rights(GROUP2)
        await h.sim.send(BOSS, GROUP2, "/pasang Klaster Kabupaten Banjar")
        cluster2 = one(h, "SELECT id FROM clusters WHERE chat_id = ?", GROUP2)
        await h.sim.send(FOREIGN, text=f"/start daftar_{cluster2}")
        await h.sim.send(FOREIGN, text="/daftar Basarnas Banjar | Basarnas | basarnas | Kab Banjar | Kepala Seksi")
        await h.sim.press(BOSS, h.api.last(GROUP2), text="✅ Setujui")
        await h.sim.send(FOREIGN, GROUP2, "/butuh 10 buah genset Kab Banjar")
        world.need2 = one(h, "SELECT MAX(id) FROM needs WHERE cluster_id = ?", cluster2)
        await h.sim.send(NEWBIE, text=f"/start daftar_{cluster2}")
        await h.sim.send(NEWBIE, text="/daftar Toko Uji | TU | usaha | Kab Banjar | Pemilik")
        world.pending2 = one(h, "SELECT MAX(id) FROM members WHERE cluster_id = ? AND status = 'pending'", cluster2)
    spy = install(h)
    assert spy.errors == [], spy.errors
    assert failed(api.calls) == []
    h.api.clear()
    h.hostile_world = world  # type: ignore[attr-defined]
    return world


# ---- commands ------------------------------------------------------------------------------------------------


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hostile_text)
@example(text="bekukan")
@example(text="hapus 99999999999999999999")
@example(text="daftar_99999999999999999999")
@example(text="bantu_²")
@example(text="#99999999999999999999 mendesak")
@example(text="status ² transisi")
@example(text="basi ²")
@example(text="<b>" * 2_000)
@example(text="beras " * 1_600)
@example(text="1 " * 5_000)
async def test_every_command_survives_hostile_arguments(h: Harness, text: str) -> None:
    await build_world(h)
    spy = install(h)
    names = sorted({spec.name for spec in h.runtime.commands})
    for name in names:
        for user in (MEMBER, STRANGER, ADMIN):
            for chat_id in (user.id, GROUP_ID):
                line = f"/{name} {text}"
                started = time.perf_counter()
                calls = await h.sim.send(user, chat_id, line)
                elapsed = time.perf_counter() - started
                what = f"{user.first_name} in {chat_id}: {line[:120]!r}"
                check_update(calls, chat_id, chat_id > 0, what)
                # Storage runs on one thread: an update that takes seconds stalls every other member's request.
                assert elapsed < SLOW_UPDATE_S, f"{what} took {elapsed:.1f} s"
                assert spy.errors == [], spy.errors
        await h.runtime.db.write(_clear_dialogs)
    invariants(h)
    h.api.clear()


def _clear_dialogs(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM dialogs")


async def test_every_deep_link_survives_odd_payloads(h: Harness) -> None:
    """``/start <prefix>_<arg>`` for every registered deep link (features added later included)."""
    await build_world(h)
    spy = install(h)
    prefixes = sorted(h.runtime.deeplinks)
    assert {"daftar", "bantu", "detail", "lapsit", "inv", "st", "stok"} <= set(prefixes)
    args = ["", "0", "-1", "99999999999999999999", "9" * 60, "²", "١", "1e308", "<b>", "&", "'; DROP TABLE x; --",
            "\u202e1", "1_2", "saya", "lapor", "a" * 200,
            *(f"{kind}{sep}{n}" for kind in ("new", "ics", "x") for sep in "-_:" for n in ("99999999999999999999", "²"))]  # fmt: skip
    for prefix in prefixes:
        for arg in args:
            for user in (MEMBER, STRANGER, ADMIN):
                calls = await h.sim.send(user, text=f"/start {prefix}_{arg}")
                check_update(calls, user.id, True, f"/start {prefix}_{arg[:40]}")
                assert spy.errors == [], spy.errors
        await h.runtime.db.write(_clear_dialogs)
    invariants(h)


# ---- guided conversations ------------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hostile_text)
@example(text="x" * 10_000)
@example(text="<b>HSS</b> & </code>")
@example(text="1e308")
@example(text="-5 kg")
@example(text="0")
@example(text="99999999999999999999 jiwa")
@example(text="31/12/9999")
@example(text="1/1/1900")
@example(text="'; DROP TABLE needs; --")
async def test_every_dialog_step_survives_hostile_answers(h: Harness, text: str) -> None:
    if not text.strip():
        return  # Telegram delivers no empty or blank text messages
    world = await build_world(h)
    spy = install(h)
    kinds = {d.kind for _, _, d, _ in world.dialogs}
    assert {"need", "offer", "pledge", "register", "stock", "stock_adjust", "stock_import"} <= kinds
    for user, chat_id, dialog, label in world.dialogs:
        await h.runtime.db.write(
            core_repo.set_dialog, chat_id, user.id, dialog.kind, dialog.step, dict(dialog.data),
            h.clock.timestamp() + 600,
        )  # fmt: skip
        calls = await h.sim.send(user, chat_id, text)
        what = f"{dialog.kind}/{dialog.step} ({label}) ← {text[:120]!r}"
        if text.startswith("/"):
            assert failed(calls) == [], what  # a command: the command test covers the answer
        else:
            check_update(calls, chat_id, chat_id > 0, what)
        assert spy.errors == [], spy.errors
    await h.runtime.db.write(_clear_dialogs)
    invariants(h)
    h.api.clear()


async def test_every_dialog_kind_is_reached(h: Harness) -> None:
    """The dialog walk reaches every step of the known flows (so the property above really covers them)."""
    world = await build_world(h)
    steps = {(d.kind, d.step) for _, _, d, _ in world.dialogs}
    assert {("need", s) for s in ("item", "qty", "region", "prio", "when", "people", "confirm")} <= steps
    assert {("register", s) for s in ("name", "short", "type", "region", "title", "confirm", "dup")} <= steps
    assert {("stock", s) for s in ("item", "quantity", "region", "location", "expiry", "condition", "confirm")} <= steps
    assert {("offer", "line"), ("pledge", "amount"), ("stock_adjust", "amount"), ("stock_import", "file")} <= steps


# ---- forged, foreign, stale and replayed buttons -------------------------------------------------------------


def _callback_prefixes() -> list[str]:
    app = build_application(Settings(db_path=Path(":memory:")), request=FakeBotApi(), rate_limit=False)
    prefixes: set[str] = set()
    for handlers in app.handlers.values():
        for handler in handlers:
            pattern = getattr(handler, "pattern", None)
            if isinstance(handler, CallbackQueryHandler) and pattern is not None:
                source = getattr(pattern, "pattern", str(pattern)).lstrip("^")
                found = re.fullmatch(r"\(([\w|]+)\)(.*)", source)
                sources = [alt + found.group(2) for alt in found.group(1).split("|")] if found else [source]
                for one_source in sources:  # "ag:fs?:" → "ag:f:", "ag:fs:"
                    optional = re.fullmatch(r"(.*?)(\w)\?(.*)", one_source)
                    if optional:
                        prefixes.update({optional.group(1) + optional.group(3), "".join(optional.groups())})
                    else:
                        prefixes.add(one_source)
    return sorted(p for p in prefixes if re.fullmatch(r"[\w:]+", p))


PREFIXES = _callback_prefixes()
ID_TOKENS = ["0", "1", "2", "3", "-1", "999999", "99999999999999999999", "²", "١", "1e308", "nan", "inf", "-",
             "y", "n", "ok", "x", "q", "o", "wd", "done", "cancel", "help", "sent", "recv", "63.06", ",,,,,"]  # fmt: skip


# Second parts of callback data across the features (actions); "q"/"o" are the pledge buttons' kinds.
ACTION_WORDS = ["wd", "done", "cancel", "help", "info", "sent", "recv", "y", "n", "ok", "x", "join", "type", "reg",
                "add", "sub", "zero", "del", "v", "pg", "i", "q", "o", "1"]  # fmt: skip


def _fits(data: str) -> bool:
    return 1 <= len(data.encode()) <= 64


forged_data = st.one_of(
    st.text(min_size=1, max_size=64).filter(_fits),
    st.builds(lambda prefix, parts: prefix + ":".join(parts), st.sampled_from(PREFIXES),
              st.lists(st.one_of(st.sampled_from(ID_TOKENS), st.text(max_size=6)), max_size=4)).filter(_fits),
)  # fmt: skip


async def _press(h: Harness, user: SimUser, chat_id: int, data: str) -> list[ApiCall]:
    return await h.sim.press(user, carrier(h, chat_id), data=data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=forged_data, who=st.sampled_from(["stranger", "pending"]), where=st.sampled_from(["group", "private"]))
async def test_forged_callback_data_changes_nothing(h: Harness, data: str, who: str, where: str) -> None:
    await build_world(h, second_cluster=True)
    spy = install(h)
    user = {"stranger": STRANGER, "pending": PENDING}[who]
    chat_id = GROUP_ID if where == "group" else user.id
    before = snapshot(h)
    calls = await _press(h, user, chat_id, data)
    assert failed(calls) == [], data
    assert any(c.method == "answerCallbackQuery" for c in calls), f"{data!r} was not answered"
    assert spy.errors == [], spy.errors
    assert not any(GENERIC_ERROR in str(c.params.get("text", "")).lower() + c.text.lower() for c in calls), data
    assert changed(before, snapshot(h)) == [], data
    h.api.clear()


async def test_out_of_range_and_odd_numbers_in_every_callback(h: Harness) -> None:
    """Every registered callback prefix with numbers SQLite cannot hold, digits int() refuses, and the rest,
    pressed by a stranger, an approved representative and the secretariat (who get past the role checks)."""
    await build_world(h, second_cluster=True)
    spy = install(h)
    numbers = ["99999999999999999999", "²"]
    tails = [*numbers, "١", "-1", "0", "1e308", "nan", " 1", "1:99999999999999999999", "99999999999999999999:1",
             "1:1:99999999999999999999", "1:²", "", "q:99999999999999999999:5", "q:²:5", "o:1:99999999999999999999",
             "o:1:²", "1:99999999999999999999:y", "99999999999999999999:1:y", "1:²:y",
             *(f"{w}:{n}" for w in ACTION_WORDS for n in numbers),
             *(f"{n}:{w}" for n in numbers for w in ("y", "n", "1", "go", "no", "done", "in_progress"))]  # fmt: skip
    for prefix in PREFIXES:
        before = snapshot(h)
        for tail in tails:
            data = prefix + tail
            if not _fits(data):
                continue
            for user, chat_id in ((STRANGER, GROUP_ID), (MEMBER, MEMBER.id), (ADMIN, GROUP_ID)):
                calls = await _press(h, user, chat_id, data)
                assert failed(calls) == [], data
                assert any(c.method == "answerCallbackQuery" for c in calls), data
                assert spy.errors == [], spy.errors
        assert changed(before, snapshot(h)) == [], prefix


async def test_foreign_ids_and_other_peoples_buttons_change_nothing(h: Harness) -> None:
    """Structurally valid data naming something that is not the presser's: another cluster's need or member,
    another organisation's pledge, offer or stock line, a handover meant to be taken with a code."""
    w = await build_world(h, second_cluster=True)
    spy = install(h)
    stranger_pledge = 999_999
    cases: list[tuple[SimUser, int, str]] = [
        (ADMIN, GROUP_ID, f"nd:done:{w.need2}"),  # cluster 1's secretariat, cluster 2's need
        (ADMIN, GROUP_ID, f"nd:cancel:{w.need2}"),
        (MEMBER, GROUP_ID, f"pl:q:{w.need2}:5"),
        (BOSS, GROUP2, f"nd:done:{w.need}"),  # cluster 2's secretariat, cluster 1's need, from its own group
        (BOSS, GROUP2, f"of:wd:{w.offer}"),  # … cluster 1's offer
        (BOSS, BOSS.id, f"pg:recv:{w.pledge}"),
        (FOREIGN, GROUP2, f"nd:help:{w.need}"),
        (FOREIGN, FOREIGN.id, f"pg:sent:{w.pledge}"),
        (ADMIN, GROUP_ID, f"appr:{w.pending2}:y"),  # approving a registration of another cluster
        (MEMBER, MEMBER.id, f"pg:sent:{w.pledge}"),  # the need's organisation cannot send the pledger's goods
        (MEMBER, MEMBER.id, f"pg:cancel:{w.pledge}"),
        (OTHER, OTHER.id, f"pg:recv:{w.pledge}"),  # the pledger cannot confirm its own delivery
        (OTHER, GROUP_ID, f"nd:done:{w.need}"),
        (MEMBER, GROUP_ID, f"of:wd:{w.offer}"),
        (MEMBER, MEMBER.id, f"pl:o:{w.need}:{w.offer}"),  # pledging from another organisation's offer
        (OTHER, OTHER.id, f"sk:del:{w.stock}"),  # another organisation's stock line
        (OTHER, OTHER.id, f"sk:zero:{w.stock}"),
        (OTHER, OTHER.id, f"sp:{w.need}:{w.stock}"),
        (OTHER, OTHER.id, f"sd:y:{w.pledge}"),
        (OTHER, OTHER.id, f"sr:ok:{one(h, 'SELECT organization_id FROM stock WHERE id = ?', w.stock)}"),
        (STRANGER, STRANGER.id, f"ho:{w.code_handover}:y"),  # the code is the secret, not the id
        (STRANGER, STRANGER.id, f"ho:{w.code_handover}:n"),
        (OTHER, OTHER.id, f"ho:{w.code_handover}:n"),
        (STRANGER, STRANGER.id, f"pg:cancel:{stranger_pledge}"),
        (MEMBER, GROUP_ID, "hc:1000:7:63.06"),  # the calculator's button is the secretariat's
        (MEMBER, MEMBER.id, "reg:ok"),  # a registration button without a registration
        (MEMBER, MEMBER.id, "nf:ok"),
        (MEMBER, MEMBER.id, "sf:ok"),
        (STRANGER, GROUP_ID, "lang:en"),  # the group's language is the secretariat's
        (MEMBER, GROUP_ID, "lang:en"),
    ]
    for user, chat_id, data in cases:
        before = snapshot(h)
        calls = await _press(h, user, chat_id, data)
        assert failed(calls) == [], data
        assert any(c.method == "answerCallbackQuery" for c in calls), data
        assert spy.errors == [], spy.errors
        assert changed(before, snapshot(h)) == [], f"{user.first_name} pressing {data} in {chat_id} changed something"


async def test_stale_and_replayed_buttons_change_nothing_the_second_time(h: Harness) -> None:
    w = await build_world(h, second_cluster=True)
    spy = install(h)
    pending_member = one(h, "SELECT id FROM members WHERE user_id = ? AND status = 'pending'", PENDING.id)
    legit: list[tuple[SimUser, int, str]] = [
        (ADMIN, GROUP_ID, f"appr:{pending_member}:y"),
        (OTHER, OTHER.id, f"pg:sent:{w.pledge}"),
        (MEMBER, MEMBER.id, f"pg:recv:{w.pledge}"),
        (DONOR, GROUP_ID, f"of:wd:{w.offer}"),
        (MEMBER, GROUP_ID, f"nd:done:{w.need}"),
    ]
    for user, chat_id, data in legit:
        before = snapshot(h)
        calls = await _press(h, user, chat_id, data)
        assert failed(calls) == [] and spy.errors == [], data
        assert changed(before, snapshot(h)) != [], f"the first {data} should have acted"
        for _ in range(2):  # replayed: the same tap again, and a duplicate delivery of it
            before = snapshot(h)
            calls = await _press(h, user, chat_id, data)
            assert failed(calls) == [] and spy.errors == [], data
            assert any(c.method == "answerCallbackQuery" for c in calls), data
            assert changed(before, snapshot(h)) == [], f"replayed {data} changed something"
    # A dialog's buttons after the dialog was cancelled, and after it timed out.
    await h.sim.send(MEMBER, text="/butuh")
    await h.sim.send(MEMBER, text="terpal")
    await h.sim.send(MEMBER, text="10 lembar")
    prompt = last_private(h, MEMBER)
    await h.sim.send(MEMBER, text="/batal")
    for data in ("nf:reg:63.06", "nf:prio:1", "nf:ok"):
        before = snapshot(h)
        calls = await h.sim.press(MEMBER, prompt, data=data)
        assert any(c.method == "answerCallbackQuery" for c in calls) and failed(calls) == []
        assert changed(before, snapshot(h)) == [], data
    invariants(h)


async def test_duplicate_delivery_of_a_hostile_update_changes_nothing(h: Harness) -> None:
    await build_world(h)
    spy = install(h)
    update_id = h.sim.next_update_id()
    await h.sim.send(MEMBER, GROUP_ID, "/butuh 5 buah genset HSS <b>segera</b> & cepat", update_id=update_id)
    before = snapshot(h)
    calls = await h.sim.send(MEMBER, GROUP_ID, "/butuh 5 buah genset HSS <b>segera</b> & cepat", update_id=update_id)
    assert calls == [] and spy.errors == []
    assert changed(before, snapshot(h)) == []


def test_hypothesis_failures_reproduce() -> None:
    """tests/conftest.py's profile: the failing example's blob is printed; under CI the run is derandomized."""
    current = settings()
    assert current.print_blob
    if os.environ.get("CI") == "true" and not os.environ.get("HYPOTHESIS_PROFILE"):
        assert current.derandomize
