"""The recording proxy records a TTS session (text in, speech out) that then replays by its text."""

from __future__ import annotations

import asyncio
import base64
import json

import aiohttp
import numpy as np
import pytest

from dashscope_realtime_mock.replay.capture import validate_lines
from dashscope_realtime_mock.replay.store import Fixture, load, save
from dashscope_realtime_mock.testing import MockServer
from dashscope_realtime_mock.transport.app import start_site
from dashscope_realtime_mock.transport.recorder import RecorderOptions, create_recorder_app

pytestmark = pytest.mark.asyncio
MODEL = "qwen3-tts-flash-realtime"
_DELTA = "response.audio.delta"
TEXT = "Recorded through the proxy. Then replayed by its text."


async def _speak(url: str) -> list[dict]:
    """One commit-mode TTS session at `url`, 16 kHz; every server event up to session.finished."""
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(f"{url}?model={MODEL}", headers={"Authorization": "Bearer k"})
        update = {"mode": "commit", "voice": "Ethan", "sample_rate": 16000}
        await ws.send_json({"type": "session.update", "session": update})
        await ws.send_json({"type": "input_text_buffer.append", "text": TEXT})
        await ws.send_json({"type": "input_text_buffer.commit"})
        await ws.send_json({"type": "session.finish"})
        events: list[dict] = []
        while not events or events[-1]["type"] != "session.finished":
            events.append(json.loads((await asyncio.wait_for(ws.receive(), 20)).data))
        await ws.close()
        return events


async def test_a_tts_session_is_recorded_and_replayed_by_its_text(realtime_mock, tmp_path):
    """The fixture holds the speech at the session's rate; a server on it answers the same text
    with the same speech."""
    saved: list = []
    runner, port = await start_site(
        create_recorder_app(RecorderOptions(realtime_mock.url, tmp_path, saved)), "127.0.0.1", 0
    )
    try:
        live = await _speak(f"ws://127.0.0.1:{port}/api-ws/v1/realtime")
        for _ in range(100):
            if saved:
                break
            await asyncio.sleep(0.05)
    finally:
        await runner.cleanup()
    fixture = load(saved[0])
    lines = (saved[0] / "session.jsonl").read_text(encoding="utf-8").splitlines()
    assert validate_lines(lines)[0] == []
    assert fixture.header["family"] == "tts" and fixture.header["output"]["sample_rate"] == 16000
    live_pcm = b"".join(base64.b64decode(e["delta"]) for e in live if e["type"] == _DELTA)
    assert fixture.output_audio.astype("<i2").tobytes() == live_pcm
    # The built-in speech is deterministic: halve the recording to tell a replay from it.
    quieter = (fixture.output_audio // 2).astype(np.int16)
    save(Fixture(fixture.header, fixture.events, fixture.input_audio, quieter), saved[0])
    with MockServer(fixtures=tmp_path) as replay:
        replayed = await _speak(replay.url)
    pcm = b"".join(base64.b64decode(e["delta"]) for e in replayed if e["type"] == _DELTA)
    assert pcm == quieter.astype("<i2").tobytes()
