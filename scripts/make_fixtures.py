"""Regenerate the fixture library under fixtures/scenarios/ (needs espeak-ng and sox).

Each scenario: real speech of corpus sentences (espeak-ng + sox, in the scenario's source
language), streamed in 100 ms chunks through the mock's own session core, which answers with the
text a real model would plausibly give (the parallel corpus translation, or a written answer) and
speech of that text. The traffic is recorded like the recorder proxy records live sessions, and
marked `provenance: synthesized`.

Deterministic: the same espeak-ng/sox versions give the same bytes (ids come from a seeded RNG;
`t_ms` is audio time). Run: `make fixtures` or `python scripts/make_fixtures.py [OUT]`.
"""

from __future__ import annotations

import base64
import json
import random
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

ROOT = Path(__file__).resolve().parent.parent
# The project's own imports below must follow this: `tests` (tests.support) is not an installed
# package, so a script run from scripts/ only finds it through the repository root.
# ruff: noqa: E402
sys.path.insert(0, str(ROOT))

from dashscope_realtime_mock.answers.corpus import CorpusResponder, load_corpus
from dashscope_realtime_mock.answers.responder import Transcript
from dashscope_realtime_mock.families import lookup, open_session
from dashscope_realtime_mock.media.pcm import OUTPUT_SAMPLE_RATE, PCM16, resample
from dashscope_realtime_mock.protocol.behaviour import Behaviour
from dashscope_realtime_mock.protocol.wire import Event
from dashscope_realtime_mock.replay.recording import Recording
from dashscope_realtime_mock.replay.responders import RecordedResponse, ScriptedResponder
from dashscope_realtime_mock.replay.store import Fixture, save
from tests.support import tiny_jpeg

DATE = "2026-11-21"  # part of each header; fixed so that regeneration is byte-for-byte
VOICES = {"en": "en-us", "zh": "cmn", "fr": "fr", "de": "de", "es": "es"}
CORPUS = load_corpus(ROOT / "fixtures" / "corpus.json")
SENTENCES = CORPUS["sentences"]
LT, LT35, ASR, OMNI = (
    "qwen3-livetranslate-flash-realtime",
    "qwen3.5-livetranslate-flash-realtime",
    "qwen3-asr-flash-realtime",
    "qwen3-omni-flash-realtime",
)
TTS, QWEN_TTS = "qwen3-tts-flash-realtime", "qwen-tts-realtime"
OMNI35_PLUS, OMNI35_FLASH, OMNI38_FLASH = (
    "qwen3.5-omni-plus-realtime",
    "qwen3.5-omni-flash-realtime",
    "qwen3.8-omni-flash-realtime",
)
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "description": "Current weather of a city.",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string"}},
            "required": ["location"],
        },
    },
}


def _espeak(text: str, language: str, rate: int, work: Path) -> PCM16:
    raw, out = work / "raw.wav", work / "out.wav"
    subprocess.run(
        ["espeak-ng", "-v", VOICES[language], "-s", "150", "-w", str(raw), text], check=True
    )
    subprocess.run(
        [
            "sox",
            "-D",
            str(raw),
            "-r",
            str(rate),
            "-c",
            "1",
            "-b",
            "16",
            str(out),
            "silence",
            "1",
            "0.005",
            "0.3%",
            "reverse",
            "silence",
            "1",
            "0.005",
            "0.3%",
            "reverse",
        ],
        check=True,
    )
    samples: PCM16 = soundfile.read(out, dtype="int16")[0]
    return samples


@dataclass
class Scenario:
    name: str
    model: str
    description: str
    source: str  # language spoken
    utterances: list[str]  # what is said
    # What the model answers, per response, in order: text, or (tool name, arguments JSON).
    answers: Sequence[str | tuple[str, str]]
    answer_language: str
    update: dict[str, Any] = field(default_factory=dict)
    rate: int = 16000
    manual: bool = False  # commit each utterance (and response.create for Omni)
    actions: str = ""  # "image", "cancel", "barge-in", "tool"
    behaviour: Behaviour = field(default_factory=Behaviour)
    # End with session.finish; False: the client just closes (the next Omni models refuse
    # session.finish, docs/protocol/omni-next.md §6.1, and their official samples close).
    finish: bool = True


def _corpus(indices: Iterable[int], language: str) -> list[str]:
    return [SENTENCES[i][language] for i in indices]


