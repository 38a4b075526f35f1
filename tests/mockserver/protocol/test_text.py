"""Display units and text tokens: a word longer than a unit counts as its units."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from dashscope_realtime_mock.protocol.text import (
    _CHAR_CLASSES,
    _SPACE,
    _TABLE_END,
    _TOKEN,
    _WORD,
    UNIT_CHARS,
    split_units,
    text_tokens,
)

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


def test_the_character_table_agrees_with_str_on_every_code_point() -> None:
    """The numpy count's table says what the regex's \\w and \\s say, for every character
    (astral ones and lone surrogates too, past the table's end none of them)."""
    chars = [chr(c) for c in range(0x110000)]
    word = np.fromiter((c.isalnum() or c == "_" for c in chars), bool, len(chars))
    space = np.fromiter((c.isspace() for c in chars), bool, len(chars))
    classes = _CHAR_CLASSES[np.minimum(np.arange(len(chars)), _TABLE_END)]
    assert np.array_equal((classes & _WORD).astype(bool), word)
    assert np.array_equal((classes & _SPACE).astype(bool), space)


_ALL_CHARS = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=80)


@given(st.lists(st.one_of(_PIECES, _ALL_CHARS), min_size=1, max_size=12), st.integers(1, 200))
def test_a_long_text_of_any_code_points_is_counted_as_its_units_are(
    pieces: list[str], times: int
) -> None:
    """Lone surrogates and astral characters (emoji, CJK extension B) in a long text: the
    numpy count is the regex's, unit by unit."""
    text = "".join(pieces) * times
    if len(text) <= 4096:
        text = (text + " ") * (4097 // (len(text) + 1) + 1)
    assert text_tokens(text) == sum(len(_TOKEN.findall(unit)) for unit in split_units(text))
