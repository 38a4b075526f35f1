"""A long frame is read off the event loop, and its answer still comes in order."""

from __future__ import annotations

import json

import aiohttp
import pytest

from dashscope_realtime_mock.protocol import inbound
from dashscope_realtime_mock.testing import MockServer
from tests.support import OMNI


@pytest.mark.asyncio
async def test_a_long_frame_is_answered_in_order_with_the_frames_after_it():
    """A 1 MiB instructions (over the string cap) gets its error before the next update's answer."""
    long_update = {"type": "session.update", "session": {"instructions": "x" * (1 << 20)}}
    assert len(json.dumps(long_update)) > inbound.OFF_LOOP_CHARS
    with MockServer() as server:
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(
                server.url_for(OMNI), headers={"Authorization": "Bearer sk-test"}
            ) as ws,
        ):
            for _ in range(2):  # session.created, and the session.updated of connect
                await ws.receive(timeout=10)
            await ws.send_json(long_update)
            await ws.send_json({"type": "session.update", "session": {"voice": "Ethan"}})
            first = json.loads((await ws.receive(timeout=10)).data)
            second = json.loads((await ws.receive(timeout=10)).data)
    server.check()
    assert first["type"] == "error" and first["error"]["param"] == "session.instructions"
    assert second["type"] == "session.updated" and second["session"]["voice"] == "Ethan"
