"""The Bot API stand-in's chats, members, commands, webhook and getUpdates (with Telegram's offset semantics):
the part of ``FakeBotApi`` that keeps the world's state rather than messages."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from bot.devtools.fakeapi_types import BOT_ID, ApiCall, Failure, StoredMessage


class ChatsAndUpdates:
    """Base of ``FakeBotApi``: its ``_m_<method>`` answers for chats, members, commands, webhooks and updates."""

    bot_user: dict[str, Any]
    calls: list[ApiCall]
    messages: dict[tuple[int, int], StoredMessage]
    pins: dict[int, list[int]]
    chats: dict[int, dict[str, Any]]
    members: dict[int, dict[int, dict[str, Any]]]
    bot_rights: dict[int, dict[str, Any]]
    failures: list[Failure]
    commands: dict[str, list[dict[str, Any]]]
    files: dict[str, bytes]
    updates: list[dict[str, Any]]
    confirmed_offset: int
    deliveries: dict[int, int]
    webhook: dict[str, Any]

    def _error(self, call: ApiCall, code: int, description: str, **parameters: Any) -> tuple[int, dict[str, Any]]:
        raise NotImplementedError

    def _chat(self, chat_id: int) -> dict[str, Any]:
        raise NotImplementedError

    def _message_json(self, stored: StoredMessage) -> dict[str, Any]:
        raise NotImplementedError

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
