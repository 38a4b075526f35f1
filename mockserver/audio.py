"""PCM helpers: decode what the client appends, and synthesize speech-like output audio.

Input is PCM16 mono little-endian at the session's `sample_rate` (16 kHz, or 8 kHz which the
service upsamples to 16 kHz, events.md §3.2). Output deltas are PCM16 mono at 24 kHz
(events.md §1.10). Synthesized audio is deterministic: the same text and voice always give the
same samples, so fixtures and tests are reproducible.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib

import numpy as np

__all__ = [
    "OUTPUT_SAMPLE_RATE",
    "decode_base64",
    "pcm16_to_samples",
    "resample_to_16k",
    "synthesize_speech",
]

OUTPUT_SAMPLE_RATE = 24000
_PAUSE_PUNCTUATION = set(".,!?;:。，！？；：、")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_VOWEL_GROUPS = re.compile(r"[aeiouyàâäéèêëïîôöùûüáíóúãõåæøœ]+", re.IGNORECASE)


def decode_base64(payload: object) -> bytes:
    """Strict base64 decoding; raises ValueError with a short reason on anything else."""
    if not isinstance(payload, str):
        raise ValueError("expected a base64 string")  # noqa: TRY004 — callers map ValueError to invalid_value
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"not valid base64 ({exc})") from None


def pcm16_to_samples(data: bytes) -> np.ndarray:
    """Little-endian PCM16 bytes to int16 samples; a trailing odd byte is kept by the caller."""
    return np.frombuffer(data[: len(data) - len(data) % 2], dtype="<i2")


def pcm16_from_base64(payload: object) -> np.ndarray | None:
    """Base64 PCM16 to int16 samples; None when it is not base64 (recordings, strict replay)."""
    try:
        return pcm16_to_samples(decode_base64(payload)).astype(np.int16)
    except ValueError:
        return None


def resample_to_16k(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Any rate → 16 kHz int16 by linear interpolation (8 kHz input is upsampled server-side too)."""
    if sample_rate == 16000 or len(samples) == 0:
        return samples.astype(np.int16, copy=False)
    n_out = int(len(samples) * 16000 / sample_rate)
    positions = np.arange(n_out) * (sample_rate / 16000)
    return np.interp(positions, np.arange(len(samples)), samples.astype(np.float32)).astype(
        np.int16
    )


def _syllables(word: str) -> int:
    cjk = len(_CJK.findall(word))
    latin = len(_VOWEL_GROUPS.findall(_CJK.sub(" ", word)))
    return max(1, cjk + latin)


def _voice_pitch(voice: str) -> float:
    """A stable fundamental frequency per voice name, 110–230 Hz."""
    return 110.0 + (zlib.crc32(voice.encode("utf-8")) % 120)


def synthesize_speech(text: str, voice: str, sample_rate: int = OUTPUT_SAMPLE_RATE) -> np.ndarray:
    """Speech-like PCM16 for `text`: one voiced burst per syllable, pauses at spaces/punctuation.

    Roughly 5 syllables per second, like read speech, so the audio length matches the text.
    """
    f0 = _voice_pitch(voice)
    pieces: list[np.ndarray] = []
    syllable_len = int(0.17 * sample_rate)
    t = np.arange(syllable_len) / sample_rate
    envelope = np.hanning(syllable_len)
    for index, word in enumerate(re.findall(r"\S+", text)):
        for s in range(_syllables(word)):
            pitch = f0 * (1.0 + 0.08 * np.sin(0.9 * (index + s)))
            harmonics = sum(np.sin(2 * np.pi * k * pitch * t) / k for k in range(1, 9))
            formant = 0.6 + 0.4 * np.sin(2 * np.pi * (3 + (index + s) % 4) * t)
            pieces.append(0.25 * envelope * formant * harmonics)
            pieces.append(np.zeros(int(0.03 * sample_rate)))
        gap = 0.25 if word[-1] in _PAUSE_PUNCTUATION else 0.08
        pieces.append(np.zeros(int(gap * sample_rate)))
    if not pieces:
        return np.zeros(0, dtype=np.int16)
    audio = np.concatenate(pieces)
    return np.clip(audio * 32767, -32768, 32767).astype(np.int16)
