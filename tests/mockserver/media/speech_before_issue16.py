# The synthesizer as it was before issue 16 (per-syllable, uncached): the reference the cached one
# must match sample for sample. Kept verbatim apart from this comment and the import below.
"""Speech-like output audio for the built-in responder: deterministic, sized like read speech.

The same text and voice always give the same samples, so fixtures and tests are reproducible.
Output is PCM16 mono at the output rate (events.md §1.10).
"""

from __future__ import annotations

import re
import zlib

import numpy as np

from dashscope_realtime_mock.core.text import CJK_CHARS
from dashscope_realtime_mock.media.pcm import OUTPUT_SAMPLE_RATE

__all__ = ["synthesize_speech"]

_PAUSE_PUNCTUATION = set(".,!?;:。，！？；：、")
_CJK = re.compile(f"[{CJK_CHARS}]")
_VOWEL_GROUPS = re.compile(r"[aeiouyàâäéèêëïîôöùûüáíóúãõåæøœ]+", re.IGNORECASE)


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
