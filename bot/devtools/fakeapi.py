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
from collections.abc import Callable
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.devtools.fakeapi_chats import ChatsAndUpdates
from bot.devtools.fakeapi_types import (
    ADMIN_RIGHTS,
    BOT_ID,
    BOT_USERNAME,
    MAX_TEXT,
    ApiCall,
    Failure,
    StoredMessage,
    check_html,
)


class FakeBotApi(ChatsAndUpdates, BaseRequest):
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


def escape(text: str) -> str:
    return html.escape(text, quote=False)


__all__ = [
    "ADMIN_RIGHTS",
    "BOT_ID",
    "BOT_USERNAME",
    "MAX_TEXT",
    "ApiCall",
    "Failure",
    "FakeBotApi",
    "StoredMessage",
    "check_html",
    "escape",
]
