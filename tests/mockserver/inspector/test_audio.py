"""A session's audio for the inspector: where each audio event's samples sit, decoded on demand."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import soundfile

from dashscope_realtime_mock.inspector.audio import (
    APPEND,
    AUDIO_DELTA,
    AudioIndex,
    peaks,
    wav_bytes,
)
from tests.support import b64

Events = list[tuple[int, str, dict[str, Any]]]


def _pcm(samples: int, value: int = 1000) -> str:
    """base64 PCM16 of `samples` equal samples."""
    return b64(np.full(samples, value, np.int16).tobytes())


def test_each_append_is_placed_on_the_input_timeline_in_ms() -> None:
    """Two appends of 100 ms at 16 kHz: 0-100 ms and 100-200 ms of input."""
    events: Events = [
        (0, "client", {"type": APPEND, "audio": _pcm(1600)}),
        (100, "client", {"type": APPEND, "audio": _pcm(1600)}),
    ]
    index = AudioIndex().update(events)
    assert index.in_ms == {0: (0, 100), 1: (100, 200)}
    assert index.input_ms == 200 and len(index.input_audio()) == 3200


def test_each_audio_delta_is_placed_on_the_answer_timeline_in_ms() -> None:
    """A delta of 2400 samples at 24 kHz is 100 ms of answer audio."""
    index = AudioIndex().update([(0, "server", {"type": AUDIO_DELTA, "delta": _pcm(2400)})])
    assert (index.out_ms, index.output_ms) == ({0: (0, 100)}, 100)


def test_input_at_the_rate_the_client_set_is_resampled_to_16_khz() -> None:
    """session.update with sample_rate 8000 before the audio: 800 samples count as 100 ms."""
    events: Events = [
        (0, "client", {"type": "session.update", "session": {"sample_rate": 8000}}),
        (1, "client", {"type": APPEND, "audio": _pcm(800)}),
    ]
    assert AudioIndex().update(events).in_ms == {1: (0, 100)}


def test_an_update_decodes_only_the_events_not_seen_yet() -> None:
    """Updating again with a longer list adds only the new events."""
    events: Events = [(0, "client", {"type": APPEND, "audio": _pcm(1600)})]
    index = AudioIndex().update(events)
    events.append((100, "client", {"type": APPEND, "audio": _pcm(1600)}))
    index.update(events)
    assert (index.processed, index.input_ms) == (2, 200)
    assert index.input_ms_after == [100, 200]


def test_undecodable_audio_is_left_out() -> None:
    """An append that is not base64 PCM takes no place on the timeline."""
    index = AudioIndex().update([(0, "client", {"type": APPEND, "audio": "not base64!"})])
    assert (index.in_ms, index.input_ms) == ({}, 0)


def test_no_audio_gives_empty_arrays() -> None:
    """A session without audio: empty input and answer audio."""
    index = AudioIndex()
    assert len(index.input_audio()) == len(index.output_audio()) == 0


def test_peaks_give_the_low_and_high_of_each_bucket_scaled_to_1000() -> None:
    """Two buckets over a rising ramp: each bucket's extremes, scaled to ±1000."""
    samples = np.array([-32768, -16384, 16384, 32767], np.int16)
    assert peaks(samples, 2) == ([-1000, 500], [-500, 999])


def test_peaks_of_nothing_are_empty() -> None:
    """No samples, or no buckets: no peaks."""
    assert peaks(np.zeros(0, np.int16), 10) == ([], [])
    assert peaks(np.zeros(10, np.int16), 0) == ([], [])


def test_wav_bytes_read_back_as_the_same_samples_and_rate() -> None:
    """The WAV holds the samples at the rate given, PCM16 mono."""
    samples = np.arange(-5, 5, dtype=np.int16)
    read, rate = soundfile.read(io.BytesIO(wav_bytes(samples, 24000)), dtype="int16")
    assert rate == 24000
    assert read.tolist() == samples.tolist()
