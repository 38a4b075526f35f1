"""What the session core asks of whatever produces the "model's" answers: the Responder protocol.

The built-in :class:`~.corpus.CorpusResponder` answers from a small parallel corpus; fixture
replay (:mod:`dashscope_realtime_mock.replay.responders`) answers from recordings. Both subclass
:class:`Responder` explicitly, so the optional replay hooks have their no-op defaults and the
session calls every method directly, never through ``getattr``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from ..media.pcm import OUTPUT_SAMPLE_RATE, resample
from ..media.speech import Speech

__all__ = ["Responder", "Transcript"]


@dataclass(frozen=True)
class Transcript:
    """What the user said in one utterance, and which corpus sentences it was made of."""

    text: str
    language: str
    sentence_ids: tuple[int, ...]


class Responder(Protocol):
    """The content of the model's answers; the session core makes every event around it."""

    def partial(self, seed: int, language: str, speech_ms: int) -> str:
        """While the user speaks: the words said in the first `speech_ms` (a live transcript)."""
        ...

    def transcript(self, seed: int, language: str, speech_ms: int) -> Transcript:
        """When an utterance ends: its final transcript, sized to `speech_ms` of speech."""
        ...

    def spoken(self, seed: int, language: str, speech_ms: int) -> list[Transcript]:
        """While the user speaks: the sentences already said in full in the first `speech_ms`,
        one transcript each, in order; a prefix of :meth:`sentences` of the final transcript.
        What LiveTranslate translates before the pause (Behaviour.translation_start). Nothing is
        consumed. A responder that cannot tell (a recording) says none: translation then waits."""
        return []

    def sentences(self, transcript: Transcript) -> list[Transcript]:
        """`transcript` cut into its sentences, in order (a responder that cannot tell sentences
        apart returns the whole transcript as one)."""
        return [transcript]

    def translate(self, transcript: Transcript, target: str, phrases: dict[str, str]) -> str:
        """LiveTranslate: the translation of `transcript`, with the hotwords `phrases` forced in."""
        ...

    def speak(self, text: str, voice: str) -> np.ndarray:
        """Audio output: `text` spoken by `voice`, int16 PCM at the output rate."""
        ...

    def reply(self, seed: int, heard: Transcript | None, language: str) -> str:
        """Omni: the assistant's answer to what was heard (or to a bare response.create)."""
        ...

    def answer_tool_output(self, output: str, language: str) -> str:
        """Omni: the answer after the client returned a function_call_output."""
        ...

    def tool_call(self, tools: list[dict[str, Any]], heard: Transcript) -> tuple[str, str] | None:
        """Omni with tools: (name, arguments JSON) of the call answering a turn, or None."""
        ...

    # ---- optional hooks for replay (defaults: do nothing) --------------------------------

    def observe_audio(self, samples: np.ndarray) -> None:
        """Called with every chunk of input audio (16 kHz int16) as it is appended.

        Why: a responder that picks its fixture by the audio the client streams (replay's
        MatchingResponder) must hear it before the first utterance ends.
        """
        return None

    def observe_config(self, session: dict[str, Any]) -> None:
        """Called with the session object (as session.created/updated render it) at connect and
        after every session.update.

        Why: replay matches a fixture on the configuration that shaped its answers too (a
        hotword, the target language), not on the audio alone.
        """
        return None

    def speech(self, text: str, voice: str, sample_rate: int) -> np.ndarray | Speech:
        """What :meth:`speak` gives, at `sample_rate`, or a :class:`~..media.speech.Speech`
        that makes such samples only where it is sliced.

        Why: a long answer (an hour of speech at qwen3.8's output-token limit) must not be
        synthesized in the one event-loop step that plans it; its deltas make their samples as
        they are sent. A responder with recorded audio gives the recording for its own text.
        """
        return resample(self.speak(text, voice), OUTPUT_SAMPLE_RATE, sample_rate)

    def recorded_gaps(self) -> list[int] | None:
        """Recorded pace: at each `response.created`, the ms after it of each event of the
        response in the recording being replayed; None when there is none (realtime pacing)."""
        return None

    def recorded_speech(self, said: str, voice: str, index: int) -> tuple[np.ndarray, int] | None:
        """TTS: the recorded audio of the `index`-th response (0-based) of a session that has
        been given the text `said` so far in `voice`: (int16 PCM samples, their rate), or None
        when there is no recording of it (the built-in speech answers).

        Why: replay answers a TTS session with a fixture's audio when the text and voice agree
        (replay/tts.py), and a fixture's scenario script with the speech recorded for it.
        """
        return None
