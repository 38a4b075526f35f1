"""The walk cuts an answer where measuring every prefix of the whole answer would (its text, and
the whole answer's speech up to it: truncation), and lays out its speech where the synthesizer
puts it."""

from __future__ import annotations

import math
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from dashscope_realtime_mock.media.speech import (
    Speech,
    layout,
    raw_syllables,
    speech_samples,
    synthesize_speech,
)
from dashscope_realtime_mock.protocol.text import split_units, text_tokens
from dashscope_realtime_mock.responses.usage import audio_tokens
from dashscope_realtime_mock.responses.walk import Budget, Walk

RATE = 24_000
TOKENS_PER_SECOND = 12.5

# Words, CJK runs, punctuation that pauses and spaces, mixed the ways answers mix them, and
# runs longer than a display unit (protocol/text.py: UNIT_CHARS).
_PIECES = st.sampled_from(
    [
        "hello",
        "world.",
        "strength",
        "123",
        "ok,",
        "é",
        "中",
        "文。",
        "字",
        "  ",
        " ",
        "!",
        "a中b",
        "x" * 70,
        "ab" * 40 + ".",
        "aé" * 33,
    ]
)
TEXTS = st.lists(_PIECES, max_size=30).map("".join)


def _spoken_through(text: str, units: list[str], count: int) -> int:
    """Samples of the whole text's speech up to the end of its first `count` units: whole words
    with their pauses, then the syllables of a word the prefix ends inside (CJK characters)."""
    prefix = "".join(units[:count])
    following = units[count] if count < len(units) else None
    if not prefix or following is None or not following.strip() or prefix != prefix.rstrip():
        return speech_samples(prefix, RATE)  # the prefix ends a word
    before, partial = re.fullmatch(r"(.*\s)?(\S+)", prefix, re.DOTALL).groups()  # type: ignore[union-attr]
    return speech_samples(before or "", RATE) + raw_syllables(partial) * layout(RATE).burst


def _cost(text: str, units: list[str], count: int, speaking: bool) -> int:
    prefix = "".join(units[:count])
    samples = _spoken_through(text, units, count) if speaking else 0
    return text_tokens(prefix) + audio_tokens(samples, RATE, TOKENS_PER_SECOND)


def _longest_fitting(text: str, limit: int, speaking: bool) -> tuple[str, bool]:
    """The definition the walk must meet: the whole text if it fits, else the longest prefix of
    whole units, trailing space dropped, that fits."""
    units = split_units(text)
    if _cost(text, units, len(units), speaking) <= limit:
        return text, False
    fitting = [k for k in range(len(units) + 1) if _cost(text, units, k, speaking) <= limit]
    return "".join(units[: max(fitting, default=0)]).rstrip(), True


def _walk_all(text: str, limit: int | None, speaking: bool) -> tuple[Walk, list[str]]:
    budget = None if limit is None else Budget(limit, TOKENS_PER_SECOND)
    walk = Walk(text, budget, Speech(text, "Cherry", RATE) if speaking else None)
    taken: list[str] = []
    while not walk.finished:
        taken += walk.take(3)
    return walk, taken


@given(TEXTS, st.integers(0, 120), st.booleans())
@settings(max_examples=400)
def test_the_cut_is_the_longest_prefix_that_fits(text: str, limit: int, speaking: bool) -> None:
    walk, taken = _walk_all(text, limit, speaking)
    assert (walk.text, walk.cut) == _longest_fitting(text, limit, speaking)
    assert "".join(taken) == walk.text


@given(TEXTS, st.integers(0, 120))
@settings(max_examples=300)
def test_the_cut_answer_is_the_whole_answer_truncated(text: str, limit: int) -> None:
    """A cut answer's speech is the whole answer's up to where its last unit's speech ends, and
    what it costs fits the budget."""
    walk, _ = _walk_all(text, limit, speaking=True)
    units = split_units(text)
    taken = len(split_units(walk.text)) if walk.text else 0
    assert walk.spoken == _spoken_through(text, units, taken) or not walk.cut
    if walk.text:
        billed = text_tokens(walk.text) + audio_tokens(walk.spoken, RATE, TOKENS_PER_SECOND)
        assert billed <= limit


@given(TEXTS)
def test_without_a_budget_the_whole_text_is_read(text: str) -> None:
    walk, taken = _walk_all(text, None, speaking=True)
    assert (walk.text, walk.cut, "".join(taken)) == (text, False, text)
    assert walk.spoken == speech_samples(text, RATE)


@given(TEXTS)
@settings(max_examples=200)
def test_each_step_of_speech_is_the_synthesized_speech_of_its_words(text: str) -> None:
    """Where the walk says a unit's speech ends is a boundary of the synthesized audio: the
    audio before it is that of the text before it (whole words, or a word's first syllables)."""
    budget = None
    lazy = Speech(text, "Cherry", RATE)
    walk = Walk(text, budget, lazy)
    whole = synthesize_speech(text, "Cherry", RATE)
    start = 0
    while not walk.finished:
        walk.take(1)
        assert (lazy[start : walk.spoken] == whole[start : walk.spoken]).all()
        start = walk.spoken
    assert start == len(whole) == len(lazy)


def test_one_long_answer_is_read_only_as_far_as_it_is_taken() -> None:
    """A quarter of a million characters: taking three units reads about three units."""
    text = "word. " * 50_000
    speech = Speech(text, "Cherry", RATE)
    walk = Walk(text, Budget(16_384, TOKENS_PER_SECOND), speech)
    assert walk.take(3) == ["word. "] * 3
    assert speech.units_laid_out == 4  # the three taken, and the next, to know they fit
    assert not walk.finished


def test_a_cut_inside_a_cjk_word_ends_after_its_last_syllable() -> None:
    """Truncated inside a word of CJK characters: the speech stops after the last character
    said, without the pause the word only has at its end."""
    text = "中文字中文字"
    burst = layout(RATE).burst
    limit = text_tokens("中文") + math.ceil(2 * burst / RATE * TOKENS_PER_SECOND)
    walk, taken = _walk_all(text, limit, speaking=True)
    assert (walk.text, walk.cut, taken) == ("中文", True, ["中", "文"])
    assert walk.spoken == 2 * burst


def test_a_longer_answer_never_costs_less_than_its_prefix() -> None:
    """The case that made a cut-and-respoken prefix cost more than the whole: a word of no
    syllable ("!") would gain one and a pause when cut; truncation keeps the whole answer's
    speech, so the whole answer that fits is not cut short."""
    text = "hellohellohellostrengthhellook,  !中"
    walk, _ = _walk_all(text, 34, speaking=True)
    assert (walk.text, walk.cut) == _longest_fitting(text, 34, True) == (text, False)
