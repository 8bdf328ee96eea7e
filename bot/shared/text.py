"""Control and bidi-override characters out of everything people send (issue 12, part 4).

One ``\\x0b`` in an organisation's name made the whole cluster's XLSX export fail; a right-to-left override
(U+202E) makes ``PMI Kalsel`` display as something else in every list. ``clean_text`` replaces each such
character with a space (line and paragraph separators with a newline), *one character for one*: every
replaced character is a single UTF-16 unit, so Telegram's entity offsets (commands, mentions) stay right.
Newlines and tabs are kept (multi-line reports, pasted tables). Zero-width joiners are kept (emoji).
"""

from __future__ import annotations

import re

# C0 controls but \t \n, DEL, C1 controls, Arabic letter mark, LRM/RLM, bidi embeddings/overrides/isolates,
# interlinear annotation controls; U+2028/U+2029 become newlines.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufff9-\ufffb"
_BAD_RE = re.compile(f"[{_CONTROLS}\u2028\u2029]")
_SEPARATORS = {"\u2028": "\n", "\u2029": "\n"}


def has_controls(text: str) -> bool:
    return _BAD_RE.search(text) is not None


def clean_text(text: str) -> str:
    """``text`` with every control or bidi-override character replaced (same length in UTF-16 units)."""
    if _BAD_RE.search(text) is None:
        return text
    return _BAD_RE.sub(lambda m: _SEPARATORS.get(m.group(0), " "), text)


def clean_name(text: str) -> str:
    """A name as stored and shown: cleaned, on one line, whitespace collapsed."""
    return " ".join(clean_text(text).split())
