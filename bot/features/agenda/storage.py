"""SQL for events, series, speakers, RSVPs and feedback (see migration 0009); the people to tell (also the work
plan's) and the per-cluster numbering (A-0001, R-0001)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.kernel import sql
from bot.kernel.sql import Conn, Row

# ---- rows -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    id: int
    cluster_id: int
    number: int
    type: str
    title: str
    starts_at: int
    duration_min: int
    place: str
    description: str
    materials: str
    series_id: int | None
    occurrence_at: int
    status: str
    cancel_reason: str
    chat_id: int | None
    message_id: int | None
    sequence: int
    created_by: int
    created_at: int
    updated_at: int

    @property
    def code(self) -> str:
        return f"A-{self.number:04d}"

    @property
    def ends_at(self) -> int:
        return self.starts_at + self.duration_min * 60


@dataclass(frozen=True)
class Speaker:
    organization_id: int
    name: str
    short_name: str
    status: str

    @property
    def label(self) -> str:
        return self.short_name or self.name


@dataclass(frozen=True)
class Recipient:
    """Someone to tell privately, in their own language when they chose one."""

    user_id: int
    locale: str | None
    name: str = ""
    org_label: str = ""


def _event(row: Row | None) -> Event | None:
    if row is None:
        return None
    return Event(
        row["id"], row["cluster_id"], row["number"], row["type"], row["title"], row["starts_at"], row["duration_min"],
        row["place"], row["description"], row["materials"], row["series_id"], row["occurrence_at"], row["status"],
        row["cancel_reason"], row["chat_id"], row["message_id"], row["sequence"], row["created_by"],
        row["created_at"], row["updated_at"],
    )  # fmt: skip


# ---- numbering ------------------------------------------------------------------------------------


def next_number(conn: Conn, cluster_id: int, kind: str) -> int:
    row = conn.execute(
        "INSERT INTO counters (cluster_id, kind, value) VALUES (?, ?, 1) "
        "ON CONFLICT (cluster_id, kind) DO UPDATE SET value = counters.value + 1 RETURNING value",
        (cluster_id, kind),
    ).fetchone()
    return int(row[0])


# ---- events ---------------------------------------------------------------------------------------

_EVENT_FIELDS = ("cluster_id", "number", "type", "title", "starts_at", "duration_min", "place", "description",
                 "series_id", "occurrence_at", "created_by", "created_at", "updated_at")  # fmt: skip


def insert_event(conn: Conn, **fields: Any) -> Event:
    keys = [k for k in _EVENT_FIELDS if k in fields]
    row = conn.execute(
        f"INSERT INTO events ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))}) RETURNING *",
        [fields[k] for k in keys],
    ).fetchone()
    event = _event(row)
    assert event is not None
    return event


def event_by_id(conn: Conn, event_id: int) -> Event | None:
    return _event(conn.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone())


def event_by_number(conn: Conn, cluster_id: int, number: int) -> Event | None:
    return _event(
        conn.execute("SELECT * FROM events WHERE cluster_id = ? AND number = ?", (cluster_id, number)).fetchone()
    )


def series_slot_exists(conn: Conn, series_id: int, occurrence_at: int) -> bool:
    row = conn.execute(
        "SELECT 1 FROM events WHERE series_id = ? AND occurrence_at = ?", (series_id, occurrence_at)
    ).fetchone()
    return row is not None


def update_event(conn: Conn, event_id: int, now: int, **fields: Any) -> None:
    """Change an event and raise its iCalendar SEQUENCE, so calendars take the new version."""
    allowed = {"starts_at", "duration_min", "place", "title", "description", "materials", "status", "cancel_reason"}
    keys = [k for k in fields if k in allowed]
    sets = [f"{k} = ?" for k in keys] + ["updated_at = ?", "sequence = sequence + 1"]
    conn.execute(f"UPDATE events SET {', '.join(sets)} WHERE id = ?", (*[fields[k] for k in keys], now, event_id))


def set_event_message(conn: Conn, event_id: int, chat_id: int, message_id: int) -> None:
    conn.execute("UPDATE events SET chat_id = ?, message_id = ? WHERE id = ?", (chat_id, message_id, event_id))


def upcoming_events(conn: Conn, cluster_id: int, now: int, limit: int = 50) -> list[Event]:
    """Scheduled events not yet over, soonest first (the index serves the range on starts_at)."""
    rows = conn.execute(
        "SELECT * FROM events WHERE cluster_id = ? AND status = 'scheduled' AND starts_at > ? "
        "AND starts_at + duration_min * 60 > ? ORDER BY starts_at, id LIMIT ?",
        (cluster_id, now - 8 * 86400, now, limit),
    )
    return [e for e in map(_event, rows) if e]


def events_starting_after(conn: Conn, cluster_id: int, now: int) -> list[Event]:
    """Every scheduled event still to start: what a change of offsets or zone must reschedule."""
    rows = conn.execute(
        "SELECT * FROM events WHERE cluster_id = ? AND status = 'scheduled' AND starts_at > ? ORDER BY starts_at",
        (cluster_id, now),
    )
    return [e for e in map(_event, rows) if e]


# ---- series ---------------------------------------------------------------------------------------


def insert_series(conn: Conn, cluster_id: int, rule: str, user_id: int, now: int) -> int:
    row = conn.execute(
        "INSERT INTO event_series (cluster_id, rule, created_by, created_at) VALUES (?, ?, ?, ?) RETURNING id",
        (cluster_id, rule, user_id, now),
    ).fetchone()
    return int(row[0])


def series_rule(conn: Conn, series_id: int) -> tuple[str, bool] | None:
    """(rule, active) of a series."""
    row = conn.execute("SELECT rule, active FROM event_series WHERE id = ?", (series_id,)).fetchone()
    return (row[0], bool(row[1])) if row else None


def series_events(conn: Conn, series_id: int) -> list[Event]:
    """Every occurrence of a series (cancelled ones too), by slot (the events_series_slot index)."""
    rows = conn.execute("SELECT * FROM events WHERE series_id = ? ORDER BY occurrence_at", (series_id,))
    return [e for e in map(_event, rows) if e]


def stop_series(conn: Conn, series_id: int, now: int) -> bool:
    cur = conn.execute(
        "UPDATE event_series SET active = FALSE, stopped_at = ? WHERE id = ? AND active = TRUE", (now, series_id)
    )
    return cur.rowcount > 0


# ---- speakers -------------------------------------------------------------------------------------


def set_speakers(conn: Conn, event_id: int, org_ids: list[int] | tuple[int, ...]) -> None:
    conn.executemany(
        "INSERT INTO event_speakers (event_id, organization_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [(event_id, org_id) for org_id in org_ids],
    )


def speakers_of(conn: Conn, event_id: int) -> list[Speaker]:
    return [
        Speaker(r[0], r[1], r[2], r[3])
        for r in conn.execute(
            "SELECT s.organization_id, o.name, o.short_name, s.status FROM event_speakers s "
            "JOIN organizations o ON o.id = s.organization_id WHERE s.event_id = ? ORDER BY lower(o.name), o.name",
            (event_id,),
        )
    ]


def set_speaker_status(
    conn: Conn, event_id: int, org_id: int, status: str, user_id: int | None, now: int
) -> bool:
    cur = conn.execute(
        "UPDATE event_speakers SET status = ?, answered_by = ?, answered_at = ? "
        "WHERE event_id = ? AND organization_id = ?",
        (status, user_id, now, event_id, org_id),
    )
    return cur.rowcount > 0


def mark_speakers_asked(conn: Conn, event_id: int) -> list[int]:
    """Speakers not yet answered become 'asked'; returns their organisation ids."""
    rows = conn.execute(
        "UPDATE event_speakers SET status = 'asked' WHERE event_id = ? AND status IN ('pending', 'asked') "
        "RETURNING organization_id",
        (event_id,),
    ).fetchall()
    return sorted(r[0] for r in rows)


def topic_capacities(conn: Conn, cluster_id: int) -> list[tuple[int, str, str]]:
    """(organisation id, organisation label, topic) of approved organisations' teachable topics."""
    return [
        (r[0], r[1] or r[2], r[3])
        for r in conn.execute(
            "SELECT o.id, o.short_name, o.name, c.name FROM capacities c JOIN organizations o ON o.id = c.organization_id "
            "WHERE o.cluster_id = ? AND o.status = 'approved' AND c.kind = 'topic' ORDER BY lower(o.name), o.name, c.name",
            (cluster_id,),
        )
    ]


