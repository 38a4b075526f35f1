"""replay.exact: the fixture's own samples are recognised after a little sound, anything else is not."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dashscope_realtime_mock.replay.exact import ExactPrefix
from dashscope_realtime_mock.replay.store import load_library

LIBRARY = load_library(Path(__file__).resolve().parents[3] / "fixtures" / "scenarios")
INPUTS = {name: f.input_audio for name, f in LIBRARY.items() if f.input_rate == 16000}


def _fed(pcm: np.ndarray, chunk: int = 1600) -> ExactPrefix:
    exact = ExactPrefix(INPUTS)
    for start in range(0, len(pcm), chunk):
        exact.feed(pcm[start : start + chunk])
    return exact


def test_a_fixtures_own_samples_are_sure_with_its_twins():
    """The first second of asr-vad's input: it and the fixtures recorded from the same audio."""
    sure = _fed(INPUTS["asr-vad"][:16000], chunk=320).sure
    assert sure == ["asr-vad", "livetranslate-hotwords", "livetranslate-vad-text-audio"]


def test_silence_alone_is_never_sure():
    """The half second of silence every fixture starts with decides nothing."""
    assert _fed(np.zeros(8000, np.int16)).sure == []


def test_one_different_sample_drops_the_fixture():
    """A single changed sample: not the fixture's audio."""
    pcm = INPUTS["omni-vad"][:16000].copy()
    pcm[9000] += 1
    assert _fed(pcm).sure == []
