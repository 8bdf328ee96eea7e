"""The demo cluster: Klaster Logistik Kalimantan Selatan, its member organisations and their people.

Dev tooling for ``klasterbot demo`` (and tests that want a populated cluster): it writes straight
into the existing tables with a few plain INSERTs, as if the secretariat had already set the group
up with /pasang and approved the members. The organisations are modelled on the kind of agencies
that sit in the real cluster; the people and the company are fictional.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.devtools.sim import SimUser
from bot.kernel.sql import Conn

DEMO_GROUP_ID = -1001000000001
DEMO_GROUP_TITLE = "Klaster Logistik Kalimantan Selatan"
DEMO_AREA = "Provinsi Kalimantan Selatan"
DEMO_TIMEZONE = "Asia/Makassar"
DEMO_LOCALE = "id"


@dataclass(frozen=True)
class DemoOrg:
    key: str
    name: str
    short_name: str
    type: str  # opd, tni, polri, bmkg, basarnas, bumn, usaha, ngo
    region_code: str  # Kemendagri kabupaten/kota code


@dataclass(frozen=True)
class DemoPerson:
    user: SimUser
    org_key: str | None  # None: not a member of the cluster (a guest in the group)
    title: str = ""
    group_status: str = "member"  # the Telegram status in the group: creator, administrator, member
    secretariat: bool = False

    @property
    def name(self) -> str:
        return self.user.first_name


@dataclass(frozen=True)
class DemoWorld:
    group_id: int
    group_title: str
    timezone: str
    orgs: tuple[DemoOrg, ...]
    people: tuple[DemoPerson, ...]

    @property
    def users(self) -> list[SimUser]:
        return [p.user for p in self.people]

    def person(self, user_id: int) -> DemoPerson | None:
        return next((p for p in self.people if p.user.id == user_id), None)

    def org(self, key: str | None) -> DemoOrg | None:
        return next((o for o in self.orgs if o.key == key), None)


ORGS = (
    DemoOrg("bpbd", "BPBD Provinsi Kalimantan Selatan", "BPBD Kalsel", "opd", "63.72"),
    DemoOrg("dinsos", "Dinas Sosial Provinsi Kalimantan Selatan", "Dinsos Kalsel", "opd", "63.72"),
    DemoOrg("bpbd_banjar", "BPBD Kabupaten Banjar", "BPBD Banjar", "opd", "63.03"),
    DemoOrg("pmi", "PMI Provinsi Kalimantan Selatan", "PMI Kalsel", "ngo", "63.71"),
    DemoOrg("basarnas", "Kantor Pencarian dan Pertolongan Banjarmasin", "Basarnas Banjarmasin", "basarnas", "63.71"),
    DemoOrg("bmkg", "BMKG Stasiun Meteorologi Syamsudin Noor", "BMKG Kalsel", "bmkg", "63.72"),
    DemoOrg("bulog", "Perum Bulog Kantor Wilayah Kalimantan Selatan", "Bulog Kalsel", "bumn", "63.71"),
    DemoOrg("swasta", "PT Banua Angkutan Sejahtera", "PT Banua Angkutan", "usaha", "63.03"),
    DemoOrg("mdmc", "MDMC Kalimantan Selatan", "MDMC Kalsel", "ngo", "63.71"),
    # Represented by nobody right now: the unit stays a member while its officials rotate.
    DemoOrg("korem", "Korem 101/Antasari", "Korem 101", "tni", "63.71"),
    DemoOrg("polda", "Polda Kalimantan Selatan", "Polda Kalsel", "polri", "63.71"),
)

PEOPLE = (
    DemoPerson(
        SimUser(6300001, "Rina", "Hidayati", "rina_bpbd"),
        "bpbd",
        "Kepala Seksi Logistik",
        group_status="creator",
        secretariat=True,
    ),
    DemoPerson(SimUser(6300002, "Budi", "Santoso", "budi_pmi"), "pmi", "Koordinator Gudang"),
    DemoPerson(SimUser(6300003, "Sari", "Rahmawati", "sari_dinsos"), "dinsos", "Penyuluh Sosial"),
    DemoPerson(SimUser(6300004, "Andi", "Pratama", "andi_sar"), "basarnas", "Kepala Seksi Operasi dan Siaga"),
    DemoPerson(SimUser(6300005, "Dewi", "Lestari", "dewi_bmkg"), "bmkg", "Prakirawan Cuaca"),
    DemoPerson(SimUser(6300006, "Joko", "Susilo", "joko_bulog"), "bulog", "Staf Operasional dan Pelayanan Publik"),
    DemoPerson(SimUser(6300007, "Wulan", "Anggraini", "wulan_banua"), "swasta", "Manajer CSR"),
    DemoPerson(SimUser(6300008, "Fajar", "Ramadhan", "fajar_mdmc"), "mdmc", "Koordinator Relawan"),
    DemoPerson(SimUser(6300009, "Tamu", None, "tamu_demo"), None),
)

# (organisation key, kind, name, quantity (a count, or m² for a warehouse), region code, location, note)
CAPACITIES = (
    ("bpbd", "warehouse", "gudang logistik", 600.0, "63.72", "Banjarbaru", ""),
    ("bpbd", "vehicle", "truk logistik", 3.0, "63.72", "Banjarbaru", ""),
    ("dinsos", "equipment", "dapur umum lapangan", 2.0, "63.72", "Banjarbaru", ""),
    ("dinsos", "topic", "manajemen dapur umum", None, None, "", ""),
    ("pmi", "vehicle", "truk tangki air", 2.0, "63.71", "Banjarmasin", "5.000 liter"),
    ("pmi", "personnel", "relawan KSR", 45.0, "63.71", "Banjarmasin", ""),
    ("basarnas", "equipment", "perahu karet", 6.0, "63.71", "Banjarmasin", ""),
    ("basarnas", "personnel", "tim SAR air", 24.0, "63.71", "Banjarmasin", ""),
    ("basarnas", "topic", "evakuasi korban banjir", None, None, "", ""),
    ("bmkg", "topic", "membaca peringatan dini cuaca", None, None, "", ""),
    ("bulog", "warehouse", "gudang beras", 3500.0, "63.71", "Banjarmasin", "cadangan beras pemerintah"),
    ("swasta", "vehicle", "truk 8 ton", 4.0, "63.03", "Martapura", ""),
    ("mdmc", "personnel", "relawan", 40.0, "63.71", "Banjarmasin", ""),
    ("mdmc", "topic", "layanan psikososial", None, None, "", ""),
)


def demo_world() -> DemoWorld:
    """The demo's cast, without touching a database (a reopened demo database already holds it)."""
    return DemoWorld(DEMO_GROUP_ID, DEMO_GROUP_TITLE, DEMO_TIMEZONE, ORGS, PEOPLE)


