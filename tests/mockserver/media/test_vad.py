"""Server VAD measured on the committed speech recordings and on synthetic signals."""

from __future__ import annotations

import numpy as np
import pytest

from dashscope_realtime_mock.media.vad import (
    SpeechStarted,
    SpeechStopped,
    VoiceActivityDetector,
    threshold_to_dbfs,
)

TOLERANCE_MS = 200


def _run(speech, threshold=0.2, prefix=300, silence=1000, chunk_ms=100):
    vad = VoiceActivityDetector(speech.sample_rate, threshold, prefix, silence)
    step = speech.sample_rate * chunk_ms // 1000
    events = []
    for i in range(0, len(speech.pcm), step):
        events += vad.feed(speech.pcm[i : i + step])
    final = vad.flush()
    return events + ([final] if final else [])


@pytest.mark.parametrize("name", ["en_two_utterances", "en_two_utterances_8k", "zh_two_utterances"])
@pytest.mark.parametrize("threshold,silence", [(0.2, 1000), (0.2, 800), (0.0, 400), (0.5, 800)])
def test_boundaries_match_the_recording(request, name, threshold, silence):
    """Onsets and offsets land within 200 ms of the true ones, plus the documented padding/silence."""
    from tests.support import load_speech

    speech = load_speech(name)
    prefix = 300
    events = _run(speech, threshold, prefix, silence)
    starts = [e for e in events if isinstance(e, SpeechStarted)]
    stops = [e for e in events if isinstance(e, SpeechStopped)]
    assert len(starts) == len(stops) == 2
    for truth, start, stop in zip(speech.segments, starts, stops, strict=True):
        assert abs(start.audio_start_ms - (truth["start_ms"] - prefix)) <= TOLERANCE_MS
        assert abs(stop.audio_end_ms - (truth["end_ms"] + silence)) <= TOLERANCE_MS


def test_chunk_size_does_not_change_boundaries(speech_en):
    """40 ms and 100 ms chunks give the same boundaries: only the audio decides."""
    assert _run(speech_en, chunk_ms=40) == _run(speech_en, chunk_ms=100)


@pytest.mark.parametrize("chunk_ms", [10, 3000])
def test_frame_by_frame_and_long_chunks_agree(speech_en, chunk_ms):
    """One 10 ms frame per append (every frame stepped on its own) and 3 s appends (whole runs
    of speech or silence settled at once) find the same boundaries as 100 ms appends."""
    assert _run(speech_en, chunk_ms=chunk_ms) == _run(speech_en, chunk_ms=100)


def test_a_frame_exactly_at_the_level_is_speech():
    """The level is inclusive and exact: a square wave whose RMS is the level counts as speech,
    one step of amplitude below it does not (energies are summed as exact integers)."""
    vad = VoiceActivityDetector(16000, 0.0, 0, 200)  # threshold 0.0 → -45 dBFS
    # find the smallest amplitude a whose full-scale RMS (a / 32768) reaches -45 dBFS
    level = 10 ** (threshold_to_dbfs(0.0) / 20)
    amplitude = int(np.ceil(level * 32768))
    square = np.tile(np.array([amplitude, -amplitude], np.int16), 80 * 5)  # 50 ms
    quieter = np.tile(np.array([amplitude - 1, -(amplitude - 1)], np.int16), 80 * 5)
    assert vad.feed(quieter) == []
    assert vad.feed(square) == [SpeechStarted(audio_start_ms=50, onset_ms=50)]


def test_silence_yields_no_speech():
    """Digital silence and a -60 dBFS noise floor never start speech at the default threshold."""
    rng = np.random.default_rng(0)
    noise = (rng.standard_normal(16000 * 3) * 32768 * 0.001).astype(np.int16)
    vad = VoiceActivityDetector(16000, 0.2, 300, 800)
    assert vad.feed(np.zeros(16000, np.int16)) + vad.feed(noise) == []
    assert vad.flush() is None


def test_lower_threshold_is_more_sensitive():
    """A quiet tone (-50 dBFS) is speech at threshold -1 but not at the default 0.2."""
    t = np.arange(16000) / 16000
    quiet = (np.sin(2 * np.pi * 200 * t) * 32768 * 10 ** (-47 / 20)).astype(np.int16)
    sensitive = VoiceActivityDetector(16000, -1.0, 0, 200)
    default = VoiceActivityDetector(16000, 0.2, 0, 200)
    assert any(isinstance(e, SpeechStarted) for e in sensitive.feed(quiet))
    assert default.feed(quiet) == []


def test_threshold_scale_is_monotonic():
    """-1 maps to the most sensitive level and 1 to the least."""
    assert threshold_to_dbfs(-1) < threshold_to_dbfs(0.2) < threshold_to_dbfs(1)


def test_flush_closes_speech_at_end_of_audio():
    """Speech still running at the end of input stops at the audio received."""
    tone = (np.sin(np.arange(8000) / 3) * 8000).astype(np.int16)
    vad = VoiceActivityDetector(16000, 0.2, 0, 800)
    assert [type(e) for e in vad.feed(tone)] == [SpeechStarted]
    stop = vad.flush()
    assert stop == SpeechStopped(audio_end_ms=500, offset_ms=500)


def test_start_never_reaches_back_before_previous_segment():
    """Prefix padding does not make a segment start before the previous one ended."""
    tone = (np.sin(np.arange(3200) / 3) * 8000).astype(np.int16)
    gap = np.zeros(16000 * 250 // 1000, np.int16)
    vad = VoiceActivityDetector(16000, 0.2, 1000, 200)
    events = vad.feed(np.concatenate([tone, gap, tone, gap]))
    stops = [e for e in events if isinstance(e, SpeechStopped)]
    starts = [e for e in events if isinstance(e, SpeechStarted)]
    assert starts[1].audio_start_ms >= stops[0].audio_end_ms
