"""A Qwen-Audio session in the inspector: listed with its model, closed by the client (there is
no session.finish, docs/protocol/qwen-audio.md §5.7), its traffic valid Qwen-Audio."""

from __future__ import annotations

import asyncio
import json

import pytest

from dashscope_realtime_mock.inspector import INSPECT_PATH, Inspector
from dashscope_realtime_mock.replay.capture import validate_lines
from dashscope_realtime_mock.transport.app import create_app
from dashscope_realtime_mock.transport.handshake import REALTIME_PATH
from dashscope_realtime_mock.transport.options import ServerOptions
from tests.support import QWEN_AUDIO, b64

API = INSPECT_PATH + "/api"


@pytest.mark.asyncio
async def test_a_qwen_audio_session_is_inspected(aiohttp_client, speech_en):
    """The session is listed under its model; its traffic validates as the qwen_audio family."""
    client = await aiohttp_client(create_app(ServerOptions(strict=True, watcher=Inspector())))
    headers = {"Authorization": "Bearer sk-test"}
    async with client.ws_connect(f"{REALTIME_PATH}?model={QWEN_AUDIO}", headers=headers) as ws:
        session_id = json.loads((await ws.receive(timeout=10)).data)["session"]["id"]
        for n, chunk in enumerate(speech_en.chunks(100, end_ms=speech_en.gap_middle_ms)):
            event = {
                "event_id": f"event_{n}",
                "type": "input_audio_buffer.append",
                "audio": b64(chunk),
            }
            await ws.send_json(event)
        while json.loads((await ws.receive(timeout=10)).data)["type"] != "response.done":
            pass
    for _ in range(100):
        view = await (await client.get(f"{API}/sessions/{session_id}")).json()
        if view["session"]["outcome"] != "live":
            break
        await asyncio.sleep(0.05)
    listed = (await (await client.get(f"{API}/sessions")).json())["sessions"]
    assert [(s["id"], s["model"]) for s in listed] == [(session_id, QWEN_AUDIO)]
    text = await (await client.get(f"{API}/sessions/{session_id}/traffic.jsonl")).text()
    violations, checked, family = validate_lines(text.splitlines())
    assert violations == [] and family == "qwen_audio" and checked == view["session"]["events"]
