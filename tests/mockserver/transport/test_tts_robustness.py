"""A TTS session over a real socket survives abuse: huge text, thousands of tiny appends, bad
escapes, appends after the finish; each answered, the server never failing."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from dashscope_realtime_mock.transport.app import create_app
from dashscope_realtime_mock.transport.handshake import REALTIME_PATH
from dashscope_realtime_mock.transport.options import ServerOptions

AUTH = {"Authorization": "Bearer sk-test"}
MODEL = "qwen3-tts-flash-realtime"


@pytest.fixture
def connect(aiohttp_client):
    """Factory: a connected TTS WebSocket (session.created already read)."""

    async def open_socket():
        client = await aiohttp_client(create_app(ServerOptions()))
        ws = await client.ws_connect(f"{REALTIME_PATH}?model={MODEL}", headers=AUTH)
        first = json.loads((await ws.receive()).data)
        assert first["type"] == "session.created"
        return ws

    return open_socket


async def _until_finished(ws) -> list[dict]:
    """Every event up to and including session.finished."""
    events = []
    while True:
        message = await asyncio.wait_for(ws.receive(), 30)
        assert message.type == aiohttp.WSMsgType.TEXT, message
        events.append(json.loads(message.data))
        if events[-1]["type"] == "session.finished":
            return events


def _types(events: list[dict]) -> list[str]:
    return [e["type"] for e in events if e["type"] != "response.audio.delta"]


@pytest.mark.asyncio
async def test_huge_text_is_refused_and_the_session_goes_on(connect):
    """An append past the buffer cap gets one error; the session then speaks and finishes."""
    tts_socket = await connect()
    await tts_socket.send_json({"type": "session.update", "session": {"mode": "commit"}})
    await tts_socket.send_json({"type": "input_text_buffer.append", "text": "a " * 15_000})
    await tts_socket.send_json({"type": "input_text_buffer.append", "text": "Short one."})
    await tts_socket.send_json({"type": "session.finish"})
    events = await _until_finished(tts_socket)
    errors = [e for e in events if e["type"] == "error"]
    assert len(errors) == 1 and "Input text buffer is full" in errors[0]["error"]["message"]
    assert _types(events).count("response.done") == 1


@pytest.mark.asyncio
async def test_thousands_of_tiny_appends_are_spoken_once(connect):
    """3000 one-character appends in commit mode give one response at the commit."""
    tts_socket = await connect()
    await tts_socket.send_json({"type": "session.update", "session": {"mode": "commit"}})
    for _ in range(3000):
        await tts_socket.send_json({"type": "input_text_buffer.append", "text": "a"})
    await tts_socket.send_json({"type": "input_text_buffer.commit"})
    await tts_socket.send_json({"type": "session.finish"})
    kinds = _types(await _until_finished(tts_socket))
    assert "error" not in kinds and kinds.count("response.done") == 1


@pytest.mark.asyncio
async def test_a_lone_surrogate_escape_is_answered_with_an_error(connect):
    """Text holding a lone surrogate (\\ud800, not valid UTF-8) is refused; the session goes on."""
    tts_socket = await connect()
    await tts_socket.send_str('{"type": "input_text_buffer.append", "text": "bad \\ud800 text."}')
    await tts_socket.send_json({"type": "input_text_buffer.append", "text": "Good text."})
    await tts_socket.send_json({"type": "session.finish"})
    events = await _until_finished(tts_socket)
    assert _types(events)[0] == "error"
    assert _types(events).count("response.done") == 1


@pytest.mark.asyncio
async def test_appends_after_finish_get_nothing(connect):
    """Text sent after session.finish is not answered; session.finished is the last event."""
    tts_socket = await connect()
    await tts_socket.send_json({"type": "input_text_buffer.append", "text": "Hello."})
    await tts_socket.send_json({"type": "session.finish"})
    await tts_socket.send_json({"type": "input_text_buffer.append", "text": "Too late."})
    events = await _until_finished(tts_socket)
    assert _types(events).count("response.done") == 1
    message = await asyncio.wait_for(tts_socket.receive(), 10)
    assert message.type in (
        aiohttp.WSMsgType.CLOSE,
        aiohttp.WSMsgType.CLOSING,
        aiohttp.WSMsgType.CLOSED,
    )
