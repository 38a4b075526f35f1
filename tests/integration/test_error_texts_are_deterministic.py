"""The same bad input gets the same error text from every server process, whatever its hash seed
(allowed values are listed in documented order, never in set or hash order)."""

from __future__ import annotations

import asyncio
import json
import os

import aiohttp

from tests.mockserver.banner import serving
from tests.support import ASR, LIVETRANSLATE, LIVETRANSLATE_35, OMNI

BAD_INPUTS: dict[str, list[dict[str, object]]] = {
    LIVETRANSLATE: [
        {"voice": "Nobody"},
        {"translation": {"language": "xx"}},
        {"input_audio_format": "mp3"},
        {"input_audio_transcription": {"model": "qwen3-asr-flash-realtime", "language": "xx"}},
    ],
    LIVETRANSLATE_35: [{"voice": "Nobody"}, {"output_audio_format": "mp3"}],
    ASR: [{"input_audio_format": "pcm16"}, {"input_audio_transcription": {"language": "xx"}}],
    OMNI: [{"voice": "Nobody"}, {"input_audio_transcription": {"model": "whisper-1"}}],
}


def _errors_from_a_server(hash_seed: str) -> list[str]:
    with serving(env={**os.environ, "PYTHONHASHSEED": hash_seed}) as banner:
        return asyncio.run(_collect(banner.port))


async def _collect(port: int) -> list[str]:
    messages: list[tuple[str, str]] = []
    async with aiohttp.ClientSession() as http:
        for model, updates in BAD_INPUTS.items():
            url = f"ws://127.0.0.1:{port}/api-ws/v1/realtime?model={model}"
            async with http.ws_connect(url, headers={"Authorization": "Bearer sk-test"}) as ws:
                for number, update in enumerate(updates):
                    event = {"event_id": f"e{number}", "type": "session.update", "session": update}
                    await ws.send_json(event)
                await ws.send_json({"event_id": "e-bad", "type": "no.such.event"})
                while len([m for m in messages if m[0] == model]) < len(updates) + 1:
                    event = json.loads((await ws.receive(timeout=10)).data)
                    if event["type"] == "error":
                        messages.append((model, event["error"]["message"]))
    return [message for _, message in messages]


def test_three_hash_seeds_give_identical_error_texts():
    """Servers started with PYTHONHASHSEED 1, 2 and 3 answer the same bad inputs identically."""
    first, *others = [_errors_from_a_server(seed) for seed in ("1", "2", "3")]
    assert len(first) == sum(len(u) + 1 for u in BAD_INPUTS.values())
    assert all("Supported values are" in message for message in first)
    assert all(other == first for other in others)