def _norm(name: str) -> str:
    """Lower-case, accents and punctuation removed, whitespace collapsed (as duplicate detection expects)."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _seed(conn: Conn, now: int) -> None:
    secretariat = next(p for p in PEOPLE if p.secretariat)
    conn.execute(
        "INSERT INTO chats (chat_id, type, title, locale, updated_at) VALUES (?, 'supergroup', ?, ?, ?)",
        (DEMO_GROUP_ID, DEMO_GROUP_TITLE, DEMO_LOCALE, now),
    )
    cluster_id = conn.execute(
        "INSERT INTO clusters (chat_id, name, area, province, timezone, locale, created_by, created_at) "
        "VALUES (?, ?, ?, '63', ?, ?, ?, ?) RETURNING id",
        (DEMO_GROUP_ID, DEMO_GROUP_TITLE, DEMO_AREA, DEMO_TIMEZONE, DEMO_LOCALE, secretariat.user.id, now),
    ).fetchone()[0]
    org_ids: dict[str, int] = {}
    for org in ORGS:
        org_ids[org.key] = conn.execute(
            "INSERT INTO organizations (cluster_id, name, short_name, norm_name, type, region_code, status, "
            "created_at, decided_at, decided_by, last_activity) VALUES (?, ?, ?, ?, ?, ?, 'approved', ?, ?, ?, ?) "
            "RETURNING id",
            (cluster_id, org.name, org.short_name, _norm(org.name), org.type, org.region_code,
             now, now, secretariat.user.id, now),
        ).fetchone()[0]  # fmt: skip
    for person in PEOPLE:
        user = person.user
        conn.execute(
            "INSERT INTO users (user_id, first_name, last_name, username, updated_at) VALUES (?, ?, ?, ?, ?)",
            (user.id, user.first_name, user.last_name, user.username, now),
        )
        conn.execute(
            "INSERT INTO chats (chat_id, type, title, updated_at) VALUES (?, 'private', NULL, ?)", (user.id, now)
        )
        if person.org_key is not None:
            conn.execute(
                "INSERT INTO members (cluster_id, user_id, organization_id, title, status, joined_at) "
                "VALUES (?, ?, ?, ?, 'active', ?)",
                (cluster_id, user.id, org_ids[person.org_key], person.title, now),
            )
        if person.secretariat:
            conn.execute(
                "INSERT INTO secretariat (cluster_id, user_id, added_by, added_at) VALUES (?, ?, ?, ?)",
                (cluster_id, user.id, user.id, now),
            )
    for org_key, kind, name, quantity, region, location, note in CAPACITIES:
        conn.execute(
            "INSERT INTO capacities (organization_id, kind, name, norm_name, quantity, region_code, location, note, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (org_ids[org_key], kind, name, _norm(name), quantity, region, location, note, now),
        )


def seed_demo(conn: sqlite3.Connection, now: int) -> DemoWorld:
    """Write the demo cluster into a migrated, empty database in one transaction; returns its cast.

    Not idempotent by design: ``klasterbot demo --reset`` deletes the database file first.
    """
    own_transaction = not conn.in_transaction
    if own_transaction:
        conn.execute("BEGIN")  # the first statement writes: the write lock is taken at once either way
    try:
        _seed(conn, now)
    except BaseException:
        if own_transaction:
            conn.execute("ROLLBACK")
        raise
    if own_transaction:
        conn.execute("COMMIT")
    return demo_world()


def seed_script(now: datetime, timezone: str) -> list[str]:
    """What the cast did in the last days, typed through the real bot on the demo's first run, so /lapsit,
    /kebutuhan, /cari, /ekspor and the digest have something to show: an incident, needs (one with a
    pledge that is on its way), offers, stock reports and a coordination meeting. Dates come from ``now``."""
    today = now.astimezone(ZoneInfo(timezone))
    started = today - timedelta(days=2)
    return [
        ":as rina",
        ":chat grup",
        f"/kejadian banjir HSS, HST tanggap darurat {started.day}/{started.month}",
        "/ringkasan jadwal harian 07.00",
        ":as budi",
        ":chat grup",
        "/butuh 200 lembar terpal HSS mendesak untuk 80 KK",
        ":as sari",
        ":chat grup",
        "/butuh 500 paket sembako HST tinggi untuk 120 KK",
        ":as joko",
        ":chat grup",
        ":press 1",  # 🤝 Saya bantu on Sari's card: the private chat opens and asks how much
        "150",
        ":press 1",  # sent
        ":chat grup",
        "/tawar 5 ton beras Banjarmasin",
        ":as andi",
        ":chat grup",
        "/tawar 2 unit perahu karet Banjarmasin",
        ":as budi",
        ":chat pribadi",
        "/stok perahu karet 3 unit gudang Banjarmasin",
        "/stok selimut 400 lembar gudang Banjarmasin",
        ":as joko",
        ":chat pribadi",
        "/stok beras 2.500 kg gudang Banjarmasin",
        ":as sari",
        ":chat pribadi",
        "/stok selimut 250 lembar gudang Banjarbaru",
        "/stok beras 800 kg gudang Banjarbaru",
        ":as fajar",
        ":chat pribadi",
        "/stok selimut 150 lembar posko Banjarmasin",
        "/stok beras 300 kg posko Banjarmasin",
        ":as rina",
        ":chat grup",
        "/agenda baru rapat koordinasi | Rakor logistik banjir | besok 14.00 | 2 jam | Posko BPBD Kalsel",
    ]


def has_cluster(conn: Conn) -> bool:
    return conn.execute("SELECT 1 FROM clusters LIMIT 1").fetchone() is not None


__all__ = [
    "DEMO_GROUP_ID",
    "DemoOrg",
    "DemoPerson",
    "DemoWorld",
    "demo_world",
    "has_cluster",
    "seed_demo",
    "seed_script",
]
