"""The walk cuts an answer where measuring every prefix whole would, and lays out its speech
where the synthesizer puts it."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from dashscope_realtime_mock.media.speech import Speech, layout, speech_samples, synthesize_speech
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


def _cost(text: str, speaking: bool) -> int:
    spoken = audio_tokens(speech_samples(text, RATE), RATE, TOKENS_PER_SECOND) if speaking else 0
    return text_tokens(text) + spoken


def _longest_fitting(text: str, limit: int, speaking: bool) -> tuple[str, bool]:
    """The definition the walk must meet: the whole text if it fits, else the longest prefix of
    whole units, trailing space dropped, that fits."""
    if _cost(text, speaking) <= limit:
        return text, False
    units = split_units(text)
    best = ""
    for count in range(len(units) + 1):
        prefix = "".join(units[:count]).rstrip()
        if _cost(prefix, speaking) <= limit:
            best = prefix
    return best, True


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
def test_the_cut_answer_bills_what_its_speech_lasts(text: str, limit: int) -> None:
    walk, _ = _walk_all(text, limit, speaking=True)
    assert walk.samples == speech_samples(walk.text, RATE)
    assert _cost(walk.text, True) <= limit or not walk.text


@given(TEXTS)
def test_without_a_budget_the_whole_text_is_read(text: str) -> None:
    walk, taken = _walk_all(text, None, speaking=True)
    assert (walk.text, walk.cut, "".join(taken)) == (text, False, text)
    assert walk.spoken == walk.samples == speech_samples(text, RATE)


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


def test_a_cut_inside_a_cjk_word_ends_with_its_pause() -> None:
    text = "中文字中文字"
    limit = text_tokens("中文") + math.ceil(speech_samples("中文", RATE) / RATE * TOKENS_PER_SECOND)
    walk, taken = _walk_all(text, limit, speaking=True)
    assert (walk.text, walk.cut, taken) == ("中文", True, ["中", "文"])
    assert walk.spoken == 2 * layout(RATE).burst
    assert walk.samples == walk.spoken + layout(RATE).short_gap
