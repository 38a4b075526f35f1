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


def _corpus_sentences() -> list[dict[str, str]]:
    """The bundled corpus: one dict per sentence, language → text."""
    with (
        resources.files("dashscope_realtime_mock")
        .joinpath("data/corpus.json")
        .open(encoding="utf-8") as f
    ):
        return json.load(f)["sentences"]


def _corpus_texts() -> list[str]:
    return [text for sentence in _corpus_sentences() for text in sentence.values()]


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


def test_a_warmed_voice_speaks_a_bundled_answer_without_computing_a_burst():
    """warm_voice computes every burst the longest bundled answer needs, ahead of it."""
    from dashscope_realtime_mock.media import speech

    speech._burst.cache_clear()
    synthesize_speech.cache_clear()
    speech.warm_voice("Ethan")
    computed = speech._burst.cache_info().misses
    sentences = _corpus_sentences()
    for first, second in itertools.pairwise(sentences + sentences[:1]):  # Omni: two sentences
        for lang in first:
            synthesize_speech(f"{first[lang]} {second[lang]}", "Ethan")
    assert speech._burst.cache_info().misses == computed


def test_warming_leaves_the_samples_as_they_are():
    from dashscope_realtime_mock.media import speech

    speech._burst.cache_clear()
    synthesize_speech.cache_clear()
    cold = synthesize_speech("Warm or cold, the same samples.", "Serena").copy()
    speech._burst.cache_clear()
    synthesize_speech.cache_clear()
    speech.warm_voice("Serena")
    assert np.array_equal(synthesize_speech("Warm or cold, the same samples.", "Serena"), cold)
