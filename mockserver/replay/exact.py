"""Which fixtures' input audio the client's audio is, sample for sample, so far.

Why: a client replaying a fixture's own traffic (a recording served back, a test streaming a
fixture's WAV) sends the very samples the fixture holds. That is known for certain after a
fraction of a second of speech, long before the fingerprint can tell (it needs seconds of
sound), so a replay's first live previews are the recording's too. Audio that differs in one
sample drops the fixture; the fingerprint then decides as usual. Nothing is stored: each chunk
is compared with the fixtures' audio at the same offset as it arrives.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..media.pcm import PCM16

__all__ = ["EXACT_SOUND_MS", "ExactPrefix"]

EXACT_SOUND_MS = 100  # identical sound needed to be sure (silence is the same in every fixture)
_SOUND_LEVEL = 300  # a sample louder than about -40 dBFS is sound


class ExactPrefix:
    """Tracks the fixtures (by name, 16 kHz input) whose audio begins with all the audio heard."""

    def __init__(self, inputs: dict[str, npt.NDArray[np.int16]]) -> None:
        self._inputs = inputs
        self._alive = sorted(inputs)
        self._offset = 0
        self._sound = 0  # samples of sound heard while some fixture was still identical

    def feed(self, samples: PCM16) -> None:
        """Compare the next chunk (16 kHz) with each fixture still identical."""
        if not self._alive:
            return
        end = self._offset + len(samples)
        self._alive = [
            name
            for name in self._alive
            if end <= len(self._inputs[name])
            and np.array_equal(self._inputs[name][self._offset : end], samples)
        ]
        self._offset = end
        self._sound += int(np.count_nonzero(np.abs(samples.astype(np.int32)) >= _SOUND_LEVEL))

    @property
    def sure(self) -> list[str]:
        """The fixtures the audio surely is (identical through EXACT_SOUND_MS of sound), by name."""
        return self._alive if self._sound >= EXACT_SOUND_MS * 16 else []
