"""What the TTS session tests share: a strict session core and the audio it sent."""

from __future__ import annotations

import base64
import random

from dashscope_realtime_mock.families import open_session
from dashscope_realtime_mock.families.tts import TtsSession

FLASH = "qwen3-tts-flash-realtime"
QWEN_TTS = "qwen-tts-realtime"
INSTRUCT = "qwen3-tts-instruct-flash-realtime"
VOICE_DESIGN = "qwen3-tts-vd-realtime"


def tts_session(model: str = FLASH, seed: int = 7, **options) -> TtsSession:
    """A strict TTS session core with reproducible ids, session.created drained."""
    session = open_session(model, strict=True, rng=random.Random(seed), **options)
    assert isinstance(session, TtsSession)
    session.events_to_send()
    return session


def audio_bytes(events: list[dict]) -> bytes:
    """The decoded audio of every response.audio.delta in `events`, in order."""
    return b"".join(
        base64.b64decode(e["delta"]) for e in events if e["type"] == "response.audio.delta"
    )


def kinds(events: list[dict]) -> list[str]:
    """The types of `events`, audio deltas left out."""
    return [e["type"] for e in events if e["type"] != "response.audio.delta"]
