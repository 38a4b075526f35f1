"""Speech-like output audio for the built-in responder: deterministic, sized like read speech.

The same text and voice always give the same samples, so fixtures and tests are reproducible.
Output is PCM16 mono at the output rate (docs/protocol/events.md §1.10).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import zlib

import numpy as np
import numpy.typing as npt

from ..protocol.text import CJK_CHARS
from .pcm import OUTPUT_SAMPLE_RATE, PCM16

__all__ = [
    "WARM_POSITIONS",
    "Speech",
    "speech_samples",
    "spoken",
    "synthesize_speech",
    "voice_pitch",
    "warm_voice",
]

_PAUSE_PUNCTUATION = set(".,!?;:。，！？；：、")
_CJK = re.compile(f"[{CJK_CHARS}]")
_VOWEL_GROUPS = re.compile(r"[aeiouyàâäéèêëïîôöùûüáíóúãõåæøœ]+", re.IGNORECASE)


@functools.lru_cache(maxsize=2**16)
def _syllables(word: str) -> int:
    """Syllables of one word (cached: words repeat, and counting an answer's speech asks again)."""
    if word.isascii():  # no CJK: one regex, not three
        return max(1, len(_VOWEL_GROUPS.findall(word)))
    cjk = len(_CJK.findall(word))
    latin = len(_VOWEL_GROUPS.findall(_CJK.sub(" ", word)))
    return max(1, cjk + latin)


def voice_pitch(voice: str) -> float:
    """A stable fundamental frequency per voice name, 110–230 Hz."""
    return 110.0 + (zlib.crc32(voice.encode("utf-8")) % 120)


@functools.lru_cache(maxsize=256)
def synthesize_speech(text: str, voice: str, sample_rate: int = OUTPUT_SAMPLE_RATE) -> PCM16:
    """Speech-like PCM16 for `text`: one voiced burst per syllable, pauses at spaces/punctuation.

    Roughly 5 syllables per second, like read speech, so the audio length matches the text.
    The result is cached and read-only (answers repeat across sessions). Each burst depends only on the voice's pitch and its position, so bursts are computed once
    and cached (:func:`_burst`); converting to PCM16 is per sample, so converting each piece
    gives the same samples as converting the whole.
    """
    f0 = voice_pitch(voice)
    pieces: list[PCM16] = []
    for index, word in enumerate(re.findall(r"\S+", text)):
        for s in range(_syllables(word)):
            pieces.append(_burst(f0, (index + s) % _POSITIONS, sample_rate))
        gap = 0.25 if word[-1] in _PAUSE_PUNCTUATION else 0.08
        pieces.append(np.zeros(int(gap * sample_rate), dtype=np.int16))
    audio = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int16)
    audio.flags.writeable = False
    return audio


def speech_samples(text: str, sample_rate: int = OUTPUT_SAMPLE_RATE) -> int:
    """``len(synthesize_speech(text, voice, sample_rate))``, counted without synthesizing."""
    burst = int(0.17 * sample_rate) + int(0.03 * sample_rate)
    pause, short = int(0.25 * sample_rate), int(0.08 * sample_rate)
    return sum(
        _syllables(word) * burst + (pause if word[-1] in _PAUSE_PUNCTUATION else short)
        for word in re.findall(r"\S+", text)
    )


# Syllable positions repeat after this many, and a voice warms all of them: the bundled answers
# reach position 51 (an Omni reply of two corpus sentences), the longest pinned text 79. So an
# answer of any length is spoken from cached bursts, never computing (and evicting) one per
# syllable on the event loop (a 16,000-syllable answer took seconds).
WARM_POSITIONS = 128
_POSITIONS = WARM_POSITIONS


def warm_voice(voice: str) -> None:
    """Compute (and cache) the bursts of the first WARM_POSITIONS syllable positions in `voice`,
    before an answer needs them: about 60 ms of numpy, which releases the GIL, so a worker
    thread can do it while the event loop serves (transport/voices.py)."""
    f0 = voice_pitch(voice)
    for position in range(WARM_POSITIONS):
        _burst(f0, position, OUTPUT_SAMPLE_RATE)


