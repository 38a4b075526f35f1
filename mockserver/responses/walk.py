"""An answer read a display unit at a time, and cut where the next unit would pass its budget.

When: every message response whose audio is synthesized here (a :class:`~..media.speech.Speech`)
or that has no audio is streamed through a :class:`Walk`. Why: `max_tokens` "truncates, does not
change generation" (docs/protocol/events.md §4.2), so the mock cuts an answer at the longest
prefix of whole units whose text and speech fit the limit; a tool output or a fixture's text may
be a quarter of a million characters, and qwen3.8 Omni's limit (65,536 tokens) lets an hour of
speech through. Measuring that whole answer, or laying out its speech, in the event-loop step
that plans it took 10-40 ms; the walk reads only as far as the events being made need, a few
units at a time, and decides the cut when it reaches it.

Truncation keeps what was generated up to the cut, text and speech: a cut answer's audio is the
whole answer's, cut where the speech of its last unit ends (inside a word of CJK characters,
after that character's syllable, before the word's pause). What a prefix costs is what `usage`
bills for it: its text tokens (:func:`~..protocol.text.text_tokens`, the sum of those of its
units) plus, when spoken, the audio tokens of that speech. Both only grow as units are added, so
the first unit that does not fit ends the answer. The walk keeps where each unit's speech ends in
the answer's :class:`Speech`, so the audio deltas of a step are the speech of the words the step
shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..media.speech import Speech, SpokenUnit, spoken_units
from ..protocol.text import text_tokens
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


class Walk:
    """The units of `text`, taken a few at a time, up to the last that fits `budget`.

    `speech` is the answer's (None: the answer is text only); its units are the walk's. After each
    :meth:`take`, :attr:`spoken` is where the speech of the units taken so far ends (once
    :attr:`finished`: the answer's speech, samples); :attr:`text` is then the answer as said (cut:
    without the trailing space).
    """

    def __init__(self, text: str, budget: Budget | None, speech: Speech | None) -> None:
        self._source = text
        layout = speech.layout if speech is not None else None
        units = speech.units() if speech is not None else spoken_units(text)
        # each unit with what it costs, counted once: its text tokens, its speech's samples
        self._units = (
            (unit, text_tokens(unit.said), layout.unit(unit) if layout is not None else 0)
            for unit in units
        )
        self._budget = budget
        self._layout = layout
        self._next = next(self._units, None)  # the unit to take next, and its costs
        self._end = 0  # characters of the source taken
        self.tokens = 0  # text tokens of the units taken
        self.spoken = 0
        self.finished = self.cut = False
        self.text = ""
        if self._next is None:
            self._finish(cut=False)
        elif not self._fits(*self._next[1:]):
            self._finish(cut=True)

    def take(self, count: int) -> list[str]:
        """The next `count` units that fit (fewer at the end; none once finished)."""
        taken: list[str] = []
        while len(taken) < count and not self.finished:
            assert self._next is not None
            unit, tokens, samples = self._next
            self._next = following = next(self._units, None)
            self._add(unit, tokens, samples)
            if following is None:
                self._finish(cut=False)
            elif not self._fits(*following[1:]):
                self._finish(cut=True)
                if unit.said:
                    taken.append(unit.said)
                continue  # a space after CJK text: the cut answer ends before it
            taken.append(unit.text)
        return taken

    def _add(self, unit: SpokenUnit, tokens: int, samples: int) -> None:
        """Count `unit` in, its speech laid out up to its end."""
        self._end += len(unit.text)
        self.tokens += tokens
        self.spoken += samples

    def _fits(self, tokens: int, samples: int) -> bool:
        """Whether the answer taken so far and a unit that costs `tokens` and `samples` of
        speech, ending there, fits the budget."""
        if self._budget is None:
            return True
        tokens += self.tokens
        if self._layout is not None:
            tokens += audio_tokens(
                self.spoken + samples,
                self._layout.sample_rate,
                self._budget.audio_tokens_per_second,
            )
        return tokens <= self._budget.limit

    def _finish(self, cut: bool) -> None:
        self.finished, self.cut = True, cut
        said = self._source[: self._end]
        self.text = said.rstrip() if cut else said
