"""The responder that applies scripted answers (:mod:`.rules`) over the usual one, turn by turn.

A turn begins with each utterance the session transcribes (an ASR or LiveTranslate segment, an
Omni user audio item) and with each Omni response asked for with nothing new heard (a text item,
a bare `response.create`). The first rule that fits the turn decides what is heard and said in
it; the usual responder still answers each turn too, so that a recording being replayed stays in
step, but a rule's `heard`, `say` and `tool` replace what it said.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..media.speech import Speech
from ..protocol.text import split_units, units_per_second
from .responder import Responder, Transcript
from .rules import AnswerRule

__all__ = ["MAX_SHOWN_TURNS", "ScriptedAnswers"]

MAX_SHOWN_TURNS = 200  # turns whose deciding rule is kept for the inspector (a bound per session)


class ScriptedAnswers(Responder):
    """`inner` with the scripted `rules` applied, for one session of `model_id` (of `family`)."""

    def __init__(
        self, inner: Responder, rules: tuple[AnswerRule, ...], model_id: str, family: str
    ) -> None:
        self.inner = inner
        self._rules = tuple(r for r in rules if r.model is None or r.model in (model_id, family))
        self._model, self._family = model_id, family
        self._turn = 0
        self._rule: AnswerRule | None = None  # the rule deciding the current turn
        self._heard: Transcript | None = None  # the scripted transcript of the current turn
        # (turn, rule) of each turn a rule decided, oldest first (the inspector shows them)
        self.answered: list[tuple[int, AnswerRule]] = []
        self.on_answered: Callable[[int, AnswerRule], None] | None = None

    def _rule_for(self, turn: int) -> AnswerRule | None:
        return next((r for r in self._rules if r.fits(self._model, self._family, turn)), None)

    def _begin_turn(self) -> AnswerRule | None:
        self._turn += 1
        self._rule, self._heard = self._rule_for(self._turn), None
        if self._rule is not None:
            if len(self.answered) < MAX_SHOWN_TURNS:
                self.answered.append((self._turn, self._rule))
            if self.on_answered is not None:
                self.on_answered(self._turn, self._rule)
        return self._rule

    # ---- what is heard ----------------------------------------------------------------------

    def partial(self, seed: int, language: str, speech_ms: int) -> str:
        upcoming = self._rule_for(self._turn + 1)
        if upcoming is None or upcoming.heard is None:
            return self.inner.partial(seed, language, speech_ms)
        units = split_units(upcoming.heard)
        return "".join(units[: int(speech_ms / 1000 * units_per_second(language))]).rstrip()

    def spoken(self, seed: int, language: str, speech_ms: int) -> list[Transcript]:
        if self._rule_for(self._turn + 1) is not None:
            return []  # a scripted turn is translated whole, at its end
        return self.inner.spoken(seed, language, speech_ms)

    def transcript(self, seed: int, language: str, speech_ms: int) -> Transcript:
        usual = self.inner.transcript(seed, language, speech_ms)
        rule = self._begin_turn()
        if rule is None or rule.heard is None:
            return usual
        self._heard = Transcript(rule.heard, usual.language, usual.sentence_ids)
        return self._heard

    def sentences(self, transcript: Transcript) -> list[Transcript]:
        if self._rule is not None and (transcript is self._heard or self._rule.say is not None):
            return [transcript]  # one translation: the scripted one
        return self.inner.sentences(transcript)

    # ---- what is said -----------------------------------------------------------------------

    def translate(self, transcript: Transcript, target: str, phrases: dict[str, str]) -> str:
        usual = self.inner.translate(transcript, target, phrases)
        rule = self._rule
        return rule.say if rule is not None and rule.say is not None else usual

    def speak(self, text: str, voice: str) -> np.ndarray:
        return self.inner.speak(text, voice)

    def speech(self, text: str, voice: str, sample_rate: int) -> np.ndarray | Speech:
        return self.inner.speech(text, voice, sample_rate)

    def reply(self, seed: int, heard: Transcript | None, language: str) -> str:
        if heard is None:  # an Omni response with nothing new heard is a turn of its own
            self._begin_turn()
        usual = self.inner.reply(seed, heard, language)
        rule = self._rule
        return rule.say if rule is not None and rule.say is not None else usual

    def answer_tool_output(self, output: str, language: str) -> str:
        usual = self.inner.answer_tool_output(output, language)
        rule = self._rule
        if rule is not None and rule.tool is not None and rule.say is not None:
            return rule.say
        return usual

    def tool_call(self, tools: list[dict[str, Any]], heard: Transcript) -> tuple[str, str] | None:
        rule = self._rule
        if rule is None:
            return self.inner.tool_call(tools, heard)
        if rule.tool is not None:
            return rule.tool.name, rule.tool.arguments
        return None if rule.say is not None else self.inner.tool_call(tools, heard)

    # ---- the replay hooks pass through --------------------------------------------------

    def observe_audio(self, samples: np.ndarray) -> None:
        self.inner.observe_audio(samples)

    def observe_config(self, session: dict[str, Any]) -> None:
        self.inner.observe_config(session)

    def recorded_gaps(self) -> list[int] | None:
        return self.inner.recorded_gaps()
