"""The real-time bench's client (bench/light_client.py) against a real-time mock: it completes a
session over its own WebSocket framing and measures lateness where the stop and the audio are."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from dashscope_realtime_mock.testing import MockServer

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from light_client import client_frame, light_run, run_sessions

from ..support import b64, load_speech

MODEL = "qwen3-livetranslate-flash-realtime"
SETUP = (
    '{"type": "session.update", "session": {"modalities": ["text", "audio"], "voice": "Cherry"}}'
)
FINISH = '{"type": "session.finish"}'


def _chunks(ms: int) -> list[str]:
    """The two-utterance recording's first `ms`, as append frames of 100 ms (its first utterance
    ends at 3.47 s; with LiveTranslate's 1 s of silence the stop is known at 4.47 s)."""
    speech = load_speech("en_two_utterances")
    return [
        f'{{"type": "input_audio_buffer.append", "audio": "{b64(chunk)}"}}'
        for chunk in speech.chunks(100, end_ms=ms)
    ]


def test_a_frame_is_masked_with_the_zero_key_and_sized_by_its_length_form():
    assert client_frame(b"hi") == b"\x81\x82\0\0\0\0hi"
    assert client_frame(b"x" * 200)[:4] == b"\x81\xfe\x00\xc8"
    assert client_frame(b"x" * 70000)[:10] == b"\x81\xff" + (70000).to_bytes(8, "big")


def test_one_session_measures_its_stop_and_its_audio():
    with MockServer(pace="realtime", first_text_latency_ms=50, first_audio_latency_ms=100) as mock:
        run = light_run(
            mock.url_for(MODEL), SETUP, _chunks(4700), FINISH, chunk_s=0.1, silence_ms=1000
        )

        async def go() -> None:
            await run_sessions(run, [asyncio.get_running_loop().time()], timeout_s=60)

        asyncio.run(go())
        (session,) = mock.sessions.values()
    assert run.errors == []
    assert session.types()[-1] == "session.finished"
    assert len(run.stopped) == 1
    assert 0 <= run.stopped[0] < 1.0  # sent → arrived, from the chunk that completed the silence
    deltas = session.types().count("response.audio.delta")
    assert deltas > 1
    assert len(run.audio) == deltas
    assert run.audio[0] == 0.0  # the first delta anchors its response's playback timeline
