"""Fast pace over real sockets: the same upload gives the same events, on every run and under load."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from dashscope_realtime_mock.transport.app import create_app
from dashscope_realtime_mock.transport.handshake import REALTIME_PATH
from dashscope_realtime_mock.transport.options import ServerOptions
from tests.support import OMNI, b64

AUTH = {"Authorization": "Bearer sk-test"}
CONCURRENT = 50


async def _upload_two_utterances(client, speech, finish: bool = True) -> list[dict]:
    """Stream the whole recording as fast as the socket takes it; every server event until the end."""
    async with client.ws_connect(f"{REALTIME_PATH}?model={OMNI}", headers=AUTH) as ws:
        await ws.send_json({"type": "session.update", "session": {"modalities": ["text", "audio"]}})
        for chunk in speech.chunks(100):
            await ws.send_json({"type": "input_audio_buffer.append", "audio": b64(chunk)})
        if finish:
            await ws.send_json({"type": "session.finish"})
        events: list[dict] = []
        end = "session.finished" if finish else "response.done"
        while sum(e["type"] == end for e in events) < (1 if finish else 2):
            message = await asyncio.wait_for(ws.receive(), 30)
            assert message.type == aiohttp.WSMsgType.TEXT, message
            events.append(json.loads(message.data))
        return events


def _outcome(events: list[dict]) -> tuple:
    """What must never vary: event types in order, each response's status and usage."""
    responses = [e["response"] for e in events if e["type"] == "response.done"]
    return (
        [e["type"] for e in events],
        [(r["status"], json.dumps(r["usage"], sort_keys=True)) for r in responses],
    )


@pytest.fixture
def fast_server(aiohttp_client):
    """Factory: a fast-pace server (the default) behind pytest-aiohttp's client."""

    async def start(**options):
        return await aiohttp_client(create_app(ServerOptions(strict=True, **options)))

    return start


@pytest.mark.asyncio
async def test_the_same_fast_upload_gives_the_same_events_ten_times(fast_server, speech_en):
    """Ten uploads of one recording, one after another: identical types, statuses and usage."""
    client = await fast_server()
    outcomes = [_outcome(await _upload_two_utterances(client, speech_en)) for _ in range(10)]
    assert all(outcome == outcomes[0] for outcome in outcomes)
    assert [status for status, _ in outcomes[0][1]] == ["cancelled", "completed"]


@pytest.mark.asyncio
async def test_the_same_fast_upload_gives_the_same_events_under_load(fast_server, speech_en):
    """Fifty concurrent uploads give what one upload alone gives."""
    client = await fast_server()
    alone = _outcome(await _upload_two_utterances(client, speech_en))
    runs = await asyncio.gather(
        *(_upload_two_utterances(client, speech_en) for _ in range(CONCURRENT))
    )
    assert all(_outcome(events) == alone for events in runs)


@pytest.mark.asyncio
async def test_a_client_that_stops_streaming_gets_its_last_answer(fast_server, speech_en):
    """After the upload the client only waits: its input goes idle and the last answer completes."""
    client = await fast_server(audio_idle_ms=50)
    events = await _upload_two_utterances(client, speech_en, finish=False)
    statuses = [e["response"]["status"] for e in events if e["type"] == "response.done"]
    assert statuses == ["cancelled", "completed"]