def scenarios() -> list[Scenario]:
    hot = {"Machine learning": "ML"}
    corpus = CorpusResponder(CORPUS)
    hot_answers = [
        corpus.translate(Transcript(SENTENCES[i]["en"], "en", (i,)), "zh", hot) for i in (0, 1)
    ]
    return [
        Scenario(
            "livetranslate-vad-text-audio",
            LT,
            "English → Chinese, VAD, text and audio",
            "en",
            _corpus((0, 1), "en"),
            _corpus((0, 1), "zh"),
            "zh",
            {"modalities": ["text", "audio"], "translation": {"language": "zh"}},
        ),
        Scenario(
            "livetranslate-vad-text",
            LT,
            "Chinese → English, VAD, text only",
            "zh",
            _corpus((2, 3), "zh"),
            _corpus((2, 3), "en"),
            "en",
            {"modalities": ["text"], "translation": {"language": "en"}},
        ),
        Scenario(
            "livetranslate-transcription",
            LT35,
            "French → English with source transcription",
            "fr",
            _corpus((0, 2), "fr"),
            _corpus((0, 2), "en"),
            "en",
            {
                "translation": {"language": "en"},
                "input_audio_transcription": {
                    "model": "qwen3-asr-flash-realtime",
                    "language": "fr",
                },
            },
        ),
        Scenario(
            "livetranslate-hotwords",
            LT,
            "English → Chinese with a hotword (Machine learning → ML)",
            "en",
            _corpus((0, 1), "en"),
            hot_answers,
            "zh",
            {"translation": {"language": "zh", "corpus": {"phrases": hot}}},
        ),
        Scenario(
            "livetranslate-images",
            LT,
            "English → Chinese with an image sent after the first audio",
            "en",
            _corpus((1, 3), "en"),
            _corpus((1, 3), "zh"),
            "zh",
            {"translation": {"language": "zh"}},
            actions="image",
        ),
        Scenario(
            "livetranslate-manual",
            LT35,
            "German → English, manual commits",
            "de",
            _corpus((3, 0), "de"),
            _corpus((3, 0), "en"),
            "en",
            {"turn_detection": None, "translation": {"language": "en"}},
            manual=True,
        ),
        Scenario(
            "asr-vad",
            ASR,
            "English speech to text, VAD",
            "en",
            _corpus((0, 1), "en"),
            [],
            "en",
            {"input_audio_transcription": {"language": "en"}},
        ),
        Scenario(
            "asr-manual",
            ASR,
            "Chinese speech to text, manual commits",
            "zh",
            _corpus((2, 3), "zh"),
            [],
            "zh",
            {"turn_detection": None, "input_audio_transcription": {"language": "zh"}},
            manual=True,
        ),
        Scenario(
            "asr-8k",
            ASR,
            "English speech to text at 8 kHz",
            "en",
            _corpus((1, 2), "en"),
            [],
            "en",
            {"sample_rate": 8000, "input_audio_transcription": {"language": "en"}},
            rate=8000,
        ),
        Scenario(
            "omni-vad",
            OMNI,
            "A spoken question, answered automatically (VAD)",
            "en",
            ["What can you help me with today?"],
            ["I can answer questions, translate, and help you plan your day."],
            "en",
            {"modalities": ["text", "audio"], "voice": "Cherry"},
        ),
        Scenario(
            "omni-manual",
            OMNI,
            "Chinese question, manual commit and response.create",
            "zh",
            ["今天天气怎么样？"],
            ["今天天气晴朗，气温二十五度，适合出门散步。"],
            "zh",
            {"turn_detection": None, "voice": "Cherry"},
            manual=True,
        ),
        Scenario(
            "omni-cancel",
            OMNI,
            "A long answer cancelled part-way by response.cancel",
            "en",
            ["Tell me a long story about the sea."],
            [
                (
                    "Once upon a time, a small boat sailed out at dawn, past the harbour lights, into a wide "
                    "and quiet sea where the waves were tall and the wind was cold."
                )
            ],
            "en",
            {"turn_detection": None},
            manual=True,
            actions="cancel",
        ),
        Scenario(
            "omni-barge-in",
            OMNI,
            "The user speaks again while the answer plays (VAD barge-in)",
            "en",
            ["Tell me about the weather.", "Actually, what time is it?"],
            [
                "The weather today is sunny with a light breeze and a high of twenty five degrees.",
                "It is ten in the morning.",
            ],
            "en",
            {"modalities": ["text", "audio"]},
            actions="barge-in",
        ),
        Scenario(
            "omni-tool-call",
            OMNI,
            "A tool call round trip: get_current_weather, then the answer",
            "en",
            ["What is the weather like in Beijing?"],
            [
                ("get_current_weather", '{"location": "Beijing"}'),
                "It is sunny in Beijing, twenty five degrees.",
            ],
            "en",
            {"turn_detection": None, "modalities": ["text", "audio"], "tools": [WEATHER_TOOL]},
            manual=True,
            actions="tool",
        ),
        # TTS: the utterances are the text pieces appended, the answers the speech of each
        # response (docs/protocol/tts.md §6.2, §6.3).
        Scenario(
            "tts-server-commit",
            TTS,
            "Qwen3-TTS server_commit: text streamed in pieces, one response per sentence",
            "en",
            ["Hello, ", "welcome to the ", "mock. It speaks ", "like the real service."],
            ["Hello, welcome to the mock.", "It speaks like the real service."],
            "en",
            {"voice": "Cherry", "mode": "server_commit", "language_type": "English"},
        ),
        Scenario(
            "tts-commit",
            TTS,
            "Qwen3-TTS commit mode: Chinese text, one commit",
            "zh",
            ["您好，", "我是千问。"],
            ["您好，我是千问。"],
            "zh",
            {"voice": "Cherry", "mode": "commit", "language_type": "Chinese"},
            manual=True,
        ),
        Scenario(
            "tts-qwen-tts-realtime",
            QWEN_TTS,
            "Qwen-TTS-Realtime commit mode: one English sentence in voice Ethan",
            "en",
            ["Good morning, ", "how can I help you today?"],
            ["Good morning, how can I help you today?"],
            "en",
            {"voice": "Ethan", "mode": "commit"},
            manual=True,
        ),
        # The next Omni models (docs/protocol/omni-next.md): each in its default voice, Tina.
        Scenario(
            "omni35-plus-vad",
            OMNI35_PLUS,
            "qwen3.5-omni-plus: a spoken question, answered automatically (VAD)",
            "en",
            ["Can you recommend a good book?"],
            ["Try a classic novel; many readers enjoy a story about the sea."],
            "en",
            {"modalities": ["text", "audio"]},
            finish=False,
        ),
        Scenario(
            "omni35-flash-manual",
            OMNI35_FLASH,
            "qwen3.5-omni-flash: a Chinese question, manual commit and response.create",
            "zh",
            ["你好，请介绍一下你自己。"],
            ["你好，我是一个语音助手，可以回答问题。"],
            "zh",
            {"turn_detection": None},
            manual=True,
            finish=False,
        ),
        Scenario(
            "omni38-flash-vad",
            OMNI38_FLASH,
            "qwen3.8-omni-flash: a spoken question, answered automatically (VAD)",
            "en",
            ["How far away is the moon?"],
            ["The moon is about three hundred eighty four thousand kilometres away."],
            "en",
            {"modalities": ["text", "audio"]},
            finish=False,
        ),
        *_qwen_audio_scenarios(),
    ]


