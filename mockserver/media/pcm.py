"""PCM facts and helpers: the rates the mock runs at, base64 and PCM16 decoding, resampling.

Input is PCM16 mono little-endian at the session's `sample_rate` (16 kHz, or 8 kHz which the
service upsamples to 16 kHz, docs/protocol/events.md §3.2). Output deltas are PCM16 mono at 24 kHz
(docs/protocol/events.md §1.10). Synthesized audio is deterministic: the same text and voice always give the
same samples, so fixtures and tests are reproducible (:mod:`.speech`).
"""

from __future__ import annotations

import binascii
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

__all__ = [
    "INPUT_SAMPLE_RATE",
    "OUTPUT_BYTES_PER_SECOND",
    "OUTPUT_SAMPLE_RATE",
    "PCM16",
    "SAMPLES_PER_MS",
    "base64_size",
    "decode_base64",
    "pcm16_from_base64",
    "pcm16_to_samples",
    "resample",
    "resample_to_16k",
]

# Every audio delta: PCM16 mono at 24 kHz (docs/protocol/events.md §1.10).
OUTPUT_SAMPLE_RATE = 24000
OUTPUT_BYTES_PER_SECOND = OUTPUT_SAMPLE_RATE * 2
INPUT_SAMPLE_RATE = 16000  # everything internal runs at 16 kHz (8 kHz input is upsampled)
SAMPLES_PER_MS = INPUT_SAMPLE_RATE // 1000

PCM16: TypeAlias = npt.NDArray[np.int16]
"""Mono PCM16 audio as int16 samples, the one in-memory form of audio in the package."""


def decode_base64(payload: object) -> bytes:
    """Strict base64 decoding; raises ValueError with a short reason on anything else."""
    if not isinstance(payload, str):
        raise ValueError("expected a base64 string")  # callers map ValueError to invalid_value
    try:
        # base64.b64decode(payload, validate=True) without its copy of the text into bytes
        return binascii.a2b_base64(payload, strict_mode=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"not valid base64 ({exc})") from None


def base64_size(payload: str) -> int:
    """How many bytes base64 `payload` decodes to, without decoding it (the pacing and playback
    clocks ask this of every audio delta). It counts the data characters as a lenient decoder
    reads them, so a recorded delta with extra `=` or line breaks is sized right too."""
    data = len(payload.rstrip("=")) if payload.endswith("=") else len(payload)
    if "\n" in payload or "\r" in payload:
        data -= payload.count("\n") + payload.count("\r")
    return data * 3 // 4


def pcm16_to_samples(data: bytes) -> PCM16:
    """Little-endian PCM16 bytes to int16 samples; a trailing odd byte is kept by the caller."""
    return np.frombuffer(data[: len(data) - len(data) % 2], dtype="<i2")


def pcm16_from_base64(payload: object) -> PCM16 | None:
    """Base64 PCM16 to int16 samples; None when it is not base64 (recordings, strict replay)."""
    try:
        return pcm16_to_samples(decode_base64(payload)).astype(np.int16)
    except ValueError:
        return None


def resample(samples: PCM16, from_rate: int, to_rate: int) -> PCM16:
    """int16 audio at `from_rate` → int16 at `to_rate`, by linear interpolation.

    The one resampler of the project: the session upsamples 8 kHz input with it, the fixture
    script and the demo client use it too. ``len * to_rate / from_rate`` samples, truncated.
    """
    if from_rate == to_rate or len(samples) == 0:
        return samples.astype(np.int16, copy=False)
    n_out = int(len(samples) * to_rate / from_rate)
    positions = np.arange(n_out) * (from_rate / to_rate)
    interpolated: npt.NDArray[np.float64] = np.interp(
        positions, np.arange(len(samples)), samples.astype(np.float32)
    )
    return interpolated.astype(np.int16)


def resample_to_16k(samples: PCM16, sample_rate: int) -> PCM16:
    """Any rate → the internal 16 kHz (8 kHz input is upsampled server-side too)."""
    return resample(samples, sample_rate, INPUT_SAMPLE_RATE)