# ---- people to tell -------------------------------------------------------------------------------

_RECIPIENT = (
    "SELECT u.user_id, u.locale, TRIM(COALESCE(u.first_name, '') || ' ' || COALESCE(u.last_name, '')) AS name, "
    "COALESCE(NULLIF(o.short_name, ''), o.name, '') AS org "
)


def _recipients(rows: Any) -> list[Recipient]:
    seen: dict[int, Recipient] = {}
    for row in rows:
        if row[0] not in seen:
            seen[row[0]] = Recipient(row[0], row[1], row[2] or str(row[0]), row[3] or "")
    return list(seen.values())


def rsvp_recipients(conn: Conn, event_id: int, answers: tuple[str, ...]) -> list[Recipient]:
    return _recipients(
        conn.execute(
            _RECIPIENT + "FROM event_rsvps r JOIN users u ON u.user_id = r.user_id "
            "LEFT JOIN organizations o ON o.id = r.organization_id "
            f"WHERE r.event_id = ? AND r.answer IN ({','.join('?' * len(answers))}) AND u.reachable = TRUE "
            "ORDER BY r.updated_at",
            (event_id, *answers),
        )
    )


def rsvp_people(conn: Conn, event_id: int) -> dict[str, list[Recipient]]:
    """Everyone who answered, by answer (reachable or not: this is the attendance record)."""
    out: dict[str, list[Recipient]] = {"yes": [], "maybe": [], "no": []}
    for row in conn.execute(
        _RECIPIENT + ", r.answer FROM event_rsvps r LEFT JOIN users u ON u.user_id = r.user_id "
        "LEFT JOIN organizations o ON o.id = r.organization_id WHERE r.event_id = ? ORDER BY r.updated_at",
        (event_id,),
    ):
        out[row["answer"]].append(Recipient(row[0], row[1], row[2] or str(row[0]), row[3] or ""))
    return out


