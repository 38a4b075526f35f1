"""Speech-like output audio for the built-in responder: deterministic, sized like read speech.

The same text and voice always give the same samples, so fixtures and tests are reproducible.
Output is PCM16 mono at the output rate (docs/protocol/events.md §1.10).
"""

from __future__ import annotations

import bisect
import functools
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..protocol.text import CJK_CHARS, iter_units, per_unit
from .pcm import OUTPUT_SAMPLE_RATE, PCM16

__all__ = [
    "SHARED_SPEECH_CHARS",
    "WARM_POSITIONS",
    "Layout",
    "Speech",
    "SpokenUnit",
    "layout",
    "raw_syllables",
    "speech_samples",
    "spoken",
    "spoken_units",
    "synthesize_speech",
    "voice_pitch",
    "warm_voice",
]

_PAUSE_PUNCTUATION = set(".,!?;:。，！？；：、")
_CJK = re.compile(f"[{CJK_CHARS}]")
_VOWEL = re.compile(r"[aeiouyàâäéèêëïîôöùûüáíóúãõåæøœ]", re.IGNORECASE)
_VOWEL_GROUPS = re.compile(_VOWEL.pattern + "+", re.IGNORECASE)
_WORD = re.compile(r"\S+")


@per_unit(_VOWEL)
def raw_syllables(piece: str) -> int:
    """Syllables of a piece of a word, without a word's floor of one: its CJK characters and its
    vowel groups. A word's syllables are the sum over its pieces cut at CJK characters (a vowel
    group never spans one), which is what lets an answer be read a unit at a time
    (responses/walk.py)."""
    if piece.isascii():  # no CJK: one regex, not three
        return _VOWEL_GROUPS.subn("", piece)[1]
    spaced, cjk = _CJK.subn(" ", piece)
    return cjk + _VOWEL_GROUPS.subn("", spaced)[1]


@functools.lru_cache(maxsize=2**16)
def _syllables(word: str) -> int:
    """Syllables of one word, at least one (cached: words repeat, and counting an answer's
    speech asks again)."""
    return max(1, raw_syllables(word))


