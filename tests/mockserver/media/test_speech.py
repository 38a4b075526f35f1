"""The cached synthesizer gives the samples the original one gave (replies and fixtures hold them)."""

from __future__ import annotations

import itertools
import json
from importlib import resources

import numpy as np
import pytest

from dashscope_realtime_mock.media.speech import synthesize_speech
from tests.mockserver.media import speech_before_issue16

VOICES = ("Cherry", "Ethan", "Nofish", "Jennifer", "Chelsie", "Serena", "Dylan", "Sunny", "x")


def _corpus_texts() -> list[str]:
    with (
        resources.files("dashscope_realtime_mock")
        .joinpath("data/corpus.json")
        .open(encoding="utf-8") as f
    ):
        sentences = json.load(f)["sentences"]
    return [text for sentence in sentences for text in sentence.values()]


@pytest.mark.parametrize("voice", VOICES)
def test_samples_are_those_of_the_uncached_synthesizer(voice):
    """Every corpus sentence (all languages), joined in pairs too, gives bit-identical samples."""
    texts = _corpus_texts()
    texts += [a + " " + b for a, b in itertools.pairwise(texts)][::3]
    texts += ["", " ", "a", "¿Qué?", "你好，世界。", "x " * 80]
    for text in texts:
        want = speech_before_issue16.synthesize_speech(text, voice)
        got = synthesize_speech(text, voice)
        assert got.dtype == want.dtype == np.int16
        assert np.array_equal(got, want), (text, voice)


def test_other_sample_rates_match_too():
    """The rate is part of the cache key: 16 kHz output matches as well."""
    for text in _corpus_texts()[:10]:
        want = speech_before_issue16.synthesize_speech(text, "Cherry", 16000)
        assert np.array_equal(synthesize_speech(text, "Cherry", 16000), want)


def test_the_cached_audio_cannot_be_changed_by_a_caller():
    """The cached array is read-only, so one session cannot alter another's answer."""
    audio = synthesize_speech("Hello there.", "Cherry")
    with pytest.raises(ValueError):
        audio[0] = 1