def _qwen_audio_scenarios() -> list[Scenario]:
    """One per Qwen-Audio model (docs/protocol/qwen-audio.md §1), each in another turn mode."""
    return [
        Scenario(
            "qwen-audio-plus-vad",
            "qwen-audio-3.0-realtime-plus",
            "Qwen-Audio: a spoken question, answered automatically (server_vad)",
            "en",
            ["What can you help me with today?"],
            ["I can answer questions, translate, and help you plan your day."],
            "en",
            {"modalities": ["text", "audio"], "voice": "longanqian"},
        ),
        Scenario(
            "qwen-audio-flash-push-to-talk",
            "qwen-audio-3.0-realtime-flash",
            "Qwen-Audio: Chinese question, push-to-talk commit and response.create",
            "zh",
            ["今天天气怎么样？"],
            ["今天天气晴朗，气温二十五度，适合出门散步。"],
            "zh",
            {"turn_detection": None, "voice": "longanlingxin"},
            manual=True,
        ),
        Scenario(
            "qwen-audio-3.1-plus-smart-turn",
            "qwen-audio-3.1-realtime-plus",
            "Qwen-Audio: a spoken question in smart_turn mode",
            "en",
            ["Tell me about the weather."],
            ["The weather today is sunny with a light breeze."],
            "en",
            {"turn_detection": {"type": "smart_turn"}},
        ),
        Scenario(
            "qwen-audio-3.1-flash-text",
            "qwen-audio-3.1-realtime-flash",
            "Qwen-Audio: a spoken question answered in text only (server_vad)",
            "en",
            ["What time is it?"],
            ["It is ten in the morning."],
            "en",
            {"modalities": ["text"]},
        ),
    ]


def run_tts(driver: Driver, scenario: Scenario) -> Fixture:
    """A TTS scenario's client side: the text pieces, a commit in commit mode, the finish."""
    for piece in scenario.utterances:
        driver.send({"type": "input_text_buffer.append", "text": piece})
    if scenario.manual:
        driver.send({"type": "input_text_buffer.commit"})
    driver.pull()
    driver.send({"type": "session.finish"})
    driver.pull()
    return driver.recording.fixture()


