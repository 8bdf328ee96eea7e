"""Inbox (updates stored before Telegram considers them confirmed) and outbox (every message the bot owes).

Both are plain tables written inside the use case's own transaction; see migration 0010 for the states and
``bot/kernel/outbox.py`` for the one sender. Nothing here knows Telegram.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.kernel import sql
from bot.kernel import storage as core_repo
from bot.kernel.feature import Point
from bot.kernel.sql import Conn

# The text of a "pin" row that unpins its message instead (the outbox table's method CHECK, from migration 0010,
# names send, edit and pin only; an unpin is a pin's undoing, so it rides on the pin method).
UNPIN = "unpin"

# A keyboard as stored: rows of {"text", "data"} or {"text", "url"} (views.Keyboard, made plain).
PlainKeyboard = list[list[dict[str, str]]]

# How a file row goes out (the outbox's ``file_kind``, migration 0031): sendDocument or sendPhoto.
FILE_KINDS = ("document", "photo")


@dataclass(frozen=True)
class OutFile:
    """A file a 'send' row carries (its text is the caption). The bytes are stored in ``outbox_files`` in the row's
    own transaction and deleted once the row is finished."""

    kind: str  # document | photo
    filename: str
    data: bytes
    file_id: str | None = None  # Telegram's id of the same bytes sent before (then they are not uploaded again)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Out:
    """One message the bot owes. ``coalesce_key`` names the message (e.g. "need:12"): a later state of it replaces
    a pending post or edit with the same key (the last state wins). ``on_sent`` names what to record with the sent
    message's id (see ``register_on_sent``), and lets an edit whose message is gone post it again."""

    method: str  # send | edit | pin (a pin row whose text is UNPIN unpins its message)
    chat_id: int
    text: str = ""
    keyboard: PlainKeyboard | None = None
    thread_id: int | None = None
    notify: bool = True
    message_id: int | None = None
    coalesce_key: str | None = None
    on_sent: str | None = None
    ref: int | None = None
    file: OutFile | None = None  # a document or photo to send instead of a text message


@dataclass(frozen=True)
class Row:
    id: int
    method: str
    chat_id: int
    message_id: int | None
    text: str
    keyboard: PlainKeyboard | None
    thread_id: int | None
    notify: bool
    coalesce_key: str | None
    on_sent: str | None
    ref: int | None
    attempts: int
    origin: str
    file_kind: str | None = None  # document | photo: the bytes are in outbox_files (``file_of``)


@dataclass(frozen=True)
class Result:
    """What the sender learned about one row."""

    row_id: int
    status: str  # sent | failed | uncertain | retry
    reason: str | None = None
    chat_id: int | None = None
    message_id: int | None = None  # the sent message's id
    on_sent: str | None = None
    ref: int | None = None
    next_at: int = 0
    unreachable: bool = False


OnSent = Callable[[Conn, int, int, int], None]  # (conn, ref, chat_id, message_id)
Resolver = Callable[[Conn, int], "tuple[int, int] | None"]  # (conn, ref) → (chat_id, message_id)


@dataclass(frozen=True)
class MessageKind:
    """What a sent message's id means (the card of need 12...) and where that message is now; features contribute
    theirs to ``MESSAGE_KINDS`` in their manifest."""

    name: str
    record: OnSent
    resolve: Resolver | None = None


MESSAGE_KINDS: Point[MessageKind] = Point("kernel.message_kinds")


# ---- inbox --------------------------------------------------------------------------------------------


def store_batch(conn: Conn, batch: Sequence[tuple[int, str]], now: int) -> int:
    """Store a getUpdates batch (update_id, raw JSON); updates already stored or processed are skipped."""
    stored = 0
    for update_id, payload in batch:
        cur = conn.execute(
            "INSERT INTO inbox (update_id, payload, received_at) SELECT ?, ?, ? "
            "WHERE NOT EXISTS (SELECT 1 FROM processed_updates WHERE update_id = ?) ON CONFLICT DO NOTHING",
            (update_id, payload, now, update_id),
        )
        stored += cur.rowcount
    _touch_health(conn, now)
    return stored


def pending_updates(conn: Conn) -> list[tuple[int, str]]:
    return [(r[0], r[1]) for r in conn.execute("SELECT update_id, payload FROM inbox ORDER BY update_id")]


def is_processed(conn: Conn, update_id: int) -> bool:
    return conn.execute("SELECT 1 FROM processed_updates WHERE update_id = ?", (update_id,)).fetchone() is not None


# ---- outbox: writing ----------------------------------------------------------------------------------


