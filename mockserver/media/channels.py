"""Multichannel PCM input (docs/protocol/omni-next.md §3): interleaved s16le frames mixed to mono.

qwen3.8-omni-flash takes 2- and 4-channel microphone audio. The mock hears one voice, so the
channels are averaged into the mono stream its VAD and fingerprints read.
"""

from __future__ import annotations

import numpy as np

from .decoder import InputDecoder

__all__ = ["MultichannelDecoder"]


class MultichannelDecoder(InputDecoder):
    """An :class:`InputDecoder` for interleaved PCM16 of `channels` channels."""

    def __init__(self, sample_rate: int, channels: int) -> None:
        super().__init__("pcm", sample_rate)
        self.channels = channels
        self._frame_carry = b""  # a trailing partial frame, completed by the next append

    def decode(self, payload: bytes) -> np.ndarray:
        """New 16 kHz mono samples for `payload` (whole frames; a partial one waits)."""
        data = self._frame_carry + payload
        frame = 2 * self.channels
        whole = len(data) - len(data) % frame
        self._frame_carry = data[whole:]
        frames = np.frombuffer(data[:whole], dtype="<i2").reshape(-1, self.channels)
        mono = frames.mean(axis=1).astype("<i2")
        return super().decode(mono.tobytes())
