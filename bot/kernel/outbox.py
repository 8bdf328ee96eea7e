"""The one sender: every message the bot owes after a change is an ``outbox`` row written in the change's own
transaction (``commit``), then delivered through one pacer within Telegram's limits.

Per row: pending → sending (claimed in a transaction before the Bot API call) → sent | failed (403/400 with the
reason; 403 marks the chat unreachable) | uncertain (timed out, or interrupted by a crash, after the request may
have reached Telegram: never resent, listed in /status). 5xx, 429 (``retry_after``) and network errors before a
response go back to pending with a backoff and are retried, also after a restart. Edits of one message share a
``coalesce_key``: a later state replaces a pending one (the last state wins); an edit whose message was deleted
posts it again when the row says what the message is (``on_sent``).

The handler that made the change delivers its own rows at once (the member sees the answer without a hop through
a queue); a background task delivers whatever is left: retries, and rows a crash left pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from telegram import Update
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from bot.kernel import outbox_storage as repo
from bot.kernel import storage as core_repo
from bot.kernel.context import BotContext
from bot.kernel.db import current_claim
from bot.kernel.feature import Feature
from bot.kernel.outbox_files import out_file, send_file
from bot.kernel.outbox_storage import Out, PlainKeyboard, Result, Row
from bot.kernel.pacer import shared_pacer
from bot.kernel.runtime import Runtime
from bot.kernel.sql import Conn
from bot.kernel.telegram import follow_migration
from bot.kernel.views import Keyboard, Reply, split_message

log = logging.getLogger(__name__)
T = TypeVar("T")
AnyApp = Application[Any, Any, Any, Any, Any, Any]

INLINE_RETRIES = 3  # the handler retries its own rows this often before leaving them to the background sender
MAX_ATTEMPTS = 12  # then a row is given up as failed, with the last reason
MAX_BACKOFF_S = 300
IDLE_WAKE_S = 1.0
READY_SLACK_S = 0.05  # a chat whose own limit frees within this long joins the window


# ---- building rows --------------------------------------------------------------------------------------


def plain(keyboard: Keyboard | None) -> PlainKeyboard | None:
    if not keyboard:
        return None
    return [[{"text": b.text, "url": b.url} if b.url else {"text": b.text, "data": b.data or ""} for b in row]
            for row in keyboard]  # fmt: skip


def _content(content: str | Reply, keyboard: Keyboard | None = None) -> tuple[str, Keyboard | None]:
    if isinstance(content, Reply):
        return content.text, content.keyboard or keyboard
    return content, keyboard


def out_send(
    chat_id: int,
    content: str | Reply,
    keyboard: Keyboard | None = None,
    thread_id: int | None = None,
    notify: bool = True,
    key: str | None = None,
    on_sent: str | None = None,
    ref: int | None = None,
) -> list[Out]:
    """A message to post (split if long; the keyboard, key and on_sent go with the last part)."""
    text, kb = _content(content, keyboard)
    parts = split_message(text)
    outs = [Out("send", chat_id, part, thread_id=thread_id, notify=notify) for part in parts[:-1]]
    outs.append(Out("send", chat_id, parts[-1], plain(kb), thread_id, notify, None, key, on_sent, ref))
    return outs


def out_edit(
    chat_id: int | None,
    message_id: int | None,
    content: Reply,
    key: str | None = None,
    on_sent: str | None = None,
    ref: int | None = None,
) -> list[Out]:
    """An edit of a posted message (coalesced by ``key``). With ``on_sent``, a deleted message is posted again."""
    if chat_id is None and key is None:
        return []
    return [Out("edit", chat_id or 0, content.text, plain(content.keyboard), message_id=message_id,
                coalesce_key=key, on_sent=on_sent, ref=ref)]  # fmt: skip


def out_pin(chat_id: int, message_id: int | None = None, *, notify: bool = False, key: str | None = None,
            on_sent: str | None = None, ref: int | None = None) -> list[Out]:  # fmt: skip
    """Pin a message silently (by default). Without ``message_id`` the message kind ``on_sent`` resolves ``ref``
    when the row is sent (a card posted by an earlier row of the same transaction); None there: nothing to pin."""
    return [Out("pin", chat_id, notify=notify, message_id=message_id, coalesce_key=key, on_sent=on_sent, ref=ref)]


def out_unpin(chat_id: int, message_id: int) -> list[Out]:
    """Unpin one message (a message already unpinned or deleted counts as done)."""
    return [Out("pin", chat_id, repo.UNPIN, notify=False, message_id=message_id)]


def out_reply(update: Update, content: str | Reply, keyboard: Keyboard | None = None) -> list[Out]:
    """The answer in the chat (and forum topic) the update came from."""
    chat = update.effective_chat
    if chat is None:
        return []
    message = update.effective_message
    thread_id = message.message_thread_id if message is not None and message.is_topic_message else None
    return out_send(chat.id, content, keyboard, thread_id=thread_id)


# ---- committing ------------------------------------------------------------------------------------------


def _app(context: BotContext | AnyApp) -> AnyApp:
    return context if isinstance(context, Application) else context.application


def _origin() -> str:
    claim = current_claim.get()
    return f"update:{claim.update_id}" if claim is not None else ""


def _tx(conn: Conn, fn: Callable[..., tuple[T, Sequence[Out]]], args: tuple[Any, ...], now: int,
        origin: str, claim: bool) -> tuple[T, list[int], list[Row] | None, dict[int, int]]:  # fmt: skip
    """The use case, its outbox rows and, unless the pacer must be asked first, the claim of the first row of each
    chat (sent right after the commit) and the chats of the rows it could not claim (``_Delivery`` hands them on):
    one transaction, one hand-off."""
    result, outs = fn(conn, *args)
    ids = repo.enqueue(conn, outs, now, origin)
    if not claim:
        return result, ids, None, {}
    rows = repo.claim(conn, ids, now)
    claimed = {row.id for row in rows}
    return result, ids, rows, repo.chats_of(conn, [i for i in ids if i not in claimed])


async def commit(
    context: BotContext | AnyApp,
    fn: Callable[..., tuple[T, Sequence[Out]]],
    *args: Any,
    then: Callable[[T], Awaitable[Any]] | None = None,
    outcomes: dict[str, Result] | None = None,
) -> T:
    """Run the use case ``fn(conn, *args) -> (result, outs)`` and write the messages it owes in ONE transaction
    (with the update's claim, when called while an update is processed), then deliver them. Returns ``result``.
    ``then(result)`` runs between the commit and the delivery (answering a button press first). ``outcomes``, if
    given, receives what the inline delivery learned per ``coalesce_key`` (how a named message fared, without a
    read: its record waits for the next write).

    Nothing about the delivery can undo or misreport the change: failures are recorded on the rows."""
    app = _app(context)
    runtime: Runtime = app.bot_data["runtime"]
    result, ids, rows, chats = await runtime.db.write(
        _tx, fn, args, runtime.clock.timestamp(), _origin(), not _paced(runtime)
    )
    # The chats of the rows just claimed are this delivery's from here on (no await in between): a delivery that
    # finds one of them busy hands its rows on instead of claiming (``_Delivery``).
    delivery = _Delivery(app, ids, chats) if rows is not None and outcomes is None and ids else None
    if delivery is not None:
        delivery.begin(rows or [])
    try:
        if then is not None:
            try:
                await then(result)
            except Exception:  # e.g. a button answered too late: the change and what it owes still stand
                log.warning("after-commit step failed", exc_info=True)
        if ids:
            try:
                if delivery is not None:
                    await delivery.run(rows or [])
                else:
                    await deliver(app, ids, rows, outcomes)
            except Exception:  # delivery never fails the change; the rows stay pending for the background sender
                log.exception("inline delivery failed; the background sender retries")
    finally:
        if delivery is not None:
            delivery.release_all()  # whatever happened: the chats are free, what waits for them goes to the sender
    return result


async def write_and_reply(
    update: Update, context: BotContext, render: Callable[[T], str | Reply | None], fn: Callable[..., T], *args: Any
) -> T:
    """The common case: ``fn(conn, *args)`` and the answer ``render(result)`` (None: no answer) in the update's
    chat, in one transaction, then delivered."""

    def tx(conn: Conn) -> tuple[T, list[Out]]:
        result = fn(conn, *args)
        content = render(result)
        return result, (out_reply(update, content) if content is not None else [])

    return await commit(context, tx)


async def enqueue(context: BotContext | AnyApp, outs: Sequence[Out]) -> None:
    """Owe messages with no change of their own (their own transaction), and deliver them."""
    await commit(context, lambda conn: (None, outs))


async def fate(context: BotContext | AnyApp, key: str) -> tuple[str, str | None] | None:
    """(status, reason) of the newest row owed under ``key`` (how a feature's message fared). The delivery's
    outcomes wait for the next write (``Database.defer``), so they are written first when any wait."""
    runtime: Runtime = _app(context).bot_data["runtime"]
    await runtime.db.flush()
    return await runtime.db.read(repo.outcome, key)


# ---- delivering -------------------------------------------------------------------------------------------


def _kinds(runtime: Runtime) -> dict[str, repo.MessageKind]:
    """The message kinds the features contributed (what a sent card's id means, where an edited card is)."""
    return {kind.name: kind for kind in runtime.contributions(repo.MESSAGE_KINDS)}


def _record_and_claim(
    conn: Conn,
    results: Sequence[Result],
    ids: Sequence[int],
    now: int,
    kinds: dict[str, repo.MessageKind],
) -> list[Row]:
    repo.record(conn, results, now, kinds)
    return repo.claim(conn, ids, now, kinds=kinds)


def _paced(runtime: Runtime) -> bool:
    return runtime.outbox_paced


async def _claim_window(
    runtime: Runtime, ids: Sequence[int] | None, limit: int = 64, exclude: Sequence[int] = ()
) -> list[Row]:
    """Claim the next window. Paced (production): the pacer's slot is waited for *before* the claim, so a row is
    'sending' (and uncertain after a crash) only once its request is about to go out. ``exclude`` (unpaced): chats
    an inline delivery holds (``_Delivery``)."""
    if not _paced(runtime):
        return await runtime.db.write(repo.claim, ids, runtime.clock.timestamp(), limit, _kinds(runtime), exclude)
    window = await runtime.db.read(repo.heads, ids, runtime.clock.timestamp(), limit)
    if not window:
        return []
    pacer = shared_pacer(runtime)
    # Only chats whose own limit lets them go now (or first): a full group (20 a minute) must not hold up the
    # private answers queued behind it in the same window (head-of-line blocking).
    now = pacer.clock()
    first = min(pacer.ready_at(chat, now) for _, chat in window)
    if first > now:
        await runtime.sleep(first - now)
        now = pacer.clock()
    ready = [(i, chat) for i, chat in window if pacer.ready_at(chat, now) <= now + READY_SLACK_S]
    await asyncio.gather(*(pacer.acquire(chat_id) for chat_id in {chat for _, chat in ready}))
    return await runtime.db.write(repo.claim_exact, [i for i, _ in ready], runtime.clock.timestamp(), _kinds(runtime))


async def deliver(
    app: AnyApp, ids: Sequence[int], rows: list[Row] | None = None, outcomes: dict[str, Result] | None = None
) -> None:
    """Deliver these rows: the first of each chat at once, concurrently (different chats), then the next of each
    chat; unpaced, each window's outcomes and the next claims are one hand-off (group commit). ``rows``: claimed.
    The background sender is woken only when something is left for it (a retry past the inline ones, a row that
    could not be claimed yet): after a delivery that sent everything, its claim would find nothing."""
    runtime: Runtime = app.bot_data["runtime"]
    remaining = list(ids)
    left_for_sender = False
    if not rows and remaining:
        await _others_in_flight(app)
        rows = await _claim_window(runtime, remaining)
    while rows:
        results = await _attempt_all(app, rows)
        if outcomes is not None:
            outcomes.update((row.coalesce_key, res) for row, res in zip(rows, results, strict=True) if row.coalesce_key)
        wait = 0.0
        for row, result in zip(rows, results, strict=True):
            if result.status == "retry" and row.attempts <= INLINE_RETRIES:
                wait = max(wait, result.next_at - runtime.clock.timestamp())
            elif row.id in remaining:
                remaining.remove(row.id)  # done, or left to the background sender (it keeps the chat's order)
                left_for_sender = left_for_sender or result.status == "retry"
        if not remaining and wait <= 0 and not left_for_sender:
            # Nothing left to claim: the outcomes ride on the next transaction that runs anyway (the next use
            # case, claim or window), not on a hand-off of their own. A crash before it leaves these rows
            # 'sending', which the restart records as uncertain (a post, never resent) or makes again (an edit or
            # a pin, idempotent): never a message sent twice. A row left to the background sender (a retry past
            # the inline ones) is written back to pending at once instead, before the sender is woken.
            runtime.db.defer(repo.record, results, runtime.clock.timestamp(), _kinds(runtime))
            rows = []
        elif wait > 0 or _paced(runtime):
            await runtime.db.write_unclaimed(repo.record, results, runtime.clock.timestamp(), _kinds(runtime))
            if wait > 0:
                await runtime.sleep(wait)
            rows = await _claim_window(runtime, remaining) if remaining else []
        else:
            await _others_in_flight(app)
            rows = await runtime.db.write_unclaimed(
                _record_and_claim, results, remaining, runtime.clock.timestamp(), _kinds(runtime)
            )
    if left_for_sender or remaining:
        _wake(app)


def _busy(app: AnyApp) -> dict[int, object]:
    """chat → the delivery (``_Delivery``) that has claimed a row of that chat (or is writing the claim of its
    next one) and whose outcome is not known yet: the others hand their rows of that chat on to it."""
    found: dict[int, object] = app.bot_data.setdefault("outbox_busy", {})
    return found


def _waiting(app: AnyApp) -> dict[int, list[int]]:
    """chat → rows handed on to the delivery holding that chat (hints only: a claim still checks that a row is
    pending and the head of its chat, so a stale id claims nothing)."""
    found: dict[int, list[int]] = app.bot_data.setdefault("outbox_waiting", {})
    return found


class _Delivery:
    """The inline delivery of one commit's rows, unpaced (the tests and the benchmarks; the paced production path
    is ``deliver``). The rows of one chat go out one after another (a claim commits before its call: a crash leaves
    at most one call per chat in doubt), so when several updates owe rows to one chat at once (the cards of one
    group), only the first can claim; the others would find the chat busy, claim nothing and leave their rows to
    the background sender (a claim and a record per row). Instead, a delivery that finds a chat held by another
    delivery of this process hands its rows of that chat on (``_waiting``); the holder takes them into the
    record-and-claim it writes after its window anyway (one hand-off: its outcomes, the chat's next row claimed).
    The background sender leaves held chats alone (``drain``). Whatever is still waiting when the holder lets go
    (``release_all``, also on failure) wakes the background sender, whose claim takes any due head."""

    def __init__(self, app: AnyApp, ids: Sequence[int], chats: dict[int, int]) -> None:
        self.app = app
        self.runtime: Runtime = app.bot_data["runtime"]
        self.own = set(ids)
        self.remaining = list(ids)  # rows this delivery still means to claim (its own and those handed to it)
        self.chat_of = dict(chats)
        self.held: set[int] = set()
        self.left_for_sender = False

    def hold(self, rows: Sequence[Row]) -> None:
        busy = _busy(self.app)
        for row in rows:
            self.chat_of[row.id] = row.chat_id
            if busy.setdefault(row.chat_id, self) is self:
                self.held.add(row.chat_id)

    def begin(self, rows: Sequence[Row]) -> None:
        """Right after the commit (no await in between): the chats of the rows claimed are held, and so is every
        other chat this delivery will claim in that nobody holds (its claim will be written after its first
        window: whoever comes meanwhile hands its rows of that chat on to it, instead of writing a claim of its
        own that at most one of them wins); rows of chats held by others are handed on to them."""
        self.hold(rows)
        self._take_free_chats()
        self._hand_on({row.id for row in rows})

    def _take_free_chats(self) -> None:
        busy = _busy(self.app)
        for row_id in self.remaining:
            chat = self.chat_of.get(row_id)
            if chat is not None and busy.setdefault(chat, self) is self:
                self.held.add(chat)

    def _release(self, chats: set[int]) -> None:
        busy, waiting = _busy(self.app), _waiting(self.app)
        for chat in chats:
            if busy.get(chat) is self:
                del busy[chat]
            if waiting.pop(chat, None):
                self.left_for_sender = True  # nobody holds the chat now: the background sender claims them
        self.held -= chats

    def release_all(self) -> None:
        self._release(set(self.held))
        if self.left_for_sender or self.remaining:
            _wake(self.app)
            self.left_for_sender = False

    def _take_waiting(self) -> None:
        """The rows handed on to the chats this delivery holds become its own to claim."""
        waiting = _waiting(self.app)
        for chat in self.held:
            for row_id in waiting.pop(chat, ()):
                if row_id not in self.remaining:
                    self.remaining.append(row_id)
                    self.chat_of[row_id] = chat

    def _hand_on(self, claimed: set[int]) -> None:
        """Rows not claimed whose chat another delivery holds go to that delivery."""
        busy, waiting = _busy(self.app), _waiting(self.app)
        kept = []
        for row_id in self.remaining:
            chat = self.chat_of.get(row_id)
            owner = busy.get(chat) if chat is not None and row_id not in claimed else None
            if owner is not None and owner is not self and chat is not None:
                queue = waiting.setdefault(chat, [])
                if row_id not in queue:
                    queue.append(row_id)
            else:
                kept.append(row_id)
        self.remaining = kept

    def _all_held(self) -> bool:
        return all(self.chat_of.get(i) in self.held for i in self.remaining)

    async def run(self, rows: list[Row]) -> None:
        runtime = self.runtime
        kinds = _kinds(runtime)
        if not rows and self.remaining:
            if not self._all_held():
                await _others_in_flight(self.app)
            rows = await runtime.db.write_unclaimed(repo.claim, self.remaining, runtime.clock.timestamp(), 64, kinds)
            self._after_claim(rows)
        results: list[Result] = []
        while True:
            if rows:
                results = await _attempt_all(self.app, rows)
                wait = 0.0
                for row, result in zip(rows, results, strict=True):
                    if result.status == "retry" and row.id in self.own and row.attempts <= INLINE_RETRIES:
                        wait = max(wait, result.next_at - runtime.clock.timestamp())
                    elif row.id in self.remaining:
                        self.remaining.remove(row.id)  # done, or left to the background sender (order kept)
                        self.left_for_sender = self.left_for_sender or result.status == "retry"
            else:
                results, wait = [], 0.0
            self._take_waiting()
            self._take_free_chats()
            self._hand_on(set())
            if not self.remaining and wait <= 0:
                # Nothing left to claim: the outcomes ride on the next transaction that runs anyway (see
                # ``deliver``); the chats are let go at once, so the next claim in them carries this record. A row
                # left to the background sender is written back to pending at once instead, before it is woken.
                if results and self.left_for_sender:
                    await runtime.db.write_unclaimed(repo.record, results, runtime.clock.timestamp(), kinds)
                elif results:
                    runtime.db.defer(repo.record, results, runtime.clock.timestamp(), kinds)
                self._release(set(self.held))
                return
            if wait > 0:
                await runtime.db.write_unclaimed(repo.record, results, runtime.clock.timestamp(), kinds)
                await runtime.sleep(wait)
                rows = await runtime.db.write_unclaimed(
                    repo.claim, self.remaining, runtime.clock.timestamp(), 64, kinds
                )
            else:
                if not self._all_held():
                    await _others_in_flight(self.app)
                rows = await runtime.db.write_unclaimed(
                    _record_and_claim, results, self.remaining, runtime.clock.timestamp(), kinds
                )
            self._after_claim(rows)
            if not rows and not any(_waiting(self.app).get(chat) for chat in self.held):
                self._release(set(self.held))
                return  # what is left (not due yet, or behind a row of another sender) wakes the sender

    def _after_claim(self, rows: Sequence[Row]) -> None:
        """The chats of the rows just claimed stay held; a held chat that got none is let go, unless rows were
        handed on to it while the claim was being written (then the next turn claims them)."""
        self.hold(rows)
        claimed = {row.chat_id for row in rows}
        waiting = _waiting(self.app)
        self._release({chat for chat in self.held if chat not in claimed and not waiting.get(chat)})


def _in_flight(app: AnyApp) -> set[asyncio.Future[list[Result]]]:
    found: set[asyncio.Future[list[Result]]] = app.bot_data.setdefault("outbox_in_flight", set())
    return found


async def _attempt_all(app: AnyApp, rows: Sequence[Row]) -> list[Result]:
    """One window's calls, concurrently; known to other deliveries while under way (``_others_in_flight``)."""
    window = asyncio.ensure_future(asyncio.gather(*(attempt(app, row) for row in rows)))
    flying = _in_flight(app)
    flying.add(window)
    try:
        return list(await window)
    finally:
        flying.discard(window)


async def _others_in_flight(app: AnyApp) -> None:
    """Before claiming rows the use case could not claim: let the windows under way finish first. A row waits when
    an earlier row of its chat is still 'sending' (order within a chat), which is mostly another update's call in
    flight this very moment (concurrent chats share a group); once it is done its outcome is deferred, and the
    claim's transaction writes it first, so the claim succeeds instead of leaving the row to the background sender
    (two more hand-offs, and a wake-up)."""
    busy = [w for w in _in_flight(app) if not w.done()]
    if busy:
        await asyncio.wait(busy)


async def drain(app: AnyApp, limit: int = 64) -> int:
    """Deliver every due row once (the background sender's window; also used by tests). Returns rows tried."""
    runtime: Runtime = app.bot_data["runtime"]
    if _paced(runtime) and runtime.db.deferred:
        await runtime.db.flush()  # a paced window starts with a read, which cannot carry the deferred outcomes
    # Chats an inline delivery holds: it claims their next rows itself, with its record (``_Delivery``).
    rows = await _claim_window(runtime, None, limit, () if _paced(runtime) else sorted(_busy(app)))
    if not rows:
        if runtime.db.deferred:
            await runtime.db.flush()  # idle: what the last deliveries deferred is written now
        return 0
    results = await _attempt_all(app, rows)  # one row per chat
    await runtime.db.write(repo.record, results, runtime.clock.timestamp(), _kinds(runtime))  # one group commit
    return len(rows)


def _backoff(attempts: int) -> int:
    return int(min(MAX_BACKOFF_S, 2 ** max(0, attempts - 1)))


# What the application's Defaults give every call it builds (bot/app.py): the outbox's texts are HTML.
RAW_CALL_WARNING = r"Please use 'Bot\.(sendMessage|editMessageText)' instead of"
warnings.filterwarnings("ignore", message=RAW_CALL_WARNING, category=PTBUserWarning)
_HTML: dict[str, Any] = {"parse_mode": "HTML", "link_preview_options": {"is_disabled": True}}


def _markup_json(keyboard: PlainKeyboard | None) -> dict[str, Any] | None:
    """The stored keyboard as the Bot API's ``InlineKeyboardMarkup`` JSON."""
    if not keyboard:
        return None
    return {"inline_keyboard": [[{"text": b["text"], "url": b["url"]} if b.get("url")
                                 else {"text": b["text"], "callback_data": b.get("data") or ""}
                                 for b in row] for row in keyboard]}  # fmt: skip


async def _call(app: AnyApp, method: str, fields: dict[str, Any]) -> Any:
    """A text send or edit, its answer kept as the Bot API's JSON. ``Bot.send_message`` would build the markup
    as objects and parse the answer into a ``Message`` that the outbox only asks its ``message_id``: that
    costs about one whole echo update per call (bench/RESULTS.md, "Raw calls"). ``do_api_request`` is the
    library's public way to make a call by name; the same request layer, rate limiter and errors apply. It
    warns that a method of that name exists: expected here, filtered (``RAW_CALL_WARNING``)."""
    return await app.bot.do_api_request(method, api_kwargs=fields)


async def attempt(app: AnyApp, row: Row) -> Result:
    """One row's Bot API call, mapped to an outcome. Never raises for a Telegram error."""
    runtime: Runtime = app.bot_data["runtime"]
    chat_id, method = row.chat_id, row.method
    for _ in range(3):  # a chat migration moves the row; then it is tried again at once
        try:
            if method == "send" and row.file_kind:
                message = await send_file(app, runtime, row, chat_id)
                if message is None:
                    return Result(row.id, "failed", "the file's bytes are gone", chat_id)
                return Result(row.id, "sent", None, chat_id, message.message_id, row.on_sent, row.ref)
            if method == "send":
                sent = await _call(app, "sendMessage", {
                    "chat_id": chat_id, "text": row.text, "reply_markup": _markup_json(row.keyboard),
                    "message_thread_id": row.thread_id, "disable_notification": not row.notify, **_HTML,
                })  # fmt: skip
                return Result(row.id, "sent", None, chat_id, int(sent["message_id"]), row.on_sent, row.ref)
            if method == "edit":
                try:
                    await _call(app, "editMessageText", {
                        "chat_id": chat_id, "message_id": row.message_id, "text": row.text,
                        "reply_markup": _markup_json(row.keyboard), **_HTML,
                    })  # fmt: skip
                except BadRequest as exc:
                    lowered = exc.message.lower()
                    if "not modified" in lowered:
                        return Result(row.id, "sent", None, chat_id, row.message_id)
                    if "not found" in lowered and row.on_sent:
                        # The message was deleted: post the current state again and remember the new one.
                        method = "send"
                        continue
                    raise
                return Result(row.id, "sent", None, chat_id, row.message_id)
            if method == "pin" and row.text != repo.UNPIN:
                await app.bot.pin_chat_message(chat_id, row.message_id or 0, disable_notification=not row.notify)
                return Result(row.id, "sent", None, chat_id, row.message_id)
            if method == "pin":  # an unpin
                try:
                    await app.bot.unpin_chat_message(chat_id, message_id=row.message_id)
                except BadRequest as exc:
                    if "not found" not in exc.message.lower():
                        raise
                    # already unpinned or deleted: nothing left to do
                return Result(row.id, "sent", None, chat_id, row.message_id)
            return Result(row.id, "failed", f"unknown method {method}", chat_id)
        except RetryAfter as exc:
            seconds = exc.retry_after
            wait = float(seconds.total_seconds() if hasattr(seconds, "total_seconds") else seconds)
            shared_pacer(runtime).hold(wait)
            return _retry(runtime, row, f"429 retry after {wait:g} s", wait)
        except TimedOut as exc:
            if method == "send" and "pool" not in str(exc).lower():
                return Result(row.id, "uncertain", f"timed out: {exc}"[:200], chat_id)
            return _retry(runtime, row, f"timed out: {exc}", _backoff(row.attempts))
        except Forbidden as exc:
            return Result(row.id, "failed", f"403 {exc.message}"[:200], chat_id, unreachable=True)
        except ChatMigrated as exc:
            chat_id = await follow_migration(runtime, chat_id, int(exc.new_chat_id))
        except BadRequest as exc:
            return Result(row.id, "failed", f"400 {exc.message}"[:200], chat_id)
        except NetworkError as exc:  # 5xx and connection errors before a response
            return _retry(runtime, row, f"{exc.message}"[:200], _backoff(row.attempts))
    return Result(row.id, "failed", "chat moved more than twice", chat_id)


def _retry(runtime: Runtime, row: Row, reason: str, wait: float) -> Result:
    if row.attempts >= MAX_ATTEMPTS:
        return Result(row.id, "failed", f"gave up after {row.attempts} attempts: {reason}"[:200], row.chat_id)
    return Result(row.id, "retry", reason[:200], next_at=runtime.clock.timestamp() + max(1, round(wait)))


# ---- the background sender ----------------------------------------------------------------------------


def _wake(app: AnyApp) -> None:
    event = app.bot_data["runtime"].outbox_wake
    if isinstance(event, asyncio.Event):
        event.set()


PRUNE_EVERY_S = 3600


def _prune(conn: Conn, now: int) -> None:
    repo.prune(conn, now)  # sent and superseded rows after two weeks; failed and uncertain ones stay for /status
    core_repo.prune_processed_updates(conn, now)  # Telegram never redelivers after 24 h


async def _loop(app: AnyApp) -> None:
    runtime: Runtime = app.bot_data["runtime"]
    wake = runtime.outbox_wake
    assert wake is not None
    pruned_at = 0
    while runtime.db.is_open:
        try:
            now = runtime.clock.timestamp()
            if now - pruned_at >= PRUNE_EVERY_S:
                pruned_at = now
                await runtime.db.write(_prune, now)
            if await drain(app):
                continue
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("outbox sender failed; retrying")
        wake.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(IDLE_WAKE_S):  # no helper task (wait_for would make one per idle second)
                await wake.wait()


async def on_startup(app: AnyApp) -> None:
    """Calls a crash interrupted become uncertain; then the background sender starts."""
    runtime: Runtime = app.bot_data["runtime"]
    if runtime.db.sole_instance:  # else rows 'sending' are another running instance's (docs/scale.md)
        uncertain, pending = await runtime.db.write(repo.recover, runtime.clock.timestamp())
        if uncertain or pending:
            log.warning("outbox after restart: %d uncertain (not resent), %d pending", uncertain, pending)
    await on_shutdown(app)  # a second start-up of one Application (tests) replaces the sender
    runtime.outbox_wake = asyncio.Event()
    task = asyncio.get_running_loop().create_task(_loop(app), name="outbox-sender")
    runtime.outbox_task = task
    # A service that lives as long as the Application: whoever waits for "the bot's work to finish" (the demo
    # after each line) must not wait for it.
    runtime.service_tasks.add(task)


async def on_shutdown(app: AnyApp) -> None:
    runtime: Runtime = app.bot_data["runtime"]
    task, runtime.outbox_task = runtime.outbox_task, None
    if isinstance(task, asyncio.Task) and not task.done():
        task.cancel()
        await asyncio.wait([task], timeout=5)


FEATURE = Feature("outbox", on_startup=(on_startup,), on_shutdown=(on_shutdown,))


__all__ = [
    "commit", "deliver", "drain", "enqueue", "fate", "out_edit", "out_file", "out_reply", "out_send", "plain",
    "write_and_reply",
]
