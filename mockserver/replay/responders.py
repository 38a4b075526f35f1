"""Responders that answer from fixtures: the texts and audio a recording holds, utterance by utterance.

The session core still makes every event: ids are fresh, VAD offsets come from the audio the
client sends, and the configuration the client set decides modality, voice and language. A
responder only supplies the content — here, the recording's. When the recording runs out, or the
client asks for something it does not hold (another target language), the built-in responder
answers instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from dashscope_realtime_mock import schemas

from ..answers.responder import Responder, Transcript
from ..media.pcm import OUTPUT_SAMPLE_RATE, resample, resample_to_16k
from ..media.speech import Speech
from ..protocol.errors import ProtocolError
from ..protocol.text import split_units, units_per_second
from .exact import ExactPrefix
from .fingerprint import HOP, THRESHOLD, Fingerprint, FingerprintStream, fingerprint, similarity
from .format import parse_audio_ref
from .store import Fixture

__all__ = [
    "DEFAULT_MATCH_ON",
    "MatchingResponder",
    "RecordedResponse",
    "ScriptedResponder",
    "check_match_on",
    "warm_fingerprints",
]

# The session fields (dotted paths into the session object) that shaped a fixture's answers:
# besides its input audio, a fixture matches a live session better the more of these agree
# (vcrpy's match_on). ServerOptions.match_on replaces them.
DEFAULT_MATCH_ON = (
    "modalities",
    "translation.language",
    "translation.corpus",
    "input_audio_transcription.language",
    "tools",
)


def check_match_on(paths: object) -> tuple[str, ...]:
    """`paths` as match_on fields; ValueError naming the first that no family's session object
    has (the session schemas of `session.created` are the one list of fields)."""
    if isinstance(paths, str) or not isinstance(paths, (tuple, list)):
        raise ValueError("give a list of session field paths, e.g. modalities,translation.language")
    fields: tuple[str, ...] = tuple(paths)
    if not all(isinstance(path, str) for path in fields):
        raise ValueError("give a list of session field paths, e.g. modalities,translation.language")
    objects = [
        (schemas.resolved("server", "session.created", family) or {})["properties"]["session"]
        for family in schemas.families()
    ]
    for path in fields:
        if not any(_schema_has(node, path.split(".")) for node in objects):
            raise ValueError(
                f"{path!r} is not a session field (a dotted path into session.created's session, "
                "e.g. translation.language)"
            )
    return fields


def _schema_has(node: dict[str, Any], keys: list[str]) -> bool:
    """Whether the (resolved) object schema `node` has the property path `keys`."""
    if not keys:
        return True
    choices = [node, *node.get("oneOf", []), *node.get("anyOf", [])]
    return any(
        keys[0] in (choice.get("properties") or {})
        and _schema_has(choice["properties"][keys[0]], keys[1:])
        for choice in choices
    )


def _field(session: dict[str, Any], path: str) -> object:
    value: object = session
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value or None  # absent, null and empty say the same thing


@dataclass(frozen=True)
class RecordedResponse:
    text: str
    audio: np.ndarray | None = None
    call: tuple[str, str] | None = None  # (name, arguments) of a function_call response
    gaps: tuple[int, ...] = (
        0,
    )  # ms after response.created of each of its events with a response_id


class ScriptedResponder(Responder):
    """Answers from a script: the i-th utterance gets the i-th transcript, the j-th response the j-th answer."""

    def __init__(
        self,
        transcripts: list[tuple[str, str | None]],
        responses: list[RecordedResponse],
        fallback: Responder,
        *,
        target_language: str | None = None,
        name: str = "",
    ) -> None:
        self.name = name
        self._transcripts = transcripts
        self._responses = responses
        self._fallback = fallback
        self._target = target_language
        self._heard = 0
        self._answered = 0
        self._last: RecordedResponse | None = None
        self._last_heard: Transcript | None = None  # the last transcript taken from the script
        self._paced = 0
        self.output_rate = (
            OUTPUT_SAMPLE_RATE  # of the recorded audio (a fixture's header names its own)
        )
        # how many responses each recorded utterance was translated in (while-speaking LiveTranslate
        # records one per sentence); empty when unknown
        self._per_utterance: list[int] = []

    @classmethod
    def from_fixture(cls, fixture: Fixture, fallback: Responder) -> ScriptedResponder:
        transcripts, responses, order, by_id = [], [], [], {}
        per_utterance: list[int] = []  # responses started in each utterance, in order
        in_vad = _in_vad(fixture)
        for line in fixture.events:
            if line["dir"] != "server":
                continue
            event = line["event"]
            kind = event.get("type", "")
            if kind in ("input_audio_buffer.speech_started", "input_audio_buffer.committed"):
                if not (kind == "input_audio_buffer.committed" and per_utterance and in_vad):
                    per_utterance.append(0)
            elif kind == "response.created" and per_utterance:
                per_utterance[-1] += 1
            if kind == "conversation.item.input_audio_transcription.completed":
                transcripts.append((event.get("transcript", ""), event.get("language")))
            response_id = event.get("response_id") or (event.get("response") or {}).get("id")
            if not response_id or not kind.startswith("response."):
                continue
            if response_id not in by_id:
                by_id[response_id] = {
                    "text": "",
                    "audio": [],
                    "call": None,
                    "t0": line["t_ms"],
                    "gaps": [0],
                }
                order.append(response_id)
            entry = by_id[response_id]
            if "response_id" in event:
                entry["gaps"].append(line["t_ms"] - entry["t0"])
            if kind in ("response.audio_transcript.done", "response.text.done"):
                entry["text"] = event.get("transcript") or event.get("text") or ""
            elif kind == "response.audio.delta" and (ref := parse_audio_ref(event.get("delta"))):
                entry["audio"].append(fixture.audio(*ref))
            elif kind == "response.function_call_arguments.done":
                entry["call"] = (event.get("name", ""), event.get("arguments", ""))
        for response_id in order:
            entry = by_id[response_id]
            audio = np.concatenate(entry["audio"]) if entry["audio"] else None
            responses.append(
                RecordedResponse(entry["text"], audio, entry["call"], tuple(entry["gaps"]))
            )
        target = ((fixture.header.get("session") or {}).get("translation") or {}).get("language")
        scripted = cls(transcripts, responses, fallback, target_language=target, name=fixture.name)
        scripted._per_utterance = per_utterance
        scripted.output_rate = int(
            (fixture.header.get("output") or {}).get("sample_rate", OUTPUT_SAMPLE_RATE)
        )
        return scripted

    def observe_config(self, session: dict[str, Any]) -> None:
        """Refuse transcription on when the recording holds no source text: inventing one would
        contradict the replayed answers."""
        if session.get("input_audio_transcription") and not self._transcripts and self._responses:
            raise ProtocolError(
                "invalid_value",
                f"Replay of fixture '{self.name}': it was recorded without "
                "input_audio_transcription, so it holds no source text to replay. Turn "
                "transcription off, or record the fixture with it.",
                "session.input_audio_transcription",
            )

    def recorded_gaps(self) -> list[int] | None:
        """`--pace recorded`: the timing of the next response as recorded (Pacer asks at response.created)."""
        if self._paced >= len(self._responses):
            return None
        self._paced += 1
        return list(self._responses[self._paced - 1].gaps)

    # ---- the Responder protocol -----------------------------------------------------------

    def partial(self, seed: int, language: str, speech_ms: int) -> str:
        if self._heard >= len(self._transcripts):
            return self._fallback.partial(seed, language, speech_ms)
        units = split_units(self._transcripts[self._heard][0])
        # sized like the built-in responder's previews, so a replay shows the same ones
        return "".join(units[: int(speech_ms / 1000 * units_per_second(language))]).rstrip()

    def transcript(self, seed: int, language: str, speech_ms: int) -> Transcript:
        if self._heard >= len(self._transcripts):
            return self._fallback.transcript(seed, language, speech_ms)
        text, recorded_language = self._transcripts[self._heard]
        self._heard += 1
        self._last_heard = Transcript(text, recorded_language or language, (self._heard - 1,))
        return self._last_heard

    def sentences(self, transcript: Transcript) -> list[Transcript]:
        """The last transcript heard, in as many pieces as the recording translated it in."""
        utterance = self._heard - 1
        if 0 <= utterance < len(self._per_utterance):
            return [transcript] * self._per_utterance[utterance]
        if transcript is self._last_heard:
            # a scripted transcript whose split is unknown: one piece (its sentence_ids number
            # the script, not the fallback's corpus)
            return [transcript]
        return self._fallback.sentences(transcript)

    def _next(self, want_call: bool) -> RecordedResponse | None:
        if self._answered >= len(self._responses):
            return None
        response = self._responses[self._answered]
        if (response.call is not None) != want_call:
            return None
        self._answered += 1
        self._last = response
        return response

    def translate(self, transcript: Transcript, target: str, phrases: dict[str, str]) -> str:
        if self._target is not None and target != self._target:
            return self._fallback.translate(transcript, target, phrases)  # not what was recorded
        response = self._next(want_call=False)
        return response.text if response else self._fallback.translate(transcript, target, phrases)

    def _recording_of(self, text: str) -> np.ndarray | None:
        """The audio recorded for the last response taken, if `text` is what it said."""
        if self._last is not None and self._last.text == text:
            return self._last.audio
        return None

    def speak(self, text: str, voice: str) -> np.ndarray:
        recording = self._recording_of(text)
        return recording if recording is not None else self._fallback.speak(text, voice)

    def speech(self, text: str, voice: str, sample_rate: int) -> np.ndarray | Speech:
        """The recording for its own text; anything else (a tool output read aloud) the
        fallback's speech, made as it is sent."""
        recording = self._recording_of(text)
        if recording is not None:
            return resample(recording, self.output_rate, sample_rate)
        return self._fallback.speech(text, voice, sample_rate)

    def recorded_speech(self, said: str, voice: str, index: int) -> tuple[np.ndarray, int] | None:
        """TTS: the `index`-th recorded response's audio, at the recording's output rate."""
        if index >= len(self._responses) or self._responses[index].audio is None:
            return None
        audio = self._responses[index].audio
        assert audio is not None
        return audio, self.output_rate

    def reply(self, seed: int, heard: Transcript | None, language: str) -> str:
        response = self._next(want_call=False)
        return response.text if response else self._fallback.reply(seed, heard, language)

    def answer_tool_output(self, output: str, language: str) -> str:
        response = self._next(want_call=False)
        return response.text if response else self._fallback.answer_tool_output(output, language)

    def tool_call(self, tools: list[dict[str, Any]], heard: Transcript) -> tuple[str, str] | None:
        if self._answered >= len(self._responses):
            return self._fallback.tool_call(tools, heard)
        response = self._next(want_call=True)
        return response.call if response else None


