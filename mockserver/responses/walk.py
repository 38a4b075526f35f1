"""An answer read a display unit at a time, and cut where the next unit would pass its budget.

When: every message response whose audio is synthesized here (a :class:`~..media.speech.Speech`)
or that has no audio is streamed through a :class:`Walk`. Why: `max_tokens` "truncates, does not
change generation" (docs/protocol/events.md §4.2), so the mock cuts an answer at the longest
prefix of whole units whose text and speech fit the limit; a tool output or a fixture's text may
be a quarter of a million characters, and qwen3.8 Omni's limit (65,536 tokens) lets an hour of
speech through. Measuring that whole answer, or laying out its speech, in the event-loop step
that plans it took 10-40 ms; the walk reads only as far as the events being made need, a few
units at a time, and decides the cut when it reaches it.

The cost of a prefix is exactly what `usage` bills for it: its text tokens
(:func:`~..protocol.text.text_tokens`, the sum of those of its units) plus, when spoken, the audio
tokens of its speech (:class:`~..media.speech.Layout`: a word's syllables are the sum of those of
its units). The walk keeps where each unit's speech ends in the answer's :class:`Speech`, so the
audio deltas of a step are the speech of the words the step shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..media.speech import Layout, raw_syllables
from ..protocol.text import iter_units, text_tokens
from .usage import audio_tokens

__all__ = ["Budget", "Walk"]


@dataclass(frozen=True)
class Budget:
    """The most output tokens an answer may cost, and how its audio is billed."""

    limit: int
    audio_tokens_per_second: float
    # A cut answer ends `incomplete`, reason `max_output_tokens` (Omni's max_tokens); False: it
    # ends `completed`, cut silently (Qwen-Audio's ceiling, which no session field sets)
    reports_cut: bool = True


@dataclass(frozen=True)
class _Unit:
    """One display unit and what it costs, counted once."""

    text: str
    said: str  # without its trailing space ("" for a space)
    tokens: int
    syllables: int  # raw: no word's floor of one

    @classmethod
    def of(cls, text: str) -> _Unit:
        said = text.rstrip()
        return cls(text, said, text_tokens(said), raw_syllables(said) if said else 0)


class Walk:
    """The units of `text`, taken a few at a time, up to the last that fits `budget`.

    `layout` is that of the answer's speech (None: the answer is text only). After each
    :meth:`take`, :attr:`spoken` is where the speech of the units taken so far ends; once
    :attr:`finished`, :attr:`text` is the answer as said (cut: without the trailing space) and
    :attr:`samples` its speech's length, which may pass :attr:`spoken` by the pause (and, for a
    word cut before its first syllable, the syllable) that ends a cut word.
    """

    def __init__(self, text: str, budget: Budget | None, layout: Layout | None) -> None:
        self._source = text
        self._units = map(_Unit.of, iter_units(text))
        self._budget = budget
        self._layout = layout
        self._next = next(self._units, None)  # the unit to take next
        self._end = 0  # characters of the source taken
        self._tokens = 0
        self._word_start = 0  # samples before the word being read
        self._word_syllables = 0  # of the part of that word taken so far
        self._in_word = False  # part of a word is taken, its end not yet
        self.spoken = 0
        self.samples = 0
        self.finished = self.cut = False
        self.text = ""
        if self._next is None:
            self._finish(cut=False)
        elif not self._fits(self._next):
            self._finish(cut=True)

    def take(self, count: int) -> list[str]:
        """The next `count` units that fit (fewer at the end; none once finished)."""
        taken: list[str] = []
        while len(taken) < count and not self.finished:
            unit = self._next
            assert unit is not None
            self._next = following = next(self._units, None)
            ends_word = following is None or not following.said or unit.said != unit.text
            self._add(unit, ends_word)
            if following is None:
                self._finish(cut=False)
            elif not self._fits(following):
                self._finish(cut=True)
                if unit.said:
                    taken.append(unit.said)
                continue  # a space after CJK text: the cut answer ends before it
            taken.append(unit.text)
        return taken

    def _add(self, unit: _Unit, ends_word: bool) -> None:
        """Count `unit` in, its speech laid out up to its end."""
        self._end += len(unit.text)
        self._tokens += unit.tokens
        if self._layout is None or not unit.said:
            return
        self._word_syllables += unit.syllables
        self._in_word = not ends_word
        if ends_word:
            self._word_start += self._word_cost(unit.said[-1])
            self._word_syllables = 0
            self.spoken = self._word_start
        else:
            self.spoken = self._word_start + self._word_syllables * self._layout.burst

    def _word_cost(self, last_char: str, syllables: int | None = None) -> int:
        """Samples of the word taken so far (with `syllables`, if given, instead of its own),
        ended by `last_char`: at least one syllable, then its pause
        (:meth:`~..media.speech.Layout.word`)."""
        assert self._layout is not None
        syllables = self._word_syllables if syllables is None else syllables
        return max(1, syllables) * self._layout.burst + self._layout.gap(last_char)

    def _fits(self, unit: _Unit) -> bool:
        """Whether the answer taken so far and `unit`, ending there, fits the budget."""
        if self._budget is None:
            return True
        tokens = self._tokens + unit.tokens
        if self._layout is not None:
            samples = self._word_start  # a space unit follows a word that has ended
            if unit.said:
                syllables = self._word_syllables + unit.syllables
                samples += self._word_cost(unit.said[-1], syllables)
            tokens += audio_tokens(
                samples, self._layout.sample_rate, self._budget.audio_tokens_per_second
            )
        return tokens <= self._budget.limit

    def _finish(self, cut: bool) -> None:
        self.finished, self.cut = True, cut
        said = self._source[: self._end]
        self.text = said.rstrip() if cut else said
        self.samples = self.spoken
        if self._in_word:  # cut inside a word: it ends here, with its pause
            self.samples = self._word_start + self._word_cost(self.text[-1])