def enqueue(conn: Conn, outs: Iterable[Out], now: int, origin: str = "") -> list[int]:
    """Write the messages owed, in order; returns the ids to deliver (a coalesced row's id included)."""
    ids: list[int] = []
    for out in outs:
        keyboard = json.dumps(out.keyboard, ensure_ascii=False) if out.keyboard else None
        if out.coalesce_key is not None and out.method in ("send", "edit") and out.file is None:
            hit = conn.execute(
                "UPDATE outbox SET text = ?, keyboard = ?, version = version + 1 "
                "WHERE coalesce_key = ? AND status = 'pending' AND method IN ('send', 'edit') AND file_kind IS NULL "
                "RETURNING id",
                (out.text, keyboard, out.coalesce_key),
            ).fetchall()
            if hit:
                ids.extend(r[0] for r in hit if r[0] not in ids)
                continue
        if out.method == "edit" and out.message_id is None and not _in_flight(conn, out.coalesce_key):
            continue  # nothing posted to edit, and nothing on its way (a failed post): the next post shows it
        row = conn.execute(
            "INSERT INTO outbox (created_at, origin, method, chat_id, message_id, text, keyboard, thread_id, notify, "
            "coalesce_key, on_sent, ref, next_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (now, origin, out.method, out.chat_id, out.message_id, out.text, keyboard, out.thread_id,
             bool(out.notify), out.coalesce_key, out.on_sent, out.ref, now),
        ).fetchone()  # fmt: skip
        if out.file is not None:
            _attach_file(conn, row[0], out.file)
        ids.append(row[0])
    return ids


def _attach_file(conn: Conn, row_id: int, file: OutFile) -> None:
    if file.kind not in FILE_KINDS:
        raise ValueError(f"unknown file kind {file.kind}")
    conn.execute("UPDATE outbox SET file_kind = ? WHERE id = ?", (file.kind, row_id))
    conn.execute("INSERT INTO outbox_files (outbox_id, filename, data, sha256) VALUES (?, ?, ?, ?)",
                 (row_id, file.filename, file.data, file.sha256))  # fmt: skip


def file_of(conn: Conn, row_id: int) -> OutFile | None:
    """The file a row carries (None: the row carries none, or its bytes are gone)."""
    row = conn.execute(
        "SELECT o.file_kind, f.filename, f.data, f.file_id FROM outbox o JOIN outbox_files f ON f.outbox_id = o.id "
        "WHERE o.id = ?", (row_id,),
    ).fetchone()  # fmt: skip
    return OutFile(str(row[0]), str(row[1]), bytes(row[2]), row[3]) if row is not None and row[0] else None


def remember_file_id(conn: Conn, row_id: int, file_id: str) -> int:
    """A file row was sent: the rows still owing the same bytes send Telegram's file id instead of uploading."""
    return conn.execute(
        "UPDATE outbox_files SET file_id = ? WHERE file_id IS NULL AND outbox_id <> ? AND sha256 = "
        "(SELECT sha256 FROM outbox_files WHERE outbox_id = ?)", (file_id, row_id, row_id),
    ).rowcount  # fmt: skip


def _in_flight(conn: Conn, key: str | None) -> bool:
    if key is None:
        return False
    return (
        conn.execute("SELECT 1 FROM outbox WHERE coalesce_key = ? AND status = 'sending' LIMIT 1", (key,)).fetchone()
        is not None
    )


# ---- outbox: the sender's side ------------------------------------------------------------------------

_COLUMNS = "id, method, chat_id, message_id, text, keyboard, thread_id, notify, coalesce_key, on_sent, ref, attempts, " \
    "origin, file_kind"  # fmt: skip


def _row(r: sql.Row | tuple[Any, ...]) -> Row:
    return Row(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]) if r[5] else None, r[6], bool(r[7]), r[8], r[9],
               r[10], r[11], r[12], r[13])  # fmt: skip


def heads(
    conn: Conn, ids: Sequence[int] | None, now: int, limit: int = 64, exclude: Sequence[int] = ()
) -> list[tuple[int, int]]:
    """(id, chat_id) of the rows a window may send: the due first pending row of each chat, unless an earlier row of
    that chat is still waiting or under way (order within a chat; a crash leaves at most one call per chat in doubt).
    ``ids``: only among these rows (a handler's own); None: any due row (the background sender). ``exclude``:
    chats left out (a delivery of this process is sending to them and claims their next rows itself).

    Several processes: a head another process is claiming right now is locked and skipped (``skip_locked``),
    and the chat's next row is no head while that one is pending or sending, so each row goes to one sender and a
    chat's order holds across processes; ``claim_exact`` re-checks ``status = 'pending'`` on the newest row."""
    among, params = "", [now]
    if ids is not None:
        if not ids:
            return []
        among = f"AND o.id IN ({','.join('?' * len(ids))}) "
        params += list(ids)
    if exclude:
        among += f"AND o.chat_id NOT IN ({','.join('?' * len(exclude))}) "
        params += list(exclude)
    params.append(limit)
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT o.id, o.chat_id FROM outbox o WHERE o.status = 'pending' AND o.next_at <= ? " + among +
        "AND o.id = (SELECT MIN(p.id) FROM outbox p WHERE p.chat_id = o.chat_id AND p.status IN ('pending', 'sending')) "
        f"ORDER BY o.id LIMIT ?{sql.skip_locked(conn)}", params,
    )]  # fmt: skip


