"""The synthesizer gives the samples it always gave (replies and fixtures hold them): digests of
its output, taken from the uncached original before it was replaced, pin every sample."""

from __future__ import annotations

import hashlib
import itertools
import json
from importlib import resources

import numpy as np
import pytest

from dashscope_realtime_mock.media.speech import SHARED_SPEECH_CHARS, spoken, synthesize_speech

# SHA-256 of the samples of every text of _texts(), in order, per voice (24 kHz).
DIGESTS = {
    "Cherry": "ab417b4c837a7cd5206f7b183a25221523bb783b9b8577a4993c4495b499cc7a",
    "Ethan": "7a3ef0b6ab0c1a034bbff4596523cc96daa7778032468d6e57b109686112fc0d",
    "Nofish": "16966875699442501a24b4c8223c5b9dc3dde50ef5854041cffb02c0c4174a98",
    "Jennifer": "3832eb7cef9f5f240703fba27d34d17830a7ec5d04e0b37453d66be2ca5330fe",
    "Chelsie": "5c0e3636a684d66b26c7c004241f67c414189506455b5dcd8b3cde8dd3d4ff7b",
    "Serena": "d15f0aa919daa9af73ac3b0bcb97ec1b6262f2645f078d72ffe4b487fcf0511b",
    "Dylan": "2b85a16039df681eaa06af71e92581a55f4dc42d7c917e2220a1e2c72681d57c",
    "Sunny": "99230002721e7dbdf7f1d30cd6116950e81109ea3757a9c3f0053b89d976e671",
    "x": "5b84726eb9cc5d2f963d7849469465bf883fca735220fe089724f0e7d6bc0ec4",
}
# The same for Cherry at 16 kHz, over the first ten corpus texts.
DIGEST_16K = "5a5c41d9307e64434ff9fb81192ffcab5d5d0c86f210d21a71314d20d114a175"


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


def _texts() -> list[str]:
    """Every corpus sentence (all languages), some joined in pairs, and a few edge cases."""
    texts = _corpus_texts()
    texts += [a + " " + b for a, b in itertools.pairwise(texts)][::3]
    return [*texts, "", " ", "a", "¿Qué?", "你好，世界。", "x " * 80]


def _digest(texts: list[str], voice: str, rate: int | None = None) -> str:
    digest = hashlib.sha256()
    for text in texts:
        audio = (
            synthesize_speech(text, voice) if rate is None else synthesize_speech(text, voice, rate)
        )
        assert audio.dtype == np.int16
        digest.update(audio.tobytes())
    return digest.hexdigest()


@pytest.mark.parametrize("voice", DIGESTS)
def test_samples_are_those_of_the_uncached_synthesizer(voice):
    """Every text gives bit-identical samples to the original synthesizer's, in every voice."""
    assert _digest(_texts(), voice) == DIGESTS[voice]


def test_other_sample_rates_match_too():
    """The rate is part of the cache key: 16 kHz output matches as well."""
    assert _digest(_corpus_texts()[:10], "Cherry", 16000) == DIGEST_16K


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


def test_a_speech_sliced_anywhere_is_the_synthesized_array():
    """Speech made where it is sliced gives the samples, and the length, of the whole synthesis."""
    import random

    from dashscope_realtime_mock.media.speech import Speech

    text = "Hello there, 你好世界。 " + " ".join(f"word{n % 97}." for n in range(150))
    for rate in (24000, 16000):
        whole = synthesize_speech(text, "Cherry", rate)
        speech = Speech(text, "Cherry", rate)
        assert len(speech) == len(whole)
        pick = random.Random(1)
        for _ in range(100):
            start = pick.randrange(len(whole))
            end = pick.randrange(start, len(whole) + 5000)
            assert np.array_equal(speech[start:end], whole[start:end])


def test_the_speech_of_a_short_answer_is_shared_and_of_a_long_one_is_not():
    """Answers that repeat share their Speech; a long one (a tool output) is its session's own,
    so what it laid out is freed with the session, not kept for 256 answers."""
    short, long = "Hello there.", "word " * SHARED_SPEECH_CHARS
    assert spoken(short, "Cherry") is spoken(short, "Cherry")
    assert spoken(long, "Cherry") is not spoken(long, "Cherry")
