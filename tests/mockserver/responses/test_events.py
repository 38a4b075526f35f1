"""Response events: the encoded audio deltas are shared only where the audio cannot change."""

from __future__ import annotations

import base64

import numpy as np

from dashscope_realtime_mock.media.speech import synthesize_speech
from dashscope_realtime_mock.responses import events


def _decoded(chunks: list[str]) -> np.ndarray:
    return np.frombuffer(b"".join(base64.b64decode(c) for c in chunks), dtype="<i2")


def test_deltas_cover_the_audio_in_200_ms_pieces():
    """Each delta holds at most 200 ms at the given rate, and together they are the audio."""
    audio = np.arange(24000, dtype=np.int16)
    chunks = events._audio_deltas(audio, 1000, 20000, 24000)
    assert [len(base64.b64decode(c)) // 2 for c in chunks] == [4800, 4800, 4800, 4600]
    assert np.array_equal(_decoded(chunks), audio[1000:20000])


def test_a_synthesized_answer_is_encoded_once():
    """Synthesized speech is cached and read-only: a second session's deltas are the same
    strings, not a second encoding of them."""
    audio = synthesize_speech("shared answer for the cache test", "Cherry")
    first = events._audio_deltas(audio, 0, len(audio), 24000)
    again = events._audio_deltas(audio, 0, len(audio), 24000)
    assert again is first
    assert np.array_equal(_decoded(first), audio)


def test_writable_audio_is_encoded_afresh_each_time():
    """Audio someone may still change is never served from the cache."""
    audio = np.zeros(4800, dtype=np.int16)
    before = events._audio_deltas(audio, 0, len(audio), 24000)
    audio[:] = 7
    after = events._audio_deltas(audio, 0, len(audio), 24000)
    assert after != before
    assert np.array_equal(_decoded(after), audio)


def test_a_read_only_view_of_writable_audio_is_not_cached():
    """A read-only view does not make the samples fixed while its base is writeable."""
    base = np.zeros(4800, dtype=np.int16)
    view = base[:]
    view.flags.writeable = False
    events._audio_deltas(view, 0, len(view), 24000)
    base[:] = 3
    assert np.array_equal(_decoded(events._audio_deltas(view, 0, len(view), 24000)), base)


def test_the_cache_is_bounded():
    """At most _ENCODED_ENTRIES stretches are kept, the least recently used going first."""
    for n in range(events._ENCODED_ENTRIES + 20):
        audio = np.full(480, n, dtype=np.int16)
        audio.flags.writeable = False
        events._audio_deltas(audio, 0, 480, 24000)
    assert len(events._ENCODED) == events._ENCODED_ENTRIES