def claim(
    conn: Conn,
    ids: Sequence[int] | None,
    now: int,
    limit: int = 64,
    kinds: Mapping[str, MessageKind] | None = None,
    exclude: Sequence[int] = (),
) -> list[Row]:
    """Mark the window's rows (see ``heads``) 'sending': the call may be under way from here on."""
    return claim_exact(conn, [i for i, _ in heads(conn, ids, now, limit, exclude)], now, kinds)


def chats_of(conn: Conn, ids: Sequence[int]) -> dict[int, int]:
    """The chat of each of these rows that is still pending (where a delivery hands on what it could not claim)."""
    if not ids:
        return {}
    return {int(r[0]): int(r[1]) for r in conn.execute(
        f"SELECT id, chat_id FROM outbox WHERE id IN ({','.join('?' * len(ids))}) AND status = 'pending'", tuple(ids),
    )}  # fmt: skip


def claim_exact(
    conn: Conn, ids: Sequence[int], now: int, kinds: Mapping[str, MessageKind] | None = None
) -> list[Row]:
    """Mark these rows 'sending' if they are still pending (the pacer was waited for in between) and return them
    in order. An edit whose target is not known yet is resolved here, or waits for its post."""
    if not ids:
        return []
    found = conn.execute(
        f"UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id IN ({','.join('?' * len(ids))}) "
        f"AND status = 'pending' RETURNING {_COLUMNS}", tuple(ids),
    ).fetchall()  # fmt: skip
    rows = sorted((_row(r) for r in found), key=lambda r: r.id)
    ready: list[Row] = []
    for row in rows:
        if row.method != "send" and row.message_id is None:
            kind = (kinds or {}).get(row.on_sent or "")
            where = kind.resolve(conn, row.ref or 0) if kind is not None and kind.resolve is not None else None
            if where is None:
                if _in_flight_other(conn, row):
                    conn.execute("UPDATE outbox SET status = 'pending', attempts = attempts - 1, next_at = ? "
                                 "WHERE id = ?", (now + 2, row.id))  # fmt: skip
                else:
                    conn.execute("UPDATE outbox SET status = 'superseded', reason = 'nothing to edit', "
                                 "finished_at = ? WHERE id = ?", (now, row.id))  # fmt: skip
                continue
            conn.execute("UPDATE outbox SET chat_id = ?, message_id = ? WHERE id = ?", (where[0], where[1], row.id))
            row = Row(**{**row.__dict__, "chat_id": where[0], "message_id": where[1]})
        ready.append(row)
    return ready


def _in_flight_other(conn: Conn, row: Row) -> bool:
    if row.coalesce_key is None:
        return False
    return (
        conn.execute(
            "SELECT 1 FROM outbox WHERE coalesce_key = ? AND status IN ('sending', 'pending') AND id < ? LIMIT 1",
            (row.coalesce_key, row.id),
        ).fetchone()
        is not None
    )


def record(
    conn: Conn, results: Sequence[Result], now: int, kinds: Mapping[str, MessageKind] | None = None
) -> None:
    """The outcome of one send window, in one transaction (group commit)."""
    any_ok = False
    for res in results:
        if res.status == "retry":
            conn.execute(
                "UPDATE outbox SET status = 'pending', next_at = ?, reason = ? WHERE id = ? AND status = 'sending'",
                (res.next_at, res.reason, res.row_id),
            )
            continue
        conn.execute(
            "UPDATE outbox SET status = ?, reason = ?, sent_message_id = ?, finished_at = ?, "
            "chat_id = COALESCE(?, chat_id) WHERE id = ?",
            (res.status, res.reason, res.message_id, now, res.chat_id, res.row_id),
        )
        if res.status == "sent":
            any_ok = True
            kind = (kinds or {}).get(res.on_sent or "")
            if kind is not None and res.message_id is not None and res.chat_id is not None:
                kind.record(conn, res.ref or 0, res.chat_id, res.message_id)
        if res.unreachable and res.chat_id is not None:
            if res.chat_id > 0:
                core_repo.set_user_reachable(conn, res.chat_id, False, now)
            core_repo.set_chat_status(conn, res.chat_id, "unreachable", now)
    if any_ok:
        _touch_health(conn, now)


