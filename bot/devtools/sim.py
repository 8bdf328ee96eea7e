"""Builds Telegram ``Update`` JSON as real clients produce it and feeds it to the real Application.

Used by the end-to-end tests, the local demo and the benchmarks, so all three exercise exactly the
production handler path: ``Application.process_update`` → handlers → Bot → ``FakeBotApi``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.devtools.fakeapi import ADMIN_RIGHTS, ApiCall, FakeBotApi, StoredMessage

RESTRICTED = {
    "is_member": True, "can_send_messages": True, "can_send_audios": True, "can_send_documents": True,
    "can_send_photos": True, "can_send_videos": True, "can_send_video_notes": True, "can_send_voice_notes": True,
    "can_send_polls": True, "can_send_other_messages": True, "can_add_web_page_previews": True,
    "can_change_info": False, "can_invite_users": True, "can_pin_messages": False, "can_manage_topics": False,
    "until_date": 0,
}  # fmt: skip


@dataclass(frozen=True)
class SimUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "id"

    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            out["last_name"] = self.last_name
        if self.username:
            out["username"] = self.username
        if self.language_code:
            out["language_code"] = self.language_code
        return out


# Telegram's update ids only grow; one counter for every simulator keeps that true across restarts.
_UPDATE_IDS = itertools.count(1)


class Simulator:
    """Drives an Application with updates; every call returns the Bot API calls it caused."""

    def __init__(self, app: Application, api: FakeBotApi, clock_ts: Any = None) -> None:
        self.app = app
        self.api = api
        self._update_ids = _UPDATE_IDS
        self._clock_ts = clock_ts or api._clock

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def chat_json(self, chat_id: int) -> dict[str, Any]:
        return dict(self.api._chat(chat_id))

    def private_chat(self, user: SimUser) -> int:
        if user.id not in self.api.chats:
            chat = {"id": user.id, "type": "private", "first_name": user.first_name}
            if user.username:
                chat["username"] = user.username
            self.api.chats[user.id] = chat
        return user.id

    async def feed(self, raw: dict[str, Any]) -> list[ApiCall]:
        """Process one raw update through the Application and return the API calls it caused."""
        raw.setdefault("update_id", self.next_update_id())
        before = len(self.api.calls)
        update = Update.de_json(raw, self.app.bot)
        await self.app.process_update(update)
        # The bot leaves the outcomes of its last delivery to its next transaction (``Database.defer``); a test
        # reads the database right after the update, so they are written now (counted in ``Database.flushes``).
        runtime = self.app.bot_data.get("runtime")
        if runtime is not None and runtime.db.is_open:
            await runtime.db.flush()
        return self.api.calls[before:]

    def message_json(
        self, user: SimUser, chat_id: int, text: str, reply_to: StoredMessage | None = None, **extra: Any
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self.api._new_id(chat_id),
            "date": int(self._clock_ts()),
            "chat": self.chat_json(chat_id),
            "from": user.json(),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if reply_to is not None:
            message["reply_to_message"] = self._stored_json(reply_to)
        message.update(extra)
        return message

    def _stored_json(self, stored: StoredMessage) -> dict[str, Any]:
        return self.api._message_json(stored)

    async def send(
        self, user: SimUser, chat_id: int | None = None, text: str = "", reply_to: StoredMessage | None = None,
        update_id: int | None = None, **extra: Any,
    ) -> list[ApiCall]:  # fmt: skip
        chat = self.private_chat(user) if chat_id is None else chat_id
        raw: dict[str, Any] = {"message": self.message_json(user, chat, text, reply_to, **extra)}
        if update_id is not None:
            raw["update_id"] = update_id
        return await self.feed(raw)

    async def press(
        self, user: SimUser, message: StoredMessage | ApiCall, data: str | None = None, text: str | None = None
    ) -> list[ApiCall]:
        """Press an inline button of a message the bot sent, by its callback data or its label."""
        stored = self._resolve(message)
        if data is None:
            for row in (stored.reply_markup or {}).get("inline_keyboard", []):
                for button in row:
                    if text is not None and button["text"] == text:
                        data = button.get("callback_data")
            if data is None:
                raise AssertionError(f"no button {text!r} on message {stored.message_id}")
        raw = {
            "callback_query": {
                "id": str(self.next_update_id()),
                "from": user.json(),
                "chat_instance": str(stored.chat_id),
                "message": self._stored_json(stored),
                "data": data,
            }
        }
        return await self.feed(raw)

    def _resolve(self, message: StoredMessage | ApiCall) -> StoredMessage:
        if isinstance(message, StoredMessage):
            return message
        if message.result and isinstance(message.result, dict):
            return self.api.message(message.result["chat"]["id"], message.result["message_id"])
        raise AssertionError("that call did not produce a message")

    async def member_update(
        self, user: SimUser, chat_id: int, old: str, new: str, actor: SimUser | None = None, bot: bool = False
    ) -> list[ApiCall]:
        """A ``chat_member`` (or, with ``bot=True``, ``my_chat_member``) status change."""
        subject = self.api.bot_user if bot else user.json()
        key = "my_chat_member" if bot else "chat_member"

        def member(status: str) -> dict[str, Any]:
            out: dict[str, Any] = {"user": subject, "status": status}
            if status == "administrator":
                out.update(ADMIN_RIGHTS)
            if status == "kicked":
                out["until_date"] = 0
            if status == "restricted":
                out.update(RESTRICTED)
            return out

        raw = {
            key: {
                "chat": self.chat_json(chat_id),
                "from": (actor or user).json(),
                "date": int(self._clock_ts()),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            }
        }
        return await self.feed(raw)

    async def migrate(self, user: SimUser, old_chat_id: int, new_chat_id: int) -> list[ApiCall]:
        """The service message a basic group sends when it becomes a supergroup."""
        self.api.chats[new_chat_id] = {**self.chat_json(old_chat_id), "id": new_chat_id, "type": "supergroup"}
        message = {
            "message_id": self.api._new_id(old_chat_id),
            "date": int(self._clock_ts()),
            "chat": {**self.chat_json(old_chat_id), "type": "group"},
            "from": user.json(),
            "migrate_to_chat_id": new_chat_id,
        }
        return await self.feed({"message": message})

    async def document(
        self, user: SimUser, chat_id: int | None, content: bytes, file_name: str, caption: str = ""
    ) -> list[ApiCall]:
        chat = self.private_chat(user) if chat_id is None else chat_id
        file_id = f"upl{len(self.api.files) + 1}"
        self.api.files[file_id] = content
        message = self.message_json(user, chat, "")
        del message["text"]
        message["document"] = {
            "file_id": file_id, "file_unique_id": "u" + file_id, "file_name": file_name, "file_size": len(content),
        }  # fmt: skip
        if caption:
            message["caption"] = caption
            if caption.startswith("/"):
                message["caption_entities"] = [{"type": "bot_command", "offset": 0, "length": len(caption.split()[0])}]
        return await self.feed({"message": message})