def org_recipients(conn: Conn, org_ids: list[int] | tuple[int, ...]) -> list[Recipient]:
    """Active representatives of the organisations."""
    if not org_ids:
        return []
    return _recipients(
        conn.execute(
            _RECIPIENT + "FROM members m JOIN users u ON u.user_id = m.user_id "
            "JOIN organizations o ON o.id = m.organization_id "
            f"WHERE m.organization_id IN ({','.join('?' * len(org_ids))}) AND m.status = 'active' "
            "AND u.reachable = TRUE ORDER BY m.joined_at",
            tuple(org_ids),
        )
    )


def secretariat_recipients(conn: Conn, cluster_id: int) -> list[Recipient]:
    return _recipients(
        conn.execute(
            _RECIPIENT + "FROM secretariat s JOIN users u ON u.user_id = s.user_id "
            "LEFT JOIN members m ON m.cluster_id = s.cluster_id AND m.user_id = s.user_id AND m.status = 'active' "
            "LEFT JOIN organizations o ON o.id = m.organization_id "
            "WHERE s.cluster_id = ? AND u.reachable = TRUE ORDER BY s.added_at",
            (cluster_id,),
        )
    )


# ---- RSVPs ----------------------------------------------------------------------------------------


def upsert_rsvp(
    conn: Conn, event_id: int, user_id: int, org_id: int | None, answer: str, now: int
) -> str | None:
    """Record an answer; returns the previous one (None if this is the first)."""
    row = conn.execute(
        "SELECT answer FROM event_rsvps WHERE event_id = ? AND user_id = ?", (event_id, user_id)
    ).fetchone()
    if row is not None and row[0] == answer:
        return str(row[0])
    conn.execute(
        "INSERT INTO event_rsvps (event_id, user_id, organization_id, answer, updated_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (event_id, user_id) DO UPDATE SET answer = excluded.answer, "
        "organization_id = COALESCE(excluded.organization_id, event_rsvps.organization_id), updated_at = excluded.updated_at",
        (event_id, user_id, org_id, answer, now),
    )
    return str(row[0]) if row else None


def rsvp_counts(conn: Conn, event_id: int) -> dict[str, int]:
    counts = {"yes": 0, "maybe": 0, "no": 0}
    for row in conn.execute("SELECT answer, COUNT(*) FROM event_rsvps WHERE event_id = ? GROUP BY answer", (event_id,)):
        counts[row[0]] = row[1]
    return counts


# ---- feedback -------------------------------------------------------------------------------------


def add_feedback_requests(conn: Conn, event_id: int, user_ids: list[int], now: int) -> None:
    conn.executemany(
        "INSERT INTO event_feedback (event_id, user_id, asked_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        [(event_id, uid, now) for uid in user_ids],
    )