def next_due(conn: Conn) -> int | None:
    row = conn.execute("SELECT MIN(next_at) FROM outbox WHERE status = 'pending'").fetchone()
    return None if row is None or row[0] is None else int(row[0])


def recover(conn: Conn, now: int) -> tuple[int, int]:
    """At start: calls a crash interrupted become 'uncertain' (never resent); what was waiting is due now.
    Returns (uncertain, pending)."""
    uncertain = conn.execute(
        "UPDATE outbox SET status = 'uncertain', reason = 'interrupted by a restart while sending', finished_at = ? "
        "WHERE status = 'sending' AND method = 'send'", (now,),
    ).rowcount  # fmt: skip
    # An edit or a pin is idempotent: one a crash interrupted is simply made again.
    conn.execute("UPDATE outbox SET status = 'pending', next_at = ? WHERE status = 'sending'", (now,))
    pending = conn.execute(
        "UPDATE outbox SET next_at = ? WHERE status = 'pending' AND next_at > ?", (now, now)
    ).rowcount
    waiting = conn.execute("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
    return uncertain, max(pending, waiting)


def _touch_health(conn: Conn, now: int) -> None:
    conn.execute(
        "INSERT INTO telegram_health (id, last_ok_at) VALUES (1, ?) "
        "ON CONFLICT (id) DO UPDATE SET last_ok_at = CASE WHEN telegram_health.last_ok_at > excluded.last_ok_at "
        "THEN telegram_health.last_ok_at ELSE excluded.last_ok_at END",
        (now,),
    )


def prune(conn: Conn, now: int, keep_s: int = 14 * 24 * 3600) -> int:
    return conn.execute(
        "DELETE FROM outbox WHERE status IN ('sent', 'superseded') AND finished_at < ?", (now - keep_s,)
    ).rowcount


def outcome(conn: Conn, key: str) -> tuple[str, str | None] | None:
    """(status, reason) of the newest row owed under ``key`` (a feature asks how its message fared), or None."""
    row = conn.execute(
        "SELECT status, reason FROM outbox WHERE coalesce_key = ? ORDER BY id DESC LIMIT 1", (key,)
    ).fetchone()
    return (str(row[0]), row[1]) if row is not None else None


# ---- health ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    status: str
    chat_id: int
    chat_name: str
    reason: str
    at: int


@dataclass(frozen=True)
class Health:
    inbox: int
    pending: int
    sending: int
    failed: int
    uncertain: int
    problems: list[Problem] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)
    last_ok_at: int | None = None
    oldest_pending_at: int | None = None


def health(conn: Conn, limit: int = 5) -> Health:
    inbox = conn.execute("SELECT COUNT(*) FROM inbox").fetchone()[0]
    counts = dict(conn.execute(
        "SELECT status, COUNT(*) FROM outbox WHERE status IN ('pending', 'sending', 'failed', 'uncertain') "
        "GROUP BY status"
    ).fetchall())  # fmt: skip
    problems = [
        Problem(r[0], r[1], r[2] or str(r[1]), r[3] or "", r[4] or 0)
        for r in conn.execute(
            "SELECT o.status, o.chat_id, COALESCE(NULLIF(TRIM(COALESCE(u.first_name, '') || ' ' || "
            "COALESCE(u.last_name, '')), ''), c.title), o.reason, o.finished_at FROM outbox o "
            "LEFT JOIN users u ON u.user_id = o.chat_id LEFT JOIN chats c ON c.chat_id = o.chat_id "
            "WHERE o.status IN ('failed', 'uncertain') ORDER BY o.finished_at DESC, o.id DESC LIMIT ?", (limit,),
        )
    ]  # fmt: skip
    unreachable = [
        r[0] for r in conn.execute(
            "SELECT TRIM(u.first_name || ' ' || COALESCE(u.last_name, '')) || COALESCE(' (' || o.short_name || ')', '') "
            "FROM users u LEFT JOIN members m ON m.user_id = u.user_id AND m.status = 'active' "
            "LEFT JOIN organizations o ON o.id = m.organization_id WHERE u.reachable = FALSE ORDER BY u.first_name LIMIT 50"
        )
    ]  # fmt: skip
    last = conn.execute("SELECT last_ok_at FROM telegram_health WHERE id = 1").fetchone()
    oldest = conn.execute("SELECT MIN(created_at) FROM outbox WHERE status = 'pending'").fetchone()[0]
    return Health(inbox, counts.get("pending", 0), counts.get("sending", 0), counts.get("failed", 0),
                  counts.get("uncertain", 0), problems, unreachable, last[0] if last else None, oldest)  # fmt: skip
