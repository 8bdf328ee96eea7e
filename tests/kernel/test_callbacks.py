"""The button codec: what it packs it parses back, and anything else (forged, stale, another family) is None."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.kernel.callbacks import MAX_CALLBACK_BYTES, Callback


@dataclass(frozen=True)
class Press(Callback, prefix="tp"):
    action: str
    item_id: int


@dataclass(frozen=True)
class Filtered(Callback, prefix="tf", rest=True):
    page: int
    filters: str


words = st.text(alphabet=st.characters(blacklist_characters=":", blacklist_categories=("Cs",)), min_size=1, max_size=12)


@given(words, st.integers(min_value=0, max_value=10**18 - 1))
def test_pack_then_unpack_gives_the_same_button(action: str, item_id: int) -> None:
    button = Press(action, item_id)
    data = button.pack()
    if len(data.encode()) <= MAX_CALLBACK_BYTES:
        assert Press.unpack(data) == button


@pytest.mark.parametrize(
    "data",
    [None, "", "tp", "tp:", "tp:x", "tp:x:", "tp:x:1:2", "tp:x:-1", "tp:x:１２", "tp:x:1234567890123456789", "tq:x:1",
     "tpx:a:1"],
)
def test_forged_or_stale_data_is_none(data: str | None) -> None:
    assert Press.unpack(data) is None


def test_rest_takes_the_remainder_and_pattern_matches_only_the_family() -> None:
    import re

    assert Filtered.unpack("tf:3:region=63.10:mine") == Filtered(3, "region=63.10:mine")
    assert re.match(Press.pattern(), "tp:a:1") and not re.match(Press.pattern(), "tpx:a:1")


def test_pack_refuses_a_colon_and_over_64_bytes() -> None:
    with pytest.raises(ValueError):
        Press("a:b", 1).pack()
    with pytest.raises(ValueError):
        Press("x" * 70, 1).pack()