# Live previews choose early only once this much of the client's audio has sound in it and a
# fixture is surely the same recording (SURE), checked until twice as much; else the end of the
# utterance decides, with the trailing silence compared too (a shorter sentence that starts like
# a fixture's differs there).
DECIDE_SOUND_MS = 2000
SURE = 0.9
# Fixtures whose similarity is within this of the best one's were recorded from the same audio:
# the session config breaks the tie (docs/replay-matching.md).
SAME_AUDIO = 0.05
MAX_HEARD_S = 20  # the audio kept for matching (a bound per session; fixtures' inputs are shorter)


class MatchingResponder(Responder):
    """Per session: listens to the audio, picks the fixture whose input it matches, then answers from it.

    The fixture's own samples (:class:`ExactPrefix`) are recognised after EXACT_SOUND_MS of
    sound. Otherwise live previews wait until DECIDE_SOUND_MS of the audio has sound in it and
    a fixture is SURE to be the same recording; else the end of the first utterance decides. The fixture whose input audio is most similar (≥ THRESHOLD)
    answers; among those recorded from the same audio, the one whose session agrees on most
    match_on fields, then the first by name. Else the built-in responder answers, and the reason
    names the closest fixture and its similarity.
    """

    def __init__(
        self,
        library: dict[str, Fixture],
        fallback: Responder,
        family: str | None = None,
        match_on: tuple[str, ...] = DEFAULT_MATCH_ON,
    ) -> None:
        self._library = {
            n: f
            for n, f in sorted(library.items())
            if family is None or f.header.get("family") == family
        }
        self._match_on = match_on
        self._session: dict[str, Any] = {}
        self.reason = ""  # why the choice was made (logged, shown, captured)
        # called once the choice is made: (fixture name or None, reason)
        self.on_decided: Callable[[str | None, str], None] | None = None
        self._fallback = fallback
        self._heard_print = FingerprintStream(max_frames=MAX_HEARD_S * 16000 // HOP)
        self._exact = ExactPrefix({n: _input_16k(f) for n, f in self._library.items()})
        self._samples = 0
        self._checked = 0  # samples heard when live previews last asked whether to decide
        self.chosen: Responder | None = None
        self.scenario: str | None = (
            None  # the fixture chosen, once decided (None: the built-in responder)
        )
        self.similarity = 0.0  # how well the chosen fixture's input matched (0: none did)
        # the closest fixture and its similarity, when none matched (the inspector shows them)
        self.closest: tuple[str, float] | None = None

    def observe_audio(self, samples: np.ndarray) -> None:
        """The client's audio, at 16 kHz, as the session receives it."""
        if self.chosen is None and self._samples < MAX_HEARD_S * 16000:
            self._heard_print.feed(samples)
            self._exact.feed(samples)
            self._samples += len(samples)

    def observe_config(self, session: dict[str, Any]) -> None:
        self._session = session

    def _config_agrees(self, fixture: Fixture) -> list[str]:
        recorded = fixture.header.get("session") or {}
        return [p for p in self._match_on if _field(recorded, p) == _field(self._session, p)]

    def _heard(self) -> Fingerprint:
        return self._heard_print.result()

    def _ready(self) -> bool:
        """Live previews: whether the fixture is chosen, choosing it if it surely is one
        (checked every 0.25 s of audio)."""
        if self.chosen is not None:
            return True
        if self._exact.sure:  # the fixture's own samples: certain at once
            self.decide()
            return True
        if self._samples - self._checked < 4000 or self._checked >= MAX_HEARD_S * 16000:
            return False
        self._checked = self._samples
        heard = self._heard()
        if heard.sound_ms < DECIDE_SOUND_MS:
            return False
        if heard.sound_ms > 2 * DECIDE_SOUND_MS:  # not sure by now: the utterance's end decides
            self._checked = MAX_HEARD_S * 16000
            return False
        if max((score for score, _ in self._scores(heard)), default=0.0) < SURE:
            return False
        self.decide()
        return True

    def _scores(self, heard: Fingerprint) -> list[tuple[float, str]]:
        return [
            (similarity(heard, _fixture_print(fixture)) or 0.0, name)
            for name, fixture in self._library.items()
        ]

    def decide(self) -> Responder:
        """Choose now, if not chosen yet, and return who answers: the end of an utterance calls
        it; so may a test that wants the verdict on audio no answer was asked for (silence)."""
        if self.chosen is None:
            scored = self._scores(self._heard())
            sure = self._exact.sure  # identical samples are similarity 1, however short
            scored = [(1.0 if name in sure else score, name) for score, name in scored]
            transcribing = bool(self._session.get("input_audio_transcription"))
            matched = [(score, name) for score, name in scored if score >= THRESHOLD]
            usable = [
                (score, name)
                for score, name in matched
                if not transcribing or _has_source_text(self._library[name])
            ]
            if usable:
                self.chosen = self._replay(usable)
            elif matched:
                self.reason = (
                    f"the fixtures whose input audio matched ({', '.join(n for _, n in matched)}) "
                    "were recorded without transcription, which is on"
                )
                self.chosen = self._fallback
            else:
                score, name = max(scored, default=(0.0, "none"))
                self.closest = (name, score)
                self.reason = (
                    f"no fixture's input audio matched (closest: {name}, similarity "
                    f"{score:.2f}, needs {THRESHOLD:.2f})"
                )
                self.chosen = self._fallback
            if self.on_decided is not None:
                self.on_decided(self.scenario, self.reason)
        return self.chosen

    def _replay(self, usable: list[tuple[float, str]]) -> Responder:
        """Choose among the fixtures that matched: the same audio as the best, then the config."""
        top = max(score for score, _ in usable)
        candidates = sorted(
            (-len(self._config_agrees(self._library[name])), -score, name)
            for score, name in usable
            if score >= top - SAME_AUDIO
        )
        agree, score, best = -candidates[0][0], -candidates[0][1], candidates[0][2]
        ties = [n for a, _, n in candidates[1:] if -a == agree]
        fields = ", ".join(self._config_agrees(self._library[best])) or "none"
        self.reason = (
            f"its input audio matched (similarity {score:.2f}) and the session config "
            f"agreed on {agree}/{len(self._match_on)} fields ({fields})"
            + (f"; tied with {', '.join(ties)}, broken by name order" if ties else "")
        )
        self.scenario, self.similarity = best, score
        return ScriptedResponder.from_fixture(self._library[best], self._fallback)

    def recorded_gaps(self) -> list[int] | None:
        return self.chosen.recorded_gaps() if self.chosen is not None else None

    def partial(self, seed: int, language: str, speech_ms: int) -> str:
        if not self._ready():
            return ""  # too early to tell which recording this is
        return self.decide().partial(seed, language, speech_ms)

    def transcript(self, seed: int, language: str, speech_ms: int) -> Transcript:
        return self.decide().transcript(seed, language, speech_ms)

    def spoken(self, seed: int, language: str, speech_ms: int) -> list[Transcript]:
        if not self._ready():
            return []  # too early to tell which recording this is
        return self.decide().spoken(seed, language, speech_ms)

    def sentences(self, transcript: Transcript) -> list[Transcript]:
        return self.decide().sentences(transcript)

    def translate(self, transcript: Transcript, target: str, phrases: dict[str, str]) -> str:
        return self.decide().translate(transcript, target, phrases)

    def speak(self, text: str, voice: str) -> np.ndarray:
        return self.decide().speak(text, voice)

    def speech(self, text: str, voice: str, sample_rate: int) -> np.ndarray | Speech:
        return self.decide().speech(text, voice, sample_rate)

    def reply(self, seed: int, heard: Transcript | None, language: str) -> str:
        return self.decide().reply(seed, heard, language)

    def answer_tool_output(self, output: str, language: str) -> str:
        return self.decide().answer_tool_output(output, language)

    def tool_call(self, tools: list[dict[str, Any]], heard: Transcript) -> tuple[str, str] | None:
        return self.decide().tool_call(tools, heard)


def _has_source_text(fixture: Fixture) -> bool:
    """Whether the recording holds the user's transcripts (a replay with transcription on needs them)."""
    return any(
        line["event"].get("type") == "conversation.item.input_audio_transcription.completed"
        for line in fixture.events
    )


def _in_vad(fixture: Fixture) -> bool:
    """Whether the recording's utterances were found by VAD (they then start with speech_started)."""
    return any(
        line["event"].get("type") == "input_audio_buffer.speech_started" for line in fixture.events
    )


def warm_fingerprints(library: dict[str, Fixture]) -> None:
    """Fingerprint every fixture's input now (at start-up), not in the first session's turn."""
    for fixture in library.values():
        _fixture_print(fixture)


def _input_16k(fixture: Fixture) -> np.ndarray:
    """The fixture's input audio at 16 kHz, computed once and kept on the fixture."""
    cached = fixture.__dict__.get("_input_16k")
    if cached is None:
        cached = resample_to_16k(fixture.input_audio, fixture.input_rate)
        fixture.__dict__["_input_16k"] = cached
    assert isinstance(cached, np.ndarray)
    return cached


def _fixture_print(fixture: Fixture) -> Fingerprint:
    """The fixture's input fingerprint, computed once and kept on the fixture."""
    cached = fixture.__dict__.get("_input_fingerprint")
    if cached is None:
        cached = fingerprint(_input_16k(fixture))
        fixture.__dict__["_input_fingerprint"] = cached
    assert isinstance(cached, Fingerprint)
    return cached
