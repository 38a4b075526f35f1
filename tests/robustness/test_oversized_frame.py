"""The robustness matrix, an over-size frame: a 40 MiB frame sent whole gets close 1009, read
by the client, not a TCP reset."""

from __future__ import annotations

import aiohttp
import pytest

from dashscope_realtime_mock.transport.app import create_app, start_site
from dashscope_realtime_mock.transport.handshake import REALTIME_PATH
from dashscope_realtime_mock.transport.options import ServerOptions
from tests.support import ASR, LIVETRANSLATE, OMNI

FRAME = "x" * (40 * 2**20)


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["text", "binary"])
@pytest.mark.parametrize("model", [ASR, LIVETRANSLATE, OMNI])
async def test_a_40_mib_frame_gets_close_1009(model, kind):
    """The whole frame is sent; the client then reads Close 1009."""
    runner, port = await start_site(create_app(ServerOptions()), "127.0.0.1", 0)
    try:
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{port}{REALTIME_PATH}?model={model}"
            async with http.ws_connect(url, headers={"Authorization": "Bearer k"}) as ws:
                await ws.receive(timeout=10)  # session.created
                if kind == "text":
                    await ws.send_str(FRAME)
                else:
                    await ws.send_bytes(FRAME.encode())
                while (message := await ws.receive(timeout=20)).type in (
                    aiohttp.WSMsgType.TEXT,
                    aiohttp.WSMsgType.BINARY,
                ):
                    pass
                assert message.type is aiohttp.WSMsgType.CLOSE, message
                assert message.data == 1009
    finally:
        await runner.cleanup()
