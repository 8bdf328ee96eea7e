"""/status: the bot's delivery health for the secretariat (inbox backlog, outbox states, unreachable members)."""

from __future__ import annotations

import datetime as dt

from bot.kernel.i18n import Translator
from bot.kernel.outbox_storage import Health
from bot.kernel.views import esc

_STATUS = {"failed": "❌", "uncertain": "❓"}


def status_text(t: Translator, health: Health, tz: str, now: int) -> str:
    def when(ts: int | None) -> str:
        if not ts:
            return t.gettext("never")
        return t.short_datetime(dt.datetime.fromtimestamp(ts, dt.UTC), tz)

    lines = ["<b>" + t.gettext("Bot status") + "</b>"]
    lines.append(t.ngettext("Inbox: {n} update waiting to be processed", "Inbox: {n} updates waiting to be processed",
                            health.inbox).format(n=t.number(health.inbox)))  # fmt: skip
    lines.append(t.gettext("Outbox: {pending} waiting · {failed} failed · {uncertain} uncertain").format(
        pending=t.number(health.pending + health.sending), failed=t.number(health.failed),
        uncertain=t.number(health.uncertain)))  # fmt: skip
    if health.oldest_pending_at:
        lines.append(t.gettext("Oldest message waiting since {when}").format(when=when(health.oldest_pending_at)))
    lines.append(t.gettext("Last successful call to Telegram: {when}").format(when=when(health.last_ok_at)))
    if health.problems:
        lines += ["", "<b>" + t.gettext("Latest failed or uncertain messages") + "</b>"]
        for p in health.problems:
            lines.append(f"{_STATUS.get(p.status, '•')} {esc(p.chat_name)} — {esc(p.reason)} ({when(p.at)})")
        lines.append(t.gettext("❓ uncertain: the request may have reached Telegram; it is not sent again."))
    if health.unreachable:
        lines += ["", "<b>" + t.gettext("Members the bot cannot reach (blocked or never started)") + "</b>"]
        lines += ["• " + esc(name) for name in health.unreachable]
    return "\n".join(lines)
