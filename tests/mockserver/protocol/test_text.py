"""Display units and text tokens: a word longer than a unit counts as its units."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dashscope_realtime_mock.protocol.text import _TOKEN, UNIT_CHARS, split_units, text_tokens

_PIECES = st.sampled_from(
    ["x" * 70, "ab" * 40, "aé" * 33, "中", "，", " ", "a!b", "é", "中，" + "y" * 66]
)


@given(st.lists(_PIECES, max_size=12).map("".join))
def test_tokens_are_the_sum_of_those_of_the_units(text: str) -> None:
    """A word longer than a unit is billed as its units: counting the text whole (and
    correcting at the units' edges) gives the sum over its units."""
    assert text_tokens(text) == sum(len(_TOKEN.findall(unit)) for unit in split_units(text))


def test_a_unit_holds_at_most_unit_chars_besides_its_space() -> None:
    """A base64 blob is shown and billed as several units."""
    assert [len(u) for u in split_units("a" * 150 + "  b")] == [UNIT_CHARS, UNIT_CHARS, 24, 1]
    assert text_tokens("a" * 150) == 3


_ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80)


@given(st.lists(st.one_of(_PIECES, _ANY_TEXT), min_size=1, max_size=12), st.integers(1, 200))
def test_a_long_text_is_counted_as_its_units_are(pieces: list[str], times: int) -> None:
    """Over 4,096 characters the tokens are counted with numpy: the same count as the regex
    gives unit by unit, for any characters."""
    text = "".join(pieces) * times
    if len(text) <= 4096:
        text = (text + " ") * (4097 // (len(text) + 1) + 1)
    assert text_tokens(text) == sum(len(_TOKEN.findall(unit)) for unit in split_units(text))


def test_lone_surrogates_are_counted_as_marks() -> None:
    """A lone surrogate (a client's broken text) is one token, as the regex counts it."""
    text = "a\ud800b " * 1000
    assert text_tokens(text) == 3000
