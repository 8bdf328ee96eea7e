"""Odd and hostile lines every command must answer clearly without storing anything invalid."""

from __future__ import annotations

NASTY = [
    "<b>tebal</b> & </code> <script>alert(1)</script>", "'; DROP TABLE needs; --", "1e308 kg beras HSS",
    "9" * 40 + " paket sembako HSS", "-5 kg beras HSS", "0 paket sembako HSS", "beras 10 kg 31/12/9999",
    "beras 10 kg 1/1/1900", "\u202eHSS 500 paket\u202c", "👩‍👩‍👧 500 paket 🍚 HSS", "a\u200b\u200db\u0301" * 50,
    "x" * 10_000, "|||||", "\n\n\n", "@@@ #1 %s %d {0} {name}",
]  # fmt: skip
