"""The stale and near-expiry reminders."""

from __future__ import annotations

from bot.features.stock.callbacks import (
    LineButton,
    ReminderButton,
)
from bot.features.stock.service import (
    Reminder,
)
from bot.features.stock.views.common import line_text
from bot.kernel.i18n import Translator
from bot.kernel.views import Button, Reply

# ---- reminders ------------------------------------------------------------------------------------


def stale_reminder(t: Translator, reminder: Reminder, tz: str, late: bool) -> Reply:
    lines = [t.ngettext("⚠️ This stock line has not been confirmed for {days} days:",
                        "⚠️ These stock lines have not been confirmed for {days} days:", len(reminder.lines))
             .format(days=reminder.days)]  # fmt: skip
    lines += [f"• {line_text(t, line, tz)}" for line in reminder.lines[:15]]
    if len(reminder.lines) > 15:
        lines.append(t.gettext("… and {n} more").format(n=len(reminder.lines) - 15))
    lines.append(t.gettext("Is it still correct? Stale figures are left out of matching and /cari."))
    if late:
        lines.append(t.gettext("(sent late)"))
    return Reply("\n".join(lines), [[Button(t.gettext("✅ All still correct"), ReminderButton("ok", reminder.org_id).pack()),
                                     Button(t.gettext("📦 Update"), LineButton("pg", 0).pack())]])  # fmt: skip


def expiry_reminder(t: Translator, reminder: Reminder, tz: str, late: bool) -> Reply:
    lines = [t.gettext("⏳ Expiring within {days} days — distribute or replace it in time:").format(days=reminder.days)]
    lines += [f"• {line_text(t, line, tz)}" for line in reminder.lines[:15]]
    if len(reminder.lines) > 15:
        lines.append(t.gettext("… and {n} more").format(n=len(reminder.lines) - 15))
    if late:
        lines.append(t.gettext("(sent late)"))
    return Reply("\n".join(lines), [[Button(t.gettext("📦 My stock"), LineButton("pg", 0).pack())]])


def confirmed_all(t: Translator, count: int) -> str:
    return t.ngettext("Saved: {n} line confirmed as still correct.", "Saved: {n} lines confirmed as still correct.",
                      count).format(n=count)  # fmt: skip
