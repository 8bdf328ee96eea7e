"""The file import: the help, file problems, the report of a file with errors."""

from __future__ import annotations

from bot.features.stock import importer
from bot.features.stock.callbacks import (
    ImportButton,
)
from bot.kernel.i18n import N_, Translator
from bot.kernel.views import Button, Keyboard, Reply, esc

# ---- import ---------------------------------------------------------------------------------------

_ROW_ERRORS = {
    "org_missing": N_("organisation missing"),
    "org_unknown": N_("unknown organisation “{bad}”"),
    "item_missing": N_("item missing"),
    "item_code_unknown": N_("unknown item code “{bad}”"),
    "quantity_missing": N_("quantity missing"),
    "quantity_bad": N_("quantity not understood: “{bad}”"),
    "unit_unknown": N_("unknown unit “{bad}”"),
    "region_unknown": N_("unknown kabupaten/kota “{bad}”"),
    "region_missing": N_("kabupaten/kota missing"),
    "district_unknown": N_("unknown kecamatan “{bad}” (in this kabupaten/kota)"),
    "expiry_bad": N_("date not understood: “{bad}”"),
    "condition_bad": N_("condition not understood: “{bad}” (baik, rusak ringan, rusak berat)"),
}


def import_help(t: Translator) -> str:
    headers = " | ".join(header for _, header, _ in importer.STOCK_COLUMNS)
    return "\n".join([
        t.gettext("Send the stock file (CSV or XLSX) now, in the bot's export format:"),
        f"<code>{esc(headers)}</code>",
        t.gettext("Optional: {columns} (the kecamatan of the line).").format(
            columns="<code>" + esc(" | ".join(header for _, header, _ in importer.DISTRICT_COLUMNS)) + "</code>"),
        t.gettext("A second row of HXL hashtags (#org, #item+name …) is optional. Cancel with /batal."),
    ])  # fmt: skip


def import_problem(t: Translator, checked: importer.Checked) -> str:
    if checked.problem == importer.MISSING_COLUMNS:
        head = t.gettext("I could not find the columns {columns} in the first rows.").format(
            columns=esc(", ".join(checked.missing))
        )
    elif checked.problem == importer.TOO_BIG:
        head = t.gettext("The file is too large (at most 2 MB).")
    elif checked.problem == importer.TOO_MANY_ROWS:
        head = t.gettext("The file has too many rows (at most {n}).").format(n=t.number(importer.MAX_ROWS))
    elif checked.problem == importer.EMPTY:
        head = t.gettext("The file has no data rows.")
    elif checked.problem in _FILE_PROBLEMS:
        head = t.gettext(_FILE_PROBLEMS[checked.problem]).format(
            cells=t.number(importer.MAX_CELL_CHARS), columns=t.number(importer.MAX_COLUMNS),
            seconds=t.number(importer.PARSE_TIMEOUT_S, 0))  # fmt: skip
    else:
        head = t.gettext("I can only read CSV or XLSX files.")
    return "\n".join([head, import_help(t), t.gettext("Nothing was saved.")])


_FILE_PROBLEMS = {
    importer.UNREADABLE: N_("This file is not a table I can read (a damaged XLSX, or not really an XLSX or CSV)."),
    importer.TOO_COMPLEX: N_("This file is too complex to read (I stop after {seconds} seconds or when it needs too "
                             "much memory). Split it into smaller files, or save it again as a plain XLSX or CSV."),
    importer.CELL_TOO_LONG: N_("A cell of the file is too long (at most {cells} characters)."),
    importer.TOO_MANY_COLUMNS: N_("The file has too many columns (at most {columns})."),
}


def import_report(t: Translator, checked: importer.Checked, import_id: int | None) -> Reply:
    """Row-numbered errors; nothing applied yet; the sender decides whether to load only the valid rows."""
    lines = [t.gettext("<b>File checked</b>: {good} valid rows, {bad} rows with errors.").format(
        good=t.number(len(checked.rows)), bad=t.number(checked.error_rows))]  # fmt: skip
    shown = importer.MAX_ERRORS_SHOWN  # one message, however long the file
    for error in checked.errors[:shown]:
        bad = error.text if len(error.text) <= 60 else error.text[:59] + "…"
        reason = t.gettext(_ROW_ERRORS.get(error.code, N_("not understood: “{bad}”"))).format(bad=esc(bad))
        lines.append("❌ " + t.gettext("Row {row}: {reason}").format(row=error.row, reason=reason))
    if len(checked.errors) > shown:
        lines.append(t.gettext("… and {n} more").format(n=len(checked.errors) - shown))
    lines.append(t.gettext("Nothing was saved yet. Fix the file and send it again, or load only the valid rows."))
    keyboard: Keyboard = []
    if import_id is not None and checked.rows:
        keyboard = [[Button(t.gettext("Load the {n} valid rows").format(n=len(checked.rows)), ImportButton("ok", import_id).pack()),
                     Button(t.gettext("✖ Cancel"), ImportButton("x", import_id).pack())]]  # fmt: skip
    return Reply("\n".join(lines), keyboard)


def import_done(t: Translator, count: int) -> str:
    return t.ngettext("Saved: {n} stock line loaded from the file.", "Saved: {n} stock lines loaded from the file.",
                      count).format(n=t.number(count))  # fmt: skip