class Layout:
    """Where a word's samples go at one sample rate: a burst per syllable (voiced 0.17 s and
    0.03 s of silence), then a pause: long after punctuation, short otherwise.

    One home for these lengths: :func:`synthesize_speech` and :class:`Speech` make samples by
    them, and an answer cut to `max_tokens` counts by them (responses/walk.py)."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self.burst = int(0.17 * sample_rate) + int(0.03 * sample_rate)
        self.short_gap = int(0.08 * sample_rate)
        self.pause_gap = int(0.25 * sample_rate)

    def gap(self, last_char: str) -> int:
        """The silence after a word that ends with `last_char`."""
        return self.pause_gap if last_char in _PAUSE_PUNCTUATION else self.short_gap

    def word(self, word: str) -> int:
        """Samples of one word (no whitespace in it), its pause included."""
        return _syllables(word) * self.burst + self.gap(word[-1])

    def unit(self, unit: SpokenUnit) -> int:
        """Samples of `unit` in its text's speech: its syllables and, where it ends its word,
        what ends the word (:meth:`ending`)."""
        floor, gap = self.ending(unit)
        return (unit.syllables + floor) * self.burst + gap

    def ending(self, unit: SpokenUnit) -> tuple[int, int]:
        """Where `unit` ends its word: (1 if the word has no syllable, as a word is at least
        one: :meth:`word`; the samples of its pause); (0, 0) elsewhere."""
        if not unit.ends_word:
            return 0, 0
        return int(unit.offset + unit.syllables == 0), self.gap(unit.said[-1])


@dataclass(frozen=True, slots=True)
class SpokenUnit:
    """One display unit of a text (:func:`~..protocol.text.split_units`) as speech lays it out.

    A word (a run without whitespace) is one unit, or several where it holds CJK characters;
    its syllables are the sum of its units' (a vowel group never spans a CJK character), so a
    text can be spoken, and its speech measured, a unit at a time.
    """

    text: str  # as in the text (a word keeps its trailing space)
    syllables: int  # its own, without a word's floor of one
    word: int  # index of its word in the text
    offset: int  # syllables of its word before it
    ends_word: bool

    @property
    def said(self) -> str:
        """Without its trailing space ("" for a space between CJK text and a word)."""
        return self.text.rstrip()


def spoken_units(text: str) -> Iterator[SpokenUnit]:
    """The units of `text`, one at a time, laid out for speech: reading the first units of a
    long text costs those units (a word of many CJK characters is read a character at a
    time)."""
    units = iter_units(text)
    word = offset = 0
    unit = next(units, None)
    while unit is not None:
        following = next(units, None)
        said = unit.rstrip()
        if not said:
            yield SpokenUnit(unit, 0, word, 0, False)  # a space: no speech
        else:
            syllables = raw_syllables(said)
            ends = following is None or not following.strip() or said != unit
            yield SpokenUnit(unit, syllables, word, offset, ends)
            word, offset = (word + 1, 0) if ends else (word, offset + syllables)
        unit = following


@functools.lru_cache(maxsize=16)
def layout(sample_rate: int) -> Layout:
    """The :class:`Layout` at `sample_rate` (shared)."""
    return Layout(sample_rate)


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
    lengths = layout(sample_rate)
    pieces: list[PCM16] = []
    for index, word in enumerate(_WORD.findall(text)):
        for s in range(_syllables(word)):
            pieces.append(_burst(f0, (index + s) % _POSITIONS, sample_rate))
        pieces.append(np.zeros(lengths.gap(word[-1]), dtype=np.int16))
    audio = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int16)
    audio.flags.writeable = False
    return audio


def speech_samples(text: str, sample_rate: int = OUTPUT_SAMPLE_RATE) -> int:
    """``len(synthesize_speech(text, voice, sample_rate))``, counted without synthesizing."""
    return sum(map(layout(sample_rate).word, _WORD.findall(text)))


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

    ``speech[a:b]`` is that of the whole synthesized array, but a slice costs only the
    syllables it overlaps, and the text is laid out (:func:`spoken_units`) only as far as slices
    reach: an answer of an hour of speech is neither made (170 MB) nor laid out (20,000 words,
    or one "word" of a quarter of a million CJK characters) in the event-loop step that plans
    it; each 200 ms delta makes its own samples when it is encoded. `len()` lays out the whole
    text (tests, and short recorded answers).
    """

    def __init__(self, text: str, voice: str, sample_rate: int = OUTPUT_SAMPLE_RATE) -> None:
        self.voice = voice
        self.sample_rate = sample_rate
        self._f0 = voice_pitch(voice)
        self._layout = layout(sample_rate)
        self._unread: Iterator[SpokenUnit] | None = spoken_units(text)
        self._units: list[SpokenUnit] = []
        self._starts = [0]  # where each unit laid out so far starts, and where the last ends

    @property
    def layout(self) -> Layout:
        """Where its units' samples go (an answer cut a unit at a time counts by it)."""
        return self._layout

    @property
    def units_laid_out(self) -> int:
        """How many units have been laid out so far: how far slicing (or `len()`) has read."""
        return len(self._units)

    def __len__(self) -> int:
        self._lay_out_until(None)
        return self._starts[-1]

    def units(self) -> Iterator[SpokenUnit]:
        """Its text's units from the first, laid out as they are reached: an answer read a unit
        at a time (responses/walk.py) reads the ones its speech is sliced by, so each unit of a
        long answer is measured once, for every session that says it."""
        index = 0
        while index < len(self._units) or self._lay_out_one():
            yield self._units[index]
            index += 1

    def __getitem__(self, where: slice) -> PCM16:
        if where.step not in (None, 1) or (where.start or 0) < 0 or (where.stop or 0) < 0:
            raise ValueError("a Speech is sliced with step 1 and no negative bounds")
        start, stop = where.start or 0, where.stop
        self._lay_out_until(stop)
        stop = self._starts[-1] if stop is None else min(stop, self._starts[-1])
        if stop <= start:
            return np.zeros(0, dtype=np.int16)
        index = bisect.bisect_right(self._starts, start) - 1
        pieces: list[PCM16] = []
        while index < len(self._units) and self._starts[index] < stop:
            first = self._starts[index]
            pieces += self._unit(self._units[index], start - first, stop - first)
            index += 1
        audio = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int16)
        audio.flags.writeable = False
        return audio

    def _lay_out_until(self, sample: int | None) -> None:
        """Lay out units until one ends past `sample` (None: all of them)."""
        while (sample is None or self._starts[-1] < sample) and self._lay_out_one():
            pass

    def _lay_out_one(self) -> bool:
        """Lay out the next unit (False: there is none)."""
        unit = next(self._unread, None) if self._unread is not None else None
        if unit is None:
            self._unread = None
            return False
        self._units.append(unit)
        self._starts.append(self._starts[-1] + self._layout.unit(unit))
        return True

    def _unit(self, unit: SpokenUnit, start: int, stop: int) -> list[PCM16]:
        """Samples `start`..`stop` (counted from the unit's first) of `unit`, as
        :func:`synthesize_speech` makes them: only the bursts they overlap are made."""
        burst = self._layout.burst
        floor, gap = self._layout.ending(unit)
        bursts = unit.syllables + floor
        start, stop = max(start, 0), min(stop, bursts * burst + gap)
        first, last = start // burst, min(bursts, -(-stop // burst))
        pieces = [
            _burst(self._f0, (unit.word + unit.offset + k) % _POSITIONS, self.sample_rate)
            for k in range(first, last)
        ]
        if gap and stop > bursts * burst:
            pieces.append(_silence(gap))
        if not pieces:
            return []
        made = np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
        offset = min(first, bursts) * burst
        return [made[start - offset : stop - offset]]


@functools.lru_cache(maxsize=8)
def _silence(samples: int) -> PCM16:
    silence = np.zeros(samples, dtype=np.int16)
    silence.flags.writeable = False
    return silence


# The longest text whose Speech is shared between sessions. A Speech keeps the layout of every
# unit it has read (about 90 bytes a unit), so a quarter of a million characters read to qwen3.8's
# limit keeps 6 MB: 256 such answers cached would keep 1.5 GB after their sessions ended. The
# answers that repeat (the corpus's, a load test's tool output) are far shorter.
SHARED_SPEECH_CHARS = 2048


class _Spoken:
    """:func:`spoken`: the shared Speech of short texts, and a way to forget them (tests)."""

    def __call__(self, text: str, voice: str, sample_rate: int = OUTPUT_SAMPLE_RATE) -> Speech:
        """The :class:`Speech` of `text` in `voice` at `sample_rate`: shared when the text is
        short (answers repeat across sessions, and so their encoded deltas are shared:
        responses/events.py), a session's own when it is long (freed with it)."""
        if len(text) > SHARED_SPEECH_CHARS:
            return Speech(text, voice, sample_rate)
        return _shared_speech(text, voice, sample_rate)

    def cache_clear(self) -> None:
        """Forget every shared Speech."""
        _shared_speech.cache_clear()


@functools.lru_cache(maxsize=256)
def _shared_speech(text: str, voice: str, sample_rate: int) -> Speech:
    return Speech(text, voice, sample_rate)


spoken = _Spoken()
