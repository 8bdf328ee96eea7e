"""An in-process stand-in for the Telegram Bot API at the HTTP-request layer.

It is a ``telegram.request.BaseRequest``: the real ``Application`` and ``Bot`` serialise every call
exactly as in production, and this class answers with valid Bot API JSON instead of the network.
It records every call, keeps the messages it "sent" (so edits and pins can be checked), enforces the
limits Telegram enforces (4096 characters, well-formed HTML, 64-byte callback data) and can be told
to fail a method the way Telegram does (400 rights, 403 Forbidden, 429 RetryAfter, ChatMigrated).

The tests, the local demo and the benchmarks all use it.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from telegram.request import BaseRequest, RequestData

BOT_ID = 777000111
BOT_USERNAME = "KlasterLogistikBot"
MAX_TEXT = 4096
ADMIN_RIGHTS = {
    "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
    "can_delete_messages": True, "can_manage_video_chats": False, "can_restrict_members": False,
    "can_promote_members": False, "can_change_info": False, "can_invite_users": True,
    "can_post_stories": False, "can_edit_stories": False, "can_delete_stories": False,
    "can_pin_messages": True, "can_manage_topics": False,
}  # fmt: skip
_ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "span", "tg-spoiler", "blockquote", "tg-emoji",
}  # fmt: skip


class _HtmlCheck(HTMLParser):
    """Mimics Telegram's HTML parse mode strictly enough to catch unescaped user text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.error: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            self.error = self.error or f'Unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = self.error or f'Unmatched end tag "{tag}"'
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


_BARE_AMP = re.compile(r"&(?!(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);)")


def check_html(text: str) -> tuple[str | None, str]:
    """Return (error or None, plain text) for a message in HTML parse mode."""
    if _BARE_AMP.search(text):
        return "Can't parse entities: unescaped '&'", text
    parser = _HtmlCheck()
    parser.feed(text)
    parser.close()
    if parser.error is None and parser.stack:
        parser.error = f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"'
    plain = "".join(parser.text)
    return (f"Can't parse entities: {parser.error}" if parser.error else None), plain


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    result: Any = None
    error: str | None = None

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if isinstance(value, int | str) and str(value).lstrip("-").isdigit() else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return list(markup.get("inline_keyboard") or [])

    def button_texts(self) -> list[str]:
        return [b["text"] for row in self.buttons for b in row]


@dataclass
class Failure:
    method: str
    kind: str  # forbidden | retry_after | migrate | rights | not_found | server | timeout | bad_request
    chat_id: int | None = None
    times: int = 1
    arg: Any = None


@dataclass
class StoredMessage:
    chat_id: int
    message_id: int
    text: str
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    date: int
    kind: str = "text"
    deleted: bool = False
    edits: int = 0
    thread_id: int | None = None
    file_name: str | None = None