@functools.lru_cache(maxsize=4096)
def _burst(f0: float, position: int, sample_rate: int) -> PCM16:
    """One syllable's voiced burst and the short silence after it, as read-only PCM16.

    At most 4096 cached bursts of 8.2 KB each (24 kHz): 34 MB.
    """
    syllable_len = int(0.17 * sample_rate)
    t = np.arange(syllable_len) / sample_rate
    envelope = np.hanning(syllable_len)
    pitch = f0 * (1.0 + 0.08 * np.sin(0.9 * position))
    harmonics = sum(np.sin(2 * np.pi * k * pitch * t) / k for k in range(1, 9))
    formant = 0.6 + 0.4 * np.sin(2 * np.pi * (3 + position % 4) * t)
    burst = np.concatenate(
        [0.25 * envelope * formant * harmonics, np.zeros(int(0.03 * sample_rate))]
    )
    pcm = _to_pcm16(burst)
    pcm.flags.writeable = False
    return pcm


def _to_pcm16(audio: npt.NDArray[np.float64]) -> PCM16:
    return np.clip(audio * 32767, -32768, 32767).astype(np.int16)


class Speech:
    """:func:`synthesize_speech` of a text, made only where it is sliced.

    `len()` and ``speech[a:b]`` are those of the whole synthesized array, but a slice costs only
    the words it overlaps: an answer of twenty minutes of speech is not made (50 MB) in the
    event-loop step that plans it; each 200 ms delta makes its own samples when it is encoded.
    """

    def __init__(self, text: str, voice: str, sample_rate: int = OUTPUT_SAMPLE_RATE) -> None:
        self.voice = voice
        self.sample_rate = sample_rate
        self._f0 = voice_pitch(voice)
        self._words = re.findall(r"\S+", text)
        self._burst = int(0.17 * sample_rate) + int(0.03 * sample_rate)
        self._gaps = (int(0.08 * sample_rate), int(0.25 * sample_rate))
        # where each word's samples start, and the end of the last
        lengths = (
            _syllables(word) * self._burst + self._gaps[word[-1] in _PAUSE_PUNCTUATION]
            for word in self._words
        )
        self._starts = [0, *itertools.accumulate(lengths)]

    def __len__(self) -> int:
        return self._starts[-1]

    def __getitem__(self, where: slice) -> PCM16:
        start, stop, step = where.indices(len(self))
        if step != 1:
            raise ValueError("a Speech is sliced with step 1")
        if stop <= start:
            return np.zeros(0, dtype=np.int16)
        first = bisect.bisect_right(self._starts, start) - 1
        pieces: list[PCM16] = []
        index = first
        while index < len(self._words) and self._starts[index] < stop:
            pieces += self._word(index)
            index += 1
        audio = np.concatenate(pieces)[start - self._starts[first] : stop - self._starts[first]]
        audio.flags.writeable = False
        return audio

    def _word(self, index: int) -> list[PCM16]:
        """The pieces of the `index`-th word, as :func:`synthesize_speech` makes them."""
        word = self._words[index]
        pieces = [
            _burst(self._f0, (index + s) % _POSITIONS, self.sample_rate)
            for s in range(_syllables(word))
        ]
        pieces.append(_silence(self._gaps[word[-1] in _PAUSE_PUNCTUATION]))
        return pieces


@functools.lru_cache(maxsize=8)
def _silence(samples: int) -> PCM16:
    silence = np.zeros(samples, dtype=np.int16)
    silence.flags.writeable = False
    return silence


@functools.lru_cache(maxsize=256)
def spoken(text: str, voice: str) -> Speech:
    """The :class:`Speech` of `text` in `voice` at the output rate, shared (answers repeat
    across sessions, and so their encoded deltas are shared: responses/events.py)."""
    return Speech(text, voice)
