"""Helpers shared by the tests: the committed speech recordings, and a mock server in a thread."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

from dashscope_realtime_mock.families import open_session
from dashscope_realtime_mock.session.base import Session

SPEECH_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "speech"
LIVETRANSLATE = "qwen3-livetranslate-flash-realtime"
LIVETRANSLATE_35 = "qwen3.5-livetranslate-flash-realtime"
ASR = "qwen3-asr-flash-realtime"
OMNI = "qwen3-omni-flash-realtime"
OMNI_TURBO = "qwen-omni-turbo-realtime"
OMNI_35_PLUS = "qwen3.5-omni-plus-realtime"
OMNI_35_FLASH = "qwen3.5-omni-flash-realtime"
OMNI_38_FLASH = "qwen3.8-omni-flash-realtime"
OMNI_NEXT = (OMNI_35_PLUS, OMNI_35_FLASH, OMNI_38_FLASH)  # docs/protocol/omni-next.md §1
# The tool every Omni tool-call test configures (the shape of the docs' example, nested).
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "description": "Weather of a city.",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string"}},
            "required": ["location"],
        },
    },
}


@dataclass(frozen=True)
class Speech:
    """A committed recording with its true speech boundaries (see scripts/make_speech.sh)."""

    pcm: np.ndarray
    sample_rate: int
    segments: list[dict]
    language: str

    def chunks(self, ms: int = 100, start_ms: int = 0, end_ms: int | None = None):
        """The PCM16 bytes in `ms`-long pieces, as a streaming client sends them."""
        step = self.sample_rate * ms // 1000
        first = self.sample_rate * start_ms // 1000
        last = len(self.pcm) if end_ms is None else self.sample_rate * end_ms // 1000
        for i in range(first, last, step):
            yield self.pcm[i : min(i + step, last)].astype("<i2").tobytes()

    @property
    def duration_ms(self) -> int:
        return len(self.pcm) * 1000 // self.sample_rate

    @property
    def gap_middle_ms(self) -> int:
        """The middle of the pause between the two utterances."""
        return (self.segments[0]["end_ms"] + self.segments[1]["start_ms"]) // 2


def load_speech(name: str) -> Speech:
    pcm, rate = soundfile.read(SPEECH_DIR / f"{name}.wav", dtype="int16")
    truth = json.loads((SPEECH_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return Speech(pcm, rate, truth["segments"], truth["language"])


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def open_strict(model: str, **options) -> Session:
    """A session core in strict mode: any server event that breaks its schema raises at once."""
    return open_session(model, strict=True, **options)


def new_session(model: str = LIVETRANSLATE, seed: int = 7, **options) -> Session:
    """A strict session core with reproducible ids, its connect events (session.created and the
    unprompted session.updated) already drained."""
    session = open_strict(model, rng=random.Random(seed), **options)
    session.events_to_send()
    return session


_client_event_ids = itertools.count(1)


def send(_session: Session, **event) -> list[dict]:
    """Give the session one client event (with an event_id, as clients send) and return its answer."""
    event.setdefault("event_id", f"event_test_{next(_client_event_ids)}")
    _session.receive_event(event)
    return _session.events_to_send()


def stream(session: Session, speech: Speech, ms: int = 100, **bounds) -> list[dict]:
    out: list[dict] = []
    for chunk in speech.chunks(ms, **bounds):
        out += send(session, type="input_audio_buffer.append", audio=b64(chunk))
    return out


def types(events: list[dict]) -> list[str]:
    return [e["type"] for e in events]


def tiny_jpeg(width: int, height: int) -> bytes:
    """A minimal JPEG header (SOI, SOF0 with the size, EOI): enough for the documented checks."""
    sof = (
        b"\xff\xc0\x00\x11\x08"
        + height.to_bytes(2, "big")
        + width.to_bytes(2, "big")
        + b"\x03"
        + b"\x00" * 9
    )
    return (
        b"\xff\xd8"
        + b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + sof
        + b"\xff\xd9"
    )


OUTCOME_DEADLINE_S = 10.0  # how long an outcome may take on a loaded machine before a test fails


async def eventually(holds: Callable[[], bool], deadline_s: float = OUTCOME_DEADLINE_S) -> None:
    """Wait until `holds()` is true, checking every 10 ms; fail after `deadline_s`. For an outcome
    the server reaches a little later (it notices a close, logs a line): on a loaded machine a
    fixed sleep before the assertion can be too short, so wait for the outcome itself."""
    end = time.monotonic() + deadline_s
    while not holds():
        assert time.monotonic() < end, f"still not true after {deadline_s:g} s"
        await asyncio.sleep(0.01)


# The Qwen-Audio realtime models (docs/protocol/qwen-audio.md §1).
QWEN_AUDIO = "qwen-audio-3.0-realtime-plus"
QWEN_AUDIO_FLASH = "qwen-audio-3.0-realtime-flash"
