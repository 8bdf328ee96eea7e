"""Texts of announcements (/umumkan): the announcement itself, the preview with its buttons, the progress line
and the final report for the secretariat."""

from __future__ import annotations

from bot.features.broadcast.callbacks import BroadcastButton
from bot.features.broadcast.models import Undelivered
from bot.features.broadcast.service import MAX_TEXT, Report
from bot.features.members.models import Cluster
from bot.kernel.i18n import Translator
from bot.kernel.views import Button, Reply, esc

ANNOUNCE_EXAMPLE = "/umumkan Rapat koordinasi klaster besok pukul 09.00 di kantor BPBD Kalsel."
LIST_LIMIT = 40  # names listed in a report before "… and N more"


def _more(t: Translator, hidden: int) -> str:
    return "   " + t.ngettext("… and {n} more", "… and {n} more", hidden).format(n=t.number(hidden))


def private_only(t: Translator, command: str) -> str:
    return t.gettext("Please use {command} in a private chat with me.").format(command=command)


def announcement(t: Translator, cluster: Cluster, text: str) -> str:
    """The announcement as every recipient sees it (the secretariat's text escaped, its lines kept)."""
    return "\n".join([
        t.gettext("📢 <b>Announcement — {cluster}</b>").format(cluster=esc(cluster.name)),
        "",
        esc(text),
        "",
        "<i>" + t.gettext("— cluster secretariat") + "</i>",
    ])  # fmt: skip


def announce_help(t: Translator) -> str:
    return "\n".join([
        t.gettext("📢 <b>Announcement</b> to the group and privately to every active representative."),
        t.gettext("Write the text after the command, for example:"),
        f"<code>{esc(ANNOUNCE_EXAMPLE)}</code>",
        t.gettext("You will see a preview and confirm before anything is sent."),
    ])  # fmt: skip


def too_long(t: Translator, length: int) -> str:
    return t.gettext("The announcement is too long ({n} characters). Keep it under {max} characters.").format(
        n=t.number(length), max=t.number(MAX_TEXT)
    )


def preview(t: Translator, rendered: str, broadcast_id: int, recipients: int, unreachable: int) -> Reply:
    reps = recipients - 1
    lines = [
        t.ngettext("👀 <b>Preview</b> — this goes to the group and privately to {n} active representative:",
                   "👀 <b>Preview</b> — this goes to the group and privately to {n} active representatives:",
                   reps).format(n=t.number(reps)),
        "",
        rendered,
    ]  # fmt: skip
    if unreachable:
        lines += ["", "ℹ️ " + t.ngettext(
            "{n} of them blocked the bot earlier: listed in the report, not messaged.",
            "{n} of them blocked the bot earlier: listed in the report, not messaged.", unreachable,
        ).format(n=t.number(unreachable))]  # fmt: skip
    keyboard = [[Button(t.gettext("✅ Send to {n}").format(n=t.number(recipients)), BroadcastButton("go", broadcast_id).pack()),
                 Button(t.gettext("✖ Cancel"), BroadcastButton("no", broadcast_id).pack())]]  # fmt: skip
    return Reply("\n".join(lines), keyboard)


def progress_text(t: Translator, sent: int, total: int) -> str:
    return t.gettext("📢 Sending the announcement… sent {sent}/{total}").format(
        sent=t.number(sent), total=t.number(total)
    )


def _who(t: Translator, item: Undelivered) -> str:
    if item.user_id is None:
        return t.gettext("the cluster group")
    name = esc(item.name or str(item.user_id))
    if item.username:
        name += f" (@{esc(item.username)})"
    if item.org_name:
        name += f" — {esc(item.org_name)}"
    return name


def _reason(t: Translator, item: Undelivered) -> str:
    if item.status == "uncertain":
        return t.gettext("maybe delivered (interrupted or timed out), not sent again")
    return esc(item.error) or t.gettext("error")


def final_report(t: Translator, result: Report) -> str:
    lines = [t.gettext("✅ Announcement sent: {sent}/{total}").format(
        sent=t.number(result.sent), total=t.number(result.total))]  # fmt: skip
    if result.blocked:
        lines += ["", t.gettext("🚫 Blocked the bot or unreachable ({n}) — not retried:").format(
            n=t.number(len(result.blocked)))]  # fmt: skip
        lines += [f"• {_who(t, item)}" for item in result.blocked[:LIST_LIMIT]]
        if len(result.blocked) > LIST_LIMIT:
            lines.append(_more(t, len(result.blocked) - LIST_LIMIT))
    if result.failed:
        lines += ["", t.gettext("⚠️ Not delivered ({n}):").format(n=t.number(len(result.failed)))]
        lines += [f"• {_who(t, item)}: {_reason(t, item)}" for item in result.failed[:LIST_LIMIT]]
        if len(result.failed) > LIST_LIMIT:
            lines.append(_more(t, len(result.failed) - LIST_LIMIT))
    return "\n".join(lines)


def broadcast_refused(t: Translator, reason: str) -> str:
    if reason == "expired":
        return t.gettext("This preview has expired. Write /umumkan again.")
    if reason == "already":
        return t.gettext("This announcement was already sent or cancelled.")
    return t.gettext("This button is no longer valid.")