class Driver:
    """Plays a scenario's client side against the session core and records both directions."""

    def __init__(self, scenario: Scenario, seed: int, work: Path) -> None:
        self.scenario = scenario
        transcripts: list[tuple[str, str | None]] = [
            (text, scenario.source) for text in scenario.utterances
        ]
        responses = [
            RecordedResponse("", None, a)
            if isinstance(a, tuple)
            else RecordedResponse(
                a,
                resample(
                    _espeak(a, scenario.answer_language, 16000, work), 16000, OUTPUT_SAMPLE_RATE
                ),
            )
            for a in scenario.answers
        ]
        responder = ScriptedResponder(transcripts, responses, CorpusResponder(CORPUS))
        self.session = open_session(
            scenario.model,
            responder=responder,
            rng=random.Random(seed),
            behaviour=scenario.behaviour,
            strict=True,
        )
        self.recording = Recording(
            scenario.model,
            provenance="synthesized",
            date=DATE,
            scenario=scenario.name,
            description=scenario.description,
        )
        self.t_ms = 0
        self.server_clock = 0
        self.sent = 0
        self.pull()

    def send(self, event: Event, pull: bool = True) -> None:
        self.sent += 1
        event = {"event_id": f"event_{self.sent:04d}", **event}
        self.recording.add(self.t_ms, "client", event)
        self.session.receive_event(event)
        if pull:
            self.pull()

    def pull(self, limit: int | None = None) -> list[Event]:
        taken: list[Event] = []
        while limit is None or len(taken) < limit:
            event = self.session.next_event()
            if event is None:
                break
            self.server_clock = max(self.server_clock, self.t_ms)
            self.recording.add(self.server_clock, "server", event)
            if event["type"] == "response.audio.delta":
                self.server_clock += len(base64.b64decode(event["delta"])) * 1000 // 48000
            taken.append(event)
        return taken

    def stream(self, pcm: np.ndarray, rate: int, pull: bool = True) -> None:
        step = rate // 10
        for start in range(0, len(pcm), step):
            chunk = pcm[start : start + step]
            self.t_ms += len(chunk) * 1000 // rate
            self.send(
                {
                    "type": "input_audio_buffer.append",
                    "audio": base64.b64encode(chunk.astype("<i2").tobytes()).decode(),
                },
                pull=pull,
            )


def silence(ms: int, rate: int) -> np.ndarray:
    return np.zeros(rate * ms // 1000, dtype=np.int16)


def run(scenario: Scenario, seed: int, work: Path) -> Fixture:
    driver = Driver(scenario, seed, work)
    rate = scenario.rate
    driver.send({"type": "session.update", "session": scenario.update})
    if scenario.model in (TTS, QWEN_TTS):
        return run_tts(driver, scenario)
    speech = [_espeak(text, scenario.source, rate, work) for text in scenario.utterances]
    model = lookup(scenario.model)
    assert model is not None, f"{scenario.name}: unknown model {scenario.model}"
    # the assistant families answer a manual commit on response.create
    omni = model.family.name in ("omni", "qwen_audio")
    for index, pcm in enumerate(speech):
        barge = scenario.actions == "barge-in" and index == 1
        driver.stream(
            np.concatenate([silence(500, rate), pcm, silence(1200, rate)]), rate, pull=not barge
        )
        if scenario.actions == "barge-in" and index == 0:
            driver.pull(8)  # the answer has started playing when the user speaks again
        if scenario.actions == "image" and index == 0:
            driver.send(
                {
                    "type": "input_image_buffer.append",
                    "image": base64.b64encode(tiny_jpeg(640, 480)).decode(),
                }
            )
        if scenario.manual:
            driver.send({"type": "input_audio_buffer.commit"})
            if omni:
                driver.send({"type": "response.create"}, pull=scenario.actions != "cancel")
        if scenario.actions == "cancel":
            driver.pull(12)
            driver.send({"type": "response.cancel"})
        if scenario.actions == "tool":
            call = next(
                e
                for e in driver.recording.events[::-1]
                if e["event"].get("type") == "response.function_call_arguments.done"
            )["event"]
            driver.send(
                {
                    "type": "conversation.item.create",
                    "item": {
                        "type": "function_call_output",
                        "call_id": call["call_id"],
                        "output": json.dumps(
                            {"location": "Beijing", "weather": "sunny", "temperature_c": 25}
                        ),
                    },
                }
            )
            driver.send({"type": "response.create"})
    driver.pull()
    if scenario.finish and "session.finish" in model.family.dialect.client_events:
        driver.send({"type": "session.finish"})
        driver.pull()
    return driver.recording.fixture()


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as work:
        for seed, scenario in enumerate(scenarios()):
            fixture = run(scenario, seed, Path(work))
            save(fixture, out / scenario.name)
            print(
                f"{scenario.name}: {len(fixture.events)} events, {len(fixture.input_audio) / scenario.rate:.1f} s in, "
                f"{len(fixture.output_audio) / 24000:.1f} s out"
            )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "fixtures" / "scenarios")