class FakeBotApi(BaseRequest):
    """Answers Bot API methods locally; see module docstring."""

    def __init__(self, clock: Callable[[], int] | None = None, username: str = BOT_USERNAME) -> None:
        import time

        self._clock = clock or (lambda: int(time.time()))
        self.bot_user = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Klaster Logistik",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.calls: list[ApiCall] = []
        self.messages: dict[tuple[int, int], StoredMessage] = {}
        self.pins: dict[int, list[int]] = {}
        self.chats: dict[int, dict[str, Any]] = {}
        self.members: dict[int, dict[int, dict[str, Any]]] = {}
        self.bot_rights: dict[int, dict[str, Any]] = {}
        self.failures: list[Failure] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self._next_id: dict[int, int] = {}
        self.listeners: list[Callable[[ApiCall], None]] = []
        # Files users "upload" (for import tests): file_id → bytes, served by getFile + download.
        self.files: dict[str, bytes] = {}
        # Updates waiting for getUpdates, with Telegram's offset semantics (see ``_m_getUpdates``).
        self.updates: list[dict[str, Any]] = []
        self.confirmed_offset = 0
        self.deliveries: dict[int, int] = {}  # update_id → times handed out
        # setWebhook's state, as Telegram keeps it: while a URL is set, getUpdates answers 409.
        self.webhook: dict[str, Any] = {}

    # ---- BaseRequest ---------------------------------------------------------------------------
    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:
            return 200, self.files.get(url.rsplit("/", 1)[-1], b"")
        api_method = url.rsplit("/", 1)[-1]
        params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
        files: dict[str, bytes] = {}
        if request_data is not None and request_data.contains_files:
            for name, value in request_data.multipart_data.items():
                payload = value[1] if isinstance(value, tuple) else value
                files[name] = payload if isinstance(payload, bytes) else payload.read()
                if isinstance(value, tuple) and value[0]:
                    files[name + ":filename"] = str(value[0]).encode()
        call = ApiCall(api_method, params, files)
        self.calls.append(call)
        status, body = self._dispatch(call)
        for listener in self.listeners:
            listener(call)
        return status, json.dumps(body).encode()

    # ---- configuration for tests ----------------------------------------------------------------
    def fail(self, method: str, kind: str, chat_id: int | None = None, times: int = 1, arg: Any = None) -> None:
        """Make the next ``times`` calls of ``method`` (optionally to ``chat_id``) fail like Telegram."""
        self.failures.append(Failure(method, kind, chat_id, times, arg))

    def add_chat(self, chat_id: int, type_: str, title: str | None = None, **extra: Any) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": type_}
        if title:
            chat["title"] = title
        chat.update(extra)
        self.chats[chat_id] = chat
        return chat

    def set_member(self, chat_id: int, user: dict[str, Any], status: str = "member", **rights: Any) -> None:
        self.members.setdefault(chat_id, {})[user["id"]] = {"user": user, "status": status, **rights}

    def set_bot_rights(self, chat_id: int, status: str = "administrator", **rights: Any) -> None:
        """Default admin rights include pinning; pass ``can_pin_messages=False`` to withhold it."""
        base = dict(ADMIN_RIGHTS)
        base.update(rights)
        self.bot_rights[chat_id] = {"status": status, **(base if status == "administrator" else {})}

    # ---- queries for tests ----------------------------------------------------------------------
    def sent(self, chat_id: int | None = None, method: str | None = None) -> list[ApiCall]:
        methods = {method} if method else {"sendMessage", "sendDocument", "sendPhoto"}
        return [
            c for c in self.calls
            if c.method in methods and c.error is None and (chat_id is None or c.chat_id == chat_id)
        ]  # fmt: skip

    def last(self, chat_id: int | None = None, method: str | None = None) -> ApiCall:
        found = self.sent(chat_id, method)
        if not found:
            raise AssertionError(f"nothing sent to {chat_id} with {method or 'send*'}")
        return found[-1]

    def adopt_message(self, chat_id: int, message_id: int, text: str) -> None:
        """A message sent before this stand-in existed (a process test seeded through another one): it can be
        edited here, and new message ids in that chat come after it."""
        self.messages[(chat_id, message_id)] = StoredMessage(chat_id, message_id, text, "HTML", None, self._clock())
        self._next_id[chat_id] = max(self._next_id.get(chat_id, 1000), message_id)

    def message(self, chat_id: int, message_id: int) -> StoredMessage:
        return self.messages[(chat_id, message_id)]

    def clear(self) -> None:
        self.calls.clear()

    # ---- dispatch -------------------------------------------------------------------------------
    def _take_failure(self, call: ApiCall) -> Failure | None:
        for failure in self.failures:
            if failure.method == call.method and (failure.chat_id is None or failure.chat_id == call.chat_id):
                failure.times -= 1
                if failure.times <= 0:
                    self.failures.remove(failure)
                return failure
        return None

    def _error(self, call: ApiCall, code: int, description: str, **parameters: Any) -> tuple[int, dict[str, Any]]:
        call.error = description
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return code, body

    def _dispatch(self, call: ApiCall) -> tuple[int, dict[str, Any]]:
        failure = self._take_failure(call)
        if failure is not None:
            kind = failure.kind
            if kind == "forbidden":
                return self._error(call, 403, failure.arg or "Forbidden: bot was blocked by the user")
            if kind == "retry_after":
                seconds = int(failure.arg or 1)
                return self._error(call, 429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
            if kind == "migrate":
                return self._error(
                    call, 400, "Bad Request: group chat was upgraded to a supergroup chat",
                    migrate_to_chat_id=int(failure.arg),
                )  # fmt: skip
            if kind == "rights":
                return self._error(call, 400, failure.arg or "Bad Request: not enough rights to pin a message")
            if kind == "not_found":
                return self._error(call, 400, failure.arg or "Bad Request: message to edit not found")
            if kind == "server":
                return self._error(call, 502, "Bad Gateway")
            if kind == "timeout":
                from telegram.error import TimedOut

                call.error = "timeout"
                raise TimedOut()
            return self._error(call, 400, failure.arg or "Bad Request")
        handler = getattr(self, "_m_" + call.method, None)
        if handler is None:
            return 200, {"ok": True, "result": True}
        result = handler(call)
        if isinstance(result, tuple):
            return result
        call.result = result
        return 200, {"ok": True, "result": result}

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id not in self.chats:
            type_ = "private" if chat_id > 0 else "supergroup"
            self.chats[chat_id] = {
                "id": chat_id,
                "type": type_,
                **({"title": f"Grup {chat_id}"} if chat_id < 0 else {"first_name": f"User {chat_id}"}),
            }
        return self.chats[chat_id]

    def _new_id(self, chat_id: int) -> int:
        self._next_id[chat_id] = self._next_id.get(chat_id, 1000) + 1
        return self._next_id[chat_id]

    def _validate_text(self, call: ApiCall, text: str, parse_mode: str | None) -> tuple[int, dict[str, Any]] | str:
        plain = text
        if parse_mode == "HTML":
            error, plain = check_html(text)
            if error:
                return self._error(call, 400, f"Bad Request: {error}")
        if not plain.strip():
            return self._error(call, 400, "Bad Request: message text is empty")
        if len(plain) > MAX_TEXT:
            return self._error(call, 400, "Bad Request: message is too long")
        return plain

    def _validate_markup(self, call: ApiCall) -> tuple[int, dict[str, Any]] | dict[str, Any] | None:
        markup = call.params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        if markup and "inline_keyboard" in markup:
            for row in markup["inline_keyboard"]:
                for button in row:
                    data = button.get("callback_data")
                    if data is not None and not 1 <= len(data.encode()) <= 64:
                        return self._error(call, 400, "Bad Request: BUTTON_DATA_INVALID")
        return markup if isinstance(markup, dict) else None

    def _message_json(self, stored: StoredMessage) -> dict[str, Any]:
        out: dict[str, Any] = {
            "message_id": stored.message_id,
            "date": stored.date,
            "chat": self._chat(stored.chat_id),
            "from": self.bot_user,
        }
        if stored.kind == "text":
            out["text"] = stored.text
        elif stored.kind == "document":
            out["document"] = {
                "file_id": f"doc{stored.message_id}",
                "file_unique_id": f"u{stored.message_id}",
                "file_name": stored.file_name or "file",
            }
            if stored.text:
                out["caption"] = stored.text
        elif stored.kind == "photo":
            out["photo"] = [
                {
                    "file_id": f"ph{stored.message_id}",
                    "file_unique_id": f"p{stored.message_id}",
                    "width": 800,
                    "height": 600,
                }
            ]
            if stored.text:
                out["caption"] = stored.text
        if stored.reply_markup and stored.reply_markup.get("inline_keyboard"):
            out["reply_markup"] = stored.reply_markup
        if stored.edits:
            out["edit_date"] = self._clock()
        return out

    # ---- methods --------------------------------------------------------------------------------
    def _m_getMe(self, call: ApiCall) -> dict[str, Any]:
        return self.bot_user

    def _m_sendMessage(self, call: ApiCall) -> Any:
        chat_id = int(call.params["chat_id"])
        checked = self._validate_text(call, str(call.params.get("text", "")), call.params.get("parse_mode"))
        if isinstance(checked, tuple):
            return checked
        markup = self._validate_markup(call)
        if isinstance(markup, tuple):
            return markup
        stored = StoredMessage(
            chat_id, self._new_id(chat_id), str(call.params.get("text", "")), call.params.get("parse_mode"),
            markup, self._clock(), thread_id=call.params.get("message_thread_id"),
        )  # fmt: skip
        self.messages[(chat_id, stored.message_id)] = stored
        return self._message_json(stored)

    def _send_file(self, call: ApiCall, kind: str) -> Any:
        chat_id = int(call.params["chat_id"])
        caption = str(call.params.get("caption") or "")
        if caption:
            checked = self._validate_text(call, caption, call.params.get("parse_mode"))
            if isinstance(checked, tuple):
                return checked
        markup = self._validate_markup(call)
        if isinstance(markup, tuple):
            return markup
        name = None
        for key, value in call.files.items():
            if key.endswith(":filename"):
                name = value.decode()
        stored = StoredMessage(
            chat_id,
            self._new_id(chat_id),
            caption,
            call.params.get("parse_mode"),
            markup,
            self._clock(),
            kind=kind,
            file_name=name,
        )
        self.messages[(chat_id, stored.message_id)] = stored
        return self._message_json(stored)

    def _m_sendDocument(self, call: ApiCall) -> Any:
        return self._send_file(call, "document")

    def _m_sendPhoto(self, call: ApiCall) -> Any:
        return self._send_file(call, "photo")

    def _stored(self, call: ApiCall) -> StoredMessage | tuple[int, dict[str, Any]]:
        key = (int(call.params["chat_id"]), int(call.params["message_id"]))
        stored = self.messages.get(key)
        if stored is None or stored.deleted:
            return self._error(call, 400, "Bad Request: message to edit not found")
        return stored

    def _m_editMessageText(self, call: ApiCall) -> Any:
        stored = self._stored(call)
        if isinstance(stored, tuple):
            return stored
        text = str(call.params.get("text", ""))
        checked = self._validate_text(call, text, call.params.get("parse_mode"))
        if isinstance(checked, tuple):
            return checked
        markup = self._validate_markup(call)
        if isinstance(markup, tuple):
            return markup
        if text == stored.text and markup == stored.reply_markup:
            return self._error(call, 400, "Bad Request: message is not modified")
        stored.text, stored.parse_mode, stored.reply_markup = text, call.params.get("parse_mode"), markup
        stored.edits += 1
        return self._message_json(stored)

    def _m_editMessageReplyMarkup(self, call: ApiCall) -> Any:
        stored = self._stored(call)
        if isinstance(stored, tuple):
            return stored
        markup = self._validate_markup(call)
        if isinstance(markup, tuple):
            return markup
        stored.reply_markup = markup
        stored.edits += 1
        return self._message_json(stored)

    def _m_deleteMessage(self, call: ApiCall) -> Any:
        stored = self._stored(call)
        if isinstance(stored, tuple):
            return self._error(call, 400, "Bad Request: message to delete not found")
        stored.deleted = True
        pins = self.pins.get(stored.chat_id, [])
        if stored.message_id in pins:
            pins.remove(stored.message_id)
        return True

    def _m_pinChatMessage(self, call: ApiCall) -> Any:
        chat_id, message_id = int(call.params["chat_id"]), int(call.params["message_id"])
        rights = self.bot_rights.get(chat_id)
        if rights is not None and not rights.get("can_pin_messages"):
            return self._error(call, 400, "Bad Request: not enough rights to manage pinned messages in the chat")
        if (chat_id, message_id) not in self.messages or self.messages[(chat_id, message_id)].deleted:
            return self._error(call, 400, "Bad Request: message to pin not found")
        pins = self.pins.setdefault(chat_id, [])
        if message_id in pins:
            pins.remove(message_id)
        pins.append(message_id)
        return True

    def _m_unpinChatMessage(self, call: ApiCall) -> Any:
        chat_id = int(call.params["chat_id"])
        pins = self.pins.setdefault(chat_id, [])
        message_id = call.params.get("message_id")
        if message_id is None:
            if pins:
                pins.pop()
        elif int(message_id) in pins:
            pins.remove(int(message_id))
        return True

    def _m_answerCallbackQuery(self, call: ApiCall) -> Any:
        return True

    def _m_getChat(self, call: ApiCall) -> Any:
        chat = dict(self._chat(int(call.params["chat_id"])))
        pins = self.pins.get(chat["id"])
        if pins:
            chat["pinned_message"] = self._message_json(self.messages[(chat["id"], pins[-1])])
        chat.setdefault("accent_color_id", 0)
        chat.setdefault("max_reaction_count", 11)
        return chat

    def _member_json(self, chat_id: int, user_id: int) -> dict[str, Any]:
        if user_id == BOT_ID:
            rights = self.bot_rights.get(chat_id, {"status": "member"})
            return {"user": self.bot_user, **rights}
        member = self.members.get(chat_id, {}).get(user_id)
        if member is None:
            return {"user": {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}, "status": "left"}
        out = dict(member)
        if out["status"] == "administrator":
            for key, value in {
                "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
                "can_delete_messages": True, "can_manage_video_chats": True, "can_restrict_members": True,
                "can_promote_members": False, "can_change_info": True, "can_invite_users": True,
                "can_post_stories": False, "can_edit_stories": False, "can_delete_stories": False,
            }.items():  # fmt: skip
                out.setdefault(key, value)
        if out["status"] == "creator":
            out.setdefault("is_anonymous", False)
        return out

    def _m_getChatMember(self, call: ApiCall) -> Any:
        return self._member_json(int(call.params["chat_id"]), int(call.params["user_id"]))

    def _m_getChatAdministrators(self, call: ApiCall) -> Any:
        chat_id = int(call.params["chat_id"])
        admins = [
            self._member_json(chat_id, uid)
            for uid, m in self.members.get(chat_id, {}).items()
            if m["status"] in ("administrator", "creator")
        ]
        if self.bot_rights.get(chat_id, {}).get("status") == "administrator":
            admins.append(self._member_json(chat_id, BOT_ID))
        return admins

    def _m_setMyCommands(self, call: ApiCall) -> Any:
        scope = call.params.get("scope") or {"type": "default"}
        key = f"{json.dumps(scope, sort_keys=True)}|{call.params.get('language_code', '')}"
        self.commands[key] = list(call.params.get("commands") or [])
        return True

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for ``getUpdates`` (the polling path; ``Simulator.feed`` bypasses it)."""
        self.updates.append(update)

    def pending_updates(self) -> list[dict[str, Any]]:
        return [u for u in self.updates if u["update_id"] >= self.confirmed_offset]

    def _m_setWebhook(self, call: ApiCall) -> Any:
        """Telegram's checks: an HTTPS URL on port 443, 80, 88 or 8443; a secret of 1-256 ``A-Za-z0-9_-``."""
        url = str(call.params.get("url") or "")
        if not url:
            self.webhook = {}
            return True
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            return self._error(call, 400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        if (parts.port or 443) not in (443, 80, 88, 8443):
            return self._error(call, 400, "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        secret = call.params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            return self._error(call, 400, "Bad Request: secret token contains unallowed characters")
        if call.params.get("drop_pending_updates"):
            self.updates.clear()
        allowed = call.params.get("allowed_updates")
        if isinstance(allowed, str):
            allowed = json.loads(allowed)
        self.webhook = {"url": url, "secret_token": secret, "allowed_updates": allowed,
                        "max_connections": int(call.params.get("max_connections") or 40)}  # fmt: skip
        return True

    def _m_deleteWebhook(self, call: ApiCall) -> Any:
        self.webhook = {}
        if call.params.get("drop_pending_updates"):
            self.updates.clear()
        return True

    def _m_getWebhookInfo(self, call: ApiCall) -> Any:
        info: dict[str, Any] = {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                                "pending_update_count": len(self.pending_updates())}  # fmt: skip
        if self.webhook:
            info["max_connections"] = self.webhook["max_connections"]
            if self.webhook.get("allowed_updates") is not None:
                info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    def webhook_conflict(self, call: ApiCall) -> tuple[int, dict[str, Any]] | None:
        """Telegram refuses getUpdates while a webhook is set."""
        if not self.webhook:
            return None
        return self._error(call, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")

    def _m_getUpdates(self, call: ApiCall) -> Any:
        """Telegram's semantics: an update is handed out again and again until a later getUpdates asks for an
        ``offset`` above its id; only then is it confirmed and forgotten. Nothing is confirmed on delivery."""
        conflict = self.webhook_conflict(call)
        if conflict is not None:
            return conflict
        offset = int(call.params.get("offset") or 0)
        if offset:
            self.confirmed_offset = max(self.confirmed_offset, offset)
            self.updates = [u for u in self.updates if u["update_id"] >= self.confirmed_offset]
        limit = int(call.params.get("limit") or 100)
        batch = self.pending_updates()[: max(1, min(limit, 100))]
        for update in batch:
            self.deliveries[update["update_id"]] = self.deliveries.get(update["update_id"], 0) + 1
        return batch

    def _m_getFile(self, call: ApiCall) -> Any:
        file_id = str(call.params["file_id"])
        return {
            "file_id": file_id,
            "file_unique_id": "u" + file_id,
            "file_size": len(self.files.get(file_id, b"")),
            "file_path": f"documents/{file_id}",
        }


def escape(text: str) -> str:
    return html.escape(text, quote=False)