def feedback_row(conn: Conn, event_id: int, user_id: int) -> Row | None:
    return conn.execute(
        "SELECT * FROM event_feedback WHERE event_id = ? AND user_id = ?", (event_id, user_id)
    ).fetchone()


def save_feedback(
    conn: Conn, event_id: int, user_id: int, now: int, attended: bool | None = None,
    rating: int | None = None, comment: str | None = None,
) -> None:  # fmt: skip
    sets: list[str] = ["answered_at = ?"]
    params: list[int | str | bool] = [now]
    for column, value in (("attended", attended), ("rating", rating),
                          ("comment", comment)):  # fmt: skip
        if value is not None:
            sets.append(f"{column} = ?")
            params.append(value)
    if attended is False:
        sets.append("rating = NULL")
    conn.execute(
        f"UPDATE event_feedback SET {', '.join(sets)} WHERE event_id = ? AND user_id = ?", (*params, event_id, user_id)
    )


def feedback_of(conn: Conn, event_id: int) -> list[Row]:
    return conn.execute(
        "SELECT f.*, TRIM(COALESCE(u.first_name, '') || ' ' || COALESCE(u.last_name, '')) AS name "
        "FROM event_feedback f LEFT JOIN users u ON u.user_id = f.user_id WHERE f.event_id = ? ORDER BY f.answered_at",
        (event_id,),
    ).fetchall()


# ---- cluster zone ---------------------------------------------------------------------------------


def set_cluster_timezone(conn: Conn, cluster_id: int, tz: str) -> None:
    conn.execute("UPDATE clusters SET timezone = ? WHERE id = ?", (tz, cluster_id))


def migrate_chat(conn: Conn, old: int, new: int) -> None:
    """Event cards live in the group: their chat id follows the group when it becomes a supergroup."""
    conn.execute("UPDATE events SET chat_id = ? WHERE chat_id = ?", (new, old))


# ---- exports (bot/features/export/service.py) ----------------------------------------------------------------


def export_events(conn: Conn, cluster_id: int) -> list[Row]:
    """Every event of a cluster with its series rule, speakers and attendance (RSVP answers, feedback)."""
    names = sql.group_concat(conn, "name", "; ", order_by="lower(name), name")
    return conn.execute(
        "SELECT e.*, s.rule AS series_rule, "
        "(SELECT COUNT(*) FROM event_rsvps r WHERE r.event_id = e.id AND r.answer = 'yes') AS rsvp_yes, "
        "(SELECT COUNT(*) FROM event_rsvps r WHERE r.event_id = e.id AND r.answer = 'maybe') AS rsvp_maybe, "
        "(SELECT COUNT(*) FROM event_rsvps r WHERE r.event_id = e.id AND r.answer = 'no') AS rsvp_no, "
        f"(SELECT {names} FROM (SELECT o.name AS name FROM event_rsvps r "
        " JOIN organizations o ON o.id = r.organization_id WHERE r.event_id = e.id AND r.answer = 'yes' "
        " GROUP BY o.name ORDER BY lower(o.name), o.name) AS x) AS rsvp_orgs, "
        "(SELECT COUNT(*) FROM event_feedback f WHERE f.event_id = e.id AND f.attended = TRUE) AS attended, "
        "(SELECT COUNT(rating) FROM event_feedback f WHERE f.event_id = e.id) AS ratings, "
        "(SELECT CAST(AVG(rating) AS DOUBLE PRECISION) FROM event_feedback f WHERE f.event_id = e.id) AS rating, "
        f"(SELECT {names} FROM (SELECT o.name AS name FROM event_speakers sp "
        " JOIN organizations o ON o.id = sp.organization_id WHERE sp.event_id = e.id "
        " ORDER BY lower(o.name), o.name) AS x) AS speakers "
        "FROM events e LEFT JOIN event_series s ON s.id = e.series_id WHERE e.cluster_id = ? "
        "ORDER BY e.starts_at, e.number",
        (cluster_id,),
    ).fetchall()


def cluster_of_event(conn: Conn, object_id: int) -> int | None:
    """The cluster of an event (the read gate's owner lookup); None when there is no such row."""
    row = conn.execute("SELECT cluster_id FROM events WHERE id = ?", (object_id,)).fetchone()
    return int(row[0]) if row is not None else None
