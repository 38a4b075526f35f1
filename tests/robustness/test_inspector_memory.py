"""The robustness matrix, inspector memory: bounded in total, audio or not, with what it did not
keep stated by its API."""

from __future__ import annotations

import json

import pytest

from dashscope_realtime_mock.inspector import INSPECT_PATH, Inspector, Limits
from dashscope_realtime_mock.inspector.store import EVENT_NOT_KEPT
from dashscope_realtime_mock.transport.app import create_app
from dashscope_realtime_mock.transport.handshake import REALTIME_PATH
from dashscope_realtime_mock.transport.options import ServerOptions

OMNI = "qwen3-omni-flash-realtime"
BEARER = {"Authorization": "Bearer sk-test"}


async def _send_updates(client, count: int, instructions: str) -> None:
    """One session per update: a session.update carrying `instructions`, then close."""
    for n in range(count):
        async with client.ws_connect(f"{REALTIME_PATH}?model={OMNI}", headers=BEARER) as ws:
            await ws.receive(timeout=10)  # session.created
            update = {"instructions": instructions}
            await ws.send_json({"event_id": f"e{n}", "type": "session.update", "session": update})
            await ws.receive(timeout=10)  # session.updated or error


@pytest.mark.asyncio
async def test_big_non_audio_frames_are_not_kept_whole(aiohttp_client):
    """A near-limit session.update is kept as its type alone, and the API says how many were."""
    inspector = Inspector(Limits(content_per_event=64 * 1024))
    client = await aiohttp_client(create_app(ServerOptions(watcher=inspector)))
    await _send_updates(client, 4, "x" * 200_000)
    assert inspector.content < 4 * 64 * 1024
    body = await (await client.get(INSPECT_PATH + "/api/sessions")).json()
    assert body["not_kept"]["events_not_kept"] >= 4  # each update (and its echo)
    one = body["sessions"][0]["id"]
    view = await (await client.get(f"{INSPECT_PATH}/api/sessions/{one}")).json()
    assert view["events_not_kept"] >= 1
    update = next(e["i"] for e in view["events"] if e["type"] == "session.update")
    kept = await (await client.get(f"{INSPECT_PATH}/api/sessions/{one}/events/{update}")).json()
    assert EVENT_NOT_KEPT in json.dumps(kept)
    assert "x" * 1000 not in json.dumps(kept)


@pytest.mark.asyncio
async def test_the_content_total_forgets_the_oldest_closed_sessions(aiohttp_client):
    """Sessions whose content fills the total are forgotten oldest first, and counted."""
    limits = Limits(content_per_event=300_000, content_per_session=300_000, content_total=700_000)
    inspector = Inspector(limits)
    client = await aiohttp_client(create_app(ServerOptions(watcher=inspector)))
    await _send_updates(client, 6, "y" * 200_000)
    assert inspector.content <= limits.content_total
    body = await (await client.get(INSPECT_PATH + "/api/sessions")).json()
    assert body["not_kept"]["sessions_forgotten"] >= 3
    assert len(body["sessions"]) <= 3
