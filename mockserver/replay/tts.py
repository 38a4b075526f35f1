"""TTS replay: a fixture answers a TTS session whose client sent the same text in the same voice.

A TTS client sends no audio, so a fixture is not matched by its input audio (as
:class:`~.responders.MatchingResponder` does) but by what was said: the text of every
`input_text_buffer.append` of the recording, normalised (Unicode NFKC, runs of white space as one
space, trimmed), and the voice its session spoke in. The choice is made when the session speaks
for the first time: the fixtures whose text starts with everything the session was given so far,
in that voice, are candidates, and the one with the shortest text wins (then name order). Each
later response replays the recording's next response, as long as the session's text still agrees;
otherwise, and when nothing matched, the built-in speech answers.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..answers.responder import Responder, Transcript
from .responders import ScriptedResponder
from .store import Fixture

__all__ = ["TextMatchingResponder", "TtsRecording", "normalised"]


def normalised(text: str) -> str:
    """`text` as replay compares it: NFKC, white space collapsed to single spaces, trimmed."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


@dataclass(frozen=True)
class TtsRecording:
    """What a TTS fixture is matched on, and the script that replays it."""

    name: str
    voice: str
    text: str  # normalised
    script: ScriptedResponder

    @classmethod
    def of(cls, name: str, fixture: Fixture, fallback: Responder) -> TtsRecording:
        said = "".join(
            line["event"].get("text", "")
            for line in fixture.events
            if line["dir"] == "client" and line["event"].get("type") == "input_text_buffer.append"
        )
        voice = str((fixture.header.get("session") or {}).get("voice", ""))
        return cls(name, voice, normalised(said), ScriptedResponder.from_fixture(fixture, fallback))


class TextMatchingResponder(Responder):
    """Per TTS session: picks the fixture whose text and voice agree, then replays its speech."""

    def __init__(self, library: dict[str, Fixture], fallback: Responder) -> None:
        self._recordings = [
            TtsRecording.of(name, fixture, fallback)
            for name, fixture in sorted(library.items())
            if fixture.header.get("family") == "tts"
        ]
        self._fallback = fallback
        self.chosen: TtsRecording | None = None
        self.decided = False
        self.scenario: str | None = None  # the fixture chosen (None: the built-in speech)
        self.reason = ""
        self.on_decided: Callable[[str | None, str], None] | None = None

    def _decide(self, said: str, voice: str) -> None:
        candidates = sorted(
            (len(r.text), r.name, r)
            for r in self._recordings
            if r.voice == voice and r.text.startswith(said)
        )
        if candidates:
            self.chosen = candidates[0][2]
            self.scenario = self.chosen.name
            self.reason = f"its text and voice ({voice}) agree with what the client sent"
        else:
            self.reason = (
                f"no TTS fixture was recorded with this text in voice {voice}: "
                "the built-in speech answers"
            )
        self.decided = True
        if self.on_decided is not None:
            self.on_decided(self.scenario, self.reason)

    def recorded_speech(self, said: str, voice: str, index: int) -> tuple[np.ndarray, int] | None:
        text = normalised(said)
        if not self.decided:
            self._decide(text, voice)
        chosen = self.chosen
        if chosen is None or chosen.voice != voice or not chosen.text.startswith(text):
            return None
        return chosen.script.recorded_speech(said, voice, index)

    def recorded_gaps(self) -> list[int] | None:
        return self.chosen.script.recorded_gaps() if self.chosen is not None else None

    # ---- the rest of the Responder protocol: a TTS session never asks; the fallback answers ----

    def partial(self, seed: int, language: str, speech_ms: int) -> str:
        return self._fallback.partial(seed, language, speech_ms)

    def transcript(self, seed: int, language: str, speech_ms: int) -> Transcript:
        return self._fallback.transcript(seed, language, speech_ms)

    def translate(self, transcript: Transcript, target: str, phrases: dict[str, str]) -> str:
        return self._fallback.translate(transcript, target, phrases)

    def speak(self, text: str, voice: str) -> np.ndarray:
        return self._fallback.speak(text, voice)

    def reply(self, seed: int, heard: Transcript | None, language: str) -> str:
        return self._fallback.reply(seed, heard, language)

    def answer_tool_output(self, output: str, language: str) -> str:
        return self._fallback.answer_tool_output(output, language)

    def tool_call(self, tools: list[dict[str, Any]], heard: Transcript) -> tuple[str, str] | None:
        return self._fallback.tool_call(tools, heard)
